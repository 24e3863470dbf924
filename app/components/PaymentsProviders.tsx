import { Form, useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, FormLayout, InlineGrid, InlineStack, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { PageError } from "~/components/PageError";
import { ConnectionStatusBadge, CopyButton, useAnswerErrors } from "~/components/PaymentsShared";
import { useToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { ProvidersAction, ProvidersLoader } from "~/contracts/dashboard/payments-pages.server";

// <base>/payments/providers: the workspace's payment providers (Stripe accounts connected to it,
// Dojo accounts added by key), whether each can take pay-links, the last time one failed; the
// routing chain (primary, then secondary); adding a Dojo account; a £0.01 link to test each.

type Loaded = Awaited<ReturnType<ProvidersLoader>>;
type Connection = Loaded["connections"][number];

function ConnectionCard({ connection, loaded, onToast }: { connection: Connection; loaded: Loaded; onToast: (message: string) => void }) {
  const { readOnly, timeZone } = loaded;
  const fetcher = useFetcher<ProvidersAction>({ key: `setup-test-${connection.id}` });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const test = answer?.ok && answer.intent === "setup-test" ? answer.test : null;
  const failure = answer && !answer.ok ? answer : null;
  useEffect(() => {
    if (answer?.ok) onToast(answer.toast);
  }, [answer, onToast]);
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm" breakWord>
              {connection.label}
            </Text>
            <ConnectionStatusBadge status={connection.status} />
          </InlineStack>
          <Text as="span" variant="bodySm" tone="subdued">
            {connection.providerName} · {connection.livemode ? "Live" : "Test"}
          </Text>
        </InlineStack>
        <Text as="p" tone="subdued">
          {connection.statusWords}
        </Text>
        {connection.apiKeyLast4 ? (
          <Text as="p" variant="bodySm" tone="subdued">
            Secret key ending {connection.apiKeyLast4}
          </Text>
        ) : null}
        {connection.lastFailureAt ? (
          <Banner tone="warning" title={`Last failure: ${formatDate(connection.lastFailureAt, timeZone)}`}>
            <p style={{ overflowWrap: "anywhere" }}>{connection.lastFailure}</p>
          </Banner>
        ) : null}
        {connection.webhookUrl ? (
          <TextField
            id={`webhook-${connection.id}`}
            label="Webhook URL for Dojo"
            value={connection.webhookUrl}
            readOnly
            selectTextOnFocus
            autoComplete="off"
            onChange={() => undefined}
            connectedRight={<CopyButton text={connection.webhookUrl} label="Copy" onCopied={onToast} inputId={`webhook-${connection.id}`} />}
            helpText="Dojo sends payment updates here: add it as a webhook in Dojo's Developer Portal."
          />
        ) : null}
        {connection.canTest ? (
          <>
            <Divider />
            {failure ? (
              <Banner tone="critical">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            {test ? (
              <Banner tone="success" title="Test link ready">
                <BlockStack gap="100">
                  <p>Open it and pay £0.01 with a card{connection.status === "setup_incomplete" ? ": the payment verifies this connection" : ""}.</p>
                  <Link url={test.url} target="_blank">
                    {test.url}
                  </Link>
                </BlockStack>
              </Banner>
            ) : null}
            <InlineStack>
              <Button
                onClick={() => fetcher.submit({ intent: "setup-test", connectionId: connection.id }, { method: "post", encType: "application/json" })}
                loading={fetcher.state !== "idle"}
                disabled={Boolean(readOnly)}
                accessibilityLabel={`Test ${connection.label} with a £0.01 link`}
              >
                Test with a £0.01 link
              </Button>
            </InlineStack>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function RoutingCard({ loaded, onToast }: { loaded: Loaded; onToast: (message: string) => void }) {
  const { routing, routable, readOnly } = loaded;
  const fetcher = useFetcher<ProvidersAction>({ key: "routing" });
  const [primary, setPrimary] = useState(routing.primaryConnectionId ?? "");
  const [secondary, setSecondary] = useState(routing.secondaryConnectionId ?? "");
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const { errorOf, touch } = useAnswerErrors(answer && !answer.ok ? answer : undefined);
  useEffect(() => {
    if (answer?.ok) onToast(answer.toast);
  }, [answer, onToast]);
  useEffect(() => {
    setPrimary(routing.primaryConnectionId ?? "");
    setSecondary(routing.secondaryConnectionId ?? "");
  }, [routing.primaryConnectionId, routing.secondaryConnectionId]);
  const failure = answer && !answer.ok && !Object.keys(answer.fieldErrors).length ? answer : null;
  const primaryListed = routable.some((c) => c.id === primary);
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Routing chain
          </Text>
          <Text as="p" tone="subdued">
            Pay-links land on the primary. When the primary can&apos;t be used (it is down, or refuses Recoup&apos;s calls), a link falls back to the
            secondary and stays there. A link pinned to a provider ignores the chain.
          </Text>
        </BlockStack>
        {routable.length === 0 ? (
          <Text as="p">No provider is connected yet: connect Stripe, or add Dojo below and pay its £0.01 test link.</Text>
        ) : (
          <>
            {failure ? (
              <Banner tone="critical">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
              <Select
                label="Primary"
                options={[...(primaryListed ? [] : [{ label: "Choose a provider", value: "" }]), ...routable.map((c) => ({ label: c.label, value: c.id }))]}
                value={primary}
                onChange={(value) => {
                  touch("primaryConnectionId");
                  setPrimary(value);
                  if (value === secondary) setSecondary("");
                }}
                error={errorOf("primaryConnectionId")}
                disabled={Boolean(readOnly)}
              />
              <Select
                label="Secondary"
                options={[{ label: "None", value: "" }, ...routable.filter((c) => c.id !== primary).map((c) => ({ label: c.label, value: c.id }))]}
                value={secondary}
                onChange={(value) => {
                  touch("secondaryConnectionId");
                  setSecondary(value);
                }}
                error={errorOf("secondaryConnectionId")}
                disabled={Boolean(readOnly)}
              />
            </InlineGrid>
            <InlineStack>
              <Button
                variant="primary"
                onClick={() => fetcher.submit({ intent: "routing", primaryConnectionId: primary, secondaryConnectionId: secondary }, { method: "post", encType: "application/json" })}
                loading={fetcher.state !== "idle"}
                disabled={Boolean(readOnly) || !primary}
              >
                Save routing
              </Button>
            </InlineStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

function AddDojoCard({ loaded, onToast }: { loaded: Loaded; onToast: (message: string) => void }) {
  const fetcher = useFetcher<ProvidersAction>({ key: "add-dojo" });
  const [form, setForm] = useState({ label: "", apiKey: "", webhookSecret: "" });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const { errorOf, touch } = useAnswerErrors(answer && !answer.ok ? answer : undefined);
  const added = answer?.ok && answer.intent === "add-dojo" ? answer.added : null;
  useEffect(() => {
    if (!answer?.ok) return;
    onToast(answer.toast);
    setForm({ label: "", apiKey: "", webhookSecret: "" });
  }, [answer, onToast]);
  const failure = answer && !answer.ok && !Object.keys(answer.fieldErrors).length ? answer : null;
  const set = (field: keyof typeof form) => (value: string) => {
    touch(field);
    setForm((f) => ({ ...f, [field]: value }));
  };
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Add Dojo
          </Text>
          <Text as="p" tone="subdued">
            Paste a secret key from Dojo&apos;s Developer Portal (sk_prod_… for live payments, sk_sandbox_… to test) and the signing secret of a webhook you
            add there. Recoup checks the key with Dojo before saving it.
          </Text>
        </BlockStack>
        {added ? (
          <Banner tone="success" title={`${added.label} added: one more step in Dojo`}>
            <BlockStack gap="200">
              <p>Paste this URL as the webhook&apos;s address in Dojo&apos;s Developer Portal, then pay the connection&apos;s £0.01 test link to verify it.</p>
              <TextField
                id="added-webhook"
                label="Webhook URL"
                value={added.webhookUrl}
                readOnly
                selectTextOnFocus
                autoComplete="off"
                onChange={() => undefined}
                connectedRight={<CopyButton text={added.webhookUrl} label="Copy" onCopied={onToast} inputId="added-webhook" />}
              />
            </BlockStack>
          </Banner>
        ) : null}
        {loaded.readOnly ? (
          <Banner tone="info">
            <p>{loaded.readOnly}</p>
          </Banner>
        ) : null}
        {failure ? (
          <Banner tone="critical" title="Dojo wasn't added">
            <p>{failure.message}</p>
          </Banner>
        ) : null}
        <FormLayout>
          <TextField label="Label" autoComplete="off" value={form.label} onChange={set("label")} error={errorOf("label")} placeholder="Dojo (live)" helpText="How this account shows in Recoup." disabled={Boolean(loaded.readOnly)} />
          <TextField label="Secret key" type="password" autoComplete="off" value={form.apiKey} onChange={set("apiKey")} error={errorOf("apiKey")} disabled={Boolean(loaded.readOnly)} />
          <TextField
            label="Webhook signing secret"
            type="password"
            autoComplete="off"
            value={form.webhookSecret}
            onChange={set("webhookSecret")}
            error={errorOf("webhookSecret")}
            disabled={Boolean(loaded.readOnly)}
          />
        </FormLayout>
        <InlineStack>
          <Button onClick={() => fetcher.submit({ intent: "add-dojo", ...form }, { method: "post", encType: "application/json" })} loading={fetcher.state !== "idle"} disabled={Boolean(loaded.readOnly)}>
            Add Dojo
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

export function PaymentsProviders() {
  const loaded = useLoaderData<ProvidersLoader>();
  const { connections, hasStripe, readOnly, basePath } = loaded;
  const { toast, showToast } = useToast();
  return (
    <Page backAction={{ content: "Payments", url: `${basePath}/payments` }} title="Payment providers">
      <BlockStack gap="400">
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" tone="subdued">
            Pay-links take payments through these accounts. A Stripe account connected to Recoup is ready at once; a Dojo account is ready once its £0.01
            test link has been paid.
          </Text>
        </Box>
        {connections.length === 0 ? (
          <Card>
            <Text as="p">No provider yet: connect Stripe, or add a Dojo account below.</Text>
          </Card>
        ) : (
          <BlockStack gap="300">
            {connections.map((c) => (
              <ConnectionCard key={c.id} connection={c} loaded={loaded} onToast={showToast} />
            ))}
          </BlockStack>
        )}
        {hasStripe ? null : (
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Stripe
              </Text>
              <Text as="p" tone="subdued">
                Connect your Stripe account: pay-links then open Stripe&apos;s secure checkout.
              </Text>
              <Form method="post" action={`${basePath}/connect`}>
                <Button submit variant="primary" disabled={Boolean(readOnly)}>
                  Connect Stripe
                </Button>
              </Form>
            </BlockStack>
          </Card>
        )}
        <RoutingCard loaded={loaded} onToast={showToast} />
        <AddDojoCard loaded={loaded} onToast={showToast} />
      </BlockStack>
      {toast}
    </Page>
  );
}

export function PaymentsProvidersError() {
  return <PageError title="Payment providers" heading="Your payment providers could not be loaded" />;
}
