// The one way the product sends email (docs/decisions/0034-one-mail-port-and-a-private-outbox.md).
// With SMTP_URL set, deliverEmail hands the message to the SMTP server; without it nothing leaves
// the machine and the message is kept in the outbox: a dunning message's own row is its copy,
// every other email (test emails, invitations, sign-in links, notices to the owner) is kept in
// OutboxEmail, encrypted, because some carry working sign-in links. /outbox shows a signed-in
// member their workspace's mail and nothing else.
import { can, type Role } from "~/domain/access/roles";
import { decrypt, encrypt } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { sendEmail, type EmailReceipt, type OutgoingEmail } from "~/utils/email.server";
import { env } from "~/utils/env.server";

export type OutboxKind = "test_email" | "invitation" | "sign_in" | "owner_notice" | "pre_dunning";

/**
 * Where an email is kept when it cannot be sent, and who may read it there:
 * - members: anyone in the workspace (test emails, notices about the workspace);
 * - admins: owners and admins (an invitation carries the invitee's link; they could invite anyone anyway);
 * - recipient: only the user it is addressed to (a sign-in link is theirs alone).
 * The recipient user, when there is one, always sees it.
 */
export type OutboxCopy =
  | { keptBy: "dunning_message" }
  | {
      kind: OutboxKind;
      workspaceId: string | null;
      recipientUserId?: string | null;
      audience: "members" | "admins" | "recipient";
    };

/** Whether the local outbox pages may be shown: never in production, where mail goes out by SMTP. */
export function outboxEnabled(): boolean {
  return env().NODE_ENV !== "production";
}

/** Whether this server sends email at all (SMTP_URL set). Without it, every email is kept in the outbox. */
export function emailConfigured(): boolean {
  return Boolean(env().SMTP_URL);
}

/** Sends one email, or keeps it in the outbox when SMTP_URL is unset. Throws when the SMTP server refuses it. */
export async function deliverEmail(email: OutgoingEmail, copy: OutboxCopy): Promise<EmailReceipt> {
  const receipt = await sendEmail(email);
  if (receipt.transport === "outbox" && !("keptBy" in copy)) {
    await db().outboxEmail.createMany({
      data: [
        {
          workspaceId: copy.workspaceId,
          recipientUserId: copy.recipientUserId ?? null,
          audience: copy.audience,
          kind: copy.kind,
          toEmail: email.to,
          subject: email.subject,
          bodyTextEnc: encrypt(email.text),
          bodyHtmlEnc: encrypt(email.html),
          messageId: email.messageId,
        },
      ],
      skipDuplicates: true, // the same Message-ID (a job run twice) is kept once
    });
  }
  return receipt;
}

/** Who is looking at the outbox: a signed-in member of one workspace. */
export interface OutboxReader {
  workspaceId: string;
  userId: string;
  role: Role;
}

function visibleOtherMail(reader: OutboxReader) {
  const audiences = can(reader.role, "manage_team") ? ["members", "admins"] : ["members"];
  return {
    OR: [{ workspaceId: reader.workspaceId, audience: { in: audiences } }, { recipientUserId: reader.userId }],
  };
}

export interface OutboxItem {
  id: string;
  kind: string;
  toEmail: string | null;
  subject: string;
  status: string;
  transport: string | null;
  createdAt: Date;
}

/** The reader's outbox, newest first: the workspace's dunning emails and the other mail they may read. */
export async function listOutbox(input: OutboxReader & { limit?: number }): Promise<OutboxItem[]> {
  const take = input.limit ?? 50;
  const [dunning, other] = await Promise.all([
    db().dunningMessage.findMany({
      where: { workspaceId: input.workspaceId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: { id: true, subject: true, toEmail: true, status: true, kind: true, transport: true, createdAt: true },
    }),
    db().outboxEmail.findMany({
      where: visibleOtherMail(input),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: { id: true, subject: true, toEmail: true, kind: true, createdAt: true },
    }),
  ]);
  return [...dunning, ...other.map((m) => ({ ...m, status: "kept", transport: "outbox" }))]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, take);
}

/** One message of the reader's outbox; null for an id that is not theirs to read (another workspace's: a 404). */
export async function getOutboxMessage(input: OutboxReader & { id: string }) {
  const dunning = await db().dunningMessage.findFirst({
    where: { id: input.id, workspaceId: input.workspaceId },
    select: { id: true, subject: true, toEmail: true, status: true, kind: true, bodyText: true, bodyHtml: true, createdAt: true, error: true },
  });
  if (dunning) return dunning;
  const other = await db().outboxEmail.findFirst({ where: { AND: [{ id: input.id }, visibleOtherMail(input)] } });
  if (!other) return null;
  return {
    id: other.id,
    subject: other.subject,
    toEmail: other.toEmail,
    status: "kept",
    kind: other.kind,
    bodyText: decrypt(other.bodyTextEnc),
    bodyHtml: decrypt(other.bodyHtmlEnc),
    createdAt: other.createdAt,
    error: null,
  };
}
