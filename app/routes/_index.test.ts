import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { thrown } from "../../tests/helpers/thrown";
import { loader } from "./_index";

// `/` is what `npm start` prints: it must lead somewhere, not answer an empty page.
const visit = (url: string, token?: string) =>
  thrown<Response>(loader({ request: new Request(url, { headers: token ? { cookie: `recoup_session=${token}` } : {} }), params: {}, context: {} }));

describe("GET /", () => {
  it("sends a signed-out visitor to the sign-in page and a signed-in merchant to the dashboard", async () => {
    const { sessionToken } = await makeWorkspace();
    expect((await visit("http://localhost/")).headers.get("Location")).toBe("/auth/sign-in");
    expect((await visit("http://localhost/", "rs_forged")).headers.get("Location")).toBe("/auth/sign-in");
    expect((await visit("http://localhost/", sessionToken)).headers.get("Location")).toBe("/dashboard");
  });

  it("hands the Shopify admin's request (it names the shop) to the embedded app", async () => {
    const res = await visit("http://localhost/?shop=story.myshopify.com&host=abc");
    expect([res.status, res.headers.get("Location")]).toEqual([302, "/app?shop=story.myshopify.com&host=abc"]);
  });
});
