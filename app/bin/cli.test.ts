import { describe, expect, it } from "vitest";
import { API_KEY_SCOPES, findApiKey } from "~/domain/auth/api-keys.server";
import { redeemSignInToken } from "~/domain/auth/sessions.server";
import { deleteWorkspace } from "~/domain/workspaces/workspaces.server";
import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { cli } from "../../tests/helpers/cli";

describe("npm run cli", { timeout: 120_000 }, () => {
  it("creates a workspace and prints only JSON with --json", async () => {
    const out = await cli("workspace", "create", "--name", "Acme", "--owner-email", "ops@acme.test", "--timezone", "Europe/Paris", "--json");
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout);
    expect(parsed.id).toEqual(expect.any(String));
    const row = await db().workspace.findUniqueOrThrow({ where: { id: parsed.id }, include: { owner: true } });
    expect(row).toMatchObject({ name: "Acme", timezone: "Europe/Paris" });
    expect(row.owner.email).toBe("ops@acme.test");

    const human = await cli("workspace", "create", "--name", "Beta");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Created workspace "Beta" \(UTC\): \S+/);
  });

  it("creates an API key: raw key printed once, only its hash stored", async () => {
    const ws = JSON.parse((await cli("workspace", "create", "--name", "Keys", "--json")).stdout);
    const out = await cli("api-key", "create", "--workspace", ws.id, "--scopes", "read,analytics", "--name", "ci", "--json");
    expect(out.code).toBe(0);
    const { id, key } = JSON.parse(out.stdout);
    expect(key).toMatch(/^rk_live_[0-9A-Za-z]{32}$/);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ workspaceId: ws.id, name: "ci", scopes: ["read", "analytics"], hashedKey: sha256(key), livemode: true });
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await findApiKey(key))?.id).toBe(id);

    const test = JSON.parse((await cli("api-key", "create", "--workspace", ws.id, "--scopes", "all", "--test", "--json")).stdout);
    expect(test.key).toMatch(/^rk_test_/);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: test.id } })).scopes).toEqual([...API_KEY_SCOPES]);
  });

  it("prints a one-time sign-in link for the workspace owner", async () => {
    const ws = JSON.parse((await cli("workspace", "create", "--name", "Links", "--owner-email", "links@acme.test", "--json")).stdout);
    const out = await cli("sign-in-link", "--workspace", ws.id);
    expect(out.code).toBe(0);
    const url = out.stdout.match(/https?:\/\/\S+\/auth\/magic\/(\S+)/);
    expect(url).not.toBeNull();
    const session = await redeemSignInToken(url![1]!);
    expect(session).toMatchObject({ workspaceId: ws.id, userId: ws.ownerUserId });
  });

  it("prints a sign-in link for a teammate by email (a server without SMTP), only into their own workspace", async () => {
    const ws = JSON.parse((await cli("workspace", "create", "--name", "Team", "--json")).stdout);
    const mate = await db().user.create({ data: { email: "Mate@Team.test" } });
    await db().membership.create({ data: { workspaceId: ws.id, userId: mate.id, role: "member" } });
    const out = await cli("sign-in-link", "--email", "mate@team.test");
    expect(out.code).toBe(0);
    const token = out.stdout.match(/\/auth\/magic\/(\S+)/)![1]!;
    expect(await redeemSignInToken(token)).toMatchObject({ workspaceId: ws.id, userId: mate.id });

    const other = JSON.parse((await cli("workspace", "create", "--name", "Other", "--json")).stdout);
    const refused = await cli("sign-in-link", "--email", "mate@team.test", "--workspace", other.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`mate@team.test is not a member of workspace ${other.id}`);
  });

  it("lists the workspaces, and signs into the only one without --workspace (a fresh install's demo)", async () => {
    for (const w of await db().workspace.findMany({ select: { id: true } })) await deleteWorkspace(w.id);
    const none = await cli("sign-in-link");
    expect({ code: none.code, stderr: none.stderr }).toMatchObject({ code: 1, stderr: expect.stringContaining("There are no workspaces yet") });

    const ws = JSON.parse((await cli("workspace", "create", "--name", "Listed", "--owner-email", "listed@acme.test", "--json")).stdout);
    const only = await cli("sign-in-link");
    expect(only.code).toBe(0);
    const token = only.stdout.match(/\/auth\/magic\/(\S+)/)![1]!;
    expect(await redeemSignInToken(token)).toMatchObject({ workspaceId: ws.id, userId: ws.ownerUserId });

    const listed = JSON.parse((await cli("workspace", "list", "--json")).stdout) as { workspaces: Array<{ id: string; name: string; ownerEmail: string }> };
    expect(listed.workspaces).toEqual([expect.objectContaining({ id: ws.id, name: "Listed", ownerEmail: "listed@acme.test" })]);
    expect((await cli("workspace", "list")).stdout).toContain(`${ws.id}  Listed  owner: listed@acme.test`);

    // Two now: the link needs --workspace, and says where to find it.
    await cli("workspace", "create", "--name", "Second", "--json");
    const ambiguous = await cli("sign-in-link");
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("--workspace is required: this server has 2 workspaces (see: npm run cli -- workspace list)");
  });

  it("fails with a message on stderr and exit code 1", async () => {
    const cases = [
      ["api-key", "create", "--workspace", "nope", "--scopes", "read", "--json"],
      ["api-key", "create", "--workspace", "nope", "--scopes", "fly", "--json"],
      ["workspace", "create", "--name", "X", "--timezone", "Mars/Olympus", "--json"],
      ["workspace", "create", "--json"],
      ["workspace", "create", "--name", "X", "--bogus"],
    ];
    const outs = await Promise.all(cases.map((args) => cli(...args)));
    outs.forEach((out, i) => {
      expect({ args: cases[i], code: out.code, stdout: out.stdout }).toEqual({ args: cases[i], code: 1, stdout: "" });
      expect(out.stderr.trim().length).toBeGreaterThan(0);
    });
    expect(await db().workspace.count({ where: { name: "X" } })).toBe(0);
  });

  it("prints usage for help, and for unknown commands (exit 1)", async () => {
    const [help, unknown] = await Promise.all([cli("help"), cli("frobnicate")]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("workspace create");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(unknown.stderr).toContain("api-key create");
  });
});
