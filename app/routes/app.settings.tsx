import { SettingsError, SettingsView } from "~/components/SettingsView";
import { settingsPageAction, settingsPageLoader } from "~/http/settings-page.server";
import { authenticateShopAdmin } from "~/shopify.server";

// Settings inside the Shopify admin: the dashboard's page, with the shop in place of Stripe
// accounts and no team (Shopify decides who opens the app; its staff act as admins).
const home = {
  kind: "shopify" as const,
  actorOf: async (request: Request) => {
    const { workspaceId, session } = await authenticateShopAdmin(request);
    return { workspaceId, shop: session.shop };
  },
};

export const loader = settingsPageLoader(home);
export const action = settingsPageAction(home);

export default SettingsView;

export function ErrorBoundary() {
  return <SettingsError />;
}
