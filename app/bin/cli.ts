// `npm run cli -- <command>`: operator commands. Parsing and printing only; the work is the domain's.
// With --json, stdout carries exactly one JSON document; everything else goes to stderr.
// First: reads .env before anything reads the environment.
import "../utils/env-file.server";
import { inboxSources } from "~/wiring.server";
import { parseArgs } from "node:util";
import { IANAZone } from "luxon";
import { z } from "zod";
import { prepareDatabase } from "../utils/local-postgres.server";

const USAGE = `Recoup CLI

Usage: npm run cli -- <command> [options]

Commands:
  workspace create --name <name> [--owner-email <email>] [--timezone <IANA zone>] [--json]
      Create a workspace (with its owner and the default dunning sequence).
  api-key create --workspace <id> --scopes <comma list|all> [--name <name>] [--test] [--json]
      Create an API key. The raw key is printed once; only its hash is stored.
      Scopes: read, write, admin, analytics, webhooks, email, or forms like read:payments.
  api-key list --workspace <id> [--json]
      List the workspace's API keys (never the keys themselves) with their status and last use.
  api-key rotate --workspace <id> --id <key id> [--grace-hours <0-168>] [--json]
      Issue a replacement key (printed once); the old key keeps working for --grace-hours (24).
  api-key revoke --workspace <id> --id <key id> [--json]
      Stop a key at once.
  workspace list [--json]
      List the workspaces on this server (id, name, owner), oldest first.
  sign-in-link [--workspace <id>] [--email <address>] [--hours <n>] [--json]
      Print a one-time sign-in link to the workspace's dashboard, for its owner, or with --email
      for that member (a teammate on a server without SMTP). --workspace may be left out when
      the server (or the member) has one workspace (say, the demo on a fresh install).
  events replay (--workspace <id> | --event <id> | --all) [--source stripe|shopify|ingest|email] [--json]
      Process again the events Recoup acknowledged but could not apply: Stripe events (given up
      after three days, or still being retried; --event evt_…), with --source shopify Shopify
      webhooks (--event <X-Shopify-Webhook-Id>), with --source ingest payment events sent to
      /api/v1/ingest (--event <the event_id it answered>): one workspace's, one event, or every one.
  email-webhook set --workspace <id> --provider postmark|ses|sendgrid|resend [--secret <value>] [--json]
      Set the workspace's secret for an email provider's bounce and complaint webhooks (stored
      encrypted) and print the URL to give the provider. Postmark's is generated when --secret is
      left out; SendGrid's is its verification key, Resend's its whsec_ signing secret, Amazon SES's
      the SNS topic ARN it notifies through (docs/decisions/0071-email-suppressions.md).
  help
      Show this help.

Without DATABASE_URL the embedded PostgreSQL under .data/pg is used.
`;

const OPTIONS = {
  name: { type: "string" },
  "owner-email": { type: "string" },
  timezone: { type: "string" },
  workspace: { type: "string" },
  scopes: { type: "string" },
  hours: { type: "string" },
  email: { type: "string" },
  id: { type: "string" },
  "grace-hours": { type: "string" },
  event: { type: "string" },
  source: { type: "string" },
  provider: { type: "string" },
  secret: { type: "string" },
  all: { type: "boolean", default: false },
  test: { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const WorkspaceCreateSchema = z.object({
  name: z.string().trim().min(1, "--name is required").max(200),
  "owner-email": z.email("--owner-email must be an email address").optional(),
  timezone: z
    .string()
    .refine((tz) => IANAZone.isValidZone(tz), "--timezone must be an IANA zone such as Europe/Paris")
    .optional(),
});
const ApiKeyCreateSchema = z.object({
  workspace: z.string().min(1, "--workspace is required"),
  scopes: z.string().min(1, "--scopes is required (a comma list, or all)"),
  name: z.string().trim().min(1).max(100).optional(),
  test: z.boolean(),
});
const ApiKeyListSchema = z.object({ workspace: z.string().min(1, "--workspace is required") });
const ApiKeyRotateSchema = z.object({
  workspace: z.string().min(1, "--workspace is required"),
  id: z.string().min(1, "--id is required"),
  "grace-hours": z.coerce.number().min(0, "--grace-hours is 0 to 168").max(168, "--grace-hours is 0 to 168").optional(),
});
const ApiKeyRevokeSchema = z.object({
  workspace: z.string().min(1, "--workspace is required"),
  id: z.string().min(1, "--id is required"),
});
const SignInLinkSchema = z.object({
  workspace: z.string().min(1, "--workspace is required").optional(),
  email: z.email("--email must be an email address").optional(),
  hours: z.coerce.number().int().min(1).max(24 * 7).optional(),
});

const EventsReplaySchema = z
  .object({
    workspace: z.string().min(1).optional(),
    event: z.string().min(1).max(200).optional(),
    all: z.boolean(),
    source: z.enum(["stripe", "shopify", "ingest", "email"], "--source is stripe, shopify, ingest or email").default("stripe"),
  })
  .refine((v) => v.workspace || v.event || v.all, "Say which events: --workspace <id>, --event <id> or --all")
  .refine((v) => v.source !== "stripe" || !v.event || /^evt_\w+$/.test(v.event), "--event must be a Stripe event id (evt_…)");

const EmailWebhookSetSchema = z.object({
  workspace: z.string().min(1, "--workspace is required"),
  provider: z.enum(["postmark", "ses", "sendgrid", "resend"], "--provider is postmark, ses, sendgrid or resend"),
  secret: z.string().min(1).max(4000).optional(),
});

const NOTHING_TO_REPLAY = { stripe: "or delayed Stripe events", shopify: "Shopify webhooks", ingest: "ingested payment events", email: "email provider events" } as const;

class UsageError extends Error {}

function parseOrExplain<S extends z.ZodType>(schema: S, values: unknown): z.infer<S> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => (i.code === "invalid_type" && i.path.length ? `--${String(i.path[0])} is required` : i.message));
    throw new UsageError(missing.join("\n"));
  }
  return parsed.data;
}

type Out = { print(data: Record<string, unknown>, human: string): void };

async function run(command: string, values: Record<string, unknown>, out: Out) {
  const { createWorkspace, getWorkspace, listWorkspaces } = await import("../domain/workspaces/workspaces.server");
  switch (command) {
    case "workspace list": {
      const workspaces = await listWorkspaces();
      const lines = workspaces.map((w) => `${w.id}  ${w.name}${w.isDemo ? " (demo)" : ""}  owner: ${w.ownerEmail ?? "no email"}`);
      out.print({ workspaces }, workspaces.length ? lines.join("\n") : "No workspaces yet. Create one with: npm run cli -- workspace create --name <name>");
      return;
    }
    case "workspace create": {
      const input = parseOrExplain(WorkspaceCreateSchema, values);
      const { workspace, owner } = await createWorkspace({
        name: input.name,
        ownerEmail: input["owner-email"] ?? null,
        timezone: input.timezone,
      });
      out.print(
        { id: workspace.id, name: workspace.name, timezone: workspace.timezone, ownerUserId: owner.id },
        `Created workspace "${workspace.name}" (${workspace.timezone}): ${workspace.id}`,
      );
      return;
    }
    case "api-key create": {
      const input = parseOrExplain(ApiKeyCreateSchema, values);
      const { createApiKey, parseScopes } = await import("../domain/auth/api-keys.server");
      const scopes = parseScopes(input.scopes);
      const workspace = await getWorkspace(input.workspace);
      const key = await createApiKey({ workspaceId: workspace.id, scopes, name: input.name, livemode: !input.test });
      out.print(
        { id: key.id, key: key.key, prefix: key.prefix, scopes: key.scopes, livemode: !input.test },
        `Created API key ${key.id} for "${workspace.name}" (scopes: ${key.scopes.join(", ")}).\n` +
          `Key (shown once, store it now): ${key.key}`,
      );
      return;
    }
    case "api-key list": {
      const input = parseOrExplain(ApiKeyListSchema, values);
      const { listApiKeys } = await import("../domain/auth/api-keys.server");
      const workspace = await getWorkspace(input.workspace);
      const keys = [];
      let page = await listApiKeys({ workspaceId: workspace.id, page: { mode: "cursor", limit: 100, after: null } });
      keys.push(...page.items);
      while (page.nextCursor) {
        const last = page.items[page.items.length - 1]!;
        page = await listApiKeys({ workspaceId: workspace.id, page: { mode: "cursor", limit: 100, after: { createdAt: last.createdAt, id: last.id } } });
        keys.push(...page.items);
      }
      const lines = keys.map(
        (k) =>
          `${k.id}  ${k.prefix}…  ${k.status.padEnd(8)}  ${k.name}  [${k.scopes.join(", ")}]  ` +
          `created ${k.createdAt.toISOString()}, last used ${k.lastUsedAt?.toISOString() ?? "never"}` +
          (k.expiresAt && k.status === "expiring" ? `, valid until ${k.expiresAt.toISOString()}` : ""),
      );
      out.print({ items: keys }, keys.length ? lines.join("\n") : `"${workspace.name}" has no API keys.`);
      return;
    }
    case "api-key rotate": {
      const input = parseOrExplain(ApiKeyRotateSchema, values);
      const { rotateApiKey } = await import("../domain/auth/api-keys.server");
      const workspace = await getWorkspace(input.workspace);
      const key = await rotateApiKey({ workspaceId: workspace.id, id: input.id, graceHours: input["grace-hours"] });
      out.print(
        { id: key.id, key: key.key, prefix: key.prefix, scopes: key.scopes, rotatedFromId: key.rotatedFromId },
        `Rotated ${input.id}: new key ${key.id} (scopes: ${key.scopes.join(", ")}).\n` +
          `Key (shown once, store it now): ${key.key}\n` +
          `The old key keeps working for ${input["grace-hours"] ?? 24} hours.`,
      );
      return;
    }
    case "api-key revoke": {
      const input = parseOrExplain(ApiKeyRevokeSchema, values);
      const { revokeApiKey } = await import("../domain/auth/api-keys.server");
      const workspace = await getWorkspace(input.workspace);
      const key = await revokeApiKey({ workspaceId: workspace.id, id: input.id });
      out.print({ id: key.id, status: key.status, revokedAt: key.revokedAt }, `Revoked ${key.id} (${key.name}).`);
      return;
    }
    case "events replay": {
      const input = parseOrExplain(EventsReplaySchema, values);
      if (input.workspace) await getWorkspace(input.workspace);
      const { replayInbox } = await import("../domain/inbox/inbox.server");
      const { replayed } = await replayInbox(inboxSources[input.source], { workspaceId: input.workspace, id: input.event });
      out.print(
        { replayed },
        replayed.length ? `Queued ${replayed.length} event(s) to be processed again:\n${replayed.join("\n")}` : `No failed ${NOTHING_TO_REPLAY[input.source]} to replay.`,
      );
      return;
    }
    case "email-webhook set": {
      const input = parseOrExplain(EmailWebhookSetSchema, values);
      const { setEmailProviderSecret } = await import("../domain/deliverability/provider-webhooks.server");
      const workspace = await getWorkspace(input.workspace);
      const { webhookUrl } = await setEmailProviderSecret({ workspaceId: workspace.id, provider: input.provider, secret: input.secret });
      out.print({ provider: input.provider, webhookUrl }, `Set the ${input.provider} webhook secret of "${workspace.name}". Give ${input.provider} this webhook URL:\n${webhookUrl}`);
      return;
    }
    case "sign-in-link": {
      const input = parseOrExplain(SignInLinkSchema, values);
      const { createSignInLink } = await import("../domain/auth/sessions.server");
      const { env } = await import("../utils/env.server");
      if (input.email) {
        const { signInLinkForMember } = await import("../domain/auth/sign-in.server");
        const link = await signInLinkForMember({ email: input.email, workspaceId: input.workspace, appUrl: env().APP_URL, hours: input.hours });
        out.print({ url: link.url, workspaceId: link.workspaceId }, `One-time sign-in link for ${input.email} to "${link.workspaceName}":\n${link.url}`);
        return;
      }
      let workspaceId = input.workspace;
      if (!workspaceId) {
        const all = await listWorkspaces();
        if (all.length !== 1) {
          throw new UsageError(
            all.length === 0
              ? "There are no workspaces yet. Create one with: npm run cli -- workspace create --name <name>"
              : `--workspace is required: this server has ${all.length} workspaces (see: npm run cli -- workspace list).`,
          );
        }
        workspaceId = all[0]!.id;
      }
      const workspace = await getWorkspace(workspaceId);
      const url = await createSignInLink({
        userId: workspace.ownerUserId,
        workspaceId: workspace.id,
        appUrl: env().APP_URL,
        hours: input.hours,
      });
      out.print({ url, workspaceId: workspace.id }, `One-time sign-in link for "${workspace.name}":\n${url}`);
      return;
    }
  }
}

const COMMANDS = new Set(["workspace create", "workspace list", "api-key create", "api-key list", "api-key rotate", "api-key revoke", "sign-in-link", "events replay", "email-webhook set"]);

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const command = positionals.join(" ");
  if (command === "help" || command === "" || values.help) {
    (command === "" && !values.help ? console.error : console.log)(USAGE);
    return command === "" && !values.help ? 1 : 0;
  }
  if (!COMMANDS.has(command)) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }

  // Domain logs are for the server; keep stdout for the answer.
  process.env.LOG_LEVEL ??= "warn";
  const database = await prepareDatabase((line) => console.error(line));
  const out: Out = { print: (data, human) => console.log(values.json ? JSON.stringify(data) : human) };
  try {
    await run(command, values, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) console.error(`${error.message}\n\nSee: npm run cli -- help`);
    else if (error instanceof Error && (error.name === "AppError" || error.name === "EnvError")) console.error(error.message);
    else console.error(error);
    return 1;
  } finally {
    const { stopBoss } = await import("../utils/queue.server");
    await stopBoss();
    const { disconnectDb } = await import("../utils/db.server");
    await disconnectDb();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
