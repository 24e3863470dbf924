import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { dunningListLoader } from "~/http/dunning-pages.server";
import { authenticateShopAdmin } from "~/shopify.server";

// /app/dunning: the dashboard's sequence list inside the Shopify admin. Staff members have no
// Recoup user: the shop's workspace is who asks.
const callerOf = async (request: Request) => ({ workspaceId: (await authenticateShopAdmin(request)).workspaceId, userId: null });

export const loader = dunningListLoader(callerOf, "/app");
export const shouldRevalidate = dunningListShouldRevalidate("/app");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
