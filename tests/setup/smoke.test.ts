import { describe, expect, it } from "vitest";
import { db } from "../../app/utils/db.server";

describe("test database", () => {
  it("is a migrated, empty database of this file's own", async () => {
    expect(process.env.DATABASE_URL).toMatch(/recoup_t_[0-9a-f]{6}_[0-9a-f]{8}$/);
    expect(await db().workspace.count()).toBe(0);
    const owner = await db().user.create({ data: { email: "a@example.com" } });
    await db().workspace.create({ data: { name: "A", ownerUserId: owner.id } });
    expect(await db().workspace.count()).toBe(1);
  });
});
