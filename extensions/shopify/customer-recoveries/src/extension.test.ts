import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TARGET } from "./BlockExtension";

const here = dirname(fileURLToPath(import.meta.url));
const toml = readFileSync(join(here, "..", "shopify.extension.toml"), "utf8");
const value = (key: string) => toml.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m"))?.[1];

describe("shopify.extension.toml", () => {
  it("declares the block the module renders", () => {
    expect(value("type")).toBe("ui_extension");
    expect(value("handle")).toBe("customer-recoveries");
    expect(value("name")?.length).toBeGreaterThan(0);
    expect(value("target")).toBe(TARGET);
    expect(existsSync(join(here, "..", value("module")!))).toBe(true);
  });

  it("targets the API version of the installed React extension packages", () => {
    // 2025.7.x ↔ 2025-07: the last version that renders React extensions; a bump needs a rewrite (see the toml).
    const require = createRequire(import.meta.url);
    // Their `exports` hide package.json: read it beside the entry point (index.js at the package root).
    const version = (name: string) => (JSON.parse(readFileSync(join(dirname(require.resolve(name)), "package.json"), "utf8")) as { version: string }).version;
    const [year, month] = version("@shopify/ui-extensions-react").split(".");
    expect(value("api_version")).toBe(`${year}-${month!.padStart(2, "0")}`);
    expect(version("@shopify/ui-extensions")).toBe(version("@shopify/ui-extensions-react"));
  });
});
