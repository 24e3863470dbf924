// Where a browser goes back to after signing in: only a path on this server, never another
// origin ("//evil.example", "/\\evil.example", "https://…" and control characters are refused).

const FALLBACK = "/dashboard";

/** The path to return to when it is a safe, relative one on this server; else the dashboard. */
export function safeRedirectTo(value: string | null | undefined, fallback = FALLBACK): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  // Resolved against a dummy origin, a safe path stays on it.
  const resolved = new URL(value, "http://recoup.invalid");
  if (resolved.origin !== "http://recoup.invalid") return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/** The sign-in page, asked to come back to `request`'s page afterwards. */
export function signInUrlFor(request: Request, extra: Record<string, string> = {}): string {
  const url = new URL(request.url);
  const params = new URLSearchParams({ redirectTo: safeRedirectTo(`${url.pathname}${url.search}`), ...extra });
  return `/auth/sign-in?${params.toString()}`;
}
