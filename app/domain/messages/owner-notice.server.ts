// A notice to a workspace's owner (an outbound event no endpoint takes, Stripe events given up):
// plain paragraphs, sent through the mail port once per Message-ID. There is no row and no claim:
// the job that sends it is keyed once per happening, pg-boss retries it, and a resend is the same
// email (the same Message-ID; the outbox keeps it once). Without SMTP the workspace's members read it
// in the outbox. docs/decisions/0041-one-outbound-message-lifecycle.md
import { escapeHtml } from "~/utils/html";
import { deliverEmail } from "~/domain/mail/outbox.server";

/** The HTML of a plain-text notice: each blank-line-separated paragraph a <p>, line breaks kept. */
function paragraphsHtml(text: string): string {
  return text
    .split("\n\n")
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("");
}

export async function emailOwnerNotice(input: {
  workspace: { id: string; ownerUserId: string };
  to: string;
  subject: string;
  text: string;
  /** `<…@recoup>`, fixed per happening: what makes a resend the same email. */
  messageId: string;
}): Promise<void> {
  await deliverEmail(
    { to: input.to, subject: input.subject, text: input.text, html: paragraphsHtml(input.text), messageId: input.messageId },
    { kind: "owner_notice", workspaceId: input.workspace.id, recipientUserId: input.workspace.ownerUserId, audience: "members" },
  );
}
