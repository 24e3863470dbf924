import { z } from "zod";

// In the browser, zod's fast path probes `new Function("")` when a schema is built, which our CSP
// forbids (no 'unsafe-eval', docs/decisions/0028): the probe is refused and reported as a
// violation. Without it parsing is as correct. root.tsx imports this first, so it runs before any
// route module builds a schema; the server keeps the fast path.
if (typeof document !== "undefined") z.config({ jitless: true });
