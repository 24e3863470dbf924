/** Polls `probe` until it answers truthy; the failure names what was awaited and the last state seen. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | null | false | undefined>, timeoutMs: number, describe?: () => Promise<unknown>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${describe ? `; last seen ${JSON.stringify(await describe().catch(String))}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
