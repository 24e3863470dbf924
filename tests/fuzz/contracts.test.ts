// The fuzz suite (issue 11, ADR 0060): ≥ 10,000 generated requests over real HTTP to the built app,
// over every operation of every contract Recoup serves: every route file (the /api/v1 registry's
// operations with their own fields), the inbound webhooks, the customer pages, the dashboard, and
// every operation the seed documents show (served or not). Each case is one hostile thing done to
// an otherwise well-formed, authenticated request: wrong types, huge numbers, unicode and lone
// surrogates, NUL, deep nesting, bodies over and just under each limit, bad encodings, path tricks,
// bad or missing auth in the contract's own scheme, duplicate query keys. Every answer: no 5xx,
// an error in its contract's shape, within a generous latency ceiling (nothing blocks the loop).
//
// Deterministic: FUZZ_SEED (printed) replays a run; FUZZ_CASE=<n> replays one case; FUZZ_CASES
// sets how many.
import { mintAccessToken } from "~/domain/auth/access-tokens.server";
import { cardUpdateToken, recordCardExpiry } from "~/domain/campaigns/pre-dunning.server";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationDoc } from "~/contracts/api-v1/endpoint.server";
import { speaksLostChurn } from "~/http/lostchurn-errors";
import { speaksFlowArc } from "~/http/flow-arc-errors";
import { speaksNd8 } from "~/http/nd8-errors";
import { speaksRevive } from "~/http/revive-errors";
import { createSession } from "~/domain/auth/sessions.server";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { setEmailProviderSecret } from "~/domain/deliverability/provider-webhooks.server";
import { unsubscribeToken } from "~/domain/deliverability/unsubscribe.server";
import { db } from "~/utils/db.server";
import { signPayload } from "../fakes/stripe-server";
import { exampleBody, fixtureWorkspace, loadApiV1, ownParams, paramNames, queryOf, shapeOf, type Fixture } from "../helpers/api-v1-inventory";
import { routeFiles, seedOperations, type Method, type Product } from "../helpers/route-inventory";
import { configureShopify, installShop, sessionTokenFor, shopifyHmac } from "../helpers/shopify";
import { WEBHOOK_SECRET } from "../helpers/stripe";
import { startBuiltWeb } from "../helpers/web";

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const ONLY = process.env.FUZZ_CASE === undefined ? null : Number(process.env.FUZZ_CASE);
/**
 * Generous (p99 is ~200 ms on this shared 2-core machine, ADR 0060): a request that takes this
 * long means something held the event loop.
 */
const LATENCY_CEILING_MS = 2_000;
/** Clients in flight at once, so that one request blocking the loop shows as another one's latency. */
const CONCURRENCY = 4;
const STRIPE_APP_SECRET = "absec_fuzz_stripe_app";
const SHOP = "fuzz-shop.myshopify.com";

// ------------------------------------------------------------------------------------ contracts

/** Each contract's auth scheme and error shape; every path Recoup serves or a seed shows belongs to one. */
type Contract =
  | "api-v1"
  | "dunningdog"
  | "revive"
  | "stripe-webhook"
  | "shopify-webhook"
  | "email-webhook"
  | "processor-webhook"
  | "nd8"
  | "stripe-app"
  | "shopify-extension"
  | "customer-pages"
  | "dashboard"
  | "api-not-found"
  | `seed:${Product}`;

/**
 * Which contract a served path belongs to. A route file under a prefix not listed here fails the
 * suite: say which contract it speaks (its auth scheme and its error shape) before it ships.
 */
const CONTRACT_OF: Array<[RegExp, Contract]> = [
  [/^\/api\/v1\//, "api-v1"],
  [/^\/api\/(stripe\/connect|dashboard\/(summary|recoveries)$|dunning\/|customer\/)/, "dunningdog"],
  [/^\/api\/(health$|dashboard\/stats$|recovery\/)/, "revive"],
  [/^\/api\/webhooks\/stripe$/, "stripe-webhook"],
  [/^\/webhooks\/shopify$/, "shopify-webhook"],
  [/^\/webhooks\/email\/[^/]+$/, "email-webhook"],
  [/^\/webhooks\/[^/]+\/[^/]+$/, "processor-webhook"],
  [/^\/api\/stripe-app\//, "stripe-app"],
  [/^\/api\/shopify-ext\//, "shopify-extension"],
  [/^\/(recover|e\/o|u|card|pay|checkout)\//, "customer-pages"],
  [/^\/api\/(checkout|transactions|refunds|organization|payment-links)(\/|$)/, "nd8"],
  [/^\/(dashboard|app|auth|outbox|docs)(\/|$)|^\/$/, "dashboard"],
  // The splat routes answering every path no route serves under /api and /webhooks.
  [/^\/(api|webhooks)\/x$/, "api-not-found"],
];

const contractOfPath = (path: string): Contract | undefined => CONTRACT_OF.find(([re]) => re.test(path))?.[1];
const isApiSurface = (path: string) => path.startsWith("/api/") || path.startsWith("/webhooks/");

interface Operation {
  contract: Contract;
  method: Method;
  /** With `{name}` parameters. */
  path: string;
  /** The values a well-formed request puts in them. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** A well-formed body (JSON object or form fields); undefined when the operation takes none. */
  body?: Record<string, unknown>;
  form?: boolean;
  /** Field names of the documented query (the registry's schema), fuzzed beside unknown ones. */
  queryFields: string[];
  /** The byte limits this operation's body reader applies, probed just under and just over. */
  limits: number[];
  /** False for a seed operation no route serves (a 404 in its contract's shape is its answer). */
  served: boolean;
}

let A: Fixture;
let base: string;
let close: () => Promise<void>;
let recoveryToken: string;
let unsubscribeLink: string;
let cardLink: string;
let postmarkSecret: string;
let sequenceId: string;
let nd8Token: string;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 2 });

/** The well-formed body for the routes outside /api/v1 (which documents its own examples). */
function exampleOf(method: Method, path: string): { body?: Record<string, unknown>; form?: boolean; query?: Record<string, string> } {
  const ws = A.workspaceId;
  switch (path) {
    case "/api/stripe/connect/start":
      return { body: { workspaceId: ws } };
    case "/api/stripe/connect/callback":
      return { query: { code: "ac_fuzz", state: "state" } };
    case "/api/dashboard/summary":
      return { query: { workspaceId: ws, window: "month" } };
    case "/api/dashboard/recoveries":
      return { query: { workspaceId: ws, limit: "20" } };
    case "/api/dunning/sequences":
      return { body: { workspaceId: ws, name: "Fuzz", steps: [{ delayHours: 0, subject: "s", bodyHtml: "<p>b</p>" }] } };
    case "/api/dunning/sequences/{id}":
      return { body: { name: "Fuzz" } };
    case "/api/customer/update-payment-session":
      return { body: { recoveryToken } };
    case "/api/recovery/status":
      return { query: { invoiceId: A.ids.invoice } };
    case "/api/recovery/retry":
      return { body: { invoiceId: A.ids.invoice } };
    case "/api/dashboard/stats":
      return { query: {} };
    case "/api/webhooks/stripe":
      return {
        body: {
          id: "evt_fuzz",
          object: "event",
          type: "invoice.payment_failed",
          created: Math.floor(Date.now() / 1000),
          livemode: false,
          account: "acct_fuzz",
          data: { object: { id: "in_fuzz", object: "invoice", customer: "cus_fuzz", amount_due: 4900, currency: "usd" } },
        },
      };
    case "/webhooks/shopify":
      return { body: { id: 1, admin_graphql_api_id: "gid://shopify/Order/1" } };
    case "/webhooks/email/{provider}":
      return { query: { workspace: ws }, body: { RecordType: "Bounce", ID: 1, Type: "HardBounce", Email: "fuzz-bounce@example.com" } };
  }
  if (path.startsWith("/api/stripe-app/")) return { body: { user_id: "usr_fuzz", account_id: "acct_fuzz", mode: "test" } };
  if (method !== "GET" && !path.startsWith("/api/")) return { body: { intent: "save" }, form: true };
  return {};
}

const routeParams = (path: string): Record<string, string> =>
  Object.fromEntries(
    paramNames(path).map((name) => {
      if (path.startsWith("/recover/")) return [name, recoveryToken];
      if (path.startsWith("/u/")) return [name, unsubscribeLink];
      if (path.startsWith("/card/")) return [name, cardLink];
      if (path.startsWith("/webhooks/email/")) return [name, "postmark"];
      if (path.startsWith("/pay/")) return [name, "aB3dE5fG7hJ9"];
      if (path === "/webhooks/{provider}/{connectionId}") return [name, name === "provider" ? "dojo" : "00000000-0000-4000-8000-000000000000"];
      if (path.startsWith("/api/shopify-ext/")) return [name, "gid://shopify/Customer/1"];
      if (path.includes("{action}") && name === "action") return [name, "pause"];
      if (/dunning/.test(path)) return [name, sequenceId];
      return [name, A.ids.recovery];
    }),
  );

function limitsOf(contract: Contract, path: string): number[] {
  if (path === "/api/customer/update-payment-session") return [8 * 1024, 1024 * 1024];
  if (contract === "stripe-webhook" || contract === "shopify-webhook" || contract === "email-webhook") return [512 * 1024, 1024 * 1024];
  if (/dunning/.test(path)) return [256 * 1024, 1024 * 1024];
  return [256 * 1024, 1024 * 1024];
}

/** Every operation: the v1 registry's, every other route file's methods, and every seed operation. */
async function inventory(): Promise<{ operations: Operation[]; unknownRoutes: string[] }> {
  const operations: Operation[] = [];
  const { operations: v1 } = await loadApiV1();
  const fromV1 = (op: OperationDoc): Operation => ({
    contract: "api-v1",
    method: op.method,
    path: op.path,
    params: ownParams(op, A),
    query: Object.fromEntries(new URLSearchParams(queryOf(op))),
    body: op.method === "GET" ? undefined : ((exampleBody(op) as Record<string, unknown> | undefined) ?? {}),
    queryFields: Object.keys(shapeOf(op.query)),
    limits: [256 * 1024, 1024 * 1024],
    served: true,
  });
  operations.push(...v1.map(fromV1));
  const seeds = seedOperations();
  const unknownRoutes: string[] = [];
  for (const route of routeFiles()) {
    if (route.path.startsWith("/api/v1/")) continue; // the registry's, with their exact methods
    const contract = contractOfPath(route.path.replace("*", "x"));
    if (!contract) {
      unknownRoutes.push(`${route.file} (${route.path})`);
      continue;
    }
    // An action answers the methods the seeds document for its path (DunningDog's PATCH), else POST.
    // ND8 writes its paths with a trailing slash (`/api/refunds/{id}/`), which Remix matches without it.
    const bySeed = seeds.filter((seed) => seed.path.replace(/(.)\/$/, "$1") === route.path);
    const documented = bySeed.filter((seed) => seed.method !== "GET").map((seed) => seed.method);
    // A path its seed documents only for GET has an action that answers 405 alone: nothing to post.
    const posts: readonly Method[] = documented.length ? documented : bySeed.length ? [] : ["POST"];
    const methods: Method[] = [...(route.loader || !route.action ? (["GET"] as const) : []), ...(route.action ? posts : [])];
    for (const method of methods) {
      const path = route.path.replace("*", "x");
      const example = exampleOf(method, path);
      operations.push({
        contract,
        method,
        path,
        params: routeParams(path),
        query: example.query ?? {},
        body: method === "GET" ? undefined : (example.body ?? {}),
        form: example.form,
        queryFields: Object.keys(example.query ?? {}),
        limits: limitsOf(contract, path),
        served: true,
      });
    }
  }
  const served = new Set(operations.map((op) => `${op.method} ${op.path}`));
  for (const seed of seeds) {
    if (served.has(`${seed.method} ${seed.path}`)) continue;
    const contract = contractOfPath(seed.path) ?? (`seed:${seed.product}` as const);
    operations.push({
      contract,
      method: seed.method,
      path: seed.path,
      params: Object.fromEntries(paramNames(seed.path).map((name) => [name, A.ids.recovery])),
      query: {},
      body: seed.method === "GET" ? undefined : {},
      queryFields: [],
      limits: [256 * 1024, 1024 * 1024],
      served: false,
    });
  }
  return { operations, unknownRoutes };
}

// ------------------------------------------------------------------------------------ auth schemes

type Headers = Record<string, string>;

/** Valid credentials in the operation's own scheme, for this exact body. */
async function goodAuth(op: Operation, body: Buffer | null): Promise<Headers> {
  switch (op.contract) {
    case "stripe-webhook":
      return { "stripe-signature": signPayload(body?.toString("utf8") ?? "", WEBHOOK_SECRET) };
    case "shopify-webhook":
      return {
        "x-shopify-hmac-sha256": shopifyHmac(body ?? ""),
        "x-shopify-topic": SHOPIFY_TOPICS[(body?.byteLength ?? 0) % SHOPIFY_TOPICS.length]!,
        // Another shop than the extension's: app/uninstalled and shop/redact must not end its session.
        "x-shopify-shop-domain": "fuzz-webhooks.myshopify.com",
        "x-shopify-api-version": "2025-10",
        "x-shopify-webhook-id": randomUUID(),
      };
    case "stripe-app": {
      let ids = { user_id: "usr_fuzz", account_id: "acct_fuzz" };
      try {
        const parsed = JSON.parse(body?.toString("utf8") ?? "") as Partial<typeof ids>;
        if (typeof parsed.user_id === "string" && typeof parsed.account_id === "string") ids = { user_id: parsed.user_id, account_id: parsed.account_id };
      } catch {
        // Not JSON: signed for the usual ids, so that the body's own refusal is what answers.
      }
      return { "stripe-signature": signPayload(JSON.stringify(ids), STRIPE_APP_SECRET) };
    }
    case "shopify-extension":
      return { authorization: `Bearer ${await sessionTokenFor(SHOP)}` };
    case "dashboard": {
      // Signing out ends the session it is called with: each sign-out gets a session of its own.
      const token = op.path === "/auth/logout" ? (await createSession({ userId: A.ownerId, workspaceId: A.workspaceId })).token : A.sessionToken;
      return { cookie: `recoup_session=${encodeURIComponent(token)}`, origin: base };
    }
    case "email-webhook":
      return { authorization: `Basic ${Buffer.from(`recoup:${postmarkSecret}`).toString("base64")}` };
    case "customer-pages":
      return { origin: base };
    case "nd8":
      // ND8's customer-facing payment-link paths take nothing; its merchant paths a teammate's token; the rest an API key.
      if (op.path.startsWith("/api/payment-links/public/")) return {};
      if (/^\/api\/(organization|payment-links)/.test(op.path)) return { authorization: `Token ${nd8Token}` };
      return { authorization: `Api-Key ${A.adminKey}` };
    default:
      return { authorization: `Bearer ${A.adminKey}` };
  }
}

/** Every topic shopify.app.toml subscribes to (all posted to /webhooks/shopify). */
const SHOPIFY_TOPICS = [...readFileSync("shopify.app.toml", "utf8").matchAll(/"([a-z_]+\/[a-z_]+)"/g)].map((m) => m[1]!);

/** Wrong credentials in the operation's scheme (and in the other contracts' schemes). */
const BAD_AUTH: Headers[] = [
  {},
  { authorization: "Bearer rk_live_00000000000000000000000000000000" },
  { authorization: "Bearer " },
  { authorization: "Basic dXNlcjpwYXNz" },
  { authorization: "Api-Key nd8_fake" },
  { authorization: "Token 0123456789abcdef" },
  { "x-api-key": "rk_test_nope" },
  { authorization: `Bearer ${"A".repeat(4000)}` },
  { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJkZXN0IjoiaHR0cHM6Ly9ldmlsIn0." },
  { "stripe-signature": "t=1,v1=00" },
  { "stripe-signature": `t=${Math.floor(Date.now() / 1000) - 3600},v1=${"0".repeat(64)}` },
  { "stripe-signature": "garbage" },
  { "x-shopify-hmac-sha256": "AAAA", "x-shopify-topic": "orders/create", "x-shopify-shop-domain": SHOP, "x-shopify-webhook-id": "w", "x-shopify-api-version": "2025-10" },
  { cookie: "recoup_session=forged" },
  { cookie: `recoup_session=${"%".repeat(100)}` },
  { origin: "https://attacker.example", cookie: "recoup_session=forged" },
  { origin: "https://attacker.example", authorization: "Bearer rk_live_x" },
  { origin: "not a url", cookie: "recoup_session=forged" },
];

// ------------------------------------------------------------------------------------ hostile values

/** Raw JSON number texts JSON.stringify cannot write: spliced in where the sentinel string stands. */
const RAW_SENTINEL = "__fuzz_raw__";
const RAW_NUMBERS = ["1e308", "1e400", "-1e400", "-0", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890", "5e-324", "1E+2", "0.0000000000000000000001"];

const hostileString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "nul\u0000byte",
    "\ud800",
    "lone\udfff",
    "\ud83d\ude00😀",
    "\u202eevil",
    "ＡＢＣ",
    "e\u0301",
    "NaN",
    "Infinity",
    "-Infinity",
    "-0",
    "1e308",
    "9223372036854775808",
    "0x1F",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
    "__proto__",
    "constructor",
    "../../../etc/passwd",
    "..%2f..%2f",
    "%00",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "${7*7}{{7*7}}",
    "a".repeat(5_000),
    "é".repeat(3_000),
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(...RAW_NUMBERS.map((n) => `${RAW_SENTINEL}${n}`)),
  fc.constantFrom(0, -1, 1.5, -1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, true, false, null, [], {}, ["x", 1, null], { $gt: "" }, { __proto__: { admin: true } }),
  fc.double().map((d) => (Number.isFinite(d) ? d : null)),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 10, max: 200 }).map((depth) => JSON.parse("[".repeat(depth) + "]".repeat(depth)) as unknown),
);

/** Percent-encodes anything outside the path's safe set, so that the request line itself stays valid HTTP. */
const encodePathValue = (value: string) => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, "\ufffd"));

const pathTrick = fc.oneof(
  fc.constantFrom(
    "..",
    "../..",
    "%2e%2e",
    "%2E%2E%2F%2E%2E",
    "..%2f..%2fetc%2fpasswd",
    "%00",
    "x%00y",
    "%2F",
    "a%2Fb",
    "%5C..%5C",
    "%ED%A0%80",
    "%E0%A4%A",
    "%C0%AF",
    "%FF",
    "%0d%0aSet-Cookie:%20x=1",
    "%20",
    ";x=1",
    "x".repeat(8_000),
    "9".repeat(400),
    "-0",
    "NaN",
    "1e308",
    "9223372036854775808",
    "%F0%9F%98%80",
  ),
  hostileString.map(encodePathValue),
);

// ------------------------------------------------------------------------------------ cases

type Mutation =
  | { kind: "param"; value: string }
  | { kind: "query-field"; value: string; pick: number }
  | { kind: "query-duplicate"; value: string; pick: number }
  | { kind: "query-unknown"; name: string; value: string }
  | { kind: "body-field"; value: unknown; pick: number }
  | { kind: "body-whole"; value: unknown }
  | { kind: "deep"; depth: number; open: "[" | "{" }
  | { kind: "large"; over: boolean; pick: number }
  | { kind: "encoding"; variant: number }
  | { kind: "content-type"; type: string }
  | { kind: "auth"; variant: number }
  | { kind: "method"; method: Method };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: pathTrick.map((value) => ({ kind: "param" as const, value })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("query-field" as const), value: hostileString, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("query-duplicate" as const), value: hostileString, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("query-unknown" as const), name: fc.constantFrom("__proto__", "constructor[prototype][x]", "a[]", "limit", "x".repeat(300), "%00"), value: hostileString }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("body-field" as const), value: hostileJson, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("body-whole" as const), value: hostileJson }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), depth: fc.constantFrom(65, 1_000, 10_000, 100_000), open: fc.constantFrom("[" as const, "{" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("large" as const), over: fc.boolean(), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("encoding" as const), variant: fc.nat({ max: 5 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("content-type" as const),
      type: fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "multipart/form-data", "application/json; charset=utf-16", "application/xml", "", "*/*"),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("auth" as const), variant: fc.nat({ max: BAD_AUTH.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("method" as const), method: fc.constantFrom<Method>("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") }) },
);

interface Built {
  method: Method;
  path: string;
  headers: Headers;
  body: Buffer | null;
  auth: "good" | "bad";
}

function jsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.replace(new RegExp(`"${RAW_SENTINEL}([^"]*)"`, "g"), "$1");
}

function formText(fields: Record<string, unknown>): string {
  return new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : jsonText(v)])).toString();
}

const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

/** A valid-looking body of exactly `size` bytes (a filler string in a JSON object). */
function sizedBody(size: number): Buffer {
  const shell = '{"filler":""}';
  return Buffer.from(`{"filler":"${"x".repeat(Math.max(0, size - shell.length))}"}`);
}

/** An invalid UTF-8 body, or a body that claims an encoding it does not have. */
function badEncoding(variant: number, json: string): { body: Buffer; headers: Headers } {
  switch (variant) {
    case 0:
      return { body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]), headers: {} };
    case 1:
      return { body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from('"}')]), headers: {} };
    case 2:
      return { body: Buffer.from(json), headers: { "content-encoding": "gzip" } };
    case 3:
      return { body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff]), headers: { "content-encoding": "gzip" } };
    case 4:
      return { body: Buffer.from(json, "utf16le"), headers: { "content-type": "application/json; charset=utf-16" } };
    default:
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), headers: {} };
  }
}

async function build(op: Operation, m: Mutation): Promise<Built> {
  let method: Method = op.method;
  const params = { ...op.params };
  const query = new URLSearchParams(op.query);
  let fields: Record<string, unknown> | undefined = op.body ? { ...op.body } : undefined;
  let raw: Buffer | null = null;
  const extra: Headers = {};
  let badAuth: Headers | null = null;
  const names = paramNames(op.path);

  switch (m.kind) {
    case "param": {
      const name = pick(names, m.value.length);
      if (name) params[name] = m.value;
      else query.set("id", m.value); // no parameter: the trick goes into the query instead
      break;
    }
    case "query-field":
      query.set(pick(op.queryFields, m.pick) ?? "q", m.value);
      break;
    case "query-duplicate": {
      const name = pick(op.queryFields, m.pick) ?? "limit";
      query.append(name, m.value);
      query.append(name, query.get(name) ?? "1");
      break;
    }
    case "query-unknown":
      query.append(m.name, m.value);
      break;
    case "body-field": {
      fields ??= {};
      const keys = Object.keys(fields);
      const key = pick(keys, m.pick) ?? "name";
      fields[key] = m.value;
      if (method === "GET") method = "POST";
      break;
    }
    case "body-whole":
      raw = Buffer.from(jsonText(m.value));
      if (method === "GET") method = "POST";
      break;
    case "deep": {
      const open = m.open === "[" ? "[" : '{"a":';
      const close = m.open === "[" ? "]" : "}";
      raw = Buffer.from(`{"name":${open.repeat(m.depth)}1${close.repeat(m.depth)}}`);
      if (method === "GET") method = "POST";
      break;
    }
    case "large": {
      const limit = op.limits[m.pick % op.limits.length]!;
      raw = sizedBody(m.over ? limit + 1 : limit - 64);
      if (method === "GET") method = "POST";
      break;
    }
    case "encoding": {
      const bad = badEncoding(m.variant, jsonText(fields ?? {}));
      raw = bad.body;
      Object.assign(extra, bad.headers);
      if (method === "GET") method = "POST";
      break;
    }
    case "content-type":
      extra["content-type"] = m.type;
      if (method === "GET") method = "POST";
      break;
    case "auth":
      badAuth = BAD_AUTH[m.variant]!;
      break;
    case "method":
      method = m.method;
      break;
  }

  if (raw === null && fields !== undefined && method !== "GET" && method !== "HEAD") raw = Buffer.from(op.form ? formText(fields) : jsonText(fields));
  const headers: Headers = {};
  if (raw !== null) headers["content-type"] = op.form ? "application/x-www-form-urlencoded" : "application/json";
  Object.assign(headers, badAuth ?? (await goodAuth(op, raw)), extra);
  if (headers["content-type"] === "") delete headers["content-type"];
  // The CSRF check is the front's, tested in tests/e2e/http-front.test.ts: the fuzz cases get past it.
  if (!headers.origin && method !== "GET" && method !== "HEAD") headers.origin = base;
  const filled = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? "x" : m.kind === "param" ? params[name]! : encodeURIComponent(params[name]!)));
  const search = query.toString();
  return { method, path: `${filled}${search ? `?${search}` : ""}`, headers, body: raw, auth: badAuth ? "bad" : "good" };
}

// ------------------------------------------------------------------------------------ sending

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

/** One request with the path exactly as given (fetch would normalise dot segments and encodings). */
function send(req: Built): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers["content-length"] = req.body.byteLength;
    const r = httpRequest(`${base}/`, { agent, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(req.body ?? undefined);
  });
}

/** What is wrong with an answer, by the rules of the contract it arrived on ([] when nothing). */
function faultsOf(op: Operation, req: Built, res: Answer): string[] {
  const faults: string[] = [];
  if (res.status >= 500) faults.push(`${res.status}: ${res.text.slice(0, 300)}`);
  if (res.ms > LATENCY_CEILING_MS) faults.push(`took ${Math.round(res.ms)} ms`);
  const type = String(res.headers["content-type"] ?? "");
  const pathname = req.path.split("?")[0]!;
  if (op.contract === "stripe-app" && res.headers["access-control-allow-origin"] !== "*" && res.status !== 404 && res.status !== 431) {
    // The front refuses a hostile target or a body over its 1 MiB before any route runs (see frontGap).
    const front = (res.status === 400 && frontRefusesTarget(req.path)) || (res.status === 413 && (req.body?.byteLength ?? 0) > FRONT_MAX_BODY_BYTES);
    if (front) frontGaps.push(`${res.status} ${req.method} ${pathname} without CORS`);
    else faults.push(`${res.status} without the Stripe App's CORS header`);
  }
  if (res.status < 400) return faults;
  // Node's HTTP parser refuses a request head over 16 KiB (--max-http-header-size) with a bare 431
  // before the app sees it: the transport's limit, not a contract's answer.
  if (res.status === 431 && headBytes(req) > NODE_MAX_HEADER_BYTES - 1024) return faults;
  if (isApiSurface(pathname)) {
    // The front shapes its refusal of a dot segment by the path the dots resolve to, not the one sent.
    if (res.status === 400 && type.startsWith("text/html") && frontRefusesTarget(req.path)) {
      frontGaps.push(`${res.status} ${req.method} ${pathname} as HTML`);
      return faults;
    }
    if (speaksFlowArc(pathname)) return [...faults, ...flowArcFaults(req, res, type)];
    if (speaksNd8(pathname)) return [...faults, ...nd8Faults(req, res, type)];
    if (speaksLostChurn(pathname)) return [...faults, ...lostChurnFaults(req, res, type)];
    if (speaksRevive(pathname)) return [...faults, ...reviveFaults(req, res, type)];
    if (!type.startsWith("application/problem+json")) return [...faults, `${res.status} as "${type}", not problem+json: ${res.text.slice(0, 200)}`];
    if (req.method === "HEAD") return faults;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      return [...faults, `${res.status} problem+json that is not JSON`];
    }
    const traceId = res.headers["x-trace-id"];
    if (body.status !== res.status) faults.push(`problem.status ${String(body.status)} ≠ ${res.status}`);
    for (const field of ["type", "title", "code", "detail", "traceId"]) if (typeof body[field] !== "string" || !body[field]) faults.push(`problem lacks ${field}`);
    if (body.traceId !== traceId) faults.push(`problem.traceId is not the X-Trace-Id header`);
    // Flow Arc's `{error, message}` rides along on every problem (app/http/problem.server.ts).
    if (body.error !== body.code || body.message !== body.detail) faults.push("problem lacks Flow Arc's error/message");
  } else if (req.method !== "HEAD" && !type.startsWith("text/html")) {
    // Pages answer HTML; their fetcher endpoints (the editor's preview) answer their own JSON.
    const routeJson = type.startsWith("application/json") && !res.headers["x-remix-error"];
    if (!routeJson && !type.startsWith("image/")) faults.push(`${res.status} page error as "${type}": ${res.text.slice(0, 200)}`);
  }
  return faults;
}

// Flow Arc answers a malformed body 422 on PATCH, and on every alert-rules operation (its document says so per operation).
const flowArcPatch = (op: Operation) => speaksFlowArc(op.path) && (op.method === "PATCH" || op.path.startsWith("/api/v1/alert-rules"));

/** Flow Arc's `ErrorResponse` on its paths (seed 001): `{error, message}`, both non-empty strings, as JSON. */
function flowArcFaults(req: Built, res: Answer, type: string): string[] {
  if (!type.startsWith("application/json")) return [`${res.status} as "${type}", not Flow Arc's JSON error: ${res.text.slice(0, 200)}`];
  if (req.method === "HEAD") return [];
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    return [`${res.status} JSON error that is not JSON`];
  }
  return ["error", "message"].filter((field) => typeof body[field] !== "string" || !body[field]).map((field) => `Flow Arc error lacks ${field}`);
}

/** ND8's `Error` on its paths (seed 003): `{detail}`, a non-empty string, as JSON. */
function nd8Faults(req: Built, res: Answer, type: string): string[] {
  if (!type.startsWith("application/json")) return [`${res.status} as "${type}", not ND8's JSON error: ${res.text.slice(0, 200)}`];
  if (req.method === "HEAD") return [];
  try {
    const body = JSON.parse(res.text) as Record<string, unknown>;
    return typeof body.detail === "string" && body.detail ? [] : ["ND8 error lacks detail"];
  } catch {
    return [`${res.status} JSON error that is not JSON`];
  }
}

/** LostChurn's error on its paths (ADR 0067): `{error: {code, message, type}, trace_id}` as JSON. */
function lostChurnFaults(req: Built, res: Answer, type: string): string[] {
  if (!type.startsWith("application/json")) return [`${res.status} as "${type}", not LostChurn's JSON error: ${res.text.slice(0, 200)}`];
  if (req.method === "HEAD") return [];
  let body: { error?: Record<string, unknown>; trace_id?: unknown };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    return [`${res.status} JSON error that is not JSON`];
  }
  const faults: string[] = [];
  if (!/^[A-Z][A-Z_]+$/.test(String(body.error?.code))) faults.push(`error.code ${String(body.error?.code)} is not an upper-case code`);
  for (const field of ["message", "type"]) if (typeof body.error?.[field] !== "string" || !body.error[field]) faults.push(`error lacks ${field}`);
  if (body.trace_id !== res.headers["x-trace-id"]) faults.push("trace_id is not the X-Trace-Id header");
  return faults;
}

/** Revive's error on its paths (ADR 0068): `{error: {type, message, code}}`, a 429 `{error: {type: "rate_limit_error", message, retryAfter}}`. */
function reviveFaults(req: Built, res: Answer, type: string): string[] {
  if (!type.startsWith("application/json")) return [`${res.status} as "${type}", not Revive's JSON error: ${res.text.slice(0, 200)}`];
  if (req.method === "HEAD") return [];
  let body: { error?: Record<string, unknown> };
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    return [`${res.status} JSON error that is not JSON`];
  }
  const faults: string[] = [];
  if (!/^[a-z_]+_error$/.test(String(body.error?.type))) faults.push(`error.type ${String(body.error?.type)} is not one of Revive's`);
  if (typeof body.error?.message !== "string" || !body.error.message) faults.push("error lacks message");
  if (res.status === 429 ? typeof body.error?.retryAfter !== "number" : typeof body.error?.code !== "string") faults.push("error lacks code (or retryAfter on a 429)");
  return faults;
}

/** What the front refuses in a request target before any route runs: NUL, dot segments, bad percent-encoding. */
function frontRefusesTarget(path: string): boolean {
  if (/%00|(^|\/)(\.|%2e){1,2}(\/|$|\?)/i.test(path)) return true;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

const NODE_MAX_HEADER_BYTES = 16 * 1024;
/** The front's own body limit (MAX_BODY_BYTES in app/server/front.server.ts). */
const FRONT_MAX_BODY_BYTES = 1024 * 1024;
const headBytes = (req: Built) => req.path.length + Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);

/**
 * Refusals the HTTP front (app/server/front.server.ts) makes before any route runs, outside a
 * contract's shape today: the Stripe App's CORS header is missing from them, and a dot-segment
 * refusal is shaped by the path the dots resolve to. Counted and printed (ADR 0060).
 */
const frontGaps: string[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

// ------------------------------------------------------------------------------------ the suite

let operations: Operation[];
let unknownRoutes: string[];

beforeAll(async () => {
  for (const name of ["API_RATE_LIMIT_READ_PER_MINUTE", "API_RATE_LIMIT_WRITE_PER_MINUTE", "API_RATE_LIMIT_PER_HOUR", "REVIVE_RATE_LIMIT_PER_MINUTE", "REVIVE_RATE_LIMIT_PER_HOUR"]) process.env[name] = "100000000";
  process.env.APP_URL = "http://127.0.0.1:1";
  process.env.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET;
  process.env.STRIPE_APP_SECRET = STRIPE_APP_SECRET;
  // Connect configured, so that its start reaches its own validation (nothing here calls Stripe).
  process.env.STRIPE_CLIENT_ID = "ca_fuzz";
  configureShopify();
  ({ base, close } = await startBuiltWeb());
  A = await fixtureWorkspace("fuzz");
  await installShop(SHOP);
  recoveryToken = createRecoveryToken(A.ids.recovery);
  unsubscribeLink = unsubscribeToken({ workspaceId: A.workspaceId, email: "fuzz-reader@example.com" });
  const card = await recordCardExpiry({ workspaceId: A.workspaceId, provider: "stripe", accountId: "acct_fuzz", customerId: "cus_fuzz", paymentMethodId: "pm_fuzz", expMonth: 12, expYear: 2030, at: new Date() });
  cardLink = cardUpdateToken(card!.id);
  ({ secret: postmarkSecret } = await setEmailProviderSecret({ workspaceId: A.workspaceId, provider: "postmark" }));
  sequenceId = (await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: A.workspaceId } })).id;
  nd8Token = (await mintAccessToken({ workspaceId: A.workspaceId, userId: A.ownerId })).token;
  ({ operations, unknownRoutes } = await inventory());
}, 180_000);

afterAll(async () => {
  agent.destroy();
  await close?.();
});

describe("the fuzz suite", () => {
  it("knows the contract of every route file, and covers every seed operation", () => {
    expect(unknownRoutes, "route files under a prefix no contract claims: add them to CONTRACT_OF").toEqual([]);
    const covered = new Set(operations.map((op) => `${op.method} ${op.path}`));
    for (const seed of seedOperations()) expect(covered.has(`${seed.method} ${seed.path}`), `${seed.product} ${seed.method} ${seed.path}`).toBe(true);
    expect(operations.length).toBeGreaterThan(100);
    expect(SHOPIFY_TOPICS).toEqual(expect.arrayContaining(["app/uninstalled", "customers/redact", "shop/redact"]));
  });

  it(`answers ${CASES} generated hostile requests without a 5xx, each error in its contract's shape, each within ${LATENCY_CEILING_MS} ms`, async () => {
    const mutations = fc.sample(mutation, { seed: SEED, numRuns: CASES });
    console.log(`fuzz: seed ${SEED}, ${CASES} cases over ${operations.length} operations (replay: FUZZ_SEED=${SEED} [FUZZ_CASE=<n>])`);
    const faults: string[] = [];
    const latencies: number[] = [];
    const perContract = new Map<string, number>();
    const statuses = new Map<number, number>();
    let next = ONLY ?? 0;
    const last = ONLY === null ? CASES : ONLY + 1;
    // One well-formed request per operation first: the first call of a route pays for its module's
    // first run, which is no client's latency.
    for (const op of operations) await send(await build(op, { kind: "query-unknown", name: "warm", value: "up" })).catch(() => undefined);
    const started = performance.now();
    async function worker() {
      while (next < last) {
        const index = next++;
        // Round robin: every operation gets its share of every kind of case.
        const op = operations[index % operations.length]!;
        const req = await build(op, mutations[index]!);
        let res: Answer;
        try {
          res = await send(req);
        } catch (error) {
          faults.push(`case ${index} ${op.contract} ${req.method} ${req.path.slice(0, 120)}: ${(error as Error).message}`);
          continue;
        }
        latencies.push(res.ms);
        perContract.set(op.contract, (perContract.get(op.contract) ?? 0) + 1);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        for (const fault of faultsOf(op, req, res)) {
          faults.push(`case ${index} [${JSON.stringify(mutations[index]!).slice(0, 60)}] ${op.contract} ${req.method} ${req.path.slice(0, 120)} (${req.auth} auth) body=${req.body?.subarray(0, 80).toString("utf8") ?? "∅"}: ${fault}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    console.log(
      `fuzz: ${latencies.length} answers in ${seconds.toFixed(1)} s, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms\n` +
        `fuzz: per contract ${JSON.stringify(Object.fromEntries(perContract))}\nfuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    const gaps = new Map<string, number>();
    for (const gap of frontGaps) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
    if (gaps.size) console.log(`fuzz: refusals of the front outside their contract's shape (ADR 0060): ${JSON.stringify(Object.fromEntries(gaps))}`);
    expect(faults.slice(0, 50), `${faults.length} faults (seed ${SEED}):\n${faults.slice(0, 50).join("\n")}`).toEqual([]);
    if (ONLY === null) expect(latencies.length).toBe(CASES);
  }, 600_000);

  it("refuses a body nested 100,000 levels deep on every operation that reads one, quickly and in its contract's shape, while other clients are served", async () => {
    const depth = 100_000;
    const readers = operations.filter((op) => op.served && op.body !== undefined && !op.form && op.contract !== "api-not-found");
    expect(readers.length).toBeGreaterThan(20);
    let stop = false;
    const bystander: number[] = [];
    const served = (async () => {
      while (!stop) {
        const res = await send({ method: "GET", path: "/api/v1/health", headers: {}, body: null, auth: "good" });
        expect(res.status).toBe(200);
        bystander.push(res.ms);
      }
    })();
    const faults: string[] = [];
    const deep: number[] = [];
    for (let i = 0; i < readers.length; i += CONCURRENCY) {
      await Promise.all(
        readers.slice(i, i + CONCURRENCY).map(async (op) => {
          for (const open of ["[", "{"] as const) {
            const req = await build(op, { kind: "deep", depth, open });
            const res = await send(req);
            deep.push(res.ms);
            const where = `${op.contract} ${req.method} ${req.path} (${open} × ${depth})`;
            // Flow Arc's PATCH (and alert-rules) answers every malformed body 422, as its document says.
            const refused = flowArcPatch(op) ? [422, 413] : [400, 413];
            if (!refused.includes(res.status) && !(res.status === 404 && paramNames(op.path).length)) faults.push(`${where}: ${res.status} ${res.text.slice(0, 200)}`);
            faults.push(...faultsOf(op, req, res).map((f) => `${where}: ${f}`));
          }
        }),
      );
    }
    stop = true;
    await served;
    const p99 = (list: number[]) => percentile([...list].sort((a, b) => a - b), 99).toFixed(1);
    console.log(`fuzz: ${deep.length} bodies ${depth} levels deep, p99 ${p99(deep)} ms; meanwhile ${bystander.length} health checks, p99 ${p99(bystander)} ms`);
    expect(faults, faults.join("\n")).toEqual([]);
    expect(bystander.length).toBeGreaterThan(0);
    expect(Math.max(...bystander), "a health check waited behind the deep bodies").toBeLessThan(LATENCY_CEILING_MS);
  }, 300_000);
});
