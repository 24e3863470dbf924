import { statusOf } from "~/http/errors";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../../../tests/factories";
import { useFakeSmtp } from "../../../tests/helpers/smtp";
import { previewSequenceStep, sendTestEmail } from "./preview.server";
import { getActiveSequence, getSequence, listSequences, saveSequenceDraft } from "~/domain/campaigns/sequences.server";
import { thrownAppError as thrown } from "../../../tests/helpers/thrown";

const smtp = useFakeSmtp();

beforeAll(() => {
  process.env.APP_URL = "http://recoup.test";
  resetEnv();
});
afterEach(() => {
  testClock.reset();
  delete process.env.LOG_LEVEL;
  resetEnv();
});

const TEMPLATES = {
  subjectTemplate: "{{customer_name}}, your {{merchant_name}} payment of {{amount}} failed",
  bodyTemplate: "Hi {{customer_name}},\n\nWe couldn't take {{amount}} {{currency}} ({{decline_reason}}). We'll retry on {{retry_date}}.\n\n{{update_payment_url}}",
};


describe("previewSequenceStep", () => {
  it("fills every placeholder with sample data and the workspace's name and branding", async () => {
    const { workspace } = await makeWorkspace({ name: "Story Coffee" });
    await db().workspace.update({
      where: { id: workspace.id },
      data: { senderName: "Story Coffee Roasters", brandColor: "#0b7a5a", logoUrl: "https://cdn.example.com/logo.png", timezone: "Europe/Paris" },
    });
    testClock.set(new Date("2026-11-02T10:00:00Z"));
    const preview = await previewSequenceStep({ workspaceId: workspace.id, ...TEMPLATES });
    expect(preview.subject).toBe("Jane Doe, your Story Coffee Roasters payment of $49.00 failed");
    expect(preview.text).toBe(
      "Hi Jane Doe,\n\nWe couldn't take $49.00 USD (your card has insufficient funds). We'll retry on Thursday, November 5.\n\nhttp://recoup.test/recover/sample-preview-link",
    );
    expect(preview.html).toContain("background:#0b7a5a;");
    expect(preview.html).toContain('<img src="https://cdn.example.com/logo.png" alt="Story Coffee Roasters"');
    expect(preview.html).toContain('href="http://recoup.test/recover/sample-preview-link"');
    // A preview is nobody's email: no open pixel.
    expect(preview.html).not.toContain("data-open-pixel");
  });

  it("names an unknown placeholder, and an unclosed one, in plain words", async () => {
    const { workspace } = await makeWorkspace();
    const unknown = await thrown(previewSequenceStep({ workspaceId: workspace.id, subjectTemplate: "Hi {{first_name}}", bodyTemplate: "b" }));
    expect(unknown.code).toBe("unknown_placeholder");
    expect(statusOf(unknown)).toBe(400);
    expect(unknown.message).toMatch(/^The subject uses \{\{first_name\}\}, which isn't a placeholder Recoup can fill\. Use one of \{\{customer_name\}\}/);
    expect(unknown.meta).toMatchObject({ placeholder: "first_name", field: "subjectTemplate" });

    const unclosed = await thrown(previewSequenceStep({ workspaceId: workspace.id, subjectTemplate: "s", bodyTemplate: "Pay here {{update_payment_url" }));
    expect(unclosed.message).toBe('The email text has "{{update_payment_url" without its closing "}}".');
  });

  it("asks for a subject and a text", async () => {
    const { workspace } = await makeWorkspace();
    await expect(previewSequenceStep({ workspaceId: workspace.id, subjectTemplate: " ", bodyTemplate: "b" })).rejects.toThrow("Write a subject.");
  });
});

describe("sendTestEmail", () => {
  it("sends the preview to the signed-in merchant through SMTP, subject marked [Test]", async () => {
    const { workspace, owner } = await makeWorkspace({ name: "Story Coffee", ownerEmail: `owner-${Date.now()}@story.example` });
    await db().workspace.update({ where: { id: workspace.id }, data: { replyTo: "billing@story.example" } });
    const sent = await sendTestEmail({ workspaceId: workspace.id, userId: owner.id, ...TEMPLATES });
    expect(sent).toEqual({ to: owner.email, transport: "smtp" });

    const mail = await smtp.waitFor((m) => m.subject === "[Test] Jane Doe, your Story Coffee payment of $49.00 failed");
    expect(smtp.recipients[smtp.messages.indexOf(mail)]).toEqual([owner.email]);
    expect(mail.from?.value[0]?.name).toBe("Story Coffee");
    expect(mail.replyTo?.value[0]?.address).toBe("billing@story.example");
    expect(mail.text).toContain("We couldn't take $49.00 USD");
    expect(mail.html).toContain("recover/sample-preview-link");
  });

  it("keeps it on the machine when SMTP is not set, and says so", async () => {
    delete process.env.SMTP_URL;
    resetEnv();
    const { workspace, owner } = await makeWorkspace();
    const before = smtp.messages.length;
    expect(await sendTestEmail({ workspaceId: workspace.id, userId: owner.id, ...TEMPLATES })).toEqual({ to: owner.email, transport: "outbox" });
    expect(smtp.messages.length).toBe(before);
  });

  it("answers in plain words when the mail server refuses it", async () => {
    // The refusal is logged for us; keep it out of the test output.
    process.env.LOG_LEVEL = "silent";
    resetEnv();
    const { workspace, owner } = await makeWorkspace();
    smtp.failNext(1);
    const error = await thrown(sendTestEmail({ workspaceId: workspace.id, userId: owner.id, ...TEMPLATES }));
    expect(error.code).toBe("upstream_error");
    expect(error.message).toBe(`The test email to ${owner.email} couldn't be sent: the mail server didn't accept it. Try again in a minute.`);
  });

  it("is only for members, and refuses a bad template before sending anything", async () => {
    const { workspace } = await makeWorkspace();
    const stranger = await makeWorkspace();
    expect((await thrown(sendTestEmail({ workspaceId: workspace.id, userId: stranger.owner.id, ...TEMPLATES }))).code).toBe("forbidden");
    const bad = await thrown(sendTestEmail({ workspaceId: workspace.id, userId: stranger.owner.id, subjectTemplate: "{{nope}}", bodyTemplate: "b" }));
    expect(bad.code).toBe("unknown_placeholder");
  });
});

describe("the editor's sequences", () => {
  it("lists the workspace's sequences with the active one marked, and never another workspace's", async () => {
    const { workspace } = await makeWorkspace();
    await makeWorkspace();
    const created = await saveSequenceDraft({
      workspaceId: workspace.id,
      sequenceId: null,
      draft: { name: "Gentle", isEnabled: false, steps: [{ delayHours: 24, ...TEMPLATES }] },
    });
    const list = await listSequences(workspace.id);
    expect(list.map((s) => [s.name, s.isEnabled, s.isActive, s.stepCount])).toEqual([
      ["Gentle", false, false, 1],
      ["Default recovery sequence", true, true, 3],
    ]);
    expect(created).toMatchObject({ name: "Gentle", isActive: false, steps: [{ delayHours: 24, subjectTemplate: TEMPLATES.subjectTemplate }] });
  });

  it("saves steps in their new order, keeping the ids of the steps that stay", async () => {
    const { workspace } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const [first, second] = sequence.steps;
    const saved = await saveSequenceDraft({
      workspaceId: workspace.id,
      sequenceId: sequence.id,
      draft: {
        name: "Renamed",
        isEnabled: true,
        steps: [
          { id: second!.id, delayHours: 48, subjectTemplate: "Second first", bodyTemplate: second!.bodyTemplate },
          { id: first!.id, delayHours: 96, subjectTemplate: first!.subjectTemplate, bodyTemplate: first!.bodyTemplate },
          { delayHours: 200, ...TEMPLATES },
        ],
      },
    });
    expect(saved.name).toBe("Renamed");
    expect(saved.steps.map((s) => s.id).slice(0, 2)).toEqual([second!.id, first!.id]);
    expect(saved.steps.map((s) => s.delayHours)).toEqual([48, 96, 200]);
    expect(saved.steps[2]!.id).toEqual(expect.any(String));
  });

  it("refuses an unknown placeholder on the step and field it is in", async () => {
    const { workspace } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    await expect(
      saveSequenceDraft({
        workspaceId: workspace.id,
        sequenceId: sequence.id,
        draft: { name: "x", isEnabled: true, steps: [{ delayHours: 1, subjectTemplate: "ok", bodyTemplate: "Hello {{first_name}}" }] },
      }),
    ).rejects.toMatchObject({ issues: [{ path: ["steps", 0, "bodyTemplate"], message: expect.stringMatching(/^Email 1's text uses \{\{first_name\}\}/) }] });
  });

  it("another workspace's sequence is not found, to open or to save", async () => {
    const { workspace } = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = (await getActiveSequence(other.workspace.id))!;
    expect((await thrown(getSequence({ workspaceId: workspace.id, sequenceId: theirs.id }))).code).toBe("not_found");
    const save = saveSequenceDraft({ workspaceId: workspace.id, sequenceId: theirs.id, draft: { name: "mine now", isEnabled: true, steps: [{ delayHours: 1, ...TEMPLATES }] } });
    expect((await thrown(save)).code).toBe("not_found");
    expect((await getActiveSequence(other.workspace.id))!.name).toBe("Default recovery sequence");
  });

  it("a step id from elsewhere means the page is stale: reload, in plain words", async () => {
    const { workspace } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const error = await thrown(
      saveSequenceDraft({ workspaceId: workspace.id, sequenceId: sequence.id, draft: { name: "x", isEnabled: true, steps: [{ id: "gone", delayHours: 1, ...TEMPLATES }] } }),
    );
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/Reload the page/);
  });
});
