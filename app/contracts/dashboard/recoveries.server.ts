// The recoveries list of the merchant's pages (the overview's table, the Stripe App's drawer, the
// CSV export): searched by customer or invoice, filtered, a date range in the workspace's zone,
// keyset pages newest first. Reads only: the engine owns these rows (docs/decisions/0039).
import { DateTime } from "luxon";
import { z } from "zod";
import { DECLINE_CATEGORIES } from "~/domain/recovery/decline-vocabulary";
import { decodeCursor, encodeCursor, recoveryReference, RECOVERY_STATUSES } from "~/domain/recovery/queries.server";
import { recoveryAttemptDto, recoveryOutcomeDto } from "~/contracts/dunningdog/dto";
import { AppError } from "~/domain/errors";
import { db, type Prisma } from "~/utils/db.server";

const blankIsAbsent = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsAbsent, schema.optional()).catch(undefined);
const LocalDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((day) => DateTime.fromISO(day, { zone: "UTC" }).isValid);

/**
 * The list's filters as the URL carries them (docs/decisions/0079): a hand-edited value is no
 * filter rather than an error page.
 */
export const RecoveryFiltersSchema = z.object({
  q: optional(z.string().trim().max(200)),
  status: optional(z.enum(RECOVERY_STATUSES)),
  category: optional(z.enum(DECLINE_CATEGORIES)),
  provider: optional(z.string().regex(/^[a-z0-9_]{1,40}$/)),
  campaign: optional(z.string().regex(/^[\w-]{1,100}$/)),
  paused: optional(z.enum(["true", "false"])),
  /** Failure date (the recovery's first failure), local days of the workspace's zone, inclusive. */
  from: optional(LocalDay),
  to: optional(LocalDay),
});
export type RecoveryFilters = z.infer<typeof RecoveryFiltersSchema>;
export const RECOVERY_FILTER_KEYS = Object.keys(RecoveryFiltersSchema.shape) as Array<keyof RecoveryFilters>;

/** The filters of a URL's query string. */
export function recoveryFiltersOf(url: URL): RecoveryFilters {
  return RecoveryFiltersSchema.parse(Object.fromEntries(url.searchParams));
}

/** Whether anything narrows the list (status included). */
export function isFiltered(filters: RecoveryFilters): boolean {
  return RECOVERY_FILTER_KEYS.some((key) => filters[key] !== undefined);
}

/** Prisma's `contains` and `startsWith` are (I)LIKE: the caller's `%`, `_` and `\` are text. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Midnight starting the local day `day` in `timeZone`, as an instant (UTC when the zone is unknown). */
export function startOfLocalDay(day: string, timeZone: string, plusDays = 0): Date {
  let local = DateTime.fromISO(day, { zone: timeZone });
  if (!local.isValid) local = DateTime.fromISO(day, { zone: "UTC" });
  return local.startOf("day").plus({ days: plusDays }).toJSDate();
}

/** Customer name or email, any part, case-insensitive: served by the trigram indexes (migration 20261210010000_insight). */
export function customerSearch(text: string): Prisma.CustomerWhereInput[] {
  const literal = likeLiteral(text);
  return [{ name: { contains: literal, mode: "insensitive" } }, { email: { contains: literal, mode: "insensitive" } }];
}

/** The rows the filters select in the workspace. */
export function recoveryWhere(input: { workspaceId: string; timeZone: string; filters: RecoveryFilters }): Prisma.RecoveryWhereInput {
  const { filters: f, timeZone } = input;
  const and: Prisma.RecoveryWhereInput[] = [{ workspaceId: input.workspaceId }];
  if (f.status) and.push({ status: f.status });
  if (f.category) and.push({ declineCategory: f.category });
  if (f.provider) and.push({ provider: f.provider });
  if (f.campaign) and.push({ sequenceId: f.campaign });
  if (f.paused) and.push({ paused: f.paused === "true" });
  if (f.from) and.push({ startedAt: { gte: startOfLocalDay(f.from, timeZone) } });
  if (f.to) and.push({ startedAt: { lt: startOfLocalDay(f.to, timeZone, 1) } });
  if (f.q) {
    const literal = likeLiteral(f.q);
    and.push({
      OR: [
        { customer: { is: { OR: customerSearch(f.q) } } },
        // Invoice or payment ids exactly, or by their start (`in_1Q…`); the customer's platform id exactly.
        { externalId: { startsWith: literal } },
        { externalCustomerId: f.q },
      ],
    });
  }
  return { AND: and };
}

const LIST_INCLUDE = {
  outcomes: { orderBy: { occurredAt: "desc" }, take: 1 },
  customer: { select: { id: true, name: true, email: true } },
  sequence: { select: { id: true, name: true } },
} satisfies Prisma.RecoveryInclude;

export type ListedRecovery = Prisma.RecoveryGetPayload<{ include: typeof LIST_INCLUDE }>;

/** Rows after `after` in the list's order (startedAt desc, id desc). */
export function findRecoveryRows(input: { where: Prisma.RecoveryWhereInput; after: { startedAt: Date; id: string } | null; take: number }) {
  const { after } = input;
  return db().recovery.findMany({
    where: after
      ? { AND: [input.where, { OR: [{ startedAt: { lt: after.startedAt } }, { startedAt: after.startedAt, id: { lt: after.id } }] }] }
      : input.where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: input.take,
    include: LIST_INCLUDE,
  });
}

/** Why it failed, in one line: the platform's message, else its decline code, else the category. */
export function failureReasonOf(row: Pick<ListedRecovery, "failureMessage" | "declineCode" | "errorCode" | "declineCategory">): string | null {
  return row.failureMessage ?? row.declineCode ?? row.errorCode ?? row.declineCategory ?? null;
}

/**
 * A page of recoveries for the merchant's own pages: DunningDog's attempt and outcome (the shape
 * these pages were built on), `reference` (the row's names in the platform's words), and the
 * customer's name and email when Recoup knows them.
 */
export async function listRecoveriesForPages(input: {
  workspaceId: string;
  timeZone?: string;
  filters?: RecoveryFilters;
  /** Shorthand for `filters.status` (the Stripe App's drawer). */
  status?: RecoveryFilters["status"];
  cursor?: string | null;
  limit?: number;
}) {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError("validation_failed", "limit must be an integer from 1 to 100.");
  const filters = { ...input.filters, ...(input.status ? { status: input.status } : {}) };
  const where = recoveryWhere({ workspaceId: input.workspaceId, timeZone: input.timeZone ?? "UTC", filters });
  const rows = await findRecoveryRows({ where, after: input.cursor ? decodeCursor(input.cursor) : null, take: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      attempt: recoveryAttemptDto(row),
      latestOutcome: row.outcomes[0] ? recoveryOutcomeDto(row.outcomes[0]) : null,
      reference: recoveryReference(row),
      customer: row.customer,
      failureReason: failureReasonOf(row),
      paused: row.paused,
    })),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/**
 * The providers a workspace's recoveries came through: read from the analytics rollup (a few rows
 * per hour, ADR 0078) rather than grouping every recovery, which takes seconds at a million; a
 * workspace the rollup has not reached yet is small enough to group directly.
 */
async function recoveryProviders(workspaceId: string): Promise<string[]> {
  const rolled = await db().recoveryRollup.groupBy({ by: ["psp"], where: { workspaceId }, orderBy: { psp: "asc" } });
  if (rolled.length > 0) return rolled.map((r) => r.psp);
  const rows = await db().recovery.groupBy({ by: ["provider"], where: { workspaceId }, orderBy: { provider: "asc" } });
  return rows.map((r) => r.provider);
}

/** What the filter controls offer: the workspace's providers and campaigns. */
export async function recoveryFilterOptions(workspaceId: string) {
  const [providers, campaigns] = await Promise.all([
    recoveryProviders(workspaceId),
    db().dunningSequence.findMany({ where: { workspaceId }, select: { id: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
  ]);
  return { providers, campaigns };
}
