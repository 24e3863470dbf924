import { useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { Frame, Loading, Navigation, Text, TopBar } from "@shopify/polaris";
import { useCallback, useState, type ReactNode } from "react";
import type { DashboardFrame as FrameData } from "~/contracts/dashboard/frame.server";
import { NotificationsBell } from "./NotificationsBell";

/** The standalone dashboard's sections (each a route under /dashboard). */
const SECTIONS = [
  { url: "/dashboard", label: "Overview", exactMatch: true },
  { url: "/dashboard/customers", label: "Customers" },
  // Campaigns generalise the dunning sequences; /dashboard/dunning still opens them as sequences.
  { url: "/dashboard/campaigns", label: "Campaigns", matchPaths: ["/dashboard/campaigns", "/dashboard/dunning"] },
  { url: "/dashboard/payments", label: "Payments" },
  { url: "/dashboard/analytics", label: "Analytics" },
] as const;
const WORKSPACE_SECTIONS = [
  { url: "/dashboard/alerts", label: "Alerts" },
  { url: "/dashboard/webhooks", label: "Webhooks" },
  { url: "/dashboard/notifications", label: "Notifications" },
  { url: "/dashboard/settings", label: "Settings" },
] as const;

function WorkspaceName({ name }: { name: string }) {
  return (
    <div style={{ display: "flex", alignItems: "center", height: "100%", paddingInline: 16, color: "var(--p-color-text-inverse)", overflow: "hidden" }}>
      <Text as="p" variant="headingSm" truncate>
        Recoup · {name}
      </Text>
    </div>
  );
}

/**
 * Polaris' frame around every /dashboard page: the top bar (workspace, notifications bell, the
 * member's menu), the sections' navigation (a drawer on phones), and a loading bar while a
 * navigation is under way.
 */
export function DashboardFrame({ frame, children }: { frame: FrameData; children: ReactNode }) {
  const [mobileNav, setMobileNav] = useState(false);
  const [userMenu, setUserMenu] = useState(false);
  const location = useLocation();
  const navigation = useNavigation();
  const submit = useSubmit();
  const closeNav = useCallback(() => setMobileNav(false), []);
  const item = (s: { url: string; label: string; exactMatch?: boolean; matchPaths?: readonly string[] }) => ({
    url: s.url,
    label: s.label,
    exactMatch: "exactMatch" in s ? s.exactMatch : undefined,
    matchPaths: s.matchPaths ? [...s.matchPaths] : undefined,
    onClick: closeNav,
  });
  const extra = frame.outbox ? [{ url: "/outbox", label: "Outbox" }] : [];

  const topBar = (
    <TopBar
      showNavigationToggle
      onNavigationToggle={() => setMobileNav((open) => !open)}
      contextControl={<WorkspaceName name={frame.workspace.name} />}
      secondaryMenu={<NotificationsBell bell={frame.bell} timeZone={frame.workspace.timezone} />}
      userMenu={
        <TopBar.UserMenu
          name={frame.user.name}
          accessibilityLabel={`${frame.user.name}'s menu`}
          detail={frame.workspace.name}
          initials={frame.user.name.slice(0, 1).toUpperCase()}
          open={userMenu}
          onToggle={() => setUserMenu((open) => !open)}
          actions={[
            { items: [{ content: "Notifications", url: "/dashboard/notifications" }, { content: "Settings", url: "/dashboard/settings" }] },
            { items: [{ content: "Sign out", onAction: () => submit(null, { method: "post", action: "/auth/logout" }) }] },
          ]}
        />
      }
    />
  );

  const nav = (
    <Navigation location={location.pathname} ariaLabelledBy="dashboard-navigation" contextControl={<WorkspaceName name={frame.workspace.name} />} onDismiss={closeNav}>
      <Text as="span" visuallyHidden id="dashboard-navigation">
        Dashboard
      </Text>
      <Navigation.Section items={SECTIONS.map(item)} />
      <Navigation.Section title="Workspace" items={[...WORKSPACE_SECTIONS.map(item), ...extra.map(item)]} separator />
    </Navigation>
  );

  return (
    <Frame topBar={topBar} navigation={nav} showMobileNavigation={mobileNav} onNavigationDismiss={closeNav}>
      {navigation.state !== "idle" ? <Loading /> : null}
      {children}
    </Frame>
  );
}
