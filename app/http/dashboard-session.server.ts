// The dashboard pages' HTTP glue: who is signed in (from the session cookie), and a failed
// action's error as the page shows it, in the merchant's words.
import { data } from "@remix-run/node";
import { z } from "zod";
import { findSession } from "~/domain/auth/sessions.server";
import { log } from "~/utils/logger.server";
import { sessionCookie } from "./auth.server";
import { AppError } from "./errors";

export interface DashboardSession {
  workspaceId: string;
  userId: string;
}

/** The signed-in merchant; a 401 otherwise (the dashboard layout shows the sign-in page for it). */
export async function requireDashboardSession(request: Request): Promise<DashboardSession> {
  const token = sessionCookie(request);
  const session = token ? await findSession(token) : null;
  if (!session) throw data("Sign in to see the dashboard.", { status: 401 });
  return { workspaceId: session.workspaceId, userId: session.userId };
}

export interface ActionFailure {
  ok: false;
  /** One sentence for a banner or toast. */
  message: string;
  /** Per field ("maxRetries", "steps.1.subjectTemplate"…), for inline errors. */
  fieldErrors: Record<string, string>;
}

/**
 * A dashboard action's failure as data for the page (status from the error table): the domain's
 * message for an AppError, the schema's message per field for a ZodError. Anything else is ours
 * to fix: logged, and answered with an apology rather than its details.
 */
export function actionFailure(error: unknown) {
  if (error instanceof Response) throw error;
  if (error instanceof z.ZodError) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
    const message = error.issues.length === 1 ? error.issues[0]!.message : "Some fields need another look.";
    return data<ActionFailure>({ ok: false, message, fieldErrors }, { status: 400 });
  }
  if (error instanceof AppError) {
    const fieldErrors: Record<string, string> = {};
    const listed = error.meta?.errors;
    if (Array.isArray(listed)) {
      for (const e of listed as Array<{ path?: string; message?: string }>) if (e.path && e.message) fieldErrors[e.path] ??= e.message;
    }
    return data<ActionFailure>({ ok: false, message: error.message, fieldErrors }, { status: error.status });
  }
  log.error("dashboard action failed", { error });
  return data<ActionFailure>({ ok: false, message: "Something went wrong on our side. Please try again in a moment.", fieldErrors: {} }, { status: 500 });
}
