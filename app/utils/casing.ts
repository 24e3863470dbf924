/** The wire is snake_case; handlers speak camelCase. `Camelize<Wire>` is what a handler returns. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export type Camelize<T> = T extends string
  ? string extends T
    ? string | Date
    : T
  : T extends Date
    ? T
    : T extends ReadonlyArray<infer U>
      ? Array<Camelize<U>>
      : T extends object
        ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelize<T[K]> }
        : T;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Deep: object keys to snake_case, Dates to ISO strings. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), toWire(v)]));
  }
  return value;
}
