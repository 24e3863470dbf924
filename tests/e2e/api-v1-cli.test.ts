import { describe, expect, it } from "vitest";
import { createApiKey, findApiKey } from "~/domain/auth/api-keys.server";
import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { cli } from "../helpers/cli";

describe("npm run cli -- api-key list|rotate|revoke", { timeout: 120_000 }, () => {
  it("lists keys without secrets, rotates with a grace period, revokes", async () => {
    const { workspace } = await createWorkspace({ name: "CLI keys", ownerEmail: null });
    const original = await createApiKey({ workspaceId: workspace.id, name: "deploy", scopes: ["read"] });

    const rotated = await cli("api-key", "rotate", "--workspace", workspace.id, "--id", original.id, "--grace-hours", "2", "--json");
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as { id: string; key: string; rotatedFromId: string };
    expect(fresh).toMatchObject({ rotatedFromId: original.id, key: expect.stringMatching(/^rk_live_/) });
    expect((await findApiKey(fresh.key))?.id).toBe(fresh.id);
    const old = await findApiKey(original.key);
    expect(old?.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 1.9 * 3_600_000);
    expect(old?.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);

    const listed = await cli("api-key", "list", "--workspace", workspace.id);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${original.id} .*expiring .*deploy`));
    expect(listed.stdout).toMatch(new RegExp(`${fresh.id} .*active .*deploy`));
    expect(listed.stdout).not.toContain(fresh.key);
    expect(listed.stdout).not.toContain(original.key);

    const revoked = await cli("api-key", "revoke", "--workspace", workspace.id, "--id", fresh.id, "--json");
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id: fresh.id, status: "revoked" });
    expect(await findApiKey(fresh.key)).toBeNull();

    const unknown = await cli("api-key", "revoke", "--workspace", workspace.id, "--id", "nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No API key with that id/);
    const missing = await cli("api-key", "rotate", "--workspace", workspace.id);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--id is required/);
  });
});
