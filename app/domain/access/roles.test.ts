import { describe, expect, it } from "vitest";
import { can, refusalMessage, roleOf, type Permission } from "./roles";

describe("roles", () => {
  it("members act on recoveries only; admins and the owner do everything", () => {
    const all: Permission[] = ["act_on_recoveries", "manage_settings", "manage_dunning", "manage_connections", "manage_team", "manage_api_keys"];
    expect(all.filter((p) => can("member", p))).toEqual(["act_on_recoveries"]);
    expect(all.filter((p) => can("admin", p))).toEqual(all);
    expect(all.filter((p) => can("owner", p))).toEqual(all);
  });

  it("the workspace's owner is the owner whatever the row says; old 'owner' rows of others are admins; unknown is a member", () => {
    expect(roleOf({ userId: "u1", ownerUserId: "u1", membershipRole: "member" })).toBe("owner");
    expect(roleOf({ userId: "u2", ownerUserId: "u1", membershipRole: "owner" })).toBe("admin");
    expect(roleOf({ userId: "u2", ownerUserId: "u1", membershipRole: "admin" })).toBe("admin");
    expect(roleOf({ userId: "u2", ownerUserId: "u1", membershipRole: "member" })).toBe("member");
    expect(roleOf({ userId: "u2", ownerUserId: "u1", membershipRole: "superuser" })).toBe("member");
  });

  it("says who to ask", () => {
    expect(refusalMessage("manage_dunning", "Olive")).toBe("Only admins can change dunning emails. Ask Olive (the owner) or an admin to make the change, or to make you an admin.");
    expect(refusalMessage("manage_api_keys", null)).toBe("Only admins can create, rotate or revoke API keys. Ask the workspace's owner or an admin to make the change, or to make you an admin.");
    expect(refusalMessage("manage_settings", null)).toBe("Only admins can change settings. Ask the workspace's owner or an admin to make the change, or to make you an admin.");
  });
});
