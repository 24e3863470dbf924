// The customer page (/recover/<token>): what it shows for a recovery, in the merchant's colours.
import { z } from "zod";
import { accentColor, safeLogoUrl } from "~/utils/branding";
import { formatMoney } from "~/utils/money";
import { customerReason, needsAuthentication } from "~/domain/recovery/customer-page.server";
import { providerFor } from "~/domain/recovery/providers.server";
import type { Prisma } from "~/utils/db.server";

/** A recovery as the customer's link finds it (update-payment.server.ts findRecoveryByToken). */
type Recovery = Prisma.RecoveryGetPayload<{ include: { workspace: true; customer: true } }>;

const ContactEmail = z.email().max(320);

/** The merchant's reply-to address when it is a usable one: where the customer can write. */
export function contactEmail(replyTo: string | null | undefined): string | null {
  const address = replyTo?.trim();
  return address && ContactEmail.safeParse(address).success ? address : null;
}

/**
 * The customer page's facts. A payment waiting for the bank's confirmation
 * (3-D Secure) is confirmed on the platform's page for it, kept in
 * `hostedInvoiceUrl`: Stripe's hosted invoice, Shopify's billing attempt
 * `nextActionUrl` (docs/decisions/0007). Anything else is fixed by updating the
 * payment method. The page wears the merchant's colour and logo, as their
 * emails do.
 */
export function customerPageView(recovery: Recovery) {
  const open = recovery.status === "pending";
  const confirmUrl = open && needsAuthentication(recovery) ? recovery.hostedInvoiceUrl : null;
  return {
    merchant: recovery.workspace.senderName?.trim() || recovery.workspace.name,
    amount: formatMoney(recovery.amountDueMinor, recovery.currency),
    state: open ? "open" : recovery.status === "recovered" ? "recovered" : "closed",
    reason: open ? customerReason(recovery) : null,
    confirmUrl,
    accent: accentColor(recovery.workspace.brandColor),
    logoUrl: safeLogoUrl(recovery.workspace.logoUrl),
    // Every dead end ("contact the business") names how: the merchant's reply-to address.
    contactEmail: contactEmail(recovery.workspace.replyTo),
    // Where the card is entered: the provider's page (Stripe's portal, Shopify's from its update email).
    paymentHost: providerFor(recovery.provider).references(recovery).name,
  } as const;
}
