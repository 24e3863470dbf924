import type { MetaFunction } from "@remix-run/node";
import { SettingsError, SettingsView } from "~/components/SettingsView";
import { dashboardMeta } from "~/contracts/dashboard/pages";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { settingsPageAction, settingsPageLoader } from "~/contracts/dashboard/settings-page.server";

// /dashboard/settings: the shared settings page (app/contracts/dashboard/settings-page.server.ts), with the
// connected Stripe accounts and the team.
const home = { kind: "dashboard", actorOf: requireDashboardSession } as const;

export const meta: MetaFunction = () => dashboardMeta("Settings");
export const loader = settingsPageLoader(home);
export const action = settingsPageAction(home);

export default SettingsView;

export function ErrorBoundary() {
  return <SettingsError />;
}
