import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { LinkPage, LinkPageError } from "~/components/LinkPage";
import { cardOfToken, startCardUpdateFromLink } from "~/domain/campaigns/pre-dunning.server";
import { AppError } from "~/domain/errors";
import styles from "~/styles/recover.css?url";

// Pre-dunning's link (ADR 0074): a card about to expire, no login, the signed token is the key. The
// button opens the provider's own card-update page (Stripe: a portal session on the update flow),
// which returns here with ?updated=1.

const INVALID = "This link is not valid";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Update your card" }, { name: "robots", content: "noindex, nofollow" }];

export const headers = () => ({ "Cache-Control": "private, no-store" });

async function cardOrNotFound(token: string) {
  try {
    return await cardOfToken(token);
  } catch (error) {
    if (error instanceof AppError && error.code === "token_not_found") throw data(INVALID, { status: 404 });
    throw error;
  }
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { card, merchantName, expires } = await cardOrNotFound(params.token ?? "");
  return {
    merchant: merchantName,
    brand: card.brand,
    last4: card.last4,
    expires,
    updated: new URL(request.url).searchParams.get("updated") === "1",
  };
}

export async function action({ params }: ActionFunctionArgs) {
  await cardOrNotFound(params.token ?? "");
  try {
    const start = await startCardUpdateFromLink(params.token ?? "");
    if ("redirectTo" in start) return redirect(start.redirectTo);
    return { notice: start.notice, problem: null };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_configured") return { notice: null, problem: error.message };
    throw error;
  }
}

export default function CardUpdate() {
  const { merchant, brand, last4, expires, updated } = useLoaderData<typeof loader>();
  const submitting = useNavigation().state !== "idle";
  const answer = useActionData<typeof action>();
  const problem = answer?.problem;
  const notice = answer?.notice;
  const card = `${brand ? brand.charAt(0).toUpperCase() + brand.slice(1) : "Card"}${last4 ? ` ending ${last4}` : ""}`;
  return (
    <LinkPage>
      <p className="rc-merchant">{merchant}</p>
      {notice ? (
        <>
          <h1 className="rc-title">Check your inbox</h1>
          <p className="rc-text" role="status">
            {notice}
          </p>
        </>
      ) : updated ? (
        <>
          <h1 className="rc-title">Thank you</h1>
          <p className="rc-text" role="status">
            Your payment details are updated. Your next payment to {merchant} will use them.
          </p>
        </>
      ) : (
        <>
          <h1 className="rc-title">Your card expires soon</h1>
          <p className="rc-text">
            {card} expires at the end of {expires}. Add your new card now so your next payment to {merchant} goes through.
          </p>
          {problem ? (
            <p className="rc-text" role="alert">
              {problem}
            </p>
          ) : null}
          <Form method="post" className="rc-form">
            <button type="submit" className="rc-button" disabled={submitting}>
              {submitting ? "Opening…" : "Update your card"}
            </button>
          </Form>
        </>
      )}
    </LinkPage>
  );
}

export function ErrorBoundary() {
  return <LinkPageError invalid={INVALID} help="Use the link in the most recent email you received, or contact the business that sent it." />;
}
