/**
 * What PostgreSQL cannot store, found in any value Recoup is about to keep: a NUL character
 * (text and jsonb refuse it), a lone UTF-16 surrogate (not valid UTF-8, so refused too) and
 * nesting deeper than anything a real client sends (walking it recursively overflows the stack).
 * Iterative on purpose: a body nested 100,000 levels deep must be refused, not crash the walk.
 */
export const MAX_JSON_DEPTH = 64;

export type Unstorable = { reason: "nul" | "surrogate" | "depth"; path: string };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): "nul" | "surrogate" | null {
  if (text.includes("\u0000")) return "nul";
  if (LONE_SURROGATE.test(text)) return "surrogate";
  return null;
}

/** A printable name for a key that may itself hold the offending character. */
function printable(key: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
  return key.replace(/[\u0000\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The first unstorable place in `value` (`"name"`, `"items.2"`, `"(body)"` for the value itself), or null. */
export function findUnstorable(value: unknown): Unstorable | null {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    const where = () => path.join(".") || "(body)";
    if (typeof current === "string") {
      const reason = textProblem(current);
      if (reason) return { reason, path: where() };
      continue;
    }
    if (!current || typeof current !== "object") continue;
    if (path.length >= MAX_JSON_DEPTH) return { reason: "depth", path: where() };
    const entries = Object.entries(current);
    // Pushed in reverse so that the first offender in document order is the one reported.
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, inner] = entries[i]!;
      const keyReason = textProblem(key);
      if (keyReason) return { reason: keyReason, path: [...path, printable(key)].join(".") };
      stack.push({ value: inner, path: [...path, key] });
    }
  }
  return null;
}

/**
 * The deepest nesting in JSON text, read in one pass over its characters (strings skipped), that
 * stops as soon as it passes `limit`: a bound checked before JSON.parse, zod or any walk sees the
 * value, so that 100,000 levels cost one linear scan and no stack. Unbalanced or invalid text is
 * JSON.parse's to refuse; this only counts.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: to its closing quote, an escaped character never being one.
      for (i += 1; i < length; i += 1) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i += 1;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}

/** The sentence for a client, naming the field. */
export function describeUnstorable(problem: Unstorable, what = "The body"): { detail: string; message: string } {
  switch (problem.reason) {
    case "nul":
      return { detail: `${what} contains a NUL character (\\u0000), which Recoup does not accept in text.`, message: "Remove the NUL character (\\u0000)." };
    case "surrogate":
      return {
        detail: `${what} contains a lone UTF-16 surrogate (an unpaired \\ud800–\\udfff), which is not valid Unicode text.`,
        message: "Send valid Unicode text: every \\ud800–\\udbff escape followed by a \\udc00–\\udfff one.",
      };
    case "depth":
      return { detail: `${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`, message: `Nest objects and arrays at most ${MAX_JSON_DEPTH} levels deep.` };
  }
}
