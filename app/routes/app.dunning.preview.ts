import { dunningPreviewAction } from "~/http/dunning-pages.server";
import { authenticateShopAdmin } from "~/shopify.server";

// POST /app/dunning/preview: the editor's live preview inside the Shopify admin (nothing is written).
export const action = dunningPreviewAction(async (request) => ({ workspaceId: (await authenticateShopAdmin(request)).workspaceId, userId: null }));

export const loader = () => new Response("Not found", { status: 404 });
