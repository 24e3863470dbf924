// Where outbound webhooks may go: public internet addresses only (docs/decisions/0031). A merchant's
// URL must not reach Recoup's own network (loopback, private ranges, link-local cloud metadata,
// …). Checked when the URL is registered, and again for every connection: the name is resolved,
// EVERY address checked, and the connection made to a checked address through the agent's own
// `lookup`, so a DNS answer that changes between the check and the connect (rebinding) cannot swap it.
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { env } from "~/utils/env.server";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Names that never leave the local network or the cloud provider's (RFC 6761, RFC 6762, `.internal`). */
const LOCAL_NAME = /(^|\.)(localhost|local|localdomain|internal|intranet|lan|home\.arpa)$/i;
const REGISTRATION_LOOKUP_MS = 3_000;

export class RefusedDestinationError extends Error {
  override name = "RefusedDestinationError";
}

/** `OUTBOUND_WEBHOOK_ALLOW_PRIVATE`: ranges an operator (or the test suite) lets through. Never in production. */
function allowList(): Array<[Address, number]> {
  return env().OUTBOUND_WEBHOOK_ALLOW_PRIVATE.map((entry) => (entry.includes("/") ? ipaddr.parseCIDR(entry) : ((a: Address) => [a, a.kind() === "ipv4" ? 32 : 128] as [Address, number])(ipaddr.parse(entry))));
}

/** The address as ipaddr sees it; IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes its IPv4 address. */
function parse(raw: string): Address | null {
  const bare = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.process(bare);
}

/** Why the address may not be used, or null when it may: only global unicast, plus the allow-list. */
function refusalOf(raw: string): string | null {
  const address = parse(raw);
  if (!address) return `${raw} is not an IP address`;
  const allowed = allowList().some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));
  if (allowed) return null;
  const range = address.range();
  return range === "unicast" ? null : `${address.toString()} is a ${rangeWords(range)} address`;
}

/** A refusal as the merchant reads it: why, and the rule. */
const publicOnly = (why: string) => `${why}; Recoup sends webhooks to public internet addresses only.`;

/** For a host that is an IP literal: why it is refused, or null (also null for a name, judged by its addresses). */
function literalRefusal(host: string): string | null {
  const why = parse(host) ? refusalOf(host) : null;
  return why && publicOnly(why);
}

function rangeWords(range: string): string {
  const words: Record<string, string> = {
    loopback: "loopback",
    private: "private-network",
    uniqueLocal: "private-network (unique local)",
    linkLocal: "link-local (cloud metadata)",
    unspecified: "unspecified",
    carrierGradeNat: "carrier-grade NAT",
    multicast: "multicast",
    broadcast: "broadcast",
  };
  return words[range] ?? `non-public (${range})`;
}

/** Every address a name resolves to; the name must resolve to at least one. */
async function resolveAll(hostname: string): Promise<Array<{ address: string; family: number }>> {
  const addresses = await dnsLookup(hostname, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${hostname} does not resolve`);
  return addresses;
}

function refusedAddresses(hostname: string, addresses: Array<{ address: string }>): RefusedDestinationError | null {
  for (const a of addresses) {
    const why = refusalOf(a.address);
    if (why) return new RefusedDestinationError(publicOnly(`${hostname} resolves to ${why}`));
  }
  return null;
}

/**
 * At registration: null when the host may be used, else why not. An IP literal is judged as it is; a
 * name is resolved (every address must be public). A local-network name must resolve, and only to
 * allowed addresses; another name that does not resolve yet is accepted (delivery checks again).
 */
export async function destinationRefusal(url: URL): Promise<string | null> {
  const host = url.hostname;
  if (parse(host)) return literalRefusal(host);
  const localName = LOCAL_NAME.test(host) || !host.includes(".");
  let addresses: Array<{ address: string }>;
  try {
    addresses = await Promise.race([
      resolveAll(host),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), REGISTRATION_LOOKUP_MS).unref()),
    ]);
  } catch {
    return localName ? publicOnly(`${host} is a local network name`) : null;
  }
  return refusedAddresses(host, addresses)?.message ?? null;
}

/** The agent's lookup: resolves, refuses the connection unless every address passes, and hands over only checked addresses. */
const checkedLookup: LookupFunction = (hostname, options, callback) => {
  resolveAll(hostname).then(
    (addresses) => {
      const refused = refusedAddresses(hostname, addresses);
      if (refused) return callback(refused, "", 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      const wanted = options.family === 6 || options.family === "IPv6" ? 6 : options.family === 4 || options.family === "IPv4" ? 4 : 0;
      const pick = addresses.find((a) => !wanted || a.family === wanted) ?? addresses[0]!;
      callback(null, pick.address, pick.family);
    },
    (error: NodeJS.ErrnoException) => callback(error, "", 0),
  );
};

/** What is kept of an endpoint's answer: its first kilobyte, enough to tell an error page from a stack trace. */
export const RESPONSE_BODY_LIMIT = 1024;

/**
 * One POST to a merchant's URL, connected only to checked addresses; redirects are never followed
 * (a 3xx is the answer). Resolves with the status code and the first kilobyte of the answer (the
 * rest is not read); rejects on refusal, network error or timeout.
 */
export function postToDestination(input: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<{ status: number; body: string }> {
  const url = new URL(input.url);
  // Node does not call `lookup` for an IP literal: check it here.
  const refused = literalRefusal(url.hostname);
  if (refused) return Promise.reject(new RefusedDestinationError(refused));
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { ...input.headers, "content-length": String(Buffer.byteLength(input.body)) },
      lookup: checkedLookup,
      // A fresh connection each time: a pooled socket would skip the lookup above.
      agent: false,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString("utf8").replace(/\uFFFD$/, "");
        resolve({ status: res.statusCode ?? 0, body });
      };
      res.on("data", (chunk: Buffer) => {
        if (size >= RESPONSE_BODY_LIMIT) return;
        chunks.push(chunk);
        size += chunk.length;
        // Enough read: the rest of a large answer is not waited for.
        if (size >= RESPONSE_BODY_LIMIT) {
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      res.on("error", () => done());
    });
    req.on("error", reject);
    req.end(input.body);
  });
}
