import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, Page } from "@shopify/polaris";

/** What a dashboard page's error boundary shows: the route's message when it sent one, else an apology. */
export function PageError({ title, heading, notFound, backAction }: { title: string; heading: string; notFound?: { title: string; heading: string }; backAction?: { content: string; url: string } }) {
  const error = useRouteError();
  const missing = notFound && isRouteErrorResponse(error) && error.status === 404;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "Something went wrong on our side. Please reload the page in a moment.";
  return (
    <Page title={missing ? notFound.title : title} backAction={backAction}>
      <Banner tone="critical" title={missing ? notFound.heading : heading}>
        <p>{detail}</p>
      </Banner>
    </Page>
  );
}
