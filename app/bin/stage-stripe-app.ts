// `npm run stripe-app:stage [-- --url https://your.host] [--out dir]`: lays the Stripe App out as
// the Stripe CLI expects it (stripe-app.json, its icon, package.json and src/views/ in one
// directory) so that `stripe apps start` / `stripe apps upload` run there. Our manifest lives at
// the repository root and the views in extensions/stripe-app/ (the design card's layout); this
// copies both into `.stripe-app/` (git-ignored) with the backend host set in the two places the
// Dashboard checks against each other: connect-src in the manifest and BACKEND_URL in the views.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const PLACEHOLDER = "https://recoup.example.com";

interface Manifest {
  icon: string;
  allowed_redirect_uris?: string[];
  ui_extension: { views: Array<{ viewport: string; component: string }>; content_security_policy: { "connect-src": string[] } };
  [key: string]: unknown;
}

export interface StageResult {
  outDir: string;
  appUrl: string;
  views: string[];
}

function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL. Pass the public address of your Recoup server, e.g. --url https://recoup.yourcompany.com`);
  }
  if (url.protocol !== "https:" && url.hostname !== "localhost") {
    throw new Error(`The Stripe Dashboard only calls https backends: ${raw} will be refused (localhost excepted, for \`stripe apps start\`).`);
  }
  return url.origin;
}

/** Writes the CLI's layout into `outDir` (replacing what an earlier run left there). */
export function stageStripeApp(input: { root: string; outDir: string; appUrl: string }): StageResult {
  const appUrl = normaliseUrl(input.appUrl);
  const source = path.join(input.root, "extensions/stripe-app");
  const manifest = JSON.parse(readFileSync(path.join(input.root, "stripe-app.json"), "utf8")) as Manifest;
  const rootPackage = JSON.parse(readFileSync(path.join(input.root, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

  rmSync(input.outDir, { recursive: true, force: true });
  mkdirSync(input.outDir, { recursive: true });

  // The views without their tests (the CLI bundles everything under src/).
  cpSync(path.join(source, "src"), path.join(input.outDir, "src"), {
    recursive: true,
    filter: (file) => !/\.test\.tsx?$/.test(file),
  });
  const configFile = path.join(input.outDir, "src/config.ts");
  writeFileSync(configFile, readFileSync(configFile, "utf8").replaceAll(PLACEHOLDER, appUrl));

  const icon = path.basename(manifest.icon);
  cpSync(path.join(input.root, manifest.icon), path.join(input.outDir, icon));
  const staged: Manifest = {
    ...manifest,
    icon: `./${icon}`,
    allowed_redirect_uris: manifest.allowed_redirect_uris?.map((uri) => uri.replaceAll(PLACEHOLDER, appUrl)),
    ui_extension: {
      ...manifest.ui_extension,
      content_security_policy: {
        ...manifest.ui_extension.content_security_policy,
        "connect-src": manifest.ui_extension.content_security_policy["connect-src"].map((src) => src.replaceAll(PLACEHOLDER, appUrl)),
      },
    },
  };
  writeFileSync(path.join(input.outDir, "stripe-app.json"), `${JSON.stringify(staged, null, 2)}\n`);

  // The versions the views are built and tested with here.
  const version = (name: string) => rootPackage.dependencies?.[name] ?? rootPackage.devDependencies?.[name];
  const pkg = {
    name: "recoup-stripe-app",
    private: true,
    version: String(manifest.version ?? "0.0.0"),
    dependencies: Object.fromEntries(["@stripe/ui-extension-sdk", "react"].map((name) => [name, version(name)])),
    devDependencies: Object.fromEntries(["@types/react", "typescript"].map((name) => [name, version(name)]).filter(([, v]) => v)),
  };
  writeFileSync(path.join(input.outDir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const tsconfig = readFileSync(path.join(source, "tsconfig.json"), "utf8").replace(/"include": \[[^\]]*\]/, '"include": ["src/**/*.ts", "src/**/*.tsx"]');
  writeFileSync(path.join(input.outDir, "tsconfig.json"), tsconfig);
  // The root's installed packages, so that no second `npm install` is needed.
  const modules = path.join(input.root, "node_modules");
  if (existsSync(modules)) symlinkSync(modules, path.join(input.outDir, "node_modules"), "dir");

  return { outDir: input.outDir, appUrl, views: staged.ui_extension.views.map((v) => `src/views/${v.component}.tsx`) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { url: { type: "string" }, out: { type: "string" } } });
  const root = process.cwd();
  await import("../utils/env-file.server"); // reads .env, as the server and the CLI do
  const { appUrlFrom } = await import("../utils/env.server");
  try {
    const result = stageStripeApp({
      root,
      outDir: path.resolve(values.out ?? ".stripe-app"),
      appUrl: values.url ?? appUrlFrom(),
    });
    console.log(`Staged the Stripe App in ${path.relative(root, result.outDir) || "."} for ${result.appUrl}.`);
    console.log(`Next: cd ${path.relative(root, result.outDir)} && stripe apps start   (or: stripe apps upload)`);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
