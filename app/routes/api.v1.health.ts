import { json } from "~/http/problem.server";
import { buildInfo } from "~/utils/build-info.server";

// Flow Arc's HealthResponse, exactly.
export async function loader() {
  const info = buildInfo();
  return json({ ok: true, version: info.version, gitCommit: info.gitCommit, buildTime: info.buildTime, serverTime: new Date().toISOString() });
}
