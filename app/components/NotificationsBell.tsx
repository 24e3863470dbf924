import { Link, useFetcher, useNavigate } from "@remix-run/react";
import { BlockStack, Box, Button, InlineStack, Popover, Scrollable, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { Bell } from "~/contracts/dashboard/frame.server";
import type { MarkReadAction } from "~/contracts/dashboard/notifications-page.server";
import { formatDateTimeInZone } from "~/contracts/dashboard/format";

/** Where the bell polls and posts (app/routes/dashboard.notifications.bell.ts). */
const BELL_URL = "/dashboard/notifications/bell";
/** How often an open tab asks again; a hidden tab does not ask, and asks when shown again. */
const POLL_MS = 30_000;

type Notification = Bell["latest"][number];

/** The newer of the frame's bell (read on every navigation) and the last poll's. */
function useFreshBell(fromFrame: Bell): Bell {
  const poll = useFetcher<Bell>({ key: "notifications-bell" });
  const { load } = poll;
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === "visible") load(BELL_URL);
    };
    const timer = setInterval(refresh, POLL_MS);
    document.addEventListener("visibilitychange", refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
    };
  }, [load]);
  return poll.data && poll.data.fetchedAt > fromFrame.fetchedAt ? poll.data : fromFrame;
}

function BellIcon() {
  return (
    <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden focusable="false" fill="currentColor">
      <path d="M10 2.5a5 5 0 0 0-5 5v2.7l-1.3 2.6A.75.75 0 0 0 4.4 14h11.2a.75.75 0 0 0 .67-1.09L15 10.2V7.5a5 5 0 0 0-5-5Zm-2.3 13a2.4 2.4 0 0 0 4.6 0H7.7Z" />
    </svg>
  );
}

function NotificationRow({ item, timeZone, onOpen }: { item: Notification; timeZone: string; onOpen: (item: Notification) => void }) {
  const unread = item.readAt === null;
  const title = (
    <Text as="span" variant="bodyMd" fontWeight={unread ? "semibold" : "regular"}>
      {item.title}
    </Text>
  );
  return (
    <li style={{ listStyle: "none" }}>
      <Box padding="300" borderBlockEndWidth="025" borderColor="border-secondary" background={unread ? "bg-surface-info" : undefined}>
        <BlockStack gap="100">
          {item.link ? (
            <Link to={item.link} onClick={() => onOpen(item)} style={{ color: "inherit" }}>
              {title}
            </Link>
          ) : (
            title
          )}
          <Text as="p" variant="bodySm">
            {item.body}
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {formatDateTimeInZone(item.createdAt, timeZone)}
            {unread ? " · Unread" : ""}
          </Text>
        </BlockStack>
      </Box>
    </li>
  );
}

/**
 * The top bar's bell: the signed-in member's unread count as a badge, and a popover with their
 * latest notifications, each opening where it leads (and marked as read), and "Mark all as read".
 */
export function NotificationsBell({ bell: fromFrame, timeZone }: { bell: Bell; timeZone: string }) {
  const bell = useFreshBell(fromFrame);
  const [open, setOpen] = useState(false);
  const read = useFetcher<MarkReadAction>({ key: "notifications-read" });
  const navigate = useNavigate();
  // While "mark all" is on its way, the badge already shows what it will be.
  const markingAll = read.state !== "idle" && (read.json as { intent?: string } | undefined)?.intent === "mark-all-read";
  const unread = markingAll ? 0 : bell.unread;
  const post = (body: { intent: "mark-all-read" } | { intent: "mark-read"; ids: string[] }) => read.submit(body, { method: "post", action: BELL_URL, encType: "application/json" });
  const onOpen = (item: Notification) => {
    setOpen(false);
    if (item.readAt === null) post({ intent: "mark-read", ids: [item.id] });
  };
  const label = unread === 0 ? "Notifications" : `Notifications, ${unread} unread`;
  const activator = (
    <button
      type="button"
      aria-label={label}
      aria-expanded={open}
      onClick={() => setOpen((o) => !o)}
      style={{ all: "unset", cursor: "pointer", position: "relative", display: "inline-flex", padding: 8, borderRadius: 8, color: "var(--p-color-text-inverse)" }}
    >
      <BellIcon />
      {unread > 0 ? (
        <span
          data-testid="notifications-badge"
          aria-hidden
          style={{
            position: "absolute",
            top: 2,
            right: 0,
            minWidth: 16,
            height: 16,
            padding: "0 4px",
            boxSizing: "border-box",
            borderRadius: 8,
            background: "var(--p-color-bg-fill-critical)",
            color: "var(--p-color-text-on-color)",
            fontSize: 11,
            fontWeight: 650,
            lineHeight: "16px",
            textAlign: "center",
          }}
        >
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </button>
  );
  return (
    <Popover active={open} activator={activator} onClose={() => setOpen(false)} preferredAlignment="right" ariaHaspopup="dialog" fluidContent>
      <div role="dialog" aria-label="Notifications" style={{ width: "min(360px, calc(100vw - 32px))" }}>
        <Box padding="300" borderBlockEndWidth="025" borderColor="border">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingSm">
              Notifications
            </Text>
            <Button variant="plain" disabled={unread === 0} loading={markingAll} onClick={() => post({ intent: "mark-all-read" })}>
              Mark all as read
            </Button>
          </InlineStack>
        </Box>
        <Scrollable style={{ maxHeight: "min(420px, 60vh)" }}>
          {bell.latest.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                Nothing yet. Alerts you set up arrive here.
              </Text>
            </Box>
          ) : (
            <ul style={{ margin: 0, padding: 0 }}>
              {bell.latest.map((item) => (
                <NotificationRow key={item.id} item={item} timeZone={timeZone} onOpen={onOpen} />
              ))}
            </ul>
          )}
        </Scrollable>
        <Box padding="300" borderBlockStartWidth="025" borderColor="border">
          <Button
            variant="plain"
            onClick={() => {
              setOpen(false);
              navigate("/dashboard/notifications");
            }}
          >
            See all notifications
          </Button>
        </Box>
      </div>
    </Popover>
  );
}
