import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { findSession, redeemSignInToken } from "~/domain/auth/sessions.server";
import { SESSION_COOKIE, sessionCookie } from "~/http/auth.server";
import { env } from "~/utils/env.server";

// A one-time sign-in link (printed at first boot, or by `npm run cli -- sign-in-link`).
// The token is spent here; the session token lives only in an HttpOnly cookie.
const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

export async function loader({ params }: LoaderFunctionArgs & { request: Request }) {
  const session = await redeemSignInToken(params.token ?? "");
  if (!session) return redirect("/dashboard?signin=expired", { headers: NO_STORE });
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  const secure = new URL(env().APP_URL).protocol === "https:" ? "; Secure" : "";
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(session.token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
  return redirect("/dashboard", { headers: { ...NO_STORE, "Set-Cookie": cookie } });
}
