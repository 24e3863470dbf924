// The analytics rollups (ADR 0078): RecoveryRollup counts recoveries per workspace-local hour of
// failure × mode × currency × decline category × code × PSP × campaign; EmailRollup counts sent
// emails per local hour of sending × campaign × recipient domain. The analytics-rollup job rebuilds
// the hours whose rows changed since the AnalyticsState watermarks (delete + insert of those hours
// in one transaction, under the state row's lock: running it twice changes nothing); a change of the
// workspace's time zone rebuilds everything. Reads never roll up (ADR 0081): `rollupFreshness` says
// how fresh the rollups are (`asOf`) and, when changes are waiting, asks for the job at once.
import { Prisma } from "../../../generated/prisma/client";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { DateTime } from "luxon";
import { currencyExponent } from "~/utils/money";
import { EXPIRY_DECLINE_CODES, HIGH_VALUE_MAJOR, highValueMinor, OUTCOME_SQL, REPEAT_FAILURES, zoneOf } from "./definitions";

/**
 * Each run re-reads rows changed this long before its watermark: a row stamped (by the app's clock)
 * before the watermark but committed after the previous run read is caught by the next one.
 */
const WATERMARK_LAG_MS = 2 * 60_000;
/** A bounce arrives within days of its email; a complaint or an unsubscribe within weeks. */
const BOUNCE_WINDOW = "3 days";
const COMPLAINT_WINDOW = "30 days";
const EPOCH = new Date(0);
const LONG_TX = { timeout: 15 * 60_000, maxWait: 60_000 };

const localHourSql = (column: string) => Prisma.raw(`date_trunc('hour', (${column} AT TIME ZONE 'UTC') AT TIME ZONE `);

interface State {
  timezone: string;
  recoveriesThrough: Date;
  emailsThrough: Date;
}

/**
 * The instants of the touched local hours (an hour near a DST change padded an hour each side, as it
 * may repeat) merged so that no row is read twice: one index range per run of hours, not the span
 * from the first to the last.
 */
function inWindows(column: string, hours: Date[], zone: string): Prisma.Sql {
  const windows = hours
    .map((h) => DateTime.fromISO(h.toISOString().slice(0, 19), { zone }))
    .map((start) => ({ at: start.toMillis(), steady: start.minus({ hours: 2 }).offset === start.plus({ hours: 2 }).offset }))
    .sort((a, b) => a.at - b.at)
    .reduce<Array<[number, number]>>((out, { at, steady }) => {
      const [lo, hi] = steady ? [at, at + 3600_000] : [at - 3600_000, at + 2 * 3600_000];
      const last = out[out.length - 1];
      if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
      else out.push([lo, hi]);
      return out;
    }, []);
  const col = Prisma.raw(column);
  return Prisma.sql`(${Prisma.join(windows.map(([lo, hi]) => Prisma.sql`(${col} >= ${new Date(lo)} AND ${col} < ${new Date(hi)})`), " OR ")})`;
}

async function lockState(tx: Tx, workspaceId: string): Promise<State> {
  await tx.$executeRaw`
    INSERT INTO "AnalyticsState" ("workspaceId", timezone, "recoveriesThrough", "emailsThrough", "rebuiltAt")
    VALUES (${workspaceId}, '', ${EPOCH}, ${EPOCH}, now()) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<State[]>`
    SELECT timezone, "recoveriesThrough", "emailsThrough" FROM "AnalyticsState" WHERE "workspaceId" = ${workspaceId} FOR UPDATE`;
  return row!;
}

/** The rollup rows of the given local hours (all of them when `hours` is null), from the recoveries themselves. */
async function insertRecoveryHours(tx: Tx, workspaceId: string, zone: string, hours: Date[] | null) {
  const h = Prisma.sql`${localHourSql(`"startedAt"`)}${zone})`;
  const where = hours ? Prisma.sql`AND ${inWindows(`"startedAt"`, hours, zone)} AND ${h} = ANY(${wallClock(hours)}::timestamp[])` : Prisma.empty;
  const recovered = Prisma.raw(OUTCOME_SQL.recovered);
  const terminal = Prisma.raw(OUTCOME_SQL.terminal);
  const active = Prisma.raw(OUTCOME_SQL.active);
  await tx.$executeRaw`
    INSERT INTO "RecoveryRollup" ("workspaceId", livemode, "localHour", currency, "declineCategory", "declineCode", psp, "campaignId",
      "failedCount", "recoveredCount", "terminalCount", "activeCount", "failedMinor", "recoveredMinor", "activeMinor")
    SELECT ${workspaceId}, livemode, ${h}, lower(currency), COALESCE(NULLIF("declineCategory", ''), 'unknown'), COALESCE("declineCode", ''),
      provider, COALESCE("sequenceId", ''),
      count(*)::int, (count(*) FILTER (WHERE ${recovered}))::int, (count(*) FILTER (WHERE ${terminal}))::int, (count(*) FILTER (WHERE ${active}))::int,
      COALESCE(sum("amountDueCents"), 0)::bigint,
      COALESCE(sum(COALESCE("recoveredAmountCents", "amountDueCents")) FILTER (WHERE ${recovered}), 0)::bigint,
      COALESCE(sum("amountDueCents") FILTER (WHERE ${active}), 0)::bigint
    FROM "RecoveryAttempt"
    WHERE "workspaceId" = ${workspaceId} ${where}
    GROUP BY 2, 3, 4, 5, 6, 7, 8`;
}

async function insertEmailHours(tx: Tx, workspaceId: string, zone: string, hours: Date[] | null) {
  const h = Prisma.sql`${localHourSql(`m."sentAt"`)}${zone})`;
  const where = hours ? Prisma.sql`AND ${inWindows(`m."sentAt"`, hours, zone)} AND ${h} = ANY(${wallClock(hours)}::timestamp[])` : Prisma.empty;
  await tx.$executeRaw`
    INSERT INTO "EmailRollup" ("workspaceId", livemode, "localHour", "campaignId", "recipientDomain", sent, delivered, bounced, complained, opened, clicked, unsubscribed)
    SELECT ${workspaceId}, r.livemode, ${h}, COALESCE(st."sequenceId", ''), lower(split_part(COALESCE(m."toEmail", ''), '@', 2)),
      count(*)::int, (count(*) FILTER (WHERE NOT COALESCE(s.bounced, false)))::int, (count(*) FILTER (WHERE s.bounced))::int,
      (count(*) FILTER (WHERE s.complained))::int, (count(*) FILTER (WHERE m."openedAt" IS NOT NULL OR m."clickedAt" IS NOT NULL))::int,
      (count(*) FILTER (WHERE m."clickedAt" IS NOT NULL))::int, (count(*) FILTER (WHERE s.unsubscribed))::int
    FROM "DunningMessage" m
    JOIN "RecoveryAttempt" r ON r.id = m."recoveryAttemptId"
    LEFT JOIN "DunningStep" st ON st.id = m."stepId"
    LEFT JOIN LATERAL (
      SELECT bool_or(x.reason = 'hard_bounce' AND x."createdAt" < m."sentAt" + ${BOUNCE_WINDOW}::interval) AS bounced,
             bool_or(x.reason = 'complaint') AS complained, bool_or(x.reason = 'unsubscribe') AS unsubscribed
      FROM "EmailSuppression" x
      WHERE x."workspaceId" = m."workspaceId" AND x.email = lower(m."toEmail")
        AND x."createdAt" >= m."sentAt" AND x."createdAt" < m."sentAt" + ${COMPLAINT_WINDOW}::interval
    ) s ON true
    WHERE m."workspaceId" = ${workspaceId} AND m."sentAt" IS NOT NULL ${where}
    GROUP BY 2, 3, 4, 5`;
}

const TOTAL_SUMS = `sum("failedCount")::int, sum("recoveredCount")::int, sum("terminalCount")::int, sum("activeCount")::int,
  sum("failedMinor")::bigint, sum("recoveredMinor")::bigint, sum("activeMinor")::bigint`;
const COUNTERS = `"failedCount", "recoveredCount", "terminalCount", "activeCount", "failedMinor", "recoveredMinor", "activeMinor"`;
const DAILY_KEY = `"workspaceId", livemode, "localDay", currency, "declineCategory", "declineCode", psp, "campaignId"`;
const TOTAL_KEY = `"workspaceId", livemode, currency, "declineCategory", "campaignId"`;

/** `SET c = "Table".c + EXCLUDED.c` for each counter: an upsert that adds. */
const addCounters = (table: string, counters: string) =>
  Prisma.raw(
    counters
      .split(", ")
      .map((c) => `${c} = "${table}".${c} + EXCLUDED.${c}`)
      .join(", "),
  );
/** The sums negated: the rows taken away. */
const signed = (sums: string, sign: 1 | -1) => Prisma.raw(sign === 1 ? sums : sums.replace(/sum\(/g, "-sum("));

/** Every day and the all-time totals summed again from the hourly rows (a rebuild from nothing). */
async function rebuildDaysAndTotals(tx: Tx, workspaceId: string) {
  await tx.$executeRaw`DELETE FROM "RecoveryDailyRollup" WHERE "workspaceId" = ${workspaceId}`;
  await tx.$executeRaw`DELETE FROM "RecoveryTotal" WHERE "workspaceId" = ${workspaceId}`;
  await tx.$executeRaw`
    INSERT INTO "RecoveryDailyRollup" (${Prisma.raw(DAILY_KEY)}, ${Prisma.raw(COUNTERS)})
    SELECT "workspaceId", livemode, date_trunc('day', "localHour"), currency, "declineCategory", "declineCode", psp, "campaignId", ${Prisma.raw(TOTAL_SUMS)}
    FROM "RecoveryRollup" WHERE "workspaceId" = ${workspaceId} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
  await tx.$executeRaw`
    INSERT INTO "RecoveryTotal" (${Prisma.raw(TOTAL_KEY)}, ${Prisma.raw(COUNTERS)})
    SELECT "workspaceId", livemode, currency, "declineCategory", "campaignId", ${Prisma.raw(TOTAL_SUMS)}
    FROM "RecoveryDailyRollup" WHERE "workspaceId" = ${workspaceId} GROUP BY 1, 2, 3, 4, 5`;
}

/**
 * Adds (sign 1) or takes away (sign -1) the hourly rows of `hours` to their days and to the
 * all-time totals: a rebuilt hour moves its day and the totals by its difference, reading only the
 * hours' own rows (one index probe per mode and hour), never the rest of the day.
 */
async function moveDaysAndTotals(tx: Tx, workspaceId: string, hours: Date[], sign: 1 | -1) {
  const inHours = Prisma.sql`"workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localHour" = ANY(${wallClock(hours)}::timestamp[])`;
  await tx.$executeRaw`
    INSERT INTO "RecoveryDailyRollup" (${Prisma.raw(DAILY_KEY)}, ${Prisma.raw(COUNTERS)})
    SELECT "workspaceId", livemode, date_trunc('day', "localHour"), currency, "declineCategory", "declineCode", psp, "campaignId", ${signed(TOTAL_SUMS, sign)}
    FROM "RecoveryRollup" WHERE ${inHours} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (${Prisma.raw(DAILY_KEY)}) DO UPDATE SET ${addCounters("RecoveryDailyRollup", COUNTERS)}`;
  await tx.$executeRaw`
    INSERT INTO "RecoveryTotal" (${Prisma.raw(TOTAL_KEY)}, ${Prisma.raw(COUNTERS)})
    SELECT "workspaceId", livemode, currency, "declineCategory", "campaignId", ${signed(TOTAL_SUMS, sign)}
    FROM "RecoveryRollup" WHERE ${inHours} GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (${Prisma.raw(TOTAL_KEY)}) DO UPDATE SET ${addCounters("RecoveryTotal", COUNTERS)}`;
}

/** Day and total rows left with nothing in them once their hours moved out. */
async function dropEmptyDaysAndTotals(tx: Tx, workspaceId: string, hours: Date[]) {
  await tx.$executeRaw`
    DELETE FROM "RecoveryDailyRollup" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localDay" = ANY(${days(hours)}::timestamp[])
      AND "failedCount" = 0 AND "activeMinor" = 0 AND "failedMinor" = 0`;
  await tx.$executeRaw`DELETE FROM "RecoveryTotal" WHERE "workspaceId" = ${workspaceId} AND "failedCount" = 0 AND "activeMinor" = 0 AND "failedMinor" = 0`;
}

/** The local days (wall clock, midnight) holding `hours`. */
const days = (hours: Date[]) => [...new Set(wallClock(hours).map((h) => `${h.slice(0, 10)} 00:00:00.000`))];

/**
 * The at-risk customers (definitions.ts) among `customers` (every customer when null): one row per
 * customer and mode with an open recovery, its open money per currency, its latest failure, the
 * second latest (repeat_failure), whether an open one was declined for an expired card, and whether
 * an open amount reaches the high-value bar. Reads the recoveries by customer (their customerId index).
 */
async function insertAtRiskCustomers(tx: Tx, workspaceId: string, customers: string[] | null) {
  const only = customers ? Prisma.sql`AND "customerId" = ANY(${customers}::text[])` : Prisma.empty;
  const currencies = await tx.$queryRaw<Array<{ currency: string }>>`SELECT DISTINCT currency FROM "RecoveryTotal" WHERE "workspaceId" = ${workspaceId}`;
  const bars = JSON.stringify(Object.fromEntries(currencies.map((c) => [c.currency, highValueMinor(c.currency, currencyExponent)])));
  await tx.$executeRaw`
    WITH rows AS (
      SELECT livemode, "customerId", lower(currency) AS cur, status, "amountDueCents" AS amount, "lastFailureAt", "startedAt", "declineCode",
        row_number() OVER (PARTITION BY livemode, "customerId" ORDER BY "startedAt" DESC, id DESC) AS rn
      FROM "RecoveryAttempt" WHERE "workspaceId" = ${workspaceId} AND "customerId" IS NOT NULL ${only}
    ), per AS (
      SELECT livemode, "customerId", cur, count(*) FILTER (WHERE ${Prisma.raw(OUTCOME_SQL.active)}) AS open,
        COALESCE(sum(amount) FILTER (WHERE ${Prisma.raw(OUTCOME_SQL.active)}), 0)::bigint AS minor,
        max("lastFailureAt") AS last, max("startedAt") FILTER (WHERE rn = ${REPEAT_FAILURES}) AS second,
        bool_or(${Prisma.raw(OUTCOME_SQL.active)} AND "declineCode" = ANY(${[...EXPIRY_DECLINE_CODES]}::text[])) AS expiry
      FROM rows GROUP BY 1, 2, 3
    )
    INSERT INTO "AtRiskCustomer" ("workspaceId", livemode, "customerId", "openCount", "openMinor", "lastFailureAt", "secondFailureAt", "expiryDeclined", "highValue")
    SELECT ${workspaceId}, livemode, "customerId", sum(open)::int, jsonb_object_agg(cur, minor) FILTER (WHERE open > 0), max(last), max(second),
      COALESCE(bool_or(expiry), false),
      bool_or(open > 0 AND minor >= COALESCE((${bars}::jsonb ->> cur)::bigint, ${HIGH_VALUE_MAJOR * 100}))
    FROM per GROUP BY 1, 2, 3 HAVING sum(open) > 0`;
}

const EMAIL_COUNTERS = `sent, delivered, bounced, complained, opened, clicked, unsubscribed`;
const EMAIL_SUMS = `sum(sent)::int, sum(delivered)::int, sum(bounced)::int, sum(complained)::int, sum(opened)::int, sum(clicked)::int, sum(unsubscribed)::int`;

const EMAIL_DAILY_KEY = `"workspaceId", livemode, "localDay", "campaignId", "recipientDomain"`;

/** Every email day summed again from the hourly rows (a rebuild from nothing). */
async function rebuildEmailDays(tx: Tx, workspaceId: string) {
  await tx.$executeRaw`DELETE FROM "EmailDailyRollup" WHERE "workspaceId" = ${workspaceId}`;
  await tx.$executeRaw`
    INSERT INTO "EmailDailyRollup" (${Prisma.raw(EMAIL_DAILY_KEY)}, ${Prisma.raw(EMAIL_COUNTERS)})
    SELECT "workspaceId", livemode, date_trunc('day', "localHour"), "campaignId", "recipientDomain", ${Prisma.raw(EMAIL_SUMS)}
    FROM "EmailRollup" WHERE "workspaceId" = ${workspaceId} GROUP BY 1, 2, 3, 4, 5`;
}

/** Adds (sign 1) or takes away (sign -1) the hourly email rows of `hours` to their days, as `moveDaysAndTotals`. */
async function moveEmailDays(tx: Tx, workspaceId: string, hours: Date[], sign: 1 | -1) {
  await tx.$executeRaw`
    INSERT INTO "EmailDailyRollup" (${Prisma.raw(EMAIL_DAILY_KEY)}, ${Prisma.raw(EMAIL_COUNTERS)})
    SELECT "workspaceId", livemode, date_trunc('day', "localHour"), "campaignId", "recipientDomain", ${signed(EMAIL_SUMS, sign)}
    FROM "EmailRollup" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localHour" = ANY(${wallClock(hours)}::timestamp[])
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (${Prisma.raw(EMAIL_DAILY_KEY)}) DO UPDATE SET ${addCounters("EmailDailyRollup", EMAIL_COUNTERS)}`;
  if (sign === 1) {
    await tx.$executeRaw`
      DELETE FROM "EmailDailyRollup" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localDay" = ANY(${days(hours)}::timestamp[]) AND sent = 0`;
  }
}

/** The local hours holding the recoveries changed since `since`, and their customers. */
async function changedRecoveryHours(tx: Tx, workspaceId: string, zone: string, since: Date) {
  const [row] = await tx.$queryRaw<Array<{ hours: Date[] | null; customers: string[] | null; last: Date | null }>>`
    SELECT array_agg(DISTINCT ${localHourSql(`"startedAt"`)}${zone})) AS hours, array_agg(DISTINCT "customerId") FILTER (WHERE "customerId" IS NOT NULL) AS customers,
      max("updatedAt") AS last
    FROM "RecoveryAttempt" WHERE "workspaceId" = ${workspaceId} AND "updatedAt" > ${since}`;
  return row!;
}

/** The local hours of the emails changed since `since`, and of the emails a suppression since then may be about. */
async function changedEmailHours(tx: Tx, workspaceId: string, zone: string, since: Date) {
  const h = Prisma.sql`${localHourSql(`m."sentAt"`)}${zone})`;
  const [suppressed] = await tx.$queryRaw<Array<{ last: Date | null }>>`
    SELECT max("createdAt") AS last FROM "EmailSuppression" WHERE "workspaceId" = ${workspaceId} AND "createdAt" > ${since}`;
  // The emails a new suppression may be about are looked up only when there is one: the join reads the workspace's emails by address.
  const bySuppression = suppressed?.last
    ? Prisma.sql`UNION ALL
      SELECT m."sentAt", x."createdAt" FROM "EmailSuppression" x
      JOIN "DunningMessage" m ON m."workspaceId" = x."workspaceId" AND lower(m."toEmail") = x.email
        AND m."sentAt" > x."createdAt" - ${COMPLAINT_WINDOW}::interval AND m."sentAt" <= x."createdAt"
      WHERE x."workspaceId" = ${workspaceId} AND x."createdAt" > ${since}`
    : Prisma.empty;
  const [row] = await tx.$queryRaw<Array<{ hours: Date[] | null; last: Date | null }>>`
    WITH touched AS (
      SELECT m."sentAt", m."updatedAt" AS stamp FROM "DunningMessage" m
      WHERE m."workspaceId" = ${workspaceId} AND m."updatedAt" > ${since}
      ${bySuppression}
    )
    SELECT array_agg(DISTINCT ${h}) FILTER (WHERE m."sentAt" IS NOT NULL) AS hours, max(stamp) AS last
    FROM touched m`;
  return { hours: row?.hours ?? null, last: [row?.last ?? null, suppressed?.last ?? null].reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null) };
}

/** Local hours as `timestamp` literals: the rollups' hours are wall-clock time, not instants. */
const wallClock = (hours: Date[]) => hours.map((h) => h.toISOString().replace("T", " ").replace("Z", ""));
const later = (a: Date, b: Date | null) => (b && b > a ? b : a);

/**
 * Brings one workspace's rollups up to date: the hours changed since the watermarks, or everything
 * when there is no state yet or the workspace's zone changed. Idempotent.
 */
export async function rollUpWorkspace(input: { workspaceId: string }): Promise<{ rebuilt: boolean; recoveryHours: number; emailHours: number }> {
  const { workspaceId } = input;
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId }, select: { timezone: true } });
  if (!workspace) return { rebuilt: false, recoveryHours: 0, emailHours: 0 };
  const zone = zoneOf(workspace.timezone);
  return db().$transaction(async (tx) => {
    const state = await lockState(tx, workspaceId);
    if (state.timezone !== zone) {
      await tx.$executeRaw`DELETE FROM "RecoveryRollup" WHERE "workspaceId" = ${workspaceId}`;
      await tx.$executeRaw`DELETE FROM "EmailRollup" WHERE "workspaceId" = ${workspaceId}`;
      await tx.$executeRaw`DELETE FROM "AtRiskCustomer" WHERE "workspaceId" = ${workspaceId}`;
      const [marks] = await tx.$queryRaw<Array<{ r: Date | null; m: Date | null; s: Date | null }>>`
        SELECT (SELECT max("updatedAt") FROM "RecoveryAttempt" WHERE "workspaceId" = ${workspaceId}) AS r,
               (SELECT max("updatedAt") FROM "DunningMessage" WHERE "workspaceId" = ${workspaceId}) AS m,
               (SELECT max("createdAt") FROM "EmailSuppression" WHERE "workspaceId" = ${workspaceId}) AS s`;
      await insertRecoveryHours(tx, workspaceId, zone, null);
      await rebuildDaysAndTotals(tx, workspaceId);
      await insertAtRiskCustomers(tx, workspaceId, null);
      await insertEmailHours(tx, workspaceId, zone, null);
      await rebuildEmailDays(tx, workspaceId);
      await tx.analyticsState.update({
        where: { workspaceId },
        data: { timezone: zone, recoveriesThrough: marks!.r ?? EPOCH, emailsThrough: later(marks!.m ?? EPOCH, marks!.s), rebuiltAt: now() },
      });
      return { rebuilt: true, recoveryHours: -1, emailHours: -1 };
    }
    // A few index ranges: starting parallel workers would cost more than they save.
    await tx.$executeRaw`SET LOCAL max_parallel_workers_per_gather = 0`;
    const since = (d: Date) => new Date(Math.max(0, d.getTime() - WATERMARK_LAG_MS));
    const rec = await changedRecoveryHours(tx, workspaceId, zone, since(state.recoveriesThrough));
    const recHours = rec.hours ?? [];
    if (recHours.length > 0) {
      // Both modes named: one index probe per (mode, hour) of the key, not a scan of the workspace's rows.
      await moveDaysAndTotals(tx, workspaceId, recHours, -1);
      await tx.$executeRaw`DELETE FROM "RecoveryRollup" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localHour" = ANY(${wallClock(recHours)}::timestamp[])`;
      await insertRecoveryHours(tx, workspaceId, zone, recHours);
      await moveDaysAndTotals(tx, workspaceId, recHours, 1);
      await dropEmptyDaysAndTotals(tx, workspaceId, recHours);
    }
    const customers = rec.customers ?? [];
    if (customers.length > 0) {
      await tx.$executeRaw`DELETE FROM "AtRiskCustomer" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "customerId" = ANY(${customers}::text[])`;
      await insertAtRiskCustomers(tx, workspaceId, customers);
    }
    const mail = await changedEmailHours(tx, workspaceId, zone, since(state.emailsThrough));
    const mailHours = mail.hours ?? [];
    if (mailHours.length > 0) {
      await moveEmailDays(tx, workspaceId, mailHours, -1);
      await tx.$executeRaw`DELETE FROM "EmailRollup" WHERE "workspaceId" = ${workspaceId} AND livemode IN (true, false) AND "localHour" = ANY(${wallClock(mailHours)}::timestamp[])`;
      await insertEmailHours(tx, workspaceId, zone, mailHours);
      await moveEmailDays(tx, workspaceId, mailHours, 1);
    }
    const recoveriesThrough = later(state.recoveriesThrough, rec.last);
    const emailsThrough = later(state.emailsThrough, mail.last);
    if (recoveriesThrough !== state.recoveriesThrough || emailsThrough !== state.emailsThrough) {
      await tx.analyticsState.update({ where: { workspaceId }, data: { recoveriesThrough, emailsThrough } });
    }
    return { rebuilt: false, recoveryHours: recHours.length, emailHours: mailHours.length };
  }, LONG_TX);
}

/**
 * Whether rows changed after the watermarks, and the zone the rollups are in: the newest stamp of
 * each kind is one probe at the end of its (workspace, updatedAt) index (an EXISTS with the
 * watermark as a bound was planned as a scan of the workspace's rows: 400 ms at 1 M).
 */
async function pendingChanges(workspaceId: string) {
  const [row] = await db().$queryRaw<Array<{ timezone: string | null; zone: string; r: Date | null; e: Date | null; pending: boolean }>>`
    SELECT s.timezone, w.timezone AS zone, s."recoveriesThrough" AS r, s."emailsThrough" AS e,
      s."workspaceId" IS NULL
        OR (SELECT max("updatedAt") FROM "RecoveryAttempt" WHERE "workspaceId" = w.id) > s."recoveriesThrough"
        OR (SELECT max("updatedAt") FROM "DunningMessage" WHERE "workspaceId" = w.id) > s."emailsThrough"
        OR (SELECT max("createdAt") FROM "EmailSuppression" WHERE "workspaceId" = w.id) > s."emailsThrough" AS pending
    FROM "Workspace" w LEFT JOIN "AnalyticsState" s ON s."workspaceId" = w.id
    WHERE w.id = ${workspaceId}`;
  return row;
}

/**
 * Before a read, which answers from the rollups as they are (a read never rolls up: at 1 M
 * recoveries even a few changed hours cost more than the read's whole budget, ADR 0081). `asOf` is
 * when the answer's data was complete: now when nothing waits, else the older watermark, and the
 * job is asked for at once (once a minute per workspace, whoever asks) rather than at the minute's fan-out.
 */
export async function rollupFreshness(input: { workspaceId: string }): Promise<{ asOf: Date; zone: string }> {
  const at = now();
  const state = await pendingChanges(input.workspaceId);
  const zone = zoneOf(state?.zone);
  if (!state) return { asOf: at, zone };
  const zoneChanged = state.timezone !== null && state.timezone !== zone;
  if (!state.pending && !zoneChanged) return { asOf: at, zone };
  await requestRollup(input.workspaceId, at);
  const through = [state.r, state.e].filter((d): d is Date => d instanceof Date && d.getTime() > 0);
  return { asOf: through.length ? new Date(Math.min(...through.map((d) => d.getTime()))) : new Date(0), zone: state.timezone || zone };
}

/** One rollup job per workspace and minute, whoever asks. */
async function requestRollup(workspaceId: string, at: Date, tx?: Tx) {
  const minute = Math.floor(at.getTime() / 60_000);
  await enqueue(queues.analyticsRollup, { workspaceId }, { key: `${workspaceId}:${minute}`, tx });
}

/** Every minute: one job per active workspace with changes after its watermarks (or a zone to rebuild), found as `pendingChanges` finds them. */
export async function fanOutRollups(): Promise<{ workspaces: number }> {
  const rows = await db().$queryRaw<Array<{ id: string }>>`
    SELECT w.id FROM "Workspace" w LEFT JOIN "AnalyticsState" s ON s."workspaceId" = w.id
    WHERE w."isActive" AND (
      s."workspaceId" IS NULL OR s.timezone <> w.timezone
      OR (SELECT max("updatedAt") FROM "RecoveryAttempt" WHERE "workspaceId" = w.id) > s."recoveriesThrough"
      OR (SELECT max("updatedAt") FROM "DunningMessage" WHERE "workspaceId" = w.id) > s."emailsThrough"
      OR (SELECT max("createdAt") FROM "EmailSuppression" WHERE "workspaceId" = w.id) > s."emailsThrough")
    ORDER BY w.id`;
  const at = now();
  for (const row of rows) await requestRollup(row.id, at);
  return { workspaces: rows.length };
}

/** The job: one workspace's rollup, or (no workspace named) the fan-out. */
export async function runAnalyticsRollup(input: { workspaceId?: string }) {
  if (input.workspaceId) return rollUpWorkspace({ workspaceId: input.workspaceId });
  return fanOutRollups();
}
