import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { listOutbox, outboxEnabled } from "~/domain/dunning/messages.server";

// /outbox: the dunning emails the app has written, for local development and demos. When
// SMTP_URL is unset nothing is sent and these rows are the only copy of each email.
export async function loader() {
  if (!outboxEnabled()) throw new Response("Not found", { status: 404 });
  const messages = await listOutbox(50);
  return { messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) };
}

const cell = { padding: "6px 10px", borderBottom: "1px solid #ddd", textAlign: "left" as const, verticalAlign: "top" as const };

export default function Outbox() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 1000, margin: "32px auto", padding: "0 16px" }}>
      <h1 style={{ fontSize: 22 }}>Outbox</h1>
      <p>The latest {messages.length} dunning emails, across workspaces.</p>
      <Outlet />
      {messages.length === 0 ? (
        <p>No emails yet.</p>
      ) : (
        <table style={{ borderCollapse: "collapse", width: "100%", fontSize: 14 }}>
          <thead>
            <tr>
              <th style={cell}>Created</th>
              <th style={cell}>To</th>
              <th style={cell}>Subject</th>
              <th style={cell}>Status</th>
              <th style={cell}>Transport</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id}>
                <td style={cell}>{new Date(m.createdAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC</td>
                <td style={cell}>{m.toEmail ?? "(no address)"}</td>
                <td style={cell}>
                  <Link to={`/outbox/${m.id}`}>{m.subject}</Link>
                </td>
                <td style={cell}>{m.status}</td>
                <td style={cell}>{m.transport ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
