import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Checkbox, ChoiceList, FormLayout, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";
import { CopyButton, useAnswerErrors } from "~/components/PaymentsShared";
import type { EndpointForm, WebhooksAction, WebhooksLoader } from "~/contracts/dashboard/webhooks-page.server";

// The webhook endpoint form (add or edit), the rotation dialog and the dialog that shows a signing
// secret, once, with its copy button. Every problem of the form comes back at once, beside its field.

type Loaded = Awaited<ReturnType<WebhooksLoader>>;
export type LoadedEndpoint = Loaded["endpoints"][number];
type Answer = NonNullable<ReturnType<typeof useFetcher<WebhooksAction>>["data"]>;
/** A secret to show: the endpoint's URL and the secret, from the action that made it. */
export type Revealed = { url: string; secret: string; rotated: boolean };

// Event types as the page lists them; the server checks each against the catalogue.
type Form = Required<Omit<EndpointForm, "events">> & { events: string[] };

function formOf(endpoint: LoadedEndpoint | null): Form {
  return {
    url: endpoint?.url ?? "",
    allEvents: endpoint?.allEvents ?? true,
    events: endpoint && !endpoint.allEvents ? endpoint.events : [],
    description: endpoint?.description ?? "",
  };
}

/**
 * A dialog's fetcher and its answer: only one that came after the dialog was opened, and only until
 * it is `used` (a secret in an answer is shown once, not again when the dialog opens next time).
 */
function useDialogAnswer(open: boolean) {
  const fetcher = useFetcher<WebhooksAction>();
  const [stale, setStale] = useState<Answer | undefined>(undefined);
  const latest = useRef(fetcher.data);
  latest.current = fetcher.data;
  useEffect(() => {
    if (open) setStale(latest.current);
  }, [open]);
  const answer = fetcher.state === "idle" && fetcher.data !== stale ? fetcher.data : undefined;
  const used = useCallback(() => setStale(latest.current), []);
  return { fetcher, answer, failure: answer && !answer.ok ? answer : undefined, used };
}

export function WebhookEndpointEditor(props: {
  endpoint: LoadedEndpoint | null;
  open: boolean;
  onClose: () => void;
  onSaved: (message: string) => void;
  onSecret: (revealed: Revealed) => void;
  loaded: Loaded;
}) {
  const { endpoint, open, onClose, onSaved, onSecret, loaded } = props;
  const { fetcher, answer, failure, used } = useDialogAnswer(open);
  const [form, setForm] = useState<Form>(() => formOf(endpoint));
  const { errorOf, touch } = useAnswerErrors(failure);
  useEffect(() => {
    if (open) setForm(formOf(endpoint));
  }, [open, endpoint]);
  useEffect(() => {
    if (!answer?.ok) return;
    used();
    onSaved(answer.toast);
    if (answer.secret && answer.url) onSecret({ url: answer.url, secret: answer.secret, rotated: false });
    onClose();
  }, [answer, used, onSaved, onSecret, onClose]);
  const set =
    <K extends keyof Form>(key: K, errorKey: string = key) =>
    (value: Form[K]) => {
      touch(errorKey);
      setForm((f) => ({ ...f, [key]: value }));
    };
  const save = () =>
    fetcher.submit({ intent: endpoint ? "update" : "create", ...(endpoint ? { id: endpoint.id } : {}), form }, { method: "post", encType: "application/json" });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={endpoint ? "Edit endpoint" : "Add endpoint"}
      primaryAction={{ content: endpoint ? "Save endpoint" : "Add endpoint", onAction: save, loading: fetcher.state !== "idle", disabled: Boolean(loaded.readOnly) }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <FormLayout>
          {failure ? <Banner tone="critical" title={failure.message} /> : null}
          <TextField
            label="Endpoint URL"
            value={form.url}
            onChange={set("url")}
            autoComplete="off"
            type="url"
            placeholder="https://example.com/webhooks/recoup"
            helpText="An https address on the public internet. Recoup POSTs each event there as signed JSON."
            error={errorOf("url")}
            maxLength={2048}
          />
          <TextField
            label="Description"
            value={form.description}
            onChange={set("description")}
            autoComplete="off"
            helpText="Optional: what receives these events, such as “Billing service”."
            error={errorOf("description")}
            maxLength={500}
          />
          <BlockStack gap="200">
            <Checkbox
              label="All events"
              helpText={`All ${loaded.eventTypes.length} kinds of event Recoup sends.`}
              checked={form.allEvents}
              onChange={set("allEvents", "events")}
              error={form.allEvents ? errorOf("events") : undefined}
            />
            {form.allEvents ? null : (
              <ChoiceList
                allowMultiple
                title="Events to send"
                choices={loaded.eventTypes.map((e) => ({ label: e.type, value: e.type, helpText: e.description }))}
                selected={form.events}
                onChange={set("events")}
                error={errorOf("events")}
              />
            )}
          </BlockStack>
        </FormLayout>
      </Modal.Section>
    </Modal>
  );
}

const overlapWords = (hours: number) =>
  hours === 0 ? "No overlap: the current secret stops signing now" : hours === 24 ? "24 hours (recommended)" : hours % 24 === 0 ? `${hours / 24} days` : `${hours} hour${hours === 1 ? "" : "s"}`;

export function RotateSecretModal(props: { endpoint: LoadedEndpoint | null; onClose: () => void; onSaved: (message: string, error?: boolean) => void; onSecret: (revealed: Revealed) => void; loaded: Loaded }) {
  const { endpoint, onClose, onSaved, onSecret, loaded } = props;
  const { fetcher, answer, failure, used } = useDialogAnswer(endpoint !== null);
  const [hours, setHours] = useState("24");
  useEffect(() => {
    if (!answer?.ok) return;
    used();
    onSaved(answer.toast);
    if (answer.secret && answer.url) onSecret({ url: answer.url, secret: answer.secret, rotated: true });
    onClose();
  }, [answer, used, onSaved, onSecret, onClose]);
  return (
    <Modal
      open={endpoint !== null}
      onClose={onClose}
      title="Rotate signing secret"
      primaryAction={{
        content: "Rotate secret",
        loading: fetcher.state !== "idle",
        disabled: Boolean(loaded.readOnly),
        onAction: () => endpoint && fetcher.submit({ intent: "rotate", id: endpoint.id, expiresInHours: Number(hours) }, { method: "post", encType: "application/json" }),
      }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          {failure ? <Banner tone="critical" title={failure.message} /> : null}
          <Text as="p">
            A new secret signs every event to <strong style={{ overflowWrap: "anywhere" }}>{endpoint?.url}</strong> from now on. While the overlap lasts, each event carries both
            signatures, so your receiver can switch to the new secret without refusing an event.
          </Text>
          <Select
            label="Keep the current secret signing too for"
            options={loaded.overlapHours.map((h) => ({ label: overlapWords(h), value: String(h) }))}
            value={hours}
            onChange={setHours}
          />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

/** The signing secret, shown this once (it is in the action's answer only, never in the page's data). */
export function SecretModal({ revealed, onClose, onCopied }: { revealed: Revealed | null; onClose: () => void; onCopied: (message: string) => void }) {
  return (
    <Modal open={revealed !== null} onClose={onClose} title={revealed?.rotated ? "New signing secret" : "Endpoint added"} primaryAction={{ content: "Done", onAction: onClose }}>
      <Modal.Section>
        <BlockStack gap="300">
          <Banner tone="warning" title="Copy the signing secret now">
            <p>It is shown only this once. If you lose it, rotate the secret to get a new one.</p>
          </Banner>
          <Text as="p" breakWord>
            Events to {revealed?.url} are signed with it: check the Recoup-Signature header (HMAC-SHA256 of the timestamp and the body) before you trust an event.
          </Text>
          <TextField
            id="webhook-signing-secret"
            label="Signing secret"
            value={revealed?.secret ?? ""}
            readOnly
            selectTextOnFocus
            autoComplete="off"
            monospaced
            onChange={() => undefined}
            connectedRight={<CopyButton text={revealed?.secret ?? ""} label="Copy secret" onCopied={onCopied} inputId="webhook-signing-secret" />}
          />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
