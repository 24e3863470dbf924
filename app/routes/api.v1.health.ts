import { z } from "zod";
import { documented } from "~/contracts/api-v1/endpoint.server";
import { json } from "~/http/problem.server";
import { buildInfo } from "~/utils/build-info.server";

// Flow Arc's HealthResponse, exactly (camelCase, no key, outside the v1 pipeline).
export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/health",
    summary: "Health (Flow Arc's contract)",
    description: "Flow Arc's HealthResponse, exactly: camelCase, no key needed, outside rate limits.",
    tags: ["Status"],
    auth: "none",
    response: z.object({ ok: z.boolean(), version: z.string(), gitCommit: z.string(), buildTime: z.string(), serverTime: z.iso.datetime() }),
  },
  async () => {
    const info = buildInfo();
    return json({ ok: true, version: info.version, gitCommit: info.gitCommit, buildTime: info.buildTime, serverTime: new Date().toISOString() });
  },
);
