import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { dunningListLoader, shopifyStaffCaller } from "~/http/dunning-pages.server";

// /app/dunning: the dashboard's sequence list inside the Shopify admin.
export const loader = dunningListLoader(shopifyStaffCaller, "/app");
export const shouldRevalidate = dunningListShouldRevalidate("/app");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
