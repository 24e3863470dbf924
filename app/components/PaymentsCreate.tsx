import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, FormLayout, InlineGrid, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { PayLinkShare, useAnswerErrors } from "~/components/PaymentsShared";
import type { CreateForm, PaymentListAction, PaymentListLoader } from "~/contracts/dashboard/payments-pages.server";
import { parseMobile } from "~/domain/collect/mobile";

// "Create payment request": the form, then the link it made (URL, copy button, QR code).

type Options = Awaited<ReturnType<PaymentListLoader>>["create"];

const BLANK: Required<CreateForm> = {
  amount: "",
  currency: "GBP",
  description: "",
  customerName: "",
  customerEmail: "",
  customerMobile: "",
  reference: "",
  expiresAt: "",
  providerOverrideId: "",
};

export function PaymentsCreateModal(props: {
  open: boolean;
  onClose: () => void;
  options: Options;
  timeZone: string;
  readOnly: string | null;
  basePath: string;
  onCopied: (message: string) => void;
}) {
  const { open, onClose, options, timeZone, readOnly, basePath, onCopied } = props;
  const fetcher = useFetcher<PaymentListAction>({ key: "create-payment-request" });
  const [form, setForm] = useState(BLANK);
  const [mobileBlurred, setMobileBlurred] = useState(false);
  // The answer the merchant has moved on from ("Create another", or closing the modal).
  const [dismissed, setDismissed] = useState<unknown>(null);
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const { errorOf, touch } = useAnswerErrors(answer && !answer.ok ? answer : undefined);
  const created = answer?.ok && dismissed !== answer ? answer.link : null;
  const failure = answer && !answer.ok ? answer : null;
  const busy = fetcher.state !== "idle";

  const pinned = options.pins.find((p) => p.id === form.providerOverrideId);
  const currencies = pinned?.currencies ?? options.routing?.currencies ?? ["GBP"];
  useEffect(() => {
    if (!currencies.includes(form.currency)) setForm((f) => ({ ...f, currency: "GBP" }));
  }, [currencies, form.currency]);

  const set = (field: keyof CreateForm) => (value: string) => {
    touch(field);
    setForm((f) => ({ ...f, [field]: value }));
  };
  const mobileText = form.customerMobile.trim();
  const mobile = mobileText ? parseMobile(mobileText) : null;
  const mobileError = errorOf("customerMobile") ?? (mobileText && !mobile && mobileBlurred ? "That isn't a phone number: enter a UK mobile such as 07911 123456, or one with its country code." : undefined);

  const startAgain = () => {
    setForm(BLANK);
    setDismissed(answer);
    setMobileBlurred(false);
  };
  const close = () => {
    onClose();
    if (created) startAgain();
  };
  const submit = () => fetcher.submit({ intent: "create", form }, { method: "post", encType: "application/json", action: `${basePath}/payments?index` });

  if (created) {
    return (
      <Modal
        open={open}
        onClose={close}
        title="Payment request created"
        primaryAction={{ content: "View payment request", url: `${basePath}/payments/${created.id}` }}
        secondaryActions={[
          {
            content: "Create another",
            onAction: startAgain,
          },
          { content: "Done", onAction: close },
        ]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            <Text as="p">
              Send this link to the customer: they pay <strong>{created.amount}</strong> for &ldquo;{created.description}&rdquo; on your payment provider&apos;s secure page.
              {created.customerMobile ? ` Their mobile is saved as ${created.customerMobile}.` : ""}
            </Text>
            <PayLinkShare url={created.url} qr={created.qr} onCopied={onCopied} idPrefix="created" />
          </BlockStack>
        </Modal.Section>
      </Modal>
    );
  }

  return (
    <Modal
      open={open}
      onClose={close}
      title="Create payment request"
      primaryAction={{ content: "Create payment request", onAction: submit, loading: busy, disabled: Boolean(readOnly) }}
      secondaryActions={[{ content: "Cancel", onAction: close }]}
    >
      <Modal.Section>
        <BlockStack gap="400">
            {readOnly ? (
              <Banner tone="info">
                <p>{readOnly}</p>
              </Banner>
            ) : failure && !Object.keys(failure.fieldErrors).length ? (
              <Banner tone="critical">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            <FormLayout>
              <InlineGrid columns={{ xs: 1, sm: "2fr 1fr" }} gap="300">
                <TextField
                  label="Amount"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="24.99"
                  value={form.amount}
                  onChange={set("amount")}
                  error={errorOf("amount")}
                  requiredIndicator
                />
                <Select label="Currency" options={currencies} value={form.currency} onChange={set("currency")} error={errorOf("currency")} />
              </InlineGrid>
              <TextField
                label="Description"
                autoComplete="off"
                value={form.description}
                onChange={set("description")}
                error={errorOf("description")}
                helpText="What the payment is for: the customer sees it on the pay page."
                maxLength={500}
                requiredIndicator
              />
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                <TextField label="Customer name" autoComplete="off" value={form.customerName} onChange={set("customerName")} error={errorOf("customerName")} maxLength={120} />
                <TextField label="Customer email" type="email" autoComplete="off" value={form.customerEmail} onChange={set("customerEmail")} error={errorOf("customerEmail")} />
              </InlineGrid>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                <TextField
                  label="Customer mobile"
                  type="tel"
                  autoComplete="off"
                  value={form.customerMobile}
                  onChange={(value) => {
                    setMobileBlurred(false);
                    set("customerMobile")(value);
                  }}
                  onBlur={() => setMobileBlurred(true)}
                  error={mobileError}
                  helpText={mobile ? `Saved as ${mobile}` : "A UK number, or one with its country code."}
                />
                <TextField label="Reference" autoComplete="off" value={form.reference} onChange={set("reference")} error={errorOf("reference")} helpText="Your own: an invoice or order number." maxLength={120} />
              </InlineGrid>
              <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                <TextField
                  label="Expires"
                  type="datetime-local"
                  autoComplete="off"
                  value={form.expiresAt}
                  onChange={set("expiresAt")}
                  error={errorOf("expiresAt")}
                  helpText={`Optional, in ${timeZone}. Empty: the link doesn't expire.`}
                />
                <Select
                  label="Pin to provider"
                  options={[{ label: options.routing ? `Routing chain (now ${options.routing.label})` : "Routing chain", value: "" }, ...options.pins.map((p) => ({ label: p.label, value: p.id }))]}
                  value={form.providerOverrideId}
                  onChange={set("providerOverrideId")}
                  error={errorOf("providerOverrideId")}
                  helpText="Optional: every click lands on this provider instead of the routing chain."
                />
              </InlineGrid>
            </FormLayout>
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
