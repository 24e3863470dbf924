import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { OPEN_PIXEL_ATTRIBUTE } from "~/domain/dunning/templates";
import { getOutboxMessage, outboxEnabled } from "~/domain/mail/outbox.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// /outbox/<id>: one email as its addressee sees it (shown above the list in /outbox); another
// workspace's (or someone else's sign-in link) is a 404.
export async function loader({ params, request }: LoaderFunctionArgs) {
  if (!outboxEnabled()) throw new Response("Not found", { status: 404 });
  const session = await requireDashboardSession(request);
  const message = await getOutboxMessage({ ...session, id: params.id ?? "" });
  if (!message) throw new Response("Not found", { status: 404 });
  // Viewing here is not the customer opening it: drop the pixel. Links open in a new tab.
  const html = message.bodyHtml
    .replace(new RegExp(`<img[^>]*${OPEN_PIXEL_ATTRIBUTE}[^>]*>`, "g"), "")
    .replace("<head>", '<head><base target="_blank">');
  return { ...message, bodyHtml: html, createdAt: message.createdAt.toISOString() };
}

export default function OutboxMessage() {
  const m = useLoaderData<typeof loader>();
  return (
    <section style={{ margin: "16px 0 32px", padding: 16, border: "1px solid #ddd", borderRadius: 8 }}>
      <p style={{ margin: 0 }}>
        <Link to="/outbox">Close</Link>
      </p>
      <h2 style={{ fontSize: 18 }}>{m.subject}</h2>
      <p>
        To: {m.toEmail ?? "(no address)"} · Status: {m.status}
        {m.error ? ` (${m.error})` : ""} · Kind: {m.kind}
      </p>
      <iframe
        title={`Email: ${m.subject}`}
        srcDoc={m.bodyHtml}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        style={{ width: "100%", height: 640, border: "1px solid #ddd", borderRadius: 4 }}
      />
      <details>
        <summary>Plain text</summary>
        <pre style={{ whiteSpace: "pre-wrap" }}>{m.bodyText}</pre>
      </details>
    </section>
  );
}
