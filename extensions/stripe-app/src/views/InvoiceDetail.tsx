import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { ContextView, Inline } from "@stripe/ui-extension-sdk/ui";
import { RecoveryPanel } from "../components/RecoveryPanel";

/** The invoice page: that invoice's recovery, its timeline, retry / pause / resume. */
const InvoiceDetail = (context: ExtensionContextValue) => {
  const invoiceId = context.environment.objectContext?.id;
  return (
    <ContextView title="Payment recovery" description="Recoup's work on this invoice">
      {invoiceId ? (
        <RecoveryPanel context={context} lookup={{ invoice_id: invoiceId }} noun="invoice" />
      ) : (
        <Inline>Open an invoice to see its recovery.</Inline>
      )}
    </ContextView>
  );
};

export default InvoiceDetail;
