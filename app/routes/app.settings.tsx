import { SettingsError, SettingsView } from "~/components/SettingsView";
import { requireShopifyStaff } from "~/contracts/dashboard/dashboard-session.server";
import { settingsPageAction, settingsPageLoader } from "~/contracts/dashboard/settings-page.server";

// Settings inside the Shopify admin: the dashboard's page, with the shop in place of Stripe
// accounts and no team (Shopify decides who opens the app; its staff act as admins).
const home = { kind: "shopify", actorOf: requireShopifyStaff } as const;

export const loader = settingsPageLoader(home);
export const action = settingsPageAction(home);

export default SettingsView;

export function ErrorBoundary() {
  return <SettingsError />;
}
