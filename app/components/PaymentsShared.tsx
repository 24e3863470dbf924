import { Badge, BlockStack, Box, Button, Card, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { PageError } from "./PageError";
import { useState } from "react";

// What the Payments pages share: the badges of pay-links, payments, refunds and connections, a
// pay-link's URL with its copy button and QR code, and a labelled fact.

type Tone = "success" | "info" | "attention" | "warning" | "critical" | "read-only" | undefined;

const LINK_STATUS: Record<string, { label: string; tone: Tone }> = {
  open: { label: "Open", tone: "info" },
  succeeded: { label: "Paid", tone: "success" },
  cancelled: { label: "Cancelled", tone: "read-only" },
  expired: { label: "Expired", tone: "warning" },
};

const TRANSACTION_STATUS: Record<string, { label: string; tone: Tone }> = {
  processing: { label: "Awaiting payment", tone: "attention" },
  paid: { label: "Paid", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  canceled: { label: "Cancelled", tone: "read-only" },
  refund_pending: { label: "Refund pending", tone: "attention" },
  refunded: { label: "Refunded", tone: "info" },
};

const REFUND_STATUS: Record<string, { label: string; tone: Tone }> = {
  pending: { label: "Pending", tone: "attention" },
  processing: { label: "Processing", tone: "attention" },
  completed: { label: "Refunded", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  rejected: { label: "Refused", tone: "critical" },
};

const CONNECTION_STATUS: Record<string, { label: string; tone: Tone }> = {
  setup_incomplete: { label: "Setup incomplete", tone: "attention" },
  connected: { label: "Connected", tone: "success" },
  disconnected: { label: "Disconnected", tone: "critical" },
};

function badge(table: Record<string, { label: string; tone: Tone }>, status: string) {
  const { label, tone } = table[status] ?? { label: status.replace(/_/g, " "), tone: undefined };
  return <Badge tone={tone}>{label}</Badge>;
}

export const PaymentStatusBadge = ({ status }: { status: string }) => badge(LINK_STATUS, status);
export const TransactionStatusBadge = ({ status }: { status: string }) => badge(TRANSACTION_STATUS, status);
export const RefundStatusBadge = ({ status }: { status: string }) => badge(REFUND_STATUS, status);
export const ConnectionStatusBadge = ({ status }: { status: string }) => badge(CONNECTION_STATUS, status);

/** Test-mode data is marked wherever it shows (live data is the default and carries no badge). */
export function TestBadge({ livemode }: { livemode: boolean }) {
  return livemode ? null : <Badge tone="warning">Test</Badge>;
}

/** Copies to the clipboard; where the browser refuses, selects the text for the merchant to copy. */
export function CopyButton({ text, label = "Copy link", onCopied, inputId }: { text: string; label?: string; onCopied: (message: string) => void; inputId?: string }) {
  return (
    <Button
      onClick={() => {
        const selectInput = () => {
          const input = inputId ? (document.getElementById(inputId) as HTMLInputElement | null) : null;
          input?.select();
          onCopied("Press Ctrl+C (⌘C on a Mac) to copy the selected link.");
        };
        if (!navigator.clipboard?.writeText) return selectInput();
        navigator.clipboard.writeText(text).then(() => onCopied("Copied to the clipboard"), selectInput);
      }}
    >
      {label}
    </Button>
  );
}

/** A pay-link to send: its URL (select-on-focus, with a copy button) and its QR code. */
export function PayLinkShare({ url, qr, onCopied, idPrefix }: { url: string; qr: string; onCopied: (message: string) => void; idPrefix: string }) {
  const inputId = `${idPrefix}-url`;
  return (
    <BlockStack gap="300">
      <TextField
        id={inputId}
        label="Link to send"
        value={url}
        readOnly
        selectTextOnFocus
        autoComplete="off"
        onChange={() => undefined}
        connectedRight={<CopyButton text={url} onCopied={onCopied} inputId={inputId} />}
      />
      <InlineStack gap="400" blockAlign="center" wrap>
        <Box borderWidth="025" borderColor="border" borderRadius="200" padding="100">
          <img src={qr} alt="QR code of the pay-link" width={152} height={152} style={{ display: "block" }} />
        </Box>
        <Box maxWidth="18rem">
          <Text as="p" variant="bodySm" tone="subdued">
            Customers can scan the code with their phone&apos;s camera to open the same page.
          </Text>
        </Box>
      </InlineStack>
    </BlockStack>
  );
}

/** A labelled value in a details list. */
export { Fact } from "./Fact";

/** Field errors from an action's answer, forgotten field by field as the merchant edits. */
export function useAnswerErrors(answer: { ok: boolean; fieldErrors?: Record<string, string> } | undefined) {
  const [edited, setEdited] = useState<{ answer: unknown; fields: Set<string> }>({ answer: null, fields: new Set() });
  const errors = answer && !answer.ok ? (answer.fieldErrors ?? {}) : {};
  const fields = edited.answer === answer ? edited.fields : new Set<string>();
  const errorOf = (field: string) => (fields.has(field) ? undefined : errors[field]);
  const touch = (field: string) => {
    if (!errors[field] || fields.has(field)) return;
    setEdited({ answer, fields: new Set([...fields, field]) });
  };
  return { errorOf, touch };
}

/** A Payments page's ErrorBoundary: another workspace's (or an unknown) id is a 404 that says so, anything else our failure. */
export function PaymentsPageError({ basePath, noun, missing }: { basePath: string; noun: string; missing: string }) {
  const error = useRouteError();
  const back = { content: "Payments", url: `${basePath}/payments` };
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page backAction={back} title={`${noun} not found`}>
        <Card>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="p">{typeof error.data === "string" ? error.data : missing}</Text>
            <Button url={`${basePath}/payments`}>Back to payments</Button>
          </BlockStack>
        </Card>
      </Page>
    );
  }
  return <PageError title={noun} heading={`This ${noun.toLowerCase()} could not be loaded`} backAction={back} />;
}
