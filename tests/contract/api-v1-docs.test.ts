import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiReference, Prose } from "~/components/ApiReference";
import { describeSchema, fieldRows, operationAnchor } from "~/contracts/api-v1/docs-reference";
import { buildOpenApiDocument } from "~/contracts/api-v1/openapi.server";
import { allOperations } from "~/contracts/api-v1/registry.server";
import { loader } from "~/routes/docs.api";

async function page() {
  const data = await loader({ request: new Request("http://localhost:3000/docs/api"), params: {}, context: {} });
  // Without React's <!-- --> markers between adjacent text nodes, which a reader never sees.
  return { data, html: renderToString(createElement(ApiReference, data)).replaceAll("<!-- -->", "") };
}

/** The HTML of one element with that id, up to its section's end (operation and schema sections hold no sections). */
function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `no element with id="${id}"`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</section>", start));
}

const escapeAttr = (s: string) => s.replaceAll("&", "&amp;");

describe("/docs/api", () => {
  it("renders every documented operation, grouped, with a curl example per resource group", async () => {
    const { data, html } = await page();
    const tags = data.reference.groups.map((g) => g.tag);
    expect(tags).toEqual(expect.arrayContaining(["API keys", "Status"]));
    for (const group of data.reference.groups) {
      expect(group.operations.length).toBeGreaterThan(0);
      expect(group.operations.every((op) => op.curl.startsWith("curl -s"))).toBe(true);
      expect(html).toContain(`>${group.tag}</h2>`);
    }
    // The curl examples are on the page, ready to paste (HTML-escaped only where HTML requires).
    expect(html).toContain("curl -s -X POST &quot;http://localhost:3000/api/v1/api-keys&quot;");
    expect(html).toContain("-H &quot;Authorization: Bearer $RECOUP_API_KEY&quot;");
    expect(html).toContain("/api/v1/api-keys/{id}/rotate");
    expect(html).toContain('href="/api/v1/openapi.json"');
    expect(html).toMatch(/read:payments/);
  });

  it("gives every operation of the document a stable anchor and a link in the contents", async () => {
    const { html } = await page();
    const doc = buildOpenApiDocument({ baseUrl: "http://localhost:3000", operations: allOperations() });
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, { operationId: string }>).map(([method, op]) => ({ method, path, operationId: op.operationId })),
    );
    expect(operations.length).toBeGreaterThan(40);
    const toc = html.slice(html.indexOf('<nav aria-label="API reference"'), html.indexOf("</nav>", html.indexOf('<nav aria-label="API reference"')));
    for (const { method, path, operationId } of operations) {
      const id = operationAnchor(method, path);
      expect(html, `${method} ${path} has no section`).toContain(`<section class="ar-op" id="${escapeAttr(id)}"`);
      expect(toc, `${method} ${path} is not in the contents`).toContain(`href="#${escapeAttr(id)}"`);
      // The operationId works as an anchor too (for links built from the OpenAPI document).
      expect(html).toContain(`id="${operationId}"`);
    }
    expect(operationAnchor("GET", "/api/v1/payments/{id}")).toBe("get-/api/v1/payments/{id}");
    // Each resource group is in the contents, as is every named schema.
    expect(toc).toContain('href="#payments"');
    expect(toc).toContain('href="#schema-Payment"');
  });

  it("lists each schema's fields with their types, and links a field to the object it holds", async () => {
    const { html } = await page();
    const payment = sectionOf(html, "schema-Payment");
    expect(payment).toMatch(/<code>amount_cents<\/code><\/td><td class="ar-type">integer<\/td>/);
    expect(payment).toMatch(/<code>currency<\/code><\/td><td class="ar-type">string<\/td><td class="ar-desc">.*ISO 4217/);
    expect(payment).toMatch(/<code>created_at<\/code><\/td><td class="ar-type">string \(date-time\)<\/td>/);
    // A nullable reference to another schema: linked, and said to be nullable.
    expect(payment).toMatch(
      /<code>next_action<\/code><\/td><td class="ar-type"><a href="#schema-NextAction" class="ar-typeref">NextAction<\/a><span class="ar-tag">nullable<\/span>/,
    );
    // Enums list their values.
    expect(payment).toMatch(/<code>status<\/code>.*?One of <code>failed<\/code>, <code>recovered<\/code>, <code>terminal<\/code>/);
    // The raw schema stays available, folded away.
    expect(payment).toContain('<details class="ar-raw"><summary>Raw JSON Schema</summary>');
    // And the schema says where it is used.
    expect(payment).toContain(`href="#${escapeAttr(operationAnchor("get", "/api/v1/payments/{id}"))}"`);

    // An inline nested object's fields follow it, one level in.
    const goal = sectionOf(html, "schema-RecoveryGoal");
    expect(goal).toMatch(/<code>progress<\/code><\/td><td class="ar-type">object<\/td>/);
    expect(goal).toMatch(/<tr class="ar-nested" style="--ar-depth:1"><td class="ar-name"><span aria-hidden="true" class="ar-branch">↳ <\/span><code>failed_revenue_cents<\/code>/);

    // An operation answering a Payment (in LostChurn's `data`) shows its fields; a list shows `data` as `array of` the schema.
    const getPayment = sectionOf(html, operationAnchor("get", "/api/v1/payments/{id}"));
    expect(getPayment).toContain('Returns a <a href="#schema-Payment">Payment</a> object in <code>data</code>, beside <a href="#schema-Meta"><code>meta</code></a>.');
    expect(getPayment).toMatch(/<code>amount_cents<\/code><\/td><td class="ar-type">integer<\/td>/);
    // Errors: each status with what it means and the operation's own codes (the document's x-error-codes).
    expect(getPayment).toMatch(/<code>404<\/code><\/td><td>Not found in this workspace<span class="ar-codes"> · <code>payment_not_found<\/code>/);
    expect(getPayment).toMatch(/<code>401<\/code><\/td><td>Missing, unknown, revoked or expired API key<\/td>/);
    const listPayments = sectionOf(html, operationAnchor("get", "/api/v1/payments"));
    expect(listPayments).toMatch(/<code>data<\/code><\/td><td class="ar-type">array of <a href="#schema-Payment"/);
    expect(listPayments).toContain('Returns a page of <a href="#schema-Payment">Payment</a> objects in <code>data</code>');
    expect(listPayments).toMatch(/<code>pagination<\/code>.*?<a href="#schema-Pagination"/);
    // Errors are LostChurn's JSON on its paths.
    expect(getPayment).toContain("<h4>Errors (application/json)</h4>");
  });

  it("shows parameters as a table, with where they go, whether required, and their values", async () => {
    const { html } = await page();
    const listPayments = sectionOf(html, operationAnchor("get", "/api/v1/payments"));
    expect(listPayments).toMatch(
      /<code>status<\/code><\/td><td class="ar-in">query<\/td><td class="ar-type">string<\/td><td class="ar-req">optional<\/td>.*?One of <code>failed<\/code>, <code>pending<\/code>/,
    );
    expect(listPayments).toMatch(/<code>limit<\/code><\/td><td class="ar-in">query<\/td><td class="ar-type">integer<\/td>.*?1–100/);
    // Its description's Markdown is rendered, and the scope it needs is spelled out.
    expect(listPayments).toContain("<code>created_after</code>");
    expect(listPayments).not.toContain("`created_after`");
    expect(listPayments).toContain("API key with the <code>read:payments</code> scope (<code>read</code> or <code>admin</code> also grant it).");
    const getPayment = sectionOf(html, operationAnchor("get", "/api/v1/payments/{id}"));
    expect(getPayment).toMatch(/<code>id<\/code><\/td><td class="ar-in">path<\/td><td class="ar-type">string<\/td><td class="ar-req"><span class="ar-tag ar-tag-required">required<\/span>/);
    // A request body lists its fields, required ones marked.
    const createKey = sectionOf(html, operationAnchor("post", "/api/v1/api-keys"));
    expect(createKey).toContain("Request body (application/json)");
    expect(createKey).toMatch(/<code>name<\/code><span class="ar-tag ar-tag-required">required<\/span>/);
  });

  it("keeps the conventions at the top, their inline code rendered", async () => {
    const { html } = await page();
    const conventions = sectionOf(html, "conventions");
    for (const term of ["Authentication", "Scopes", "Format and pagination", "Errors", "Rate limits", "Idempotency", "Versions"]) {
      expect(conventions).toContain(`<dt>${term}</dt>`);
    }
    expect(conventions).toContain("<code>Idempotency-Key</code>");
    expect(conventions).toContain("<code>admin</code> (everything)");
    expect(conventions).not.toContain("`");
    expect(html.indexOf('id="conventions"')).toBeLessThan(html.indexOf(`id="${escapeAttr(operationAnchor("get", "/api/v1/payments"))}"`));
  });

  it("renders `code` and safe links in descriptions and escapes everything else", () => {
    const crafted =
      "Needs the `admin` scope. <script>alert(1)</script> <b>bold</b> `<img src=x onerror=alert(1)>` " +
      "[the spec](https://example.com/spec?a=1&b=2) [evil](javascript:alert(1)) [page](/docs/api#schemas)\n\nSecond paragraph.";
    const html = renderToString(createElement(Prose, { text: crafted }));
    expect(html).toContain("<code>admin</code>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(html).toContain("<code>&lt;img src=x onerror=alert(1)&gt;</code>");
    expect(html).not.toMatch(/<script|<b>|<img/);
    expect(html).toContain('<a href="https://example.com/spec?a=1&amp;b=2">the spec</a>');
    expect(html).toContain('<a href="/docs/api#schemas">page</a>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain("[evil](javascript:alert(1))");
    expect(html).toMatch(/<p>.*<\/p><p>Second paragraph\.<\/p>/);
  });

  it("describes JSON Schema shapes in words: nullable, arrays, maps, nested objects", () => {
    expect(describeSchema({ anyOf: [{ type: "integer", minimum: -9007199254740991 }, { type: "null" }] })).toMatchObject({
      type: [{ text: "integer" }],
      nullable: true,
      constraints: [],
    });
    expect(describeSchema({ type: "array", items: { $ref: "#/components/schemas/Payment" } }).type).toEqual([
      { text: "array of " },
      { ref: "Payment" },
    ]);
    expect(describeSchema({ type: "object", additionalProperties: { type: "string" } }).type).toEqual([{ text: "map of " }, { text: "string" }]);
    expect(describeSchema({ type: "string", minLength: 1, maxLength: 255, pattern: "^[^\\u0000]*$" }).constraints).toEqual(["1–255 characters"]);
    const rows = fieldRows({
      type: "object",
      required: ["amount"],
      properties: {
        amount: { type: "object", required: ["cents"], properties: { cents: { type: "integer" }, currency: { type: "string" } } },
        lines: { type: "array", items: { type: "object", properties: { sku: { type: "string" } } } },
      },
    });
    expect(rows.map((r) => [r.name, r.depth, r.required, r.type.map((s) => ("ref" in s ? s.ref : s.text)).join("")])).toEqual([
      ["amount", 0, true, "object"],
      ["cents", 1, true, "integer"],
      ["currency", 1, false, "string"],
      ["lines", 0, false, "array of object"],
      ["sku", 1, false, "string"],
    ]);
  });
});
