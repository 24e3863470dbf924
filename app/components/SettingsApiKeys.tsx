import { Badge, Banner, BlockStack, Button, Card, ChoiceList, Divider, FormLayout, InlineStack, Link, Modal, Text, TextField } from "@shopify/polaris";
import { useCallback, useId, useState } from "react";
import { formatDate } from "~/contracts/dashboard/format";
import type { ShowToast } from "~/components/useToast";
import type { SettingsPageData } from "~/contracts/dashboard/settings-page.server";
import { ConfirmModal, SettingsSection, useFields, useSection, type SectionDone } from "./SettingsForm";

// API keys on the settings page (both homes): the list, create, rotate, revoke. A new key's raw
// value arrives in the action's answer only and is shown once, in a modal; closing it remounts the
// section's fetchers so that the answer holding the key is dropped from memory too.

type ApiKeys = SettingsPageData["apiKeys"];
type ListedKey = ApiKeys["items"][number];
type Secret = NonNullable<SectionDone["secret"]>;

const SCOPE_HELP: Record<string, { label: string; help: string }> = {
  read: { label: "Read", help: "See payments, recoveries, customers, subscriptions, invoices and settings." },
  write: { label: "Write", help: "Retry, pause and resume payments; change customers, recoveries and settings." },
  admin: { label: "Admin", help: "Everything, including creating and revoking API keys. Give it only to code you fully trust." },
  analytics: { label: "Analytics", help: "Recovery figures and reports." },
  webhooks: { label: "Webhooks", help: "Add, change and test webhook endpoints." },
  email: { label: "Email", help: "Dunning emails." },
};

const STATUS: Record<ListedKey["status"], { label: string; tone?: "success" | "warning" | "critical" }> = {
  active: { label: "Active", tone: "success" },
  expiring: { label: "Expiring", tone: "warning" },
  expired: { label: "Expired" },
  revoked: { label: "Revoked", tone: "critical" },
};

function DocsLink({ children = "API reference" }: { children?: string }) {
  return (
    <Link url="/docs/api" target="_blank">
      {children}
    </Link>
  );
}

export function ApiKeysSection({ apiKeys, timeZone, canManage, refusal, showToast }: { apiKeys: ApiKeys; timeZone: string; canManage: boolean; refusal: string | null; showToast: ShowToast }) {
  const [secret, setSecret] = useState<{ value: Secret; rotated: boolean } | null>(null);
  // Bumped when the key's modal closes: the fetchers below start afresh, their answers (with the key) gone.
  const [generation, setGeneration] = useState(0);
  const reveal = useCallback((value: Secret, rotated: boolean) => setSecret({ value, rotated }), []);
  return (
    <SettingsSection
      id="api-keys"
      title="API keys"
      description={
        <>
          Keys let your own code, such as a billing sync or a support tool, use Recoup&apos;s REST API. Each key can do only what its scopes allow. See the{" "}
          <DocsLink />.
        </>
      }
    >
      <ApiKeysManager key={generation} apiKeys={apiKeys} timeZone={timeZone} canManage={canManage} refusal={refusal} showToast={showToast} onSecret={reveal} />
      <AccessTokenCard showToast={showToast} />
      <NewKeyModal
        secret={secret}
        graceHours={apiKeys.graceHours}
        showToast={showToast}
        onClose={() => {
          setSecret(null);
          setGeneration((g) => g + 1);
        }}
      />
    </SettingsSection>
  );
}

function ApiKeysManager({
  apiKeys,
  timeZone,
  canManage,
  refusal,
  showToast,
  onSecret,
}: {
  apiKeys: ApiKeys;
  timeZone: string;
  canManage: boolean;
  refusal: string | null;
  showToast: ShowToast;
  onSecret: (secret: Secret, rotated: boolean) => void;
}) {
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<ListedKey | null>(null);
  const [revoking, setRevoking] = useState<ListedKey | null>(null);
  const rotator = useSection(showToast, (_, result) => {
    setRotating(null);
    if (result.secret) onSecret(result.secret, true);
  });
  const revoker = useSection(showToast, () => setRevoking(null));
  return (
    <>
      <Card>
        <BlockStack gap="400">
          {apiKeys.items.length === 0 ? (
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                No API keys yet
              </Text>
              <Text as="p" tone="subdued">
                Create a key when your own code needs Recoup: to list failed payments and recoveries, retry or pause them, sync customers, or manage webhooks. The{" "}
                <DocsLink /> shows every request, with examples.
              </Text>
            </BlockStack>
          ) : (
            <BlockStack gap="300">
              {apiKeys.items.map((key, i) => (
                <BlockStack key={key.id} gap="300">
                  {i > 0 ? <Divider /> : null}
                  <KeyRow apiKey={key} timeZone={timeZone} canManage={canManage} onRotate={() => setRotating(key)} onRevoke={() => setRevoking(key)} />
                </BlockStack>
              ))}
              {apiKeys.more ? (
                <Text as="p" variant="bodySm" tone="subdued">
                  The newest {apiKeys.items.length} keys are shown. The CLI (<code>api-key list</code>) and the API list them all.
                </Text>
              ) : null}
            </BlockStack>
          )}
          {refusal ? (
            <Text as="p" variant="bodySm" tone="subdued">
              {refusal}
            </Text>
          ) : null}
          <InlineStack align="end">
            <Button variant={apiKeys.items.length ? "secondary" : "primary"} disabled={!canManage} onClick={() => setCreating(true)}>
              Create API key
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <CreateKeyModal
        open={creating}
        scopes={apiKeys.scopes}
        showToast={showToast}
        onClose={() => setCreating(false)}
        onCreated={(secret) => {
          setCreating(false);
          onSecret(secret, false);
        }}
      />
      <Modal
        open={rotating !== null}
        onClose={() => setRotating(null)}
        title={`Rotate "${rotating?.name ?? ""}"?`}
        primaryAction={{ content: "Rotate key", loading: rotator.busy, onAction: () => rotating && rotator.submit({ intent: "rotate-api-key", id: rotating.id }) }}
        secondaryActions={[{ content: "Cancel", onAction: () => setRotating(null) }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <Text as="p">
              Recoup issues a new key with the same name and scopes, and shows it once. The current key ({rotating?.prefix}…) keeps working for{" "}
              {apiKeys.graceHours} hours, so you can deploy the new one without downtime; after that it is refused.
            </Text>
            <Text as="p" tone="subdued">
              If the key has leaked, revoke it instead: revoking stops it at once.
            </Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
      <ConfirmModal
        open={revoking !== null}
        title={`Revoke "${revoking?.name ?? ""}"?`}
        action="Revoke key"
        busy={revoker.busy}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoker.submit({ intent: "revoke-api-key", id: revoking.id })}
      >
        <BlockStack gap="200">
          <Text as="p">Requests with this key ({revoking?.prefix}…) are refused from now on. Code that still uses it stops working.</Text>
          <Text as="p" tone="subdued">
            This can&apos;t be undone: create a new key if you need one again.
          </Text>
        </BlockStack>
      </ConfirmModal>
    </>
  );
}

function KeyRow({ apiKey, timeZone, canManage, onRotate, onRevoke }: { apiKey: ListedKey; timeZone: string; canManage: boolean; onRotate: () => void; onRevoke: () => void }) {
  const status = STATUS[apiKey.status];
  const usable = apiKey.status === "active" || apiKey.status === "expiring";
  const when =
    apiKey.status === "expiring"
      ? `Rotated: works until ${formatDate(apiKey.expiresAt, timeZone)}`
      : apiKey.status === "revoked"
        ? `Revoked ${formatDate(apiKey.revokedAt, timeZone)}`
        : apiKey.status === "expired"
          ? `Expired ${formatDate(apiKey.expiresAt, timeZone)}`
          : null;
  return (
    <div data-testid="api-key-row">
      <InlineStack align="space-between" blockAlign="start" gap="200">
        <BlockStack gap="100">
          {/* align="start": Polaris stacks inherit the outer row's space-between otherwise. */}
          <InlineStack align="start" gap="200" blockAlign="center">
            <Text as="span" fontWeight="semibold" breakWord>
              {apiKey.name}
            </Text>
            <Badge tone={status.tone}>{status.label}</Badge>
            {apiKey.livemode ? null : <Badge>Test mode</Badge>}
          </InlineStack>
          <Text as="span" variant="bodySm">
            <code>{apiKey.prefix}…</code>
          </Text>
          <InlineStack align="start" gap="100" wrap>
            {apiKey.scopes.map((scope) => (
              <Badge key={scope} tone="info">
                {scope}
              </Badge>
            ))}
          </InlineStack>
          <Text as="span" variant="bodySm" tone="subdued">
            Created {formatDate(apiKey.createdAt, timeZone, false)} · {apiKey.lastUsedAt ? `Last used ${formatDate(apiKey.lastUsedAt, timeZone)}` : "Never used"}
          </Text>
          {when ? (
            <Text as="span" variant="bodySm" tone={apiKey.status === "expiring" ? "caution" : "subdued"}>
              {when}
            </Text>
          ) : null}
        </BlockStack>
        {canManage && usable ? (
          <InlineStack align="end" gap="300" blockAlign="center">
            {apiKey.status === "active" ? (
              <Button variant="plain" accessibilityLabel={`Rotate ${apiKey.name}`} onClick={onRotate}>
                Rotate
              </Button>
            ) : null}
            <Button variant="plain" tone="critical" accessibilityLabel={`Revoke ${apiKey.name}`} onClick={onRevoke}>
              Revoke
            </Button>
          </InlineStack>
        ) : null}
      </InlineStack>
    </div>
  );
}

const emptyForm = () => ({ name: "", scopes: [] as string[], customScopes: "", mode: ["live"] });

function CreateKeyModal({
  open,
  scopes,
  showToast,
  onClose,
  onCreated,
}: {
  open: boolean;
  scopes: readonly string[];
  showToast: ShowToast;
  onClose: () => void;
  onCreated: (secret: Secret) => void;
}) {
  const [form, setForm] = useState(emptyForm);
  const creator = useSection(showToast, (_, result) => {
    if (!result.secret) return;
    setForm(emptyForm());
    onCreated(result.secret);
  });
  const field = useFields(setForm, creator.clear);
  const create = () =>
    creator.submit({ intent: "create-api-key", name: form.name, scopes: form.scopes, customScopes: form.customScopes, livemode: form.mode[0] !== "test" });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title="Create an API key"
      primaryAction={{ content: "Create key", loading: creator.busy, onAction: create }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <FormLayout>
          <TextField
            label="Name"
            autoComplete="off"
            value={form.name}
            placeholder="Billing sync"
            onChange={field("name")}
            helpText="What uses the key, so that you recognise it later."
            error={creator.errors.name}
          />
          <ChoiceList
            allowMultiple
            title="Scopes"
            choices={scopes.map((scope) => ({ value: scope, label: SCOPE_HELP[scope]?.label ?? scope, helpText: SCOPE_HELP[scope]?.help }))}
            selected={form.scopes}
            onChange={field("scopes")}
            error={creator.errors.scopes ?? creator.errors["scopes.0"]}
          />
          <TextField
            label="Narrower scopes (optional)"
            autoComplete="off"
            value={form.customScopes}
            placeholder="read:payments, write:recoveries"
            onChange={field("customScopes")}
            helpText="Separated by commas: an action and a resource, such as read:payments. Tick nothing above to give the key only these."
            error={creator.errors.customScopes}
          />
          <ChoiceList
            title="Mode"
            choices={[
              { label: "Live", value: "live", helpText: "rk_live_…: works on your real payments." },
              { label: "Test", value: "test", helpText: "rk_test_…: for development and tests." },
            ]}
            selected={form.mode}
            onChange={field("mode")}
            error={creator.errors.livemode}
          />
        </FormLayout>
      </Modal.Section>
    </Modal>
  );
}

/** The raw key, once: copy it now. */
function NewKeyModal({ secret, graceHours, showToast, onClose }: { secret: { value: Secret; rotated: boolean } | null; graceHours: number; showToast: ShowToast; onClose: () => void }) {
  const inputId = useId();
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.value.key);
      showToast("API key copied");
    } catch {
      // Clipboard access can be refused (an iframe without permission): select it for a manual copy.
      const input = document.getElementById(inputId) as HTMLInputElement | null;
      input?.select();
      showToast("Couldn't copy: the key is selected, copy it with your keyboard.", true);
    }
  };
  return (
    <Modal
      open={secret !== null}
      onClose={onClose}
      title={secret?.rotated ? `New key for "${secret.value.name}"` : `API key "${secret?.value.name ?? ""}" created`}
      primaryAction={{ content: "Done", onAction: onClose }}
    >
      <Modal.Section>
        {secret ? (
          <BlockStack gap="400">
            <Banner tone="warning" title="Copy the key now: it won't be shown again">
              <p>Recoup keeps only a fingerprint of it. Store it where your code reads its secrets. If you lose it, rotate the key or create another.</p>
            </Banner>
            <TextField
              id={inputId}
              label="Your new API key"
              autoComplete="off"
              readOnly
              monospaced
              value={secret.value.key}
              onFocus={() => (document.getElementById(inputId) as HTMLInputElement | null)?.select()}
              connectedRight={<Button onClick={copy}>Copy</Button>}
            />
            {secret.rotated ? (
              <Text as="p" tone="subdued">
                The previous key keeps working for {graceHours} hours. Deploy this one before then.
              </Text>
            ) : null}
            <Text as="p" variant="bodySm" tone="subdued">
              Send it in a header: <code>Authorization: Bearer {secret.value.prefix}…</code> (or <code>X-API-Key</code>). <DocsLink>How to use it</DocsLink>
            </Text>
          </BlockStack>
        ) : null}
      </Modal.Section>
    </Modal>
  );
}

/**
 * A short-lived token for the merchant endpoints of the payments API (ND8's `Authorization: Token`):
 * minted for the signed-in teammate, with their role, shown once.
 */
function AccessTokenCard({ showToast }: { showToast: ShowToast }) {
  const [token, setToken] = useState<{ token: string; expiresAt: string } | null>(null);
  const minter = useSection(showToast, (_, result) => setToken(result.accessToken ?? null));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          Dashboard token
        </Text>
        <Text as="p" tone="subdued">
          The organization, payment link and webhook endpoints under <code>/api/</code> act as you, not as a key. Create a token that works for 12 hours and send it as{" "}
          <code>Authorization: Token …</code>.
        </Text>
        {token ? (
          <TextField
            label="Your token (shown once)"
            autoComplete="off"
            readOnly
            monospaced
            value={token.token}
            helpText={`Valid until ${new Date(token.expiresAt).toUTCString()}.`}
          />
        ) : null}
        <InlineStack align="end">
          <Button loading={minter.busy} onClick={() => minter.submit({ intent: "mint-access-token" })}>
            Create a token
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
