import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { payLinkCodeForRecovery } from "~/domain/collect/payment-requests.server";
import { verifyRecoveryToken } from "~/domain/recovery/links.server";

// The dunning email's `{{pay_link_url}}` (ADR 0075): the customer pays the amount due now on the
// recovery's pay-link (made on first click, the same one after). When there is nothing left to pay,
// or the merchant has no provider to take it, they land on their /recover page, which says what to do.
export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const recoveryId = verifyRecoveryToken(token);
  const code = recoveryId ? await payLinkCodeForRecovery(recoveryId) : null;
  return redirect(code ? `/pay/${code}` : `/recover/${encodeURIComponent(token)}`);
}
