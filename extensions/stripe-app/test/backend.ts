import { vi } from "vitest";
import { BACKEND_URL } from "../src/config";

export interface BackendCall {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

type Answer = { status?: number; body: unknown };

/**
 * Stubs global fetch with Recoup's backend: `routes` maps a path under
 * /api/stripe-app/ to its answer (or a function of the request body). Every
 * call is recorded; an unknown path answers 404 problem+json.
 */
export function mockBackend(routes: Record<string, Answer | ((body: Record<string, unknown>) => Answer)>) {
  const calls: BackendCall[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    if (!url.startsWith(`${BACKEND_URL}/`)) throw new Error(`unexpected fetch of ${url}`);
    const path = url.slice(BACKEND_URL.length + 1);
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    calls.push({ path, body, headers: init.headers as Record<string, string> });
    const route = routes[path];
    const answer = !route ? { status: 404, body: { code: "not_found", detail: `No route ${path}.` } } : typeof route === "function" ? route(body) : route;
    const status = answer.status ?? 200;
    return new Response(JSON.stringify(answer.body), {
      status,
      headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

/** A backend that never answers: the views stay in their loading state. */
export function hangingBackend() {
  const fetchMock = vi.fn((_url: string, _init?: RequestInit) => new Promise<Response>(() => {}));
  vi.stubGlobal("fetch", fetchMock);
  return { fetchMock };
}

/** A backend that cannot be reached at all. */
export function unreachableBackend() {
  vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
}

export function problem(status: number, code: string, detail: string): Answer {
  return { status, body: { type: `urn:recoup:problem:${code}`, title: code, status, code, detail } };
}

/** Lets the fetch chain settle and re-reads the rendered tree. */
export async function settle(update: () => Promise<void>) {
  for (let i = 0; i < 5; i++) await update();
}
