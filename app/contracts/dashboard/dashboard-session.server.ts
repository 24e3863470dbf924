// The dashboard pages' HTTP glue: who is signed in (from the session cookie) and what their role
// lets them do, and a failed action's error as the page shows it, in the merchant's words.
import { data, redirect } from "@remix-run/node";
import { z } from "zod";
import { findSession } from "~/domain/auth/sessions.server";
import { can, refusalMessage, type Permission, type Role } from "~/domain/access/roles";
import { memberAccess } from "~/domain/team/team.server";
import { authenticateShopAdmin } from "~/shopify.server";
import { log } from "~/utils/logger.server";
import { sessionCookie } from "~/http/auth.server";
import { statusOf } from "~/http/errors";
import { signInUrlFor } from "~/http/redirect-to";
import { AppError } from "~/domain/errors";

/** Who is acting and with which role: what `requirePermission` needs, whatever the home. */
export interface Actor {
  role: Role;
  /** The owner's name or email, for "Ask … to make the change". */
  ownerLabel: string | null;
}

export interface DashboardSession extends Actor {
  workspaceId: string;
  userId: string;
}

/** The session the request's cookie names; null without one, or when it is unknown or expired. */
export async function findDashboardSession(request: Request) {
  const token = sessionCookie(request);
  return token ? findSession(token) : null;
}

/**
 * The signed-in merchant and their role, also checked against a membership that may be gone.
 * Without one, a page (GET) redirects to the sign-in page, which comes back to it afterwards; a
 * form post (nothing to come back to) is a 401.
 */
export async function requireDashboardSession(request: Request): Promise<DashboardSession> {
  const session = await findDashboardSession(request);
  const access = session ? await memberAccess({ workspaceId: session.workspaceId, userId: session.userId }) : null;
  if (!session || !access) {
    if (request.method === "GET" || request.method === "HEAD") throw redirect(signInUrlFor(request));
    throw data("Sign in to see the dashboard.", { status: 401 });
  }
  return { workspaceId: session.workspaceId, userId: session.userId, ...access };
}

export interface ShopifyStaff extends Actor {
  workspaceId: string;
  /** Shopify's staff are not Recoup users. */
  userId: null;
  shop: string;
}

/**
 * Someone inside the Shopify admin, in the shop's workspace. Shopify decides which staff may open
 * the app, so they act as admins (docs/decisions/0010-team-roles.md).
 */
export async function requireShopifyStaff(request: Request): Promise<ShopifyStaff> {
  const { workspaceId, session } = await authenticateShopAdmin(request);
  return { workspaceId, shop: session.shop, userId: null, role: "admin", ownerLabel: null };
}

/**
 * Refuses what the actor's role does not allow (docs/decisions/0010-team-roles.md): a 403
 * AppError whose message says who can do it instead. Call it in every action that changes
 * settings, dunning sequences, connected accounts or the team, before anything is written.
 */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) throw new AppError("forbidden", refusalMessage(permission, actor.ownerLabel));
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
    return data<ActionFailure>({ ok: false, message: error.message, fieldErrors }, { status: statusOf(error) });
  }
  log.error("dashboard action failed", { error });
  return data<ActionFailure>({ ok: false, message: "Something went wrong on our side. Please try again in a moment.", fieldErrors: {} }, { status: 500 });
}
