import { describe, expect, it } from "vitest";
import { DEFAULT_SEQUENCE } from "./default-sequence";
import { findUnknownPlaceholders, OPEN_PIXEL_ATTRIBUTE, PLACEHOLDERS, renderEmail, renderTemplate, type PlaceholderValues } from "./templates";
import { currencyExponent, formatMoney } from "~/utils/money";
import { escapeHtml } from "~/utils/html";

const values: PlaceholderValues = {
  customer_name: "Ada Lovelace",
  amount: "$12.34",
  currency: "USD",
  decline_reason: "your bank declined the payment",
  retry_date: "Tuesday, March 3",
  update_payment_url: "https://app.example.com/recover/tok.sig?m=trk123",
  merchant_name: "Acme",
  pay_link_url: "https://app.example.com/recover/tok.sig/pay",
};

// Intl separates some currency symbols with (narrow) no-break spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("PLACEHOLDERS", () => {
  it("lists exactly the eight placeholders templates may use", () => {
    expect([...PLACEHOLDERS].sort()).toEqual(
      ["amount", "currency", "customer_name", "decline_reason", "merchant_name", "retry_date", "update_payment_url", "pay_link_url"].sort(),
    );
  });
});

describe("findUnknownPlaceholders", () => {
  it.each(PLACEHOLDERS)("accepts {{%s}}", (name) => {
    expect(findUnknownPlaceholders(`Hello {{${name}}} and {{ ${name} }}`)).toEqual([]);
  });

  it("accepts the default sequence's templates", () => {
    for (const step of DEFAULT_SEQUENCE.steps) {
      expect(findUnknownPlaceholders(step.subjectTemplate)).toEqual([]);
      expect(findUnknownPlaceholders(step.bodyTemplate)).toEqual([]);
    }
  });

  it("accepts text without placeholders, and lone braces", () => {
    expect(findUnknownPlaceholders("")).toEqual([]);
    expect(findUnknownPlaceholders("Plain text { not } a placeholder }}")).toEqual([]);
  });

  it("names unknown placeholders once each, in order", () => {
    expect(findUnknownPlaceholders("{{foo}} {{customer_name}} {{ bar }} {{foo}}")).toEqual(["foo", "bar"]);
  });

  it("is case-sensitive", () => {
    expect(findUnknownPlaceholders("{{Customer_Name}}")).toEqual(["Customer_Name"]);
  });

  it("flags an empty placeholder", () => {
    expect(findUnknownPlaceholders("Hi {{}}")).toEqual([""]);
  });

  it("flags an unclosed placeholder with the fragment as written", () => {
    expect(findUnknownPlaceholders("Hi {{ foo")).toEqual(["{{ foo"]);
    expect(findUnknownPlaceholders("Hi {{customer_name and more text")).toEqual(["{{customer_name"]);
    expect(findUnknownPlaceholders("ends with {{")).toEqual(["{{"]);
  });

  it("flags a placeholder left open before the next one, and still checks the next", () => {
    expect(findUnknownPlaceholders("{{ foo {{amount}} {{nope}}")).toEqual(["{{ foo", "nope"]);
  });

  it("flags triple braces", () => {
    expect(findUnknownPlaceholders("{{{amount}}}")).toEqual(["{amount"]);
  });
});

describe("renderTemplate", () => {
  it.each(PLACEHOLDERS)("fills {{%s}}", (name) => {
    expect(renderTemplate(`[{{${name}}}] [{{ ${name} }}]`, values)).toBe(`[${values[name]}] [${values[name]}]`);
  });

  it("fills every occurrence and leaves other text alone, without escaping", () => {
    const out = renderTemplate("{{merchant_name}} & {{merchant_name}} <b>", { ...values, merchant_name: "A&B" });
    expect(out).toBe("A&B & A&B <b>");
  });

  it("leaves unknown placeholders as written", () => {
    expect(renderTemplate("{{foo}} {{amount}}", values)).toBe("{{foo}} $12.34");
  });

  it("does not re-expand placeholders inside values", () => {
    expect(renderTemplate("{{customer_name}}", { ...values, customer_name: "{{amount}}" })).toBe("{{amount}}");
  });
});

describe("renderEmail", () => {
  const step = DEFAULT_SEQUENCE.steps[0];
  const render = (overrides: Partial<Parameters<typeof renderEmail>[0]> = {}) =>
    renderEmail({
      subject: step.subjectTemplate,
      body: step.bodyTemplate,
      values,
      branding: { merchantName: "Acme" },
      pixelUrl: "https://app.example.com/e/o/trk123.gif",
      ...overrides,
    });

  it("fills the subject and the text body", () => {
    const email = render();
    expect(email.subject).toBe("Your payment to Acme didn't go through");
    expect(email.text).toContain("Hi Ada Lovelace,");
    expect(email.text).toContain("We tried to charge $12.34 USD for your Acme subscription");
    expect(email.text).toContain("(your bank declined the payment)");
    expect(email.text).toContain("we'll try again on Tuesday, March 3");
    expect(email.text).toContain("https://app.example.com/recover/tok.sig?m=trk123");
  });

  it("keeps line breaks out of the subject", () => {
    expect(render({ values: { ...values, merchant_name: "Acme\r\nBcc: evil@example.com" } }).subject).toBe(
      "Your payment to Acme Bcc: evil@example.com didn't go through",
    );
  });

  it("draws the standalone update link as exactly one button", () => {
    const { html } = render();
    const buttons = html.match(/<a href="https:\/\/app\.example\.com\/recover\/tok\.sig\?m=trk123" style="display:inline-block/g);
    expect(buttons).toHaveLength(1);
    expect(html).toContain(">Update payment details</a>");
  });

  it("appends the button when the link only appears inline, keeping the inline link", () => {
    const { html } = render({ body: "Update your card: {{update_payment_url}}" });
    expect(html.match(/display:inline-block/g)).toHaveLength(1);
    expect(html).toContain('word-break:break-all;">https://app.example.com/recover/tok.sig?m=trk123</a>');
    expect(html.indexOf("word-break")).toBeLessThan(html.indexOf("display:inline-block"));
  });

  it("draws only the first standalone link as the button", () => {
    const { html } = render({ body: "{{update_payment_url}}\n\nOr:\n\n{{update_payment_url}}" });
    expect(html.match(/display:inline-block/g)).toHaveLength(1);
    expect(html.match(/word-break:break-all/g)).toHaveLength(1);
  });

  it("uses the branding's button label", () => {
    expect(render({ branding: { merchantName: "Acme", buttonLabel: "Confirm your payment" } }).html).toContain(">Confirm your payment</a>");
  });

  it("escapes every value and the template's own text in the HTML", () => {
    const hostile: PlaceholderValues = {
      ...values,
      customer_name: `<script>alert("x")</script>`,
      merchant_name: `O'Brien & Sons <b>`,
      update_payment_url: `https://x.test/r?a=1&b="><img src=x>`,
    };
    const { html, text } = render({ body: "Hi {{customer_name}} <i>literal</i>\n\n{{update_payment_url}}", values: hostile });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<i>literal</i>");
    expect(html).not.toContain("<img src=x>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("O&#39;Brien &amp; Sons &lt;b&gt;");
    expect(html).toContain('href="https://x.test/r?a=1&amp;b=&quot;&gt;&lt;img src=x&gt;"');
    expect(text).toContain(`Hi <script>alert("x")</script> <i>literal</i>`);
  });

  it("keeps paragraphs and line breaks", () => {
    const { html } = render({ body: "One\nTwo\n\nThree" });
    expect(html).toContain('<p style="margin:0 0 16px;">One<br>Two</p>');
    expect(html).toContain('<p style="margin:0 0 16px;">Three</p>');
  });

  it("is a complete, mobile-friendly, accessible document", () => {
    const { html } = render();
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain("<title>Your payment to Acme didn&#39;t go through</title>");
    expect(html).toContain("max-width:560px");
    expect(html).not.toContain("<style");
    for (const table of html.match(/<table[^>]*>/g)!) expect(table).toContain('role="presentation"');
  });

  it("has a tracking pixel slot, empty when no pixel is given", () => {
    const withPixel = render().html;
    expect(withPixel).toContain(`<img src="https://app.example.com/e/o/trk123.gif" width="1" height="1" alt="" ${OPEN_PIXEL_ATTRIBUTE}`);
    expect(render({ pixelUrl: undefined }).html).not.toContain("<img");
  });

  it("accepts hex accent colours only", () => {
    expect(render({ branding: { merchantName: "Acme", accentColor: "#ff0000" } }).html).toContain("background:#ff0000");
    const hostile = render({ branding: { merchantName: "Acme", accentColor: "red;background:url(x)" } }).html;
    expect(hostile).not.toContain("url(x)");
    expect(hostile).toContain("background:#1a56db");
  });
});

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});

describe("formatMoney", () => {
  it("formats USD with cents", () => {
    expect(formatMoney(1234, "usd")).toBe("$12.34");
    expect(formatMoney(123456789, "USD")).toBe("$1,234,567.89");
    expect(formatMoney(5, "usd")).toBe("$0.05");
    expect(formatMoney(0, "usd")).toBe("$0.00");
  });

  it("formats JPY without decimals: the amount is already in yen", () => {
    expect(formatMoney(1500, "jpy")).toBe("¥1,500");
    expect(formatMoney(1, "JPY")).toBe("¥1");
  });

  it("formats EUR in the given locale", () => {
    expect(formatMoney(1234, "eur")).toBe("€12.34");
    expect(plain(formatMoney(123456, "eur", "de"))).toBe("1.234,56 €");
    expect(plain(formatMoney(123456, "eur", "fr"))).toBe("1 234,56 €");
  });

  it("formats three-decimal currencies", () => {
    expect(plain(formatMoney(1234, "kwd"))).toBe("KWD 1.234");
  });

  it("reads ISK as two-decimal (as the payment APIs send it) but shows whole krónur", () => {
    expect(plain(formatMoney(10000, "isk"))).toBe("ISK 100");
    expect(plain(formatMoney(10050, "isk"))).toBe("ISK 100.50");
  });

  it("does not throw on a currency Intl does not know", () => {
    expect(plain(formatMoney(1234, "xyz"))).toBe("XYZ 12.34");
    expect(formatMoney(1234, "us")).toBe("12.34 US");
  });

  it("exposes the exponents", () => {
    expect(currencyExponent("jpy")).toBe(0);
    expect(currencyExponent("usd")).toBe(2);
    expect(currencyExponent("eur")).toBe(2);
    expect(currencyExponent("KWD")).toBe(3);
  });
});
