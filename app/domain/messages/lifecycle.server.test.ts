import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { DeliveryUnknownError, SCHEDULED_ON_INSERT, sendNow, sendStoredMessage, type Refused, type Sent } from "./lifecycle.server";

let counter = 0;

async function makeMessage() {
  counter += 1;
  const { workspace } = await makeWorkspace();
  const recovery = await db().recovery.create({
    data: {
      workspaceId: workspace.id,
      externalId: `in_lifecycle_${counter}`,
      externalCustomerId: `cus_lifecycle_${counter}`,
      declineType: "soft",
      amountDueMinor: 2500,
      currency: "usd",
      startedAt: now(),
      lastFailureAt: now(),
    },
  });
  return db().dunningMessage.create({
    data: {
      workspaceId: workspace.id,
      recoveryId: recovery.id,
      kind: "card_update_request",
      dedupeKey: `k${counter}`,
      toEmail: "ada@example.com",
      subject: "Your card",
      bodyText: "text",
      bodyHtml: "<p>html</p>",
      scheduledFor: now(),
      trackingId: `lifecycle-tracking-${counter}-${Date.now()}`,
      ...SCHEDULED_ON_INSERT,
    },
  });
}

const reread = (id: string) => db().dunningMessage.findUniqueOrThrow({ where: { id } });

/** A call-out that records the key it was given and answers when told to. */
function carrier() {
  const keys: string[] = [];
  let answer!: (result: Sent) => void;
  const answered = new Promise<Sent>((resolve) => (answer = resolve));
  return {
    keys,
    answer: () => answer({ sent: true, transport: "smtp", providerMessageId: "provider-1" }),
    callOut: (message: { id: string }) => {
      keys.push(message.id);
      return answered;
    },
  };
}

describe("sendStoredMessage", () => {
  it("lets one of two workers that read the same row send it; the other sends nothing", async () => {
    const message = await makeMessage();
    const [first, second] = [await reread(message.id), await reread(message.id)];
    const smtp = carrier();
    const running = sendStoredMessage({ message: first, skip: () => null, callOut: smtp.callOut });
    // The first worker is inside the call-out (claimed, not yet sent) when the second one runs.
    await expect.poll(() => smtp.keys.length).toBe(1);
    const sendAtOnce = async (m: { id: string }): Promise<Sent> => (smtp.keys.push(m.id), { sent: true, transport: "smtp" });
    expect(await sendStoredMessage({ message: second, skip: () => null, callOut: sendAtOnce })).toEqual({
      outcome: "not_sendable",
      status: "scheduled",
    });
    smtp.answer();
    expect(await running).toEqual({ outcome: "sent", transport: "smtp" });
    expect(smtp.keys).toEqual([message.id]);
    expect(await reread(message.id)).toMatchObject({ status: "sent", attempts: 1, transport: "smtp", providerMessageId: "provider-1", error: null });
  });

  it("records a failed call-out's error and attempt, rethrows, and marks it failed on the last attempt", async () => {
    const message = await makeMessage();
    const outage = () => Promise.reject(new Error(`451 Try again later ${"x".repeat(600)}`));
    await expect(sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: outage })).rejects.toThrow(/451/);
    const afterFirst = await reread(message.id);
    // The carrier did not take it: open again for the job's retry.
    expect(afterFirst).toMatchObject({ status: "scheduled", attempts: 1 });
    expect(afterFirst.error).toHaveLength(500);
    expect(afterFirst.error).toMatch(/^451 Try again later x+$/);

    await expect(sendStoredMessage({ message: afterFirst, lastAttempt: true, skip: () => null, callOut: outage })).rejects.toThrow(/451/);
    expect(await reread(message.id)).toMatchObject({ status: "failed", attempts: 2 });
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: outage })).toEqual({
      outcome: "not_sendable",
      status: "failed",
    });
  });

  it("retries a send the carrier refused, and delivers it once", async () => {
    const message = await makeMessage();
    const keys: string[] = [];
    const refusedOnce = async (m: { id: string }): Promise<Sent> => {
      keys.push(m.id);
      if (keys.length === 1) throw Object.assign(new Error("451 Try again later"), { responseCode: 451 });
      return { sent: true, transport: "smtp" };
    };
    await expect(sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: refusedOnce })).rejects.toThrow(/451/);
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: refusedOnce })).toEqual({ outcome: "sent", transport: "smtp" });
    expect(keys).toEqual([message.id, message.id]);
    expect(await reread(message.id)).toMatchObject({ status: "sent", attempts: 2, error: null });
  });

  it("does not send again a message a crash left in `sending`: its delivery is unknown", async () => {
    const message = await makeMessage();
    const smtp = carrier();
    // The worker claims and calls out, then dies before it can record the answer.
    const crashed = sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: smtp.callOut });
    await expect.poll(() => smtp.keys.length).toBe(1);
    expect(await reread(message.id)).toMatchObject({ status: "sending", attempts: 1 });

    const retry = carrier();
    retry.answer();
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: retry.callOut })).toEqual({
      outcome: "delivery_unknown",
    });
    expect(retry.keys).toEqual([]);
    expect(await reread(message.id)).toMatchObject({ status: "delivery_unknown", attempts: 1 });
    // Whoever runs it next sends nothing either.
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: retry.callOut })).toEqual({
      outcome: "not_sendable",
      status: "delivery_unknown",
    });
    expect(retry.keys).toEqual([]);
    // Had the first worker lived (it outran its job's expiry), its answer settles the doubt.
    smtp.answer();
    expect(await crashed).toEqual({ outcome: "sent", transport: "smtp" });
    expect(await reread(message.id)).toMatchObject({ status: "sent", attempts: 1, providerMessageId: "provider-1" });
  });

  it("marks a send whose connection was lost mid-exchange delivery_unknown, without a retry", async () => {
    const message = await makeMessage();
    const lost = () => Promise.reject(new DeliveryUnknownError(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" })));
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: lost })).toEqual({ outcome: "delivery_unknown" });
    expect(await reread(message.id)).toMatchObject({ status: "delivery_unknown", attempts: 1, error: "Connection closed unexpectedly" });
  });

  it("records `sent` after the carrier took the message even when the database is away for a moment", async () => {
    const message = await makeMessage();
    const outage = Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });
    const delegate = db().dunningMessage;
    const update = delegate.update;
    let refused = 0;
    // The claim goes through; the first two tries of the update after the 250 find the database down.
    // (Prisma's delegates are proxies: the original is put back as it was read, not deleted.)
    const failing = (args: { data: { status?: string } }) => {
      if (args.data.status === "sent" && refused < 2) {
        refused += 1;
        return Promise.reject(outage);
      }
      return (update as (a: unknown) => Promise<unknown>)(args);
    };
    Object.defineProperty(delegate, "update", { value: failing, configurable: true, writable: true });
    try {
      const sendOnce = async (): Promise<Sent> => ({ sent: true, transport: "smtp", providerMessageId: "provider-2" });
      expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: sendOnce })).toEqual({ outcome: "sent", transport: "smtp" });
    } finally {
      Object.defineProperty(delegate, "update", { value: update, configurable: true, writable: true });
    }
    expect(refused).toBe(2);
    expect(await reread(message.id)).toMatchObject({ status: "sent", attempts: 1, providerMessageId: "provider-2" });
  });

  it("marks a refused message failed at once, with the carrier's reasons", async () => {
    const message = await makeMessage();
    const refuse = async (): Promise<Refused> => ({ sent: false, errors: ["No email on file", "Method revoked"] });
    expect(await sendStoredMessage({ message: await reread(message.id), skip: () => null, callOut: refuse })).toEqual({
      outcome: "refused",
      errors: ["No email on file", "Method revoked"],
    });
    expect(await reread(message.id)).toMatchObject({ status: "failed", attempts: 1, error: "No email on file; Method revoked" });
  });

  it("skips without calling out, and leaves a held message for its later run", async () => {
    const skipped = await makeMessage();
    const never = () => Promise.reject(new Error("must not be called"));
    expect(await sendStoredMessage({ message: await reread(skipped.id), skip: () => "recovery paused", callOut: never })).toEqual({
      outcome: "skipped",
      reason: "recovery paused",
    });
    expect(await reread(skipped.id)).toMatchObject({ status: "skipped", error: "recovery paused", attempts: 0 });

    const held = await makeMessage();
    const until = new Date(now().getTime() + 3600_000);
    expect(await sendStoredMessage({ message: await reread(held.id), skip: () => null, hold: async () => until, callOut: never })).toEqual({
      outcome: "held",
      until,
    });
    expect(await reread(held.id)).toMatchObject({ status: "scheduled", attempts: 0 });
  });
});

describe("sendNow", () => {
  /** An insert for sendNow that stores a copy of `template`'s row (removed first), as the Shopify sends do. */
  async function insertLike(template: { id: string }): Promise<Parameters<typeof sendNow>[0]["insert"]> {
    const { id, createdAt: _createdAt, updatedAt: _updatedAt, ...row } = await reread(template.id);
    await db().dunningMessage.delete({ where: { id } });
    return async (tx, claimed) => {
      const { count } = await tx.dunningMessage.createMany({ data: [{ ...row, ...claimed }], skipDuplicates: true });
      const where = { recoveryId_dedupeKey: { recoveryId: row.recoveryId, dedupeKey: row.dedupeKey } };
      return { message: await tx.dunningMessage.findUniqueOrThrow({ where }), created: count === 1 };
    };
  }

  it("sends once per dedupeKey: a second request is a duplicate and calls nothing", async () => {
    const insert = await insertLike(await makeMessage());
    const sent = await sendNow({ insert, callOut: async () => ({ sent: true, transport: "shopify" }) });
    expect(sent.outcome).toBe("sent");
    expect(await reread(sent.message.id)).toMatchObject({ status: "sent", attempts: 1, transport: "shopify" });
    const again = await sendNow({ insert, callOut: () => Promise.reject(new Error("must not be called")) });
    expect(again).toMatchObject({ outcome: "duplicate", message: { id: sent.message.id } });
  });

  it("removes the row when the call-out throws, so the same request may be made again", async () => {
    const insert = await insertLike(await makeMessage());
    await expect(sendNow({ insert, callOut: () => Promise.reject(new Error("unreachable")) })).rejects.toThrow("unreachable");
    const retried = await sendNow({ insert, callOut: async () => ({ sent: true, transport: "shopify" }) });
    expect(retried.outcome).toBe("sent");
  });
});
