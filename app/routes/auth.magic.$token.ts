import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { redeemSignInToken } from "~/domain/auth/sessions.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { findDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { safeRedirectTo } from "~/http/redirect-to";
import { env } from "~/utils/env.server";

// A one-time sign-in link (printed at first boot, or by `npm run cli -- sign-in-link`).
// The token is spent here; the session token lives only in an HttpOnly cookie.
const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

export async function loader({ params, request }: LoaderFunctionArgs) {
  // Back to the page that asked for a sign-in: a path on this server only (no open redirect).
  const back = safeRedirectTo(new URL(request.url).searchParams.get("redirectTo"));
  const session = await redeemSignInToken(params.token ?? "");
  if (!session) {
    // Opening the same link again while signed in is no reason to say it expired.
    const signedIn = await findDashboardSession(request);
    const expired = `/auth/sign-in?${new URLSearchParams({ expired: "1", redirectTo: back })}`;
    return redirect(signedIn ? back : expired, { headers: NO_STORE });
  }
  const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
  const secure = new URL(env().APP_URL).protocol === "https:" ? "; Secure" : "";
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(session.token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
  return redirect(back, { headers: { ...NO_STORE, "Set-Cookie": cookie } });
}
