import { dunningPreviewAction, shopifyStaffCaller } from "~/http/dunning-pages.server";

// POST /app/dunning/preview: the editor's live preview inside the Shopify admin (nothing is written).
export const action = dunningPreviewAction(shopifyStaffCaller);

export const loader = () => new Response("Not found", { status: 404 });
