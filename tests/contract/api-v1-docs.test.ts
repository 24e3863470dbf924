import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { describe, expect, it } from "vitest";
import { ApiReference, loader } from "~/routes/docs.api";

describe("/docs/api", () => {
  it("renders every documented operation, grouped, with a curl example per resource group", async () => {
    const data = await loader({ request: new Request("http://localhost:3000/docs/api"), params: {}, context: {} });
    const tags = data.groups.map((g) => g.tag);
    expect(tags).toEqual(expect.arrayContaining(["API keys", "Status"]));
    const html = renderToString(createElement(AppProvider, { i18n: en }, createElement(ApiReference, data)));
    for (const group of data.groups) {
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
});
