// A Stripe recovery's references: the invoice (with its hosted page) and the customer id, as Stripe
// shows them. Ingested payments are shown the same way (their PSP's payment id as the invoice).
import type { PlatformReferences, ReferencedRecovery } from "~/domain/recovery/provider";

export function invoiceReferences(r: ReferencedRecovery): PlatformReferences {
  return {
    name: "Stripe",
    debt: { label: "Invoice", text: r.externalId, url: r.hostedInvoiceUrl, urlText: r.hostedInvoiceUrl ? r.externalId : null },
    subtitle: `Invoice ${r.externalId}`,
    customer: { text: r.externalCustomerId, url: null },
  };
}
