// madge ships no types; this covers the part of its API the architecture tests use
// (node_modules/madge/README.md, "API").
declare module "madge" {
  interface MadgeResult {
    /** Each file and the files it imports, relative to baseDir. */
    obj(): Record<string, string[]>;
    /** The import cycles, each as the files around it (what `madge --circular` prints). */
    circular(): string[][];
  }
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    tsConfig?: string;
    excludeRegExp?: RegExp[];
    detectiveOptions?: Record<string, Record<string, unknown>>;
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
}
