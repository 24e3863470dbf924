import "~/utils/zod-csp";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { useNonce } from "~/components/nonce";

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message =
    status === 404 ? "This page does not exist, or the link has expired." : "Something went wrong on our side. Please try again.";
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "64px auto", padding: 16 }}>
      <h1 style={{ fontSize: 22 }}>{status === 404 ? "Not found" : "Error"}</h1>
      <p>{message}</p>
    </main>
  );
}
