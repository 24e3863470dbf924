import { data, redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { LinkPage, LinkPageError } from "~/components/LinkPage";
import { checkoutPageFor } from "~/domain/collect/checkout.server";
import { currentTransaction, isPaid } from "~/domain/collect/transactions.server";
import styles from "~/styles/recover.css?url";
import { formatMoney } from "~/utils/money";

// Recoup's hosted checkout (ND8's checkout_url, ADR 0076): no login, the token is the key. It sends
// the customer on to the processor's page, and, when the processor sends them back, on to the
// merchant's success, failed or cancel URL as the payment now stands (or says it here when the
// merchant gave none).

const INVALID = "This checkout link is not valid";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Checkout" }, { name: "robots", content: "noindex, nofollow" }];

export const headers = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ params, request }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const found = /^[0-9A-Za-z]{32}$/.test(token) ? await checkoutPageFor(token) : null;
  if (!found) throw data(INVALID, { status: 404 });
  const back = new URL(request.url).searchParams.get("return");
  // A customer back from the processor: read the payment there now, a webhook may not have come yet.
  const transaction = back ? await currentTransaction({ workspaceId: found.workspaceId, ref: { publicId: found.publicId } }) : found;
  const paid = isPaid(transaction.status);
  const ended = transaction.status === "failed" || transaction.status === "canceled";
  if (paid && transaction.successUrl) throw redirect(transaction.successUrl);
  if (ended && (transaction.failedUrl ?? transaction.cancelUrl)) throw redirect((transaction.failedUrl ?? transaction.cancelUrl)!);
  if (!paid && !ended && back === "cancel" && transaction.cancelUrl) throw redirect(transaction.cancelUrl);
  if (!paid && !ended && !back && transaction.checkoutUrl) throw redirect(transaction.checkoutUrl);
  return {
    amount: formatMoney(transaction.amountMinor, transaction.currency, "en-US"),
    state: paid ? "paid" : ended ? "ended" : back === "cancel" ? "cancelled" : "confirming",
  } as const;
}

export default function Checkout() {
  const page = useLoaderData<typeof loader>();
  return (
    <LinkPage>
      {page.state === "paid" ? (
        <>
          <h1 className="rc-title">Payment received</h1>
          <p className="rc-text" role="status">
            Your payment of {page.amount} went through. You can close this page.
          </p>
        </>
      ) : page.state === "ended" ? (
        <>
          <h1 className="rc-title">This checkout can no longer be paid</h1>
          <p className="rc-text" role="status">
            Nothing was charged. Ask the business for a new payment link if you still want to pay.
          </p>
        </>
      ) : page.state === "cancelled" ? (
        <>
          <h1 className="rc-title">No payment was taken</h1>
          <p className="rc-text" role="status">
            You left the checkout before paying {page.amount}.
          </p>
          <a className="rc-button" href="?">
            Return to checkout
          </a>
        </>
      ) : (
        <>
          <h1 className="rc-title">Confirming your payment</h1>
          <p className="rc-text" role="status">
            Your payment of {page.amount} is being confirmed. This page updates when you reload it.
          </p>
        </>
      )}
    </LinkPage>
  );
}

export function ErrorBoundary() {
  return <LinkPageError invalid={INVALID} help="Use the checkout link the business gave you, or ask them for a new one." />;
}
