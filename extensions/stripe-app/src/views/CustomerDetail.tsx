import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { ContextView, Inline } from "@stripe/ui-extension-sdk/ui";
import { RecoveryPanel } from "../components/RecoveryPanel";

/** The customer page: that customer's latest recovery, its timeline, retry / pause / resume. */
const CustomerDetail = (context: ExtensionContextValue) => {
  const customerId = context.environment.objectContext?.id;
  return (
    <ContextView title="Payment recovery" description="Recoup's work on this customer's failed payments">
      {customerId ? (
        <RecoveryPanel context={context} lookup={{ customer_id: customerId }} noun="customer" />
      ) : (
        <Inline>Open a customer to see its recoveries.</Inline>
      )}
    </ContextView>
  );
};

export default CustomerDetail;
