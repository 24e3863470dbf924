// Who may do what in a workspace (docs/decisions/0010-team-roles.md): one table, read by every
// merchant home. Pure: the session says the role, this says what it allows.

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** Retry, pause, resume a recovery, send the update link: everyone's daily work. */
  | "act_on_recoveries"
  /** Retry policy, quiet hours and timezone, sender, branding. */
  | "manage_settings"
  /** Dunning sequences: edit, save, activate, send test emails. */
  | "manage_dunning"
  /** Connect or disconnect Stripe accounts. */
  | "manage_connections"
  /** Invite, remove, change a teammate's role. */
  | "manage_team"
  /** Create, rotate, revoke API keys: a key can read and change everything its scopes name. */
  | "manage_api_keys";

const MANAGERS: ReadonlySet<Role> = new Set(["owner", "admin"]);

export function can(role: Role, permission: Permission): boolean {
  return permission === "act_on_recoveries" || MANAGERS.has(role);
}

/**
 * The role a membership row grants. The owner is whoever the workspace names as owner, whatever
 * the row says. Rows written before roles were enforced default to "owner" (the column's
 * default): such a non-owner was given everything then, so keeps an admin's rights. Anything
 * unknown grants the least.
 */
export function roleOf(input: { userId: string; ownerUserId: string; membershipRole: string }): Role {
  if (input.userId === input.ownerUserId) return "owner";
  if (input.membershipRole === "admin" || input.membershipRole === "owner") return "admin";
  return "member";
}

const DOING: Record<Exclude<Permission, "act_on_recoveries">, string> = {
  manage_settings: "change settings",
  manage_dunning: "change dunning emails",
  manage_connections: "connect or disconnect Stripe accounts",
  manage_team: "invite, remove or change teammates",
  manage_api_keys: "create, rotate or revoke API keys",
};

/** The refusal a member sees, naming who can help. */
export function refusalMessage(permission: Permission, ownerLabel: string | null): string {
  const what = permission === "act_on_recoveries" ? "do this" : DOING[permission];
  const who = ownerLabel ? `Ask ${ownerLabel} (the owner)` : "Ask the workspace's owner";
  return `Only admins can ${what}. ${who} or an admin to make the change, or to make you an admin.`;
}
