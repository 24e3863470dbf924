import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppProvider, Badge, BlockStack, Box, Card, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { buildOpenApiDocument } from "~/http/api-v1/openapi.server";
import { allOperations } from "~/http/api-v1/registry.server";
import { rateLimits } from "~/http/api-v1/rate-limit.server";
import { API_VERSIONS, CURRENT_API_VERSION } from "~/http/api-v1/versions";
import { env } from "~/utils/env.server";

// /docs/api: the API reference, server-rendered from the same OpenAPI document as /api/v1/openapi.json
// (no script or CDN needed, so it works offline and without JavaScript).

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];
export const meta: MetaFunction = () => [{ title: "Recoup API reference" }];

type Json = Record<string, unknown>;
export interface ReferenceOperation {
  method: string;
  path: string;
  summary: string;
  description: string | null;
  scope: string | null;
  parameters: Array<{ name: string; in: string; required: boolean; description: string | null }>;
  requestBody: string | null;
  status: string;
  response: string;
  errors: string[];
  curl: string;
}
export interface ReferenceGroup {
  tag: string;
  operations: ReferenceOperation[];
}

/** The document, grouped by tag, with schemas pretty-printed (component refs resolved one level). */
export function referenceFrom(doc: ReturnType<typeof buildOpenApiDocument>): ReferenceGroup[] {
  const schemas = doc.components.schemas as Record<string, Json>;
  const show = (schema: unknown) => {
    const ref = (schema as Json | undefined)?.$ref;
    const resolved = typeof ref === "string" ? schemas[ref.split("/").pop()!] : schema;
    return JSON.stringify(resolved, null, 2).replaceAll('"#/components/schemas/', '"');
  };
  const groups = new Map<string, ReferenceOperation[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops as Record<string, Json>)) {
      const op = raw as Json & { responses: Record<string, Json>; tags: string[] };
      const [status, success] = Object.entries(op.responses).find(([s]) => s.startsWith("2"))!;
      const parameters = ((op.parameters as Json[] | undefined) ?? [])
        .filter((p) => typeof p.name === "string")
        .map((p) => ({ name: p.name as string, in: p.in as string, required: p.required === true, description: (p.description as string | undefined) ?? null }));
      const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content["application/json"]?.schema;
      const entry: ReferenceOperation = {
        method: method.toUpperCase(),
        path,
        summary: op.summary as string,
        description: (op.description as string | undefined) ?? null,
        scope: (op["x-required-scope"] as string | undefined) ?? null,
        parameters,
        requestBody: body ? show(body) : null,
        status,
        response: show((success.content as Record<string, { schema: unknown }>)["application/json"]!.schema),
        errors: Object.keys(op.responses).filter((s) => !s.startsWith("2")),
        curl: (op["x-codeSamples"] as Array<{ source: string }>)[0]!.source,
      };
      const tag = op.tags[0]!;
      groups.set(tag, [...(groups.get(tag) ?? []), entry]);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tag, operations]) => ({ tag, operations }));
}

export async function loader(_args: LoaderFunctionArgs) {
  const baseUrl = env().APP_URL;
  const doc = buildOpenApiDocument({ baseUrl, operations: allOperations() });
  return { baseUrl, groups: referenceFrom(doc), limits: rateLimits(), versions: [...API_VERSIONS], current: CURRENT_API_VERSION };
}

const METHOD_TONE = { GET: "info", POST: "success", PUT: "attention", PATCH: "attention", DELETE: "critical" } as const;

function Code({ children }: { children: string }) {
  return (
    <Box background="bg-surface-secondary" padding="300" borderRadius="200" overflowX="scroll">
      <pre style={{ margin: 0, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 13, whiteSpace: "pre" }}>{children}</pre>
    </Box>
  );
}

function Operation({ op }: { op: ReferenceOperation }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={METHOD_TONE[op.method as keyof typeof METHOD_TONE] ?? "info"}>{op.method}</Badge>
          <Text as="h3" variant="headingSm">
            <code>{op.path}</code>
          </Text>
          <Text as="span" tone="subdued">
            {op.summary}
          </Text>
        </InlineStack>
        {op.description ? <Text as="p">{op.description}</Text> : null}
        {op.parameters.length ? (
          <BlockStack gap="100">
            <Text as="h4" variant="headingXs">
              Parameters
            </Text>
            {op.parameters.map((p) => (
              <Text as="p" key={`${p.in}-${p.name}`}>
                <code>{p.name}</code> ({p.in}
                {p.required ? ", required" : ""}){p.description ? ` — ${p.description}` : ""}
              </Text>
            ))}
          </BlockStack>
        ) : null}
        {op.requestBody ? (
          <BlockStack gap="100">
            <Text as="h4" variant="headingXs">
              Body (application/json)
            </Text>
            <Code>{op.requestBody}</Code>
          </BlockStack>
        ) : null}
        <BlockStack gap="100">
          <Text as="h4" variant="headingXs">
            {`Response ${op.status}`}
          </Text>
          <Code>{op.response}</Code>
          <Text as="p" tone="subdued">
            {`Errors (application/problem+json): ${op.errors.join(", ")}`}
          </Text>
        </BlockStack>
        <BlockStack gap="100">
          <Text as="h4" variant="headingXs">
            Example
          </Text>
          <Code>{op.curl}</Code>
        </BlockStack>
      </BlockStack>
    </Card>
  );
}

export function ApiReference(props: Awaited<ReturnType<typeof loader>>) {
  const { groups, limits, versions, current, baseUrl } = props;
  return (
    <Page title="Recoup API reference" subtitle={`REST API v1 · ${baseUrl}/api/v1`}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Conventions
              </Text>
              <Text as="p">
                Authenticate with an API key (<code>Authorization: Bearer rk_live_…</code> or <code>X-API-Key</code>); create one with{" "}
                <code>npm run cli -- api-key create</code> or <code>POST /api/v1/api-keys</code>. Keys carry scopes: <code>read</code>, <code>write</code>,{" "}
                <code>admin</code> (everything), <code>analytics</code>, <code>webhooks</code>, <code>email</code>, or resource forms such as{" "}
                <code>read:payments</code>. A missing key is 401; a missing scope is 403 naming it in <code>meta.required_scope</code>.
              </Text>
              <Text as="p">
                JSON is snake_case. Lists answer <code>{"{items, next_cursor}"}</code>, newest first: pass <code>cursor</code> and <code>limit</code>{" "}
                (1–100, default 25), or <code>page</code> and <code>per_page</code> for totals. Errors are <code>application/problem+json</code> with a
                stable <code>code</code> and the <code>traceId</code> to quote.
              </Text>
              <Text as="p">
                {`Rate limits per key: ${limits.readPerMinute} reads and ${limits.writePerMinute} writes a minute, ${limits.perHour} requests an hour in all; every answer carries X-RateLimit-Limit, -Remaining and -Reset, and a 429 says Retry-After. `}
                Every POST accepts an <code>Idempotency-Key</code>: the same key with the same request replays the first answer for 24 hours.
              </Text>
              <Text as="p">
                {`Versions: send Recoup-Version (${versions.join(", ")}); without it you get ${current}. `}
                The machine-readable document is <Link url="/api/v1/openapi.json">/api/v1/openapi.json</Link> (OpenAPI 3.1).
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        {groups.map((group) => (
          <Layout.Section key={group.tag}>
            <BlockStack gap="300">
              <Text as="h2" variant="headingLg" id={group.tag.toLowerCase().replace(/\W+/g, "-")}>
                {group.tag}
              </Text>
              {group.operations.map((op) => (
                <Operation key={`${op.method} ${op.path}`} op={op} />
              ))}
            </BlockStack>
          </Layout.Section>
        ))}
      </Layout>
    </Page>
  );
}

export default function DocsApi() {
  const data = useLoaderData<typeof loader>();
  return (
    <AppProvider i18n={en}>
      <ApiReference {...data} />
    </AppProvider>
  );
}
