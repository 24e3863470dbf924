import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Tx } from "~/utils/db.server";
import type { Recovery } from "../../../generated/prisma/client";

// A registry of its own, without the listeners app/wiring.server.ts plugs in.
let listeners: typeof import("./listeners");
beforeEach(async () => {
  vi.resetModules();
  listeners = await import("./listeners");
});

const tx = {} as Tx;
const recovery = { id: "rec_1" } as Recovery;

describe("the engine's listeners", () => {
  it("are told in the order they were first registered; registering a name again replaces its listener", async () => {
    const told: string[] = [];
    listeners.onRecovery("a", { opened: async () => told.push("a") });
    listeners.onRecovery("b", { opened: async () => told.push("b"), recovered: async () => told.push("b recovered") });
    listeners.onRecovery("a", { opened: async () => told.push("a again") });
    await listeners.announce.opened(tx, recovery);
    await listeners.announce.recovered(tx, recovery);
    await listeners.announce.customerActionNeeded(tx, recovery, { kind: "card_update_request", dedupeKey: "k" });
    expect(told).toEqual(["a again", "b", "b recovered"]);
  });

  it("a resume answers when the next email is due: the first listener that says", async () => {
    expect(await listeners.announce.resumed("rec_1")).toBeNull();
    const due = new Date("2026-12-06T10:00:00Z");
    listeners.onRecovery("silent", { resumed: async () => {} });
    listeners.onRecovery("email", { resumed: async () => ({ nextEmailAt: due }) });
    listeners.onRecovery("later", { resumed: async () => ({ nextEmailAt: new Date("2026-12-07T10:00:00Z") }) });
    expect(await listeners.announce.resumed("rec_1")).toEqual(due);
  });

  it("a listener's failure fails the engine's command (and so rolls its transaction back)", async () => {
    listeners.onRecovery("broken", { opened: async () => Promise.reject(new Error("boom")) });
    await expect(listeners.announce.opened(tx, recovery)).rejects.toThrow("boom");
  });
});
