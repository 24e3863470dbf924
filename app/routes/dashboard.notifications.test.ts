// The bell and the notifications page: the signed-in member's own notifications, a page at a time;
// marking read touches only theirs, never a teammate's nor another workspace's.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeTeammate, makeWorkspace } from "../../tests/factories";
import * as bell from "./dashboard.notifications.bell";
import * as page from "./dashboard.notifications._index";
import * as layout from "./dashboard";

const cookie = (token: string) => ({ cookie: `recoup_session=${encodeURIComponent(token)}` });
const get = (path: string, token: string) => ({ request: new Request(`http://localhost${path}`, { headers: cookie(token) }), params: {}, context: {} });
const post = (path: string, body: unknown, token: string) => ({
  request: new Request(`http://localhost${path}`, { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
  params: {},
  context: {},
});
type Failure = { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };

/** `count` notifications for the member, the newest last, a minute apart. */
async function notify(member: { workspaceId: string; userId: string }, count: number, prefix = "Alert") {
  const start = Date.parse("2026-12-01T10:00:00Z");
  const rows = Array.from({ length: count }, (_, i) => ({
    ...member,
    dedupeKey: `${prefix}:${i}:${Math.random()}`,
    title: `${prefix} ${i + 1}`,
    body: `Body of ${prefix.toLowerCase()} ${i + 1}`,
    link: "/dashboard/analytics",
    createdAt: new Date(start + i * 60_000),
  }));
  await db().notification.createMany({ data: rows });
  return db().notification.findMany({ where: { ...member, dedupeKey: { in: rows.map((r) => r.dedupeKey) } }, orderBy: { createdAt: "asc" } });
}

async function team() {
  const a = await makeWorkspace();
  const mate = await makeTeammate(a.workspace.id, "member");
  const other = await makeWorkspace();
  return {
    owner: { workspaceId: a.workspace.id, userId: a.owner.id, token: a.sessionToken },
    mate: { workspaceId: a.workspace.id, userId: mate.user.id, token: mate.sessionToken },
    stranger: { workspaceId: other.workspace.id, userId: other.owner.id, token: other.sessionToken },
  };
}
const member = (m: { workspaceId: string; userId: string }) => ({ workspaceId: m.workspaceId, userId: m.userId });

describe("the bell", () => {
  it("counts the member's unread notifications and lists their latest ten, newest first; a teammate's are not theirs", async () => {
    const { owner, mate } = await team();
    await notify(member(owner), 12, "Owner");
    await notify(member(mate), 3, "Mate");

    const frame = await layout.loader(get("/dashboard", owner.token));
    expect(frame.bell.unread).toBe(12);
    expect(frame.bell.latest.map((n) => n.title)).toEqual(["Owner 12", "Owner 11", "Owner 10", "Owner 9", "Owner 8", "Owner 7", "Owner 6", "Owner 5", "Owner 4", "Owner 3"]);

    const polled = await bell.loader(get("/dashboard/notifications/bell", mate.token));
    expect(polled.unread).toBe(3);
    expect(polled.latest.map((n) => n.title)).toEqual(["Mate 3", "Mate 2", "Mate 1"]);
  });

  it("marks all as read for the member only: the teammate's and the other workspace's stay unread", async () => {
    const { owner, mate, stranger } = await team();
    await notify(member(owner), 4, "Owner");
    await notify(member(mate), 2, "Mate");
    await notify(member(stranger), 2, "Stranger");

    expect(await bell.action(post("/dashboard/notifications/bell", { intent: "mark-all-read" }, owner.token))).toMatchObject({ ok: true, marked: 4 });
    expect((await bell.loader(get("/dashboard/notifications/bell", owner.token))).unread).toBe(0);
    expect((await bell.loader(get("/dashboard/notifications/bell", mate.token))).unread).toBe(2);
    expect((await bell.loader(get("/dashboard/notifications/bell", stranger.token))).unread).toBe(2);
    // Again: nothing left to mark.
    expect(await bell.action(post("/dashboard/notifications/bell", { intent: "mark-all-read" }, owner.token))).toMatchObject({ ok: true, marked: 0 });
  });

  it("marks chosen ids as read; a teammate's or another workspace's id changes nothing", async () => {
    const { owner, mate, stranger } = await team();
    const mine = await notify(member(owner), 3, "Owner");
    const theirs = await notify(member(mate), 1, "Mate");
    const foreign = await notify(member(stranger), 1, "Stranger");

    const answer = await bell.action(post("/dashboard/notifications/bell", { intent: "mark-read", ids: [mine[0]!.id, theirs[0]!.id, foreign[0]!.id] }, owner.token));
    expect(answer).toMatchObject({ ok: true, marked: 1, toast: "1 notification marked as read" });
    expect((await db().notification.findUniqueOrThrow({ where: { id: mine[0]!.id } })).readAt).not.toBeNull();
    expect((await db().notification.findUniqueOrThrow({ where: { id: mine[1]!.id } })).readAt).toBeNull();
    expect((await db().notification.findUniqueOrThrow({ where: { id: theirs[0]!.id } })).readAt).toBeNull();
    expect((await db().notification.findUniqueOrThrow({ where: { id: foreign[0]!.id } })).readAt).toBeNull();
  });

  it("refuses a body it cannot read with the field named, not a 500", async () => {
    const { owner } = await team();
    const noIds = (await bell.action(post("/dashboard/notifications/bell", { intent: "mark-read", ids: [] }, owner.token))) as unknown as Failure;
    expect(noIds.init.status).toBe(400);
    expect(noIds.data.fieldErrors).toEqual({ ids: "Choose the notifications to mark as read." });
    const unknown = (await bell.action(post("/dashboard/notifications/bell", { intent: "delete-everything" }, owner.token))) as unknown as Failure;
    expect(unknown.init.status).toBe(400);
    expect(unknown.data.ok).toBe(false);
  });
});

describe("GET /dashboard/notifications", () => {
  it("pages through the member's notifications, 20 a page, with the total and the workspace's time zone", async () => {
    const { owner, mate } = await team();
    await db().workspace.update({ where: { id: owner.workspaceId }, data: { timezone: "Asia/Calcutta" } });
    await notify(member(owner), 23, "Owner");
    await notify(member(mate), 5, "Mate");

    const first = await page.loader(get("/dashboard/notifications", owner.token));
    expect(first).toMatchObject({ page: 1, totalPages: 2, total: 23, timeZone: "Asia/Kolkata" });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toMatchObject({ title: "Owner 23", body: "Body of owner 23", link: "/dashboard/analytics", readAt: null, createdAt: "2026-12-01T10:22:00.000Z" });

    const second = await page.loader(get("/dashboard/notifications?page=2", owner.token));
    expect(second.items.map((n) => n.title)).toEqual(["Owner 3", "Owner 2", "Owner 1"]);
    // A hand-edited page number is the first page, not an error.
    expect((await page.loader(get("/dashboard/notifications?page=abc", owner.token))).page).toBe(1);
  });

  it("does not follow a link that leaves the dashboard", async () => {
    const { owner } = await team();
    await db().notification.create({ data: { ...member(owner), dedupeKey: "x", title: "Odd", body: "b", link: "https://evil.example/phish" } });
    const listed = await page.loader(get("/dashboard/notifications", owner.token));
    expect(listed.items[0]).toMatchObject({ title: "Odd", link: null });
  });
});
