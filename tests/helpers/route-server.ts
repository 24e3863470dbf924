// A route module behind a real local HTTP port, for a fake that POSTs to Recoup (a processor's
// webhooks): the request reaches the route as it would through Remix, without starting the app.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { callRoute } from "./http";

type RouteModule = Parameters<typeof callRoute>[0];

export async function serveRoute(mod: RouteModule, params: (pathname: string) => Record<string, string>) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://localhost:3000");
        const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
        const request = new Request(url, { method: req.method, headers, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
        const fn = req.method === "GET" ? mod.loader : mod.action;
        const answer = (await fn!({ request, params: params(url.pathname), context: {} } as never)) as Response;
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      })().catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
