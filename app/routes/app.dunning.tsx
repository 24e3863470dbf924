import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { requireShopifyStaff } from "~/contracts/dashboard/dashboard-session.server";
import { dunningListLoader } from "~/contracts/dashboard/dunning-pages.server";

// /app/dunning: the dashboard's sequence list inside the Shopify admin.
export const loader = dunningListLoader(requireShopifyStaff, "/app");
export const shouldRevalidate = dunningListShouldRevalidate("/app");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
