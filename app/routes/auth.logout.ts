import { redirect, redirectDocument, type ActionFunctionArgs } from "@remix-run/node";
import { endSession } from "~/domain/auth/sessions.server";
import { SESSION_COOKIE, sessionCookie } from "~/http/auth.server";

// POST only: a link or an image must not be able to sign anyone out.
export async function action({ request }: ActionFunctionArgs) {
  const token = sessionCookie(request);
  if (token) await endSession(token);
  // A full page load: nothing of the signed-in dashboard stays in the browser's memory.
  return redirectDocument("/dashboard", {
    headers: { "Set-Cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
  });
}

export const loader = () => redirect("/dashboard");
