// The HTTP front (app/server/front.server.ts) over real sockets: the built app served in-process by
// the same `startWeb` as `npm start`, called with Node's fetch as a browser or a client would.
// Cross-site forgeries, security headers per surface, hostile URLs and bodies, oversized bodies
// and error shapes under every prefix, then a pass of hostile inputs over every route file.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { speaksLostChurn } from "~/http/lostchurn-errors";
import { speaksRevive } from "~/http/revive-errors";
import { speaksFlowArc } from "~/http/flow-arc-errors";
import { speaksNd8 } from "~/http/nd8-errors";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { insertAttempt } from "../helpers/attempts";
import { routeFiles } from "../helpers/route-inventory";
import { startBuiltWeb } from "../helpers/web";

let base: string;
let close: () => Promise<void>;
let owner: Awaited<ReturnType<typeof makeWorkspace>>;

beforeAll(async () => {
  process.env.APP_URL = "http://127.0.0.1:1";
  // Every surface configured, so that hostile input reaches each one's own checks.
  process.env.STRIPE_APP_SECRET = "absec_front_test";
  process.env.SHOPIFY_API_KEY = "front-test-key";
  process.env.SHOPIFY_API_SECRET = "front-test-secret";
  ({ base, close } = await startBuiltWeb());
  owner = await makeWorkspace({ name: "Front" });
}, 180_000);

afterAll(async () => {
  await close?.();
});

/** A GET with the path exactly as given (fetch() would normalise it). */
function rawGet(path: string): Promise<{ status: number; type: string; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { path }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), location: res.headers.location ?? null }));
    });
    req.on("error", reject);
    req.end();
  });
}

const cookie = () => `recoup_session=${encodeURIComponent(owner.sessionToken)}`;
const EVIL = "https://attacker.example";

/** The attack from the issue: Remix's legacy data request, no Content-Type, the victim's cookie. */
function invite(email: string, headers: Record<string, string>) {
  return fetch(`${base}/dashboard/settings?_data=routes%2Fdashboard.settings`, {
    method: "POST",
    headers: { cookie: cookie(), ...headers },
    // Bytes, so that fetch adds no Content-Type (a string would be sent as text/plain).
    body: new TextEncoder().encode(JSON.stringify({ intent: "invite", email, role: "admin" })),
  });
}

const isMember = async (email: string) => (await db().membership.count({ where: { workspaceId: owner.workspace.id, user: { email } } })) > 0;

describe("cross-site request forgery", () => {
  it("refuses the ?_data= invite from a foreign Origin with 403 and creates no admin; the same request from our origin works", async () => {
    const refused = await invite("attacker@evil.example", { origin: EVIL });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("attacker.example");
    expect(await isMember("attacker@evil.example")).toBe(false);

    // No Origin: Sec-Fetch-Site, then Referer, say where it came from.
    expect((await invite("attacker2@evil.example", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await invite("attacker3@evil.example", { referer: `${EVIL}/page` })).status).toBe(403);
    expect((await invite("attacker4@evil.example", { origin: "null" })).status).toBe(403);
    for (const email of ["attacker2@evil.example", "attacker3@evil.example", "attacker4@evil.example"]) expect(await isMember(email)).toBe(false);

    const same = await invite("teammate@example.com", { origin: base, "sec-fetch-site": "same-origin" });
    expect(same.status).toBe(200);
    expect(await isMember("teammate@example.com")).toBe(true);
  });

  it("refuses a cross-site pause of a recovery through single fetch's .data request; from our origin it pauses", async () => {
    const started = new Date(Date.now() - 86_400_000);
    const recovery = await insertAttempt(owner.workspace.id, {
      externalAccountId: "acct_front",
      declineCategory: "soft_retry",
      amountDueMinor: 4900,
      startedAt: started,
      lastFailureAt: started,
      nextActionKind: "retry",
      nextActionAt: new Date(Date.now() + 86_400_000),
    });
    const pause = (origin: string) =>
      fetch(`${base}/dashboard/recoveries/${recovery.id}.data`, {
        method: "POST",
        headers: { cookie: cookie(), origin, "content-type": "application/x-www-form-urlencoded" },
        body: "intent=pause",
      });
    expect((await pause(EVIL)).status).toBe(403);
    expect((await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } })).paused).toBe(false);
    expect((await pause(base)).status).toBe(200);
    expect((await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } })).paused).toBe(true);
  });

  it("refuses a cross-site sign-out (a resource route) and a document form post; the session survives", async () => {
    const logout = await fetch(`${base}/auth/logout`, { method: "POST", headers: { cookie: cookie(), origin: EVIL }, redirect: "manual" });
    expect(logout.status).toBe(403);
    expect(logout.headers.get("content-type")).toContain("text/html");
    expect(await db().dashboardSession.count({ where: { userId: owner.owner.id } })).toBeGreaterThan(0);
    const settings = await fetch(`${base}/dashboard/settings`, {
      method: "POST",
      headers: { cookie: cookie(), origin: EVIL, "content-type": "application/x-www-form-urlencoded" },
      body: "intent=invite&email=form%40evil.example&role=admin",
    });
    expect(settings.status).toBe(403);
    expect(await isMember("form@evil.example")).toBe(false);
  });

  it("refuses a cross-site post to a cookie-accepting API in the API's error shape, and leaves signed and key-authenticated APIs alone", async () => {
    const retry = await fetch(`${base}/api/recovery/retry`, { method: "POST", headers: { cookie: cookie(), origin: EVIL, "content-type": "application/json" }, body: "{}" });
    expect(retry.status).toBe(403);
    expect(retry.headers.get("content-type")).toBe(errorTypeOf("/api/recovery/retry"));
    expect(await retry.json()).toMatchObject({ error: { type: "permission_error", code: "forbidden" } });
    // An API key from any origin is not a forgery.
    const keyed = await fetch(`${base}/api/v1/api-keys`, { headers: { authorization: `Bearer ${owner.apiKey}`, origin: EVIL } });
    expect(keyed.status).toBe(200);
    const webhook = await fetch(`${base}/api/webhooks/stripe`, { method: "POST", headers: { origin: EVIL }, body: "{}" });
    expect(webhook.status).toBe(401); // its own signature check, not the front's
  });
});

describe("security headers", () => {
  it("a page: a nonce-based CSP that Remix's inline scripts carry, never framed, nosniff, a referrer policy", async () => {
    const res = await fetch(`${base}/auth/sign-in`);
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-recoup-rendered")).toBeNull();
    const html = await res.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inline.length).toBeGreaterThan(0);
    for (const [, attrs] of inline) expect(attrs).toContain(`nonce="${nonce}"`);
    // A fresh nonce per answer.
    const again = (await fetch(`${base}/auth/sign-in`)).headers.get("content-security-policy")!;
    expect(again).not.toBe(csp);
  });

  it("the embedded app may be framed by its shop and the Shopify admin only, and loads App Bridge", async () => {
    const res = await fetch(`${base}/app?shop=story-coffee.myshopify.com&embedded=1`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors https://story-coffee.myshopify.com https://admin.shopify.com");
    expect(csp).toMatch(/script-src [^;]*https:\/\/cdn\.shopify\.com/);
    expect(res.headers.get("x-frame-options")).toBeNull();
    const forged = await fetch(`${base}/app?shop=evil.example`);
    expect(forged.headers.get("content-security-policy")).toMatch(/frame-ancestors https:\/\/admin\.shopify\.com(;|$)/);
  });

  it("APIs, static files and the front's own refusals carry them too", async () => {
    for (const path of ["/api/health", "/api/v1/health", "/favicon.ico", "/api/v1/no-such-thing", "/auth/magic/.."]) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
    }
    const api = await fetch(`${base}/api/health`);
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});

/** The error media type of an API path: LostChurn's (ADR 0067), Revive's (ADR 0068), Flow Arc's and ND8's JSON on theirs, problem+json on the others. */
const errorTypeOf = (path: string) => {
  const pathname = path.split("?")[0]!;
  return speaksLostChurn(pathname) || speaksRevive(pathname) || speaksFlowArc(pathname) || speaksNd8(pathname) ? "application/json; charset=utf-8" : "application/problem+json";
};

describe("malformed input", () => {
  const key = () => ({ authorization: `Bearer ${owner.apiKey}`, "content-type": "application/json" });
  const deep = (n: number) => `{"name":${"[".repeat(n)}${"]".repeat(n)}}`;

  it("JSON nested 8,000+ levels deep is a 400 on every kind of write endpoint", async () => {
    for (const [path, method] of [
      ["/api/v1/api-keys", "POST"],
      ["/api/v1/settings/quiet-hours", "POST"],
      ["/api/dunning/sequences", "POST"],
      ["/api/v1/ingest/payment-event", "POST"],
    ] as const) {
      for (const n of [100, 8_500, 50_000]) {
        const res = await fetch(`${base}${path}`, { method, headers: key(), body: deep(n) });
        expect(res.status, `${path} depth ${n}`).toBe(400);
        expect(res.headers.get("content-type"), path).toBe(errorTypeOf(path));
      }
    }
  });

  it("a lone UTF-16 surrogate in a body is a 400 naming the field, not a database error", async () => {
    for (const body of ['{"name":"\\ud800"}', '{"name":"ok\\udfff"}', '{"name":"x","scopes":["\\udbff"]}']) {
      const res = await fetch(`${base}/api/v1/api-keys`, { method: "POST", headers: key(), body });
      expect(res.status, body).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; type: string; errors: Array<{ path: string }> } };
      expect(error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
      expect(error.errors[0]!.path).toMatch(/^body\.(name|scopes\.0)$/);
    }
    const dunning = await fetch(`${base}/api/dunning/sequences`, { method: "POST", headers: key(), body: '{"name":"\\ud800","workspaceId":"x","steps":[]}' });
    expect(dunning.status).toBe(400);
  });

  it("NUL in a query, a dot segment and bad percent-encoding are 400s in the surface's shape", async () => {
    const nul = await fetch(`${base}/api/recovery/status?invoiceId=%00`, { headers: key() });
    expect(nul.status).toBe(400);
    expect(nul.headers.get("content-type")).toBe(errorTypeOf("/api/recovery/status"));
    expect(await nul.json()).toMatchObject({ error: { type: "invalid_request_error", code: "validation_failed", param: "invoiceId" } });
    // fetch() would resolve the dots itself; curl --path-as-is and scanners send them.
    for (const path of ["/auth/magic/..", "/auth/magic/%2e%2e", "/dashboard/./settings"]) {
      const dots = await rawGet(path);
      expect(dots.status, path).toBe(400);
      expect(dots.type, path).toContain("text/html");
    }
    const encoding = await fetch(`${base}/api/v1/payments/%E0%A4%A`, { headers: key() });
    expect(encoding.status).toBe(400);
    expect(encoding.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(((await encoding.json()) as { error: { message: string } }).error.message).toContain("percent-encoding");
  });

  it("a target starting with // is a path on our own origin: answered at once, never read as another host", async () => {
    // `new URL("//x", base)` reads x as a host: the front threw outside any handler and the request hung.
    const encoded = await rawGet("//%E0%A4%A");
    expect(encoded.status).toBe(400);
    for (const path of ["//attacker.example/dashboard", "//attacker.example/"]) {
      const answer = await rawGet(path);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.location ?? "", path).not.toMatch(/^(https?:)?\/\/attacker\.example/);
    }
  });
});

describe("oversized bodies", () => {
  // Node's fetch sends the whole body before it reads the answer: it must read a 413, not a reset.
  it.each([
    ["270 KB", 270 * 1024],
    ["600 KB", 600 * 1024],
    ["2 MB", 2 * 1024 * 1024],
    ["20 MB", 20 * 1024 * 1024],
  ])("a %s body to a 256 KB endpoint is answered 413 at once, the connection intact", async (_label, size) => {
    const started = Date.now();
    const res = await fetch(`${base}/api/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(size) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", type: "payload_too_large" } });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("a streamed body without Content-Length that passes the route's limit is a 413 too", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 3 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${base}/api/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner.apiKey}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", type: "payload_too_large" } });
  });
});

describe("error shapes and 404s", () => {
  it("unknown paths and methods under /api answer in the surface's error shape; pages answer HTML", async () => {
    for (const [path, method, status] of [
      ["/api/v1/no-such-thing", "GET", 404],
      ["/api/v1/payments/x/y/z", "GET", 404],
      ["/api/nope", "GET", 404],
      ["/webhooks/nope", "POST", 404],
      ["/api/health", "POST", 405],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${owner.apiKey}` } });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get("content-type"), `${method} ${path}`).toBe(errorTypeOf(path));
      const body = (await res.json()) as { code: string; status: number; traceId: string; error: { code: string }; trace_id: string };
      if (speaksLostChurn(path)) {
        expect(body.error.code, path).toBe("NOT_FOUND");
        expect(body.trace_id).toBe(res.headers.get("x-trace-id"));
      } else if (speaksRevive(path)) {
        expect(body.error, path).toMatchObject({ type: "invalid_request_error", code: "method_not_allowed" });
      } else {
        expect(body.status).toBe(status);
        expect(body.traceId).toBe(res.headers.get("x-trace-id"));
      }
    }
    const page = await fetch(`${base}/no-such-page`);
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("serves a favicon, and a 404 is not logged as an error with a stack", async () => {
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/icon/);
    const written: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (written.push(String(chunk)), true));
    const consoleError = vi.spyOn(console, "error").mockImplementation((...args) => void written.push(args.map(String).join(" ")));
    try {
      for (const path of ["/no-such-page", "/api/v1/no-such-thing", "/apple-touch-icon.png"]) expect((await fetch(`${base}${path}`)).status).toBe(404);
    } finally {
      stderr.mockRestore();
      consoleError.mockRestore();
    }
    expect(written.join("\n")).not.toMatch(/No route matches|at .*\.js:\d+/);
  });
});

/** `/path/x` for each route file (params and splats filled with "x"). */
function routePaths(): string[] {
  return routeFiles().map((r) => r.path.replace(/\{\w+\}|\*/g, "x"));
}

describe("every route, hostile input", () => {
  it("never answers 5xx, and under /api and /webhooks always answers its contract's error shape", async () => {
    const problems: string[] = [];
    const hostileBodies = [`{"a":${"[".repeat(9_000)}${"]".repeat(9_000)}}`, '{"name":"\\ud800","email":"\\udc00"}', '{"intent":"x\\u0000"}', "x".repeat(600 * 1024)];
    const paths = routePaths();
    expect(paths.length).toBeGreaterThan(60);
    for (const path of paths) {
      const attempts: Array<[string, RequestInit]> = [
        [`${path}?id=%00&x=%00`, {}],
        [`${path}/%E0%A4%A`, {}],
        [`${path}/no/such/thing`, {}],
        ...hostileBodies.map((body): [string, RequestInit] => [path, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${owner.apiKey}` } }]),
        ...hostileBodies.slice(0, 3).map((body): [string, RequestInit] => [`${path}?_data=root`, { method: "POST", body, headers: { cookie: cookie(), origin: base } }]),
      ];
      for (const [url, init] of attempts) {
        const res = await fetch(`${base}${url}`, { redirect: "manual", ...init });
        const type = res.headers.get("content-type") ?? "";
        const text = await res.text();
        const where = `${init.method ?? "GET"} ${url.slice(0, 80)} ${String(init.body ?? "").slice(0, 40)}`;
        if (res.status >= 500) problems.push(`${where}: ${res.status} ${type} ${text.slice(0, 200)}`);
        const api = url.startsWith("/api/") || url.startsWith("/webhooks/");
        if (api && res.status >= 400 && type !== errorTypeOf(url)) problems.push(`${where}: ${res.status} as ${type}`);
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  }, 300_000);
});
