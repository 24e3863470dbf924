import { requireShopifyStaff } from "~/contracts/dashboard/dashboard-session.server";
import { dunningPreviewAction } from "~/contracts/dashboard/dunning-pages.server";

// POST /app/dunning/preview: the editor's live preview inside the Shopify admin (nothing is written).
export const action = dunningPreviewAction(requireShopifyStaff);

export const loader = () => new Response("Not found", { status: 404 });
