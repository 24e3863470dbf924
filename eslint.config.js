import js from "@eslint/js";
import tseslint from "typescript-eslint";

const TESTS = ["**/*.test.ts", "**/*.test.tsx"];

// The boundaries of docs/ARCHITECTURE.md (ADR 0045). ESLint applies one set of options per rule
// and file, so each folder's list is composed from these pieces rather than stacked.
const DOMAIN_IS_INNER = {
  regex: "^~/(http|contracts|routes|components|server|providers|integrations)(/|$)|^~/(shopify|wiring)\\.server$|^(\\.\\./)+(http|contracts|routes|components|server|providers|integrations)/",
  message: "The domain does not depend on HTTP, the contracts, the UI, the platforms or the provider implementations: they depend on it (docs/ARCHITECTURE.md).",
};
const ENGINE_INTERNALS = {
  name: "~/domain/recovery/engine.server",
  importNames: ["lockInvoice", "planNext", "decide", "policyInputFor", "closeErasedRecoveries"],
  message: "Recovery state changes through the engine's commands; its locks and planning are its own (docs/ARCHITECTURE.md).",
};
const restrict = (patterns, paths = []) => ["error", { patterns, paths }];

export default tseslint.config(
  { ignores: ["build/", "generated/", ".data/", "node_modules/", "test-results/", "extensions/stripe-app/build/", ".cache/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["app/bin/**", "bench/**", "tests/**", "jobs/worker.ts", "*.config.ts"],
    rules: { "no-console": "off" },
  },
  {
    files: ["app/**/*.{ts,tsx}", "jobs/**/*.ts"],
    ignores: [...TESTS, "app/domain/**"],
    rules: { "no-restricted-imports": restrict([], [ENGINE_INTERNALS]) },
  },
  {
    files: ["app/domain/**/*.{ts,tsx}"],
    ignores: [...TESTS, "app/domain/recovery/**"],
    rules: { "no-restricted-imports": restrict([DOMAIN_IS_INNER], [ENGINE_INTERNALS]) },
  },
  {
    files: ["app/domain/recovery/**/*.{ts,tsx}"],
    ignores: TESTS,
    rules: { "no-restricted-imports": restrict([DOMAIN_IS_INNER]) },
  },
);
