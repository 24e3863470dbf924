import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, Page, Pagination, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { ExportButton } from "~/components/ExportButton";
import { useToast } from "~/components/useToast";
import { formatDateTimeInZone } from "~/contracts/dashboard/format";
import type { MarkReadAction, NotificationsPageData } from "~/contracts/dashboard/notifications-page.server";

type Item = NotificationsPageData["items"][number];

function Row({ item, timeZone, onMarkRead, busy }: { item: Item; timeZone: string; onMarkRead: (id: string) => void; busy: boolean }) {
  const unread = item.readAt === null;
  return (
    <li style={{ listStyle: "none" }} aria-label={item.title}>
      <Box padding="400" borderBlockEndWidth="025" borderColor="border-secondary">
        <InlineStack align="space-between" blockAlign="start" gap="300" wrap={false}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h2" variant="headingSm" fontWeight={unread ? "bold" : "regular"}>
                {item.link ? <Link to={item.link}>{item.title}</Link> : item.title}
              </Text>
              {unread ? <Badge tone="info">Unread</Badge> : null}
            </InlineStack>
            <Text as="p">{item.body}</Text>
            <Text as="p" variant="bodySm" tone="subdued">
              {formatDateTimeInZone(item.createdAt, timeZone)}
            </Text>
          </BlockStack>
          {unread ? (
            <Button variant="plain" disabled={busy} onClick={() => onMarkRead(item.id)} accessibilityLabel={`Mark “${item.title}” as read`}>
              Mark as read
            </Button>
          ) : null}
        </InlineStack>
      </Box>
    </li>
  );
}

/** The member's notifications, newest first, a page at a time, in the workspace's time zone. */
export function NotificationsPage() {
  const { items, page, totalPages, total, timeZone } = useLoaderData<NotificationsPageData>();
  const read = useFetcher<MarkReadAction>();
  const { toast, showToast } = useToast();
  useEffect(() => {
    if (read.state === "idle" && read.data) showToast(read.data.ok ? read.data.toast : read.data.message, !read.data.ok);
  }, [read.state, read.data, showToast]);
  const post = (body: object) => read.submit(body as Record<string, string>, { method: "post", encType: "application/json" });
  const current = page ?? 1;
  const pages = totalPages ?? 1;
  const anyUnread = items.some((item) => item.readAt === null);
  return (
    <Page
      title="Notifications"
      subtitle={total ? `${total} in all · times in ${timeZone}` : undefined}
      primaryAction={{ content: "Mark all as read", disabled: !anyUnread && current === 1, loading: read.state !== "idle", onAction: () => post({ intent: "mark-all-read" }) }}
    >
      <BlockStack gap="400">
        {total ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <InlineStack align="end">
              <ExportButton url="/dashboard/export/notifications.csv" filename="notifications.csv" />
            </InlineStack>
          </Box>
        ) : null}
        <Card padding="0">
          {items.length === 0 ? (
            <Box padding="400">
              <Text as="p" tone="subdued">
                {current > 1 ? "No notifications on this page." : "No notifications yet. Alerts you set up arrive here and under the bell."}
              </Text>
            </Box>
          ) : (
            <ul style={{ margin: 0, padding: 0 }} aria-label="Notifications">
              {items.map((item) => (
                <Row key={item.id} item={item} timeZone={timeZone} busy={read.state !== "idle"} onMarkRead={(id) => post({ intent: "mark-read", ids: [id] })} />
              ))}
            </ul>
          )}
        </Card>
        {pages > 1 ? (
          <InlineStack align="center">
            <Pagination
              hasPrevious={current > 1}
              previousURL={`?page=${current - 1}`}
              hasNext={current < pages}
              nextURL={`?page=${current + 1}`}
              label={`Page ${current} of ${pages}`}
            />
          </InlineStack>
        ) : null}
      </BlockStack>
      <Box paddingBlockEnd="1600" />
      {toast}
    </Page>
  );
}
