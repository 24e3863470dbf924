// The frame of a page a customer reaches from an email link without a login (/u/<token>,
// /card/<token>, /pay/<code>): its card, and its error page (an unknown link, or our own failure).
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import type { CSSProperties, ReactNode } from "react";

/** `accent`: the merchant's colour (already made safe by accentColor) for the button. */
export function LinkPage({ children, accent }: { children: ReactNode; accent?: string }) {
  return (
    <main className="rc-page" style={accent ? ({ "--accent": accent } as CSSProperties) : undefined}>
      <div className="rc-card">{children}</div>
    </main>
  );
}

/** The ErrorBoundary of a link page: `statuses` mean the link is at fault (what `invalid` and `help` say). */
export function LinkPageError({ invalid, help, statuses = [404] }: { invalid: string; help: string; statuses?: number[] }) {
  const error = useRouteError();
  const known = isRouteErrorResponse(error) && statuses.includes(error.status);
  return (
    <LinkPage>
      <h1 className="rc-title">{known ? invalid : "Something went wrong on our side"}</h1>
      <p className="rc-text">{known ? help : "Please try again in a few minutes."}</p>
    </LinkPage>
  );
}
