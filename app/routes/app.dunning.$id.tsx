import { DunningEditorError, dunningEditorShouldRevalidate, DunningSequenceEditor } from "~/components/DunningSequenceEditor";
import { requireShopifyStaff } from "~/contracts/dashboard/dashboard-session.server";
import { dunningEditorAction, dunningEditorLoader } from "~/contracts/dashboard/dunning-pages.server";

// /app/dunning/:id (or /new): the dashboard's sequence editor inside the Shopify admin. Test
// emails go to the workspace's reply-to address, else its owner (testEmailRecipient).
export const loader = dunningEditorLoader(requireShopifyStaff, "/app");
export const action = dunningEditorAction(requireShopifyStaff);
export const shouldRevalidate = dunningEditorShouldRevalidate("/app");

export default DunningSequenceEditor;

export function ErrorBoundary() {
  return <DunningEditorError basePath="/app" />;
}
