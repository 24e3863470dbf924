import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { payLinkForRecovery } from "~/domain/collect/payment-requests.server";
import { AppError } from "~/domain/errors";
import { verifyRecoveryToken } from "~/domain/recovery/links.server";
import { db } from "~/utils/db.server";

// The dunning email's `{{pay_link_url}}` (ADR 0075): the customer pays the amount due now on the
// recovery's pay-link (made on first click, the same one after). When there is nothing left to pay,
// or the merchant has no provider to take it, they land on their /recover page, which says what to do.
export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const recoveryId = verifyRecoveryToken(token);
  const recovery = recoveryId ? await db().recovery.findUnique({ where: { id: recoveryId }, select: { id: true, workspaceId: true, status: true } }) : null;
  const fallback = redirect(`/recover/${encodeURIComponent(token)}`);
  if (!recovery || (recovery.status !== "pending" && recovery.status !== "failed")) return fallback;
  try {
    const { view } = await payLinkForRecovery({ workspaceId: recovery.workspaceId, recoveryId: recovery.id, createdVia: "api" });
    return redirect(`/pay/${view.shortCode}`);
  } catch (error) {
    if (error instanceof AppError && ["provider_connection_invalid", "validation_failed", "recovery_closed"].includes(error.code)) return fallback;
    throw error;
  }
}
