// A workspace's brand on emails and customer pages: an accent colour and a logo, made safe.
/** The button colour when the merchant has chosen none: emails and the /recover page share it. */
export const DEFAULT_ACCENT = "#1a56db";

/** The merchant's colour when it is a hex colour (it lands in style attributes), else the default. */
export function accentColor(color: string | null | undefined): string {
  return color && /^#[0-9a-f]{3}(?:[0-9a-f]{3})?$/i.test(color) ? color : DEFAULT_ACCENT;
}

/** The logo URL when it is an absolute https URL, else null. */
export function safeLogoUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}
