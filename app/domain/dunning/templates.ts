// Dunning email templates: placeholders, rendering to text and HTML.
// Pure: no IO, no clock. Values are rendered as given; callers format dates and money.
import { z } from "zod";
import { AppError } from "~/domain/errors";
import { escapeHtml } from "~/utils/html";
import { accentColor, safeLogoUrl } from "~/utils/branding";

export const PLACEHOLDERS = [
  "customer_name",
  "amount",
  "currency",
  "decline_reason",
  "retry_date",
  "update_payment_url",
  "merchant_name",
  "pay_link_url",
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

const KNOWN = new Set<string>(PLACEHOLDERS);

export function isPlaceholder(name: string): name is Placeholder {
  return KNOWN.has(name);
}

/**
 * Every placeholder a merchant wrote that we cannot fill, in order of appearance, once each:
 * the name of a well-formed but unknown one (`{{foo}}` → "foo"), or the fragment as written
 * when it is never closed (`{{ foo` → "{{ foo"). Whitespace inside the braces is allowed.
 */
export function findUnknownPlaceholders(template: string): string[] {
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf("{{", from);
    if (open === -1) break;
    const close = template.indexOf("}}", open + 2);
    const nextOpen = template.indexOf("{{", open + 2);
    if (close === -1 || (nextOpen !== -1 && nextOpen < close)) {
      found.push(/^\{\{\s*[^\s{}]*/.exec(template.slice(open))![0]);
      if (close === -1) break;
      from = nextOpen;
      continue;
    }
    const name = template.slice(open + 2, close).trim();
    if (!isPlaceholder(name)) found.push(name);
    from = close + 2;
  }
  return [...new Set(found)];
}

const TOKEN = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Plain-text rendering. Unknown placeholders are left as written (templates are validated when saved). */
export function renderTemplate(template: string, values: PlaceholderValues): string {
  return template.replace(TOKEN, (whole, name: string) => (isPlaceholder(name) ? values[name] : whole));
}

export interface EmailBranding {
  merchantName: string;
  /** Button colour; anything but a hex colour falls back to the default (it lands in a style attribute). */
  accentColor?: string;
  /** The call to action on the update-link button. */
  buttonLabel?: string;
  /** Shown above the message instead of the merchant's name; only an https URL is used (mail clients block the rest). */
  logoUrl?: string | null;
}

export interface RenderEmailInput {
  subject: string;
  body: string;
  values: PlaceholderValues;
  branding: EmailBranding;
  /** The open-tracking pixel; omitted from the HTML when absent. */
  pixelUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** Marks the open pixel so that previews (the local outbox) can strip it instead of counting an open. */
export const OPEN_PIXEL_ATTRIBUTE = "data-open-pixel";

function button(url: string, label: string, accent: string): string {
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:24px 0;"><tr>` +
    `<td style="border-radius:6px;background:${accent};">` +
    `<a href="${escapeHtml(url)}" style="display:inline-block;padding:14px 24px;font-family:${FONT};font-size:16px;` +
    `font-weight:600;line-height:20px;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(label)}</a>` +
    `</td></tr></table>`
  );
}

function link(url: string): string {
  return `<a href="${escapeHtml(url)}" style="color:#1a56db;text-decoration:underline;word-break:break-all;">${escapeHtml(url)}</a>`;
}

/** One paragraph of the body template as HTML: the template's text and every value escaped, line breaks kept. */
function paragraphHtml(template: string, values: PlaceholderValues): string {
  let html = "";
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    html += escapeHtml(template.slice(last, match.index));
    const name = match[1]!;
    if (!isPlaceholder(name)) html += escapeHtml(match[0]);
    else if (name === "update_payment_url") html += link(values.update_payment_url);
    else html += escapeHtml(values[name]);
    last = match.index + match[0].length;
  }
  html += escapeHtml(template.slice(last));
  return html.replace(/\n/g, "<br>");
}

/**
 * The email in three parts. Subject and text are the templates filled in; the HTML is one
 * centred column (readable on phones), inline styles only (mail clients drop <style>), every
 * value escaped, and the first paragraph that is only `{{update_payment_url}}` drawn as the one
 * button (appended after the body when no paragraph is).
 */
export function renderEmail(input: RenderEmailInput): RenderedEmail {
  const { values, branding } = input;
  // A header cannot hold a line break; one in a value would start a new header.
  const subject = renderTemplate(input.subject, values).replace(/[\r\n]+/g, " ").trim();
  const text = renderTemplate(input.body, values);
  const accent = accentColor(branding.accentColor);
  const label = branding.buttonLabel ?? "Update payment details";

  let buttonPlaced = false;
  const paragraphs = input.body
    .replace(/\r\n/g, "\n")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      if (/^\{\{\s*update_payment_url\s*\}\}$/.test(p) && !buttonPlaced && values.update_payment_url) {
        buttonPlaced = true;
        return button(values.update_payment_url, label, accent);
      }
      return `<p style="margin:0 0 16px;">${paragraphHtml(p, values)}</p>`;
    });
  if (!buttonPlaced && values.update_payment_url) paragraphs.push(button(values.update_payment_url, label, accent));

  const pixel = input.pixelUrl
    ? `<img src="${escapeHtml(input.pixelUrl)}" width="1" height="1" alt="" ${OPEN_PIXEL_ATTRIBUTE} style="display:block;width:1px;height:1px;border:0;">`
    : "";
  const merchant = escapeHtml(branding.merchantName);
  const logo = safeLogoUrl(branding.logoUrl);
  // The name stays as the image's alt text: most clients block remote images until asked.
  const header = logo
    ? `<img src="${escapeHtml(logo)}" alt="${merchant}" height="40" style="display:block;height:40px;width:auto;max-width:200px;margin:0 0 24px;border:0;font-size:14px;font-weight:600;color:#57606a;">`
    : `<p style="margin:0 0 24px;font-size:14px;font-weight:600;color:#57606a;">${merchant}</p>`;

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px 28px;font-family:${FONT};font-size:16px;line-height:1.6;color:#1f2328;">
${header}
${paragraphs.join("\n")}
</td></tr>
</table>
<p style="margin:16px 0 0;font-family:${FONT};font-size:12px;line-height:1.5;color:#57606a;">You are receiving this email about a payment to ${merchant}.</p>
${pixel}
</td></tr>
</table>
</body>
</html>`;
  return { subject, text, html };
}

/** Refuses templates with a placeholder the renderer cannot fill, naming it and where it is (`steps.<i>.<field>`). */
export function assertKnownPlaceholders(steps: Array<{ subjectTemplate?: string; bodyTemplate?: string }>) {
  steps.forEach((step, index) => {
    for (const field of ["subjectTemplate", "bodyTemplate"] as const) {
      const template = step[field];
      if (template === undefined) continue;
      const [unknown] = findUnknownPlaceholders(template);
      if (unknown === undefined) continue;
      const written = unknown.startsWith("{{") ? unknown : `{{${unknown}}}`;
      const problem = unknown.startsWith("{{") ? `is not closed with "}}"` : "is not a placeholder we can fill";
      throw new AppError(
        "unknown_placeholder",
        `steps.${index}.${field}: "${written}" ${problem}. Use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
        { placeholder: unknown, path: `steps.${index}.${field}`, allowed: [...PLACEHOLDERS] },
      );
    }
  });
}

/** What is wrong with a template's placeholders, in the editor's words and naming the placeholder; null when nothing is. */
export function placeholderProblem(template: string, label: string): { message: string; placeholder: string } | null {
  const [unknown] = findUnknownPlaceholders(template);
  if (unknown === undefined) return null;
  const message = unknown.startsWith("{{")
    ? `${label} has "${unknown}" without its closing "}}".`
    : `${label} uses {{${unknown}}}, which isn't a placeholder Recoup can fill. Use one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`;
  return { message, placeholder: unknown };
}

/** One email's templates as the editor checks them, with messages in the merchant's words. */
export const StepTemplatesSchema = z.object({
  subjectTemplate: z
    .string({ error: "Write a subject." })
    .trim()
    .min(1, { error: "Write a subject." })
    .max(300, { error: "Keep the subject under 300 characters." }),
  bodyTemplate: z
    .string({ error: "Write the email's text." })
    .trim()
    .min(1, { error: "Write the email's text." })
    .max(20_000, { error: "Keep the email under 20,000 characters." }),
});

/** The editors' check of every step's placeholders, each problem on its field (`steps.<i>.subjectTemplate`), in the merchant's words. */
export function addStepPlaceholderIssues(steps: ReadonlyArray<{ subjectTemplate: string; bodyTemplate: string }>, ctx: z.RefinementCtx) {
  steps.forEach((step, i) => {
    for (const [field, label] of [
      ["subjectTemplate", `Email ${i + 1}'s subject`],
      ["bodyTemplate", `Email ${i + 1}'s text`],
    ] as const) {
      const problem = placeholderProblem(step[field], label);
      if (problem) ctx.addIssue({ code: "custom", path: ["steps", i, field], message: problem.message });
    }
  });
}
