import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { emailConfigured, listOutbox, outboxEnabled } from "~/domain/mail/outbox.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// /outbox: the email this workspace's people may read, for local development and demos. When
// SMTP_URL is unset nothing is sent and these are the only copy of each email. Signed-in members
// only, their own workspace's mail only (docs/decisions/0034-one-mail-port-and-a-private-outbox.md).
export const links: LinksFunction = () => [{ rel: "icon", href: "data:," }];

export const meta: MetaFunction = () => [{ title: "Outbox · Recoup" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (!outboxEnabled()) throw new Response("Not found", { status: 404 });
  const session = await requireDashboardSession(request);
  const [messages, workspace] = await Promise.all([listOutbox({ ...session, limit: 50 }), getWorkspace(session.workspaceId)]);
  return {
    workspaceName: workspace.name,
    smtp: emailConfigured(),
    messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
  };
}

const cell = { padding: "6px 10px", borderBottom: "1px solid #ddd", textAlign: "left" as const, verticalAlign: "top" as const };

export default function Outbox() {
  const { messages, workspaceName, smtp } = useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 1000, margin: "32px auto", padding: "0 16px" }}>
      <p style={{ margin: 0 }}>
        <Link to="/dashboard">← Dashboard</Link>
      </p>
      <h1 style={{ fontSize: 22 }}>Outbox · {workspaceName}</h1>
      <p>
        {smtp
          ? "This server sends email by SMTP; copies of the customer emails are listed here."
          : "This server doesn't send email (SMTP_URL is not set): every email it would have sent is kept here instead."}{" "}
        The latest {messages.length} of {workspaceName}&apos;s emails: to customers, test emails, invitations, and your own sign-in links.
      </p>
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
