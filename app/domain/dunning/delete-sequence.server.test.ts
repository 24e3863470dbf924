import { startCampaign } from "~/domain/campaigns/recovery-listener.server";
import { statusOf } from "~/http/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { zoneWhereItIsNoon } from "../../../tests/helpers/daytime";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { useFakeSmtp } from "../../../tests/helpers/smtp";
import { thrownAppError } from "../../../tests/helpers/thrown";
import { queues } from "../../../jobs/queues";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { runDunningStep } from "./messages.server";
import { createSequence, deleteSequence, getActiveSequence, listSequences } from "~/domain/campaigns/sequences.server";

const HOUR = 3600_000;
const smtp = useFakeSmtp();
let counter = 0;

beforeEach(async () => {
  await db().$executeRawUnsafe("DELETE FROM pgboss.job");
});

afterEach(() => testClock.reset());

/** A workspace (its default sequence active) with one open recovery waiting for the default sequence's first email. */
async function recoveryWaitingForDefault() {
  counter += 1;
  const { workspace } = await makeWorkspace({ name: `Delete Co ${counter}` });
  // Recoup's emails go in the customer's daytime (ADR 0053): early afternoon now, and whole days later.
  await db().workspace.update({ where: { id: workspace.id }, data: { timezone: zoneWhereItIsNoon() } });
  const customer = await db().customer.create({
    data: { workspaceId: workspace.id, externalId: `cus_del_${counter}`, email: `waiting${counter}@example.com`, name: "Ada" },
  });
  const startedAt = now();
  const recovery = await db().recovery.create({
    data: {
      workspaceId: workspace.id,
      externalId: `in_del_${counter}`,
      externalCustomerId: customer.externalId,
      customerId: customer.id,
      declineType: "soft",
      amountDueMinor: 2500,
      currency: "usd",
      startedAt,
      lastFailureAt: startedAt,
    },
  });
  const original = (await getActiveSequence(workspace.id))!;
  await db().$transaction((tx) => startCampaign(tx, recovery));
  return { workspace, customer, recovery, original };
}

/** A second sequence, enabled and saved last: the active one from now on. */
async function newActiveSequence(workspaceId: string, delays: number[]) {
  testClock.advance(1000);
  return createSequence({
    workspaceId,
    name: "Spring",
    isEnabled: true,
    steps: delays.map((delayHours, i) => ({ delayHours, subjectTemplate: `Spring email ${i + 1}`, bodyTemplate: "Update your card: {{update_payment_url}}" })),
  });
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);

describe("deleteSequence", () => {
  it("deletes a sequence that isn't active, with its steps", async () => {
    const { workspace } = await makeWorkspace();
    const old = (await getActiveSequence(workspace.id))!;
    const spring = await newActiveSequence(workspace.id, [1, 72]);

    expect(await deleteSequence({ workspaceId: workspace.id, sequenceId: old.id })).toMatchObject({ id: old.id, name: "Default recovery sequence" });
    expect((await listSequences(workspace.id)).map((s) => s.id)).toEqual([spring.id]);
    expect(await db().dunningStep.count({ where: { sequenceId: old.id } })).toBe(0);
  });

  it("refuses the active sequence, saying what to do instead, and keeps it", async () => {
    const { workspace } = await makeWorkspace();
    const active = (await getActiveSequence(workspace.id))!;
    const error = await thrownAppError(deleteSequence({ workspaceId: workspace.id, sequenceId: active.id }));
    expect(error.code).toBe("conflict");
    expect(statusOf(error)).toBe(409);
    expect(error.message).toBe(
      "\u201cDefault recovery sequence\u201d is the active sequence: new failed payments get its emails. Enable another sequence, or switch this one off, before deleting it.",
    );
    expect((await getActiveSequence(workspace.id))?.id).toBe(active.id);
  });

  it("deletes the last enabled sequence once it is switched off (no sequence is active then)", async () => {
    const { workspace } = await makeWorkspace();
    const only = (await getActiveSequence(workspace.id))!;
    await db().dunningSequence.update({ where: { id: only.id }, data: { isEnabled: false, status: "paused" } });
    await deleteSequence({ workspaceId: workspace.id, sequenceId: only.id });
    expect(await listSequences(workspace.id)).toEqual([]);
  });

  it("another workspace's sequence is not found, and stays", async () => {
    const mine = await makeWorkspace();
    const theirs = await makeWorkspace();
    const theirSequence = (await getActiveSequence(theirs.workspace.id))!;
    await db().dunningSequence.update({ where: { id: theirSequence.id }, data: { isEnabled: false, status: "paused" } });
    const error = await thrownAppError(deleteSequence({ workspaceId: mine.workspace.id, sequenceId: theirSequence.id }));
    expect(error.code).toBe("not_found");
    expect(await db().dunningSequence.count({ where: { id: theirSequence.id } })).toBe(1);
  });
});

describe("recoveries following a deleted sequence", () => {
  it("continue on the active sequence, from its first email due no earlier than the one they were waiting for", async () => {
    const { workspace, customer, recovery, original } = await recoveryWaitingForDefault();
    // Waiting for the default's first email (72 h); Spring's emails are at 0 h, 96 h and 200 h.
    const spring = await newActiveSequence(workspace.id, [0, 96, 200]);

    const deleted = await deleteSequence({ workspaceId: workspace.id, sequenceId: original.id });
    expect(deleted).toMatchObject({ handedOver: 1, continuesWith: "Spring" });
    const waiting = (await pendingJobs(queues.dunningStep.name)).map((j) => j.data);
    expect(waiting).toContainEqual({ recoveryId: recovery.id, stepId: spring.steps[1]!.id });

    // The old job runs first (72 h) and sends nothing; Spring's second email goes at 96 h.
    await advanceTime(73 * HOUR);
    expect(await runDueJobs()).toEqual({ ran: 1, failed: 0 });
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);

    await advanceTime(23 * HOUR);
    expect((await runDueJobs()).failed).toBe(0);
    const messages = await db().dunningMessage.findMany({ where: { recoveryId: recovery.id } });
    expect(messages.map((m) => [m.stepId, m.subject, m.status])).toEqual([[spring.steps[1]!.id, "Spring email 2", "sent"]]);
    expect(mailsTo(customer.email!).map((m) => m.subject)).toEqual(["Spring email 2"]);
    // …and the chain goes on within Spring.
    expect((await pendingJobs(queues.dunningStep.name)).map((j) => j.data)).toEqual([{ recoveryId: recovery.id, stepId: spring.steps[2]!.id }]);
  });

  it("get no new emails when the deleted sequence was switched off, and its waiting job ends cleanly", async () => {
    const { workspace, customer, recovery, original } = await recoveryWaitingForDefault();
    await newActiveSequence(workspace.id, [0, 48]);
    await db().dunningSequence.update({ where: { id: original.id }, data: { isEnabled: false, status: "paused" } });

    expect(await deleteSequence({ workspaceId: workspace.id, sequenceId: original.id })).toMatchObject({ handedOver: 0, continuesWith: null });
    await advanceTime(400 * HOUR);
    expect(await runDueJobs()).toEqual({ ran: 1, failed: 0 });
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
    expect(mailsTo(customer.email!)).toEqual([]);
  });

  it("the dunning-step job that meets a deleted sequence's step sends nothing and does not fail", async () => {
    const { workspace, recovery, original } = await recoveryWaitingForDefault();
    await newActiveSequence(workspace.id, [0]);
    await deleteSequence({ workspaceId: workspace.id, sequenceId: original.id });
    expect(await runDunningStep({ recoveryId: recovery.id, stepId: original.steps[0]!.id })).toEqual({ outcome: "step_gone" });
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
  });

  it("a closed recovery is not handed over", async () => {
    const { workspace, recovery, original } = await recoveryWaitingForDefault();
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered" } });
    await newActiveSequence(workspace.id, [0, 48]);
    expect(await deleteSequence({ workspaceId: workspace.id, sequenceId: original.id })).toMatchObject({ handedOver: 0 });
  });
});
