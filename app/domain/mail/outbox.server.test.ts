import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [file] : [];
  });
}

describe("the one mail port", () => {
  it("nothing but the outbox module sends email itself: every email can land in the outbox", () => {
    const direct = [...sources("app"), ...sources("jobs")].filter(
      (file) => /\bsendEmail\b/.test(readFileSync(file, "utf8")) && !file.endsWith(path.join("mail", "outbox.server.ts")) && !file.endsWith(path.join("utils", "email.server.ts")),
    );
    expect(direct).toEqual([]);
  });
});
