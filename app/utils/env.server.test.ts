import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR } from "./dev-secrets.server";
import { EnvError, parseEnv } from "./env.server";

const base = { DATABASE_URL: "postgresql://u:p@127.0.0.1:5432/recoup" };

describe("configuration", () => {
  it("in development generates missing secrets once and keeps them in .data/secrets", () => {
    rmSync(path.join(DATA_DIR, "secrets", "SESSION_SECRET"), { force: true });
    const first = parseEnv({ ...base, NODE_ENV: "development" });
    const second = parseEnv({ ...base, NODE_ENV: "development" });
    expect(first.SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.SESSION_SECRET).toBe(first.SESSION_SECRET);
    expect(Buffer.from(first.ENCRYPTION_KEY, "base64")).toHaveLength(32);
    expect(first.STRIPE_WEBHOOK_SECRET[0]).toMatch(/^whsec_/);
    expect(readFileSync(path.join(DATA_DIR, "secrets", "SESSION_SECRET"), "utf8")).toBe(first.SESSION_SECRET);
    expect(first.APP_URL).toBe("http://localhost:3000");
  });

  it("in production refuses to boot without secrets, naming each one", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(EnvError);
    try {
      parseEnv({ ...base, NODE_ENV: "production" });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["ENCRYPTION_KEY", "SESSION_SECRET", "STRIPE_WEBHOOK_SECRET"]) expect(message).toContain(name);
    }
  });

  it("accepts a comma-separated list of webhook secrets and rejects malformed values", () => {
    const env = parseEnv({
      ...base,
      NODE_ENV: "production",
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      SESSION_SECRET: "s".repeat(40),
      STRIPE_WEBHOOK_SECRET: "whsec_a, whsec_b",
      APP_URL: "https://recoup.example.com/",
    });
    expect(env.STRIPE_WEBHOOK_SECRET).toEqual(["whsec_a", "whsec_b"]);
    expect(env.APP_URL).toBe("https://recoup.example.com");
    expect(() => parseEnv({ ...base, NODE_ENV: "development", STRIPE_SECRET_KEY: "pk_live_wrong" })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => parseEnv({ ...base, NODE_ENV: "development", ENCRYPTION_KEY: "short" })).toThrow(/ENCRYPTION_KEY: must be 32 bytes/);
    expect(existsSync(DATA_DIR)).toBe(true);
  });
});
