import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { LinkPage, LinkPageError } from "~/components/LinkPage";
import { openCheckout, payPageFor } from "~/domain/collect/payment-requests.server";
import styles from "~/styles/recover.css?url";
import { accentColor } from "~/utils/branding";
import { env } from "~/utils/env.server";
import { formatMoney } from "~/utils/money";

// The public pay-link (ADR 0075): no login, the short code is the key. The button opens the hosted
// checkout of the provider the link resolves to now (falling back to the secondary when the primary
// is down); the provider sends the customer back here with ?paid=1, and its webhook settles the link.

const INVALID = "This payment link is not valid";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction<typeof loader> = ({ data: page }) => [
  { title: page ? `Pay ${page.merchant}` : "Payment link" },
  { name: "robots", content: "noindex, nofollow" },
];

export const headers = () => ({ "Cache-Control": "private, no-store" });

const CODE = /^[0-9A-Za-z]{12}$/;

async function linkOrNotFound(code: string | undefined) {
  const link = code && CODE.test(code) ? await payPageFor(code) : null;
  if (!link) throw data(INVALID, { status: 404 });
  return link;
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const link = await linkOrNotFound(params.code);
  const back = new URL(request.url).searchParams;
  return {
    merchant: link.workspace.name,
    accent: accentColor(link.workspace.brandColor),
    amount: formatMoney(link.amountMinor, link.currency, "en-GB"),
    description: link.description,
    customerName: link.customerName,
    status: link.status,
    returnedPaid: back.get("paid") === "1",
    returnedCancelled: back.get("cancelled") === "1",
  };
}

export async function action({ params }: ActionFunctionArgs) {
  const link = await linkOrNotFound(params.code);
  const base = `${env().APP_URL.replace(/\/$/, "")}/pay/${link.shortCode}`;
  const outcome = await openCheckout({
    shortCode: link.shortCode,
    returnUrl: () => ({ success: `${base}?paid=1`, cancel: `${base}?cancelled=1` }),
  });
  if (outcome.kind === "redirect") return redirect(outcome.url);
  if (outcome.kind === "closed") return { problem: null };
  return { problem: outcome.message };
}

function Closed({ status, merchant }: { status: string; merchant: string }) {
  if (status === "succeeded") {
    return (
      <>
        <h1 className="rc-title">Paid — thank you</h1>
        <p className="rc-text" role="status">
          This payment to {merchant} has been received. There is nothing more to do.
        </p>
      </>
    );
  }
  return (
    <>
      <h1 className="rc-title">{status === "expired" ? "This payment link has expired" : "This payment link was cancelled"}</h1>
      <p className="rc-text" role="status">
        It can no longer be paid, and nothing will be charged. If you still owe {merchant} this amount, ask them for a new link.
      </p>
    </>
  );
}

export default function PayLink() {
  const page = useLoaderData<typeof loader>();
  const submitting = useNavigation().state !== "idle";
  const problem = useActionData<typeof action>()?.problem;
  return (
    <LinkPage accent={page.accent}>
      <p className="rc-merchant">{page.merchant}</p>
      {page.status !== "open" ? (
        <Closed status={page.status} merchant={page.merchant} />
      ) : page.returnedPaid ? (
        <>
          <h1 className="rc-title">Thank you</h1>
          <p className="rc-text" role="status">
            Your payment of {page.amount} is being confirmed. You can close this page: {page.merchant} will see it shortly.
          </p>
        </>
      ) : (
        <>
          <p className="rc-amount-label">{page.customerName ? `${page.customerName}, you are paying` : "You are paying"}</p>
          <p className="rc-amount">{page.amount}</p>
          <p className="rc-reason">{page.description}</p>
          {page.returnedCancelled ? (
            <p className="rc-text" role="status">
              No payment was taken. You can try again whenever you are ready.
            </p>
          ) : null}
          {problem ? (
            <p className="rc-error" role="alert">
              {problem}
            </p>
          ) : null}
          <Form method="post" className="rc-form">
            <button type="submit" className="rc-button" disabled={submitting}>
              {submitting ? "Opening secure checkout…" : `Pay ${page.amount}`}
            </button>
          </Form>
          <p className="rc-fineprint">You will pay on our payment provider&apos;s secure page. {page.merchant} never sees your card details.</p>
        </>
      )}
    </LinkPage>
  );
}

export function ErrorBoundary() {
  return <LinkPageError invalid={INVALID} help="Check that you copied the whole link, or ask the business that sent it for a new one." />;
}
