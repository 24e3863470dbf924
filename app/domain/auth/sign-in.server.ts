import { escapeHtml } from "~/utils/html";
import { AppError } from "~/domain/errors";
import { randomToken } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { log } from "~/utils/logger.server";
import { createSignInLink } from "./sessions.server";

/** What anyone who asks for a link is told, whether or not the address has an account. */
export const SIGN_IN_REQUESTED =
  "If this address belongs to a Recoup account, a sign-in link is on its way. It works once, for 24 hours.";

/** A mailbox is not a target: past this many links in an hour, further requests send nothing. */
const MAX_LINKS_PER_HOUR = 5;
const MAX_WORKSPACES_IN_EMAIL = 10;

const inFlight = new Set<Promise<void>>();

/** Resolves once every sign-in email asked for so far has been sent (or has failed). Tests and shutdown. */
export async function signInEmailsSettled(): Promise<void> {
  await Promise.all([...inFlight]);
}

/**
 * The dashboard's "email me a sign-in link". The answer is the same for every address and is
 * given before any lookup or email happens, so neither its words nor its timing tell whether an
 * account exists.
 */
export async function requestSignInLink(input: { email: string; appUrl: string; redirectTo?: string }): Promise<{ message: string }> {
  const email = input.email.trim();
  const delivery = deliverSignInLink({ email, appUrl: input.appUrl, redirectTo: input.redirectTo })
    .catch((error) => log.error("sending a sign-in link failed", { error: String((error as Error)?.message ?? error) }))
    .finally(() => inFlight.delete(delivery));
  inFlight.add(delivery);
  return { message: SIGN_IN_REQUESTED };
}

async function deliverSignInLink(input: { email: string; appUrl: string; redirectTo?: string }) {
  // lower() = lower(), not Prisma's `mode: "insensitive"`: that is ILIKE, where "_" and "%" are wildcards.
  const [match] = await db().$queryRaw<Array<{ id: string }>>`SELECT id FROM "User" WHERE lower(email) = lower(${input.email}) LIMIT 1`;
  if (!match) return;
  const user = await db().user.findUnique({
    where: { id: match.id },
    include: {
      memberships: { include: { workspace: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" }, take: MAX_WORKSPACES_IN_EMAIL },
    },
  });
  if (!user?.email || user.memberships.length === 0) return;

  const lastHour = await db().signInToken.count({ where: { userId: user.id, createdAt: { gt: new Date(Date.now() - 3600_000) } } });
  if (lastHour + user.memberships.length > MAX_LINKS_PER_HOUR) {
    log.warn("sign-in link not sent: too many requested in the last hour", { userId: user.id });
    return;
  }

  const links: Array<{ workspace: string; url: string }> = [];
  for (const m of user.memberships) {
    links.push({ workspace: m.workspace.name, url: await createSignInLink({ userId: user.id, workspaceId: m.workspace.id, appUrl: input.appUrl, redirectTo: input.redirectTo }) });
  }
  await deliverEmail(
    { to: user.email, ...signInEmail(links), messageId: `<signin-${randomToken(16)}@recoup>`, fromName: "Recoup" },
    // A sign-in link is its addressee's alone: nobody else's outbox shows it.
    { kind: "sign_in", workspaceId: null, recipientUserId: user.id, audience: "recipient" },
  );
  log.info("sign-in link sent", { userId: user.id });
}

function signInEmail(links: Array<{ workspace: string; url: string }>) {
  const single = links.length === 1;
  const intro = single
    ? `Open this link to sign in to Recoup (${links[0]!.workspace}):`
    : "Open the link of the workspace you want to sign in to:";
  const outro = "The link works once, for 24 hours. If you didn't ask for it, ignore this email: nobody can sign in without it.";
  const text = [
    "Hello,",
    "",
    intro,
    "",
    ...links.flatMap((l) => (single ? [l.url, ""] : [`${l.workspace}: ${l.url}`, ""])),
    outro,
  ].join("\n");
  const font = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
  const html =
    `<div style="font-family:${font};font-size:15px;line-height:22px;color:#1f2328;max-width:520px">` +
    `<p>Hello,</p><p>${escapeHtml(intro)}</p>` +
    links
      .map(
        (l) =>
          `<p>${single ? "" : `<strong>${escapeHtml(l.workspace)}</strong><br>`}` +
          `<a href="${escapeHtml(l.url)}" style="color:#1a56db;word-break:break-all">${escapeHtml(l.url)}</a></p>`,
      )
      .join("") +
    `<p style="color:#59636e;font-size:13px">${escapeHtml(outro)}</p></div>`;
  return { subject: "Your sign-in link for Recoup", text, html };
}

/**
 * For the operator (CLI), on a server that sends no email: a one-time link for a member, found by
 * email, to one of their workspaces (the only one, or `workspaceId`).
 */
export async function signInLinkForMember(input: { email: string; workspaceId?: string; appUrl: string; hours?: number }) {
  const [match] = await db().$queryRaw<Array<{ id: string }>>`SELECT id FROM "User" WHERE lower(email) = lower(${input.email.trim()}) LIMIT 1`;
  const memberships = match
    ? await db().membership.findMany({ where: { userId: match.id }, include: { workspace: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } })
    : [];
  if (!match || memberships.length === 0) throw new AppError("not_found", `Nobody with the email ${input.email} is a member of a workspace here.`);
  const chosen = input.workspaceId ? memberships.find((m) => m.workspaceId === input.workspaceId) : memberships.length === 1 ? memberships[0] : undefined;
  if (!chosen) {
    throw new AppError(
      input.workspaceId ? "not_found" : "validation_failed",
      input.workspaceId
        ? `${input.email} is not a member of workspace ${input.workspaceId}.`
        : `${input.email} is in ${memberships.length} workspaces: add --workspace <id> (${memberships.map((m) => `${m.workspace.id} "${m.workspace.name}"`).join(", ")}).`,
    );
  }
  const url = await createSignInLink({ userId: match.id, workspaceId: chosen.workspaceId, appUrl: input.appUrl, hours: input.hours });
  return { url, workspaceId: chosen.workspaceId, workspaceName: chosen.workspace.name };
}
