import { DunningEditorError, dunningEditorShouldRevalidate, DunningSequenceEditor } from "~/components/DunningSequenceEditor";
import { dunningEditorAction, dunningEditorLoader } from "~/http/dunning-pages.server";
import { authenticateShopAdmin } from "~/shopify.server";

// /app/dunning/:id (or /new): the dashboard's sequence editor inside the Shopify admin. Test
// emails go to the workspace's reply-to address, else its owner (testEmailRecipient).
const callerOf = async (request: Request) => ({ workspaceId: (await authenticateShopAdmin(request)).workspaceId, userId: null });

export const loader = dunningEditorLoader(callerOf, "/app");
export const action = dunningEditorAction(callerOf);
export const shouldRevalidate = dunningEditorShouldRevalidate("/app");

export default DunningSequenceEditor;

export function ErrorBoundary() {
  return <DunningEditorError basePath="/app" />;
}
