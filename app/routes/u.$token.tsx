import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { LinkPage, LinkPageError } from "~/components/LinkPage";
import { unsubscribeByToken, unsubscribePage } from "~/domain/deliverability/unsubscribe.server";
import { merchantName } from "~/domain/dunning/messages.server";
import { readForm } from "~/http/body.server";
import styles from "~/styles/recover.css?url";

// The List-Unsubscribe link of every dunning email (RFC 8058, ADR 0071): no login, the signed token
// is the key. A mail client's one-click POST carries `List-Unsubscribe=One-Click` and gets a 200; a
// person who opens the link gets this page, whose button POSTs the same.

const INVALID = "This unsubscribe link is not valid";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Unsubscribe" }, { name: "robots", content: "noindex, nofollow" }];

export const headers = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await unsubscribePage(params.token ?? "");
  if (!page) throw data(INVALID, { status: 404 });
  return { merchant: merchantName(page.workspace), email: page.maskedEmail };
}

export async function action({ params, request }: ActionFunctionArgs) {
  const form = await readForm(request);
  if (form.get("List-Unsubscribe") !== "One-Click")
    throw data("Send List-Unsubscribe=One-Click to unsubscribe.", {
      status: 400,
    });
  if (!(await unsubscribeByToken(params.token ?? ""))) throw data(INVALID, { status: 404 });
  return { unsubscribed: true };
}

export default function Unsubscribe() {
  const { merchant, email } = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>()?.unsubscribed;
  const submitting = useNavigation().state !== "idle";
  return (
    <LinkPage>
      <p className="rc-merchant">{merchant}</p>
      {done ? (
        <>
          <h1 className="rc-title">You&apos;re unsubscribed</h1>
          <p className="rc-text" role="status">
            {merchant} will not send payment reminders to {email} any more. You can close this page.
          </p>
        </>
      ) : (
        <>
          <h1 className="rc-title">Stop payment reminders?</h1>
          <p className="rc-text">
            {merchant} emails {email} when a payment fails. Unsubscribe and these emails stop; you can still update your payment method from the merchant&apos;s
            own site.
          </p>
          <Form method="post" className="rc-form">
            <input type="hidden" name="List-Unsubscribe" value="One-Click" />
            <button type="submit" className="rc-button" disabled={submitting}>
              {submitting ? "Unsubscribing…" : "Unsubscribe"}
            </button>
          </Form>
        </>
      )}
    </LinkPage>
  );
}

export function ErrorBoundary() {
  return (
    <LinkPageError
      invalid={INVALID}
      statuses={[404, 400]}
      help="Use the unsubscribe link in the most recent email you received, or contact the business that sent it."
    />
  );
}
