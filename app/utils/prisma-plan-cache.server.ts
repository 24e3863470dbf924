// A query-plan cache for Prisma 6.19's query compiler (ADR 0063).
//
// With `engineType = "client"` Prisma compiles every query into a plan in wasm on the JavaScript
// thread, again for each call: about half of the worker's CPU per failed payment (ADR 0062). Prisma
// 7.4 caches plans by the query's shape; Prisma 7 cannot migrate offline here (ADR 0001), so this
// does the same for 6.19, narrowly: the values the schema says are plain data (scalar fields in
// `where` and `data`) are replaced by named placeholders (`{"$type":"Param"}`, which 6.19's compiler
// understands), the placeholder query is compiled once per shape, and each later query of that shape
// gets the cached plan with its own values written where the placeholders are, which is where the
// compiler writes literal values. Anything this file does not recognise is compiled as before.
//
// Installed through PrismaClient's `__internal.configOverride` (the wasm module's QueryCompiler is
// replaced by a subclass); Prisma is pinned exactly (package.json), and the tests fail if the cache
// stops being used or a cached plan stops matching the compiler's own.

/** Shapes kept; the oldest is dropped first. The app has a few hundred query shapes. */
const MAX_PLANS = 2000;

/**
 * Scalar types whose values become placeholders. Enums, booleans and null stay literal (few values,
 * and they change the SQL). Float, Json, BigInt, Bytes and Decimal are not cached (the compiler
 * writes a literal Float as decimal text: the check below would not hold).
 */
const PARAM_TYPES = new Set(["String", "Int", "DateTime"]);
/** Actions whose arguments this file knows. */
const CACHED_ACTIONS = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "createOne",
  "createMany",
  "createManyAndReturn",
  "updateOne",
  "updateMany",
  "updateManyAndReturn",
  "deleteOne",
  "deleteMany",
  "upsertOne",
  "aggregate",
]);
/** Placeholder names of ours; the compiler names its own (`0$id`: a value a step of the plan produces), which stay. */
const NAME_PREFIX = "%recoup";
const FILTER_OPERATORS = new Set(["equals", "not", "gt", "gte", "lt", "lte"]);
const UPDATE_OPERATORS = new Set(["set", "increment", "decrement", "multiply", "divide"]);

interface Field {
  kind: string;
  type: string;
}
type Model = Map<string, Field>;
export type DataModel = Map<string, Model>;

interface RuntimeDataModel {
  models: Record<string, { fields: Array<{ name: string; kind: string; type: string }> }>;
}

export function dataModelOf(runtime: RuntimeDataModel): DataModel {
  return new Map(Object.entries(runtime.models).map(([name, model]) => [name, new Map(model.fields.map((f) => [f.name, { kind: f.kind, type: f.type }]))]));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

class NotCacheable extends Error {}
const refuse = (): never => {
  throw new NotCacheable();
};

/** A query with its plain values taken out: `shape` holds placeholders, `values` the values by placeholder name. */
export interface Parameterized {
  shape: JsonObject;
  values: Map<string, unknown>;
  /** A raw query: the compiler cannot take placeholders, the plan of its first query is made one (rawPlanShape). */
  raw?: true;
}

class Parameterizer {
  readonly values = new Map<string, unknown>();
  /** The same value of the same type gets the same placeholder (upsert's where and create then match, as the compiler wants for ON CONFLICT). */
  private readonly names = new Map<string, string>();

  constructor(private readonly models: DataModel) {}

  model(name: string): Model {
    return this.models.get(name) ?? refuse();
  }

  /** A placeholder for `value`, which must be plain data of `field`'s type (else the query is not cached). */
  private param(value: Json, field: Field): Json {
    let plain: unknown;
    if (field.type === "String" && typeof value === "string") plain = value;
    else if (field.type === "Int" && Number.isSafeInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1) plain = value;
    // A Date travels tagged; the compiler writes its ISO text into the plan.
    else if (field.type === "DateTime" && isObject(value) && value.$type === "DateTime" && typeof value.value === "string") plain = value.value;
    else return refuse();
    const id = `${field.type}:${String(plain)}`;
    let name = this.names.get(id);
    if (!name) {
      name = `${NAME_PREFIX}${this.names.size}`;
      this.names.set(id, name);
      this.values.set(name, plain);
    }
    return { $type: "Param", value: name };
  }

  /** A value for a field in a filter or in data: placeholders for plain data, literals for the few values that shape the SQL. */
  private scalar(value: Json, field: Field): Json {
    if (value === null) return null;
    if (field.kind === "enum") return typeof value === "string" ? value : refuse();
    if (field.kind !== "scalar") return refuse();
    if (field.type === "Boolean") return typeof value === "boolean" ? value : refuse();
    if (!PARAM_TYPES.has(field.type)) return refuse();
    if (isObject(value) && value.$type === "FieldRef") return value;
    return this.param(value, field);
  }

  /** An enum's `in` list is part of the shape (few values); another list's items are placeholders (its length is part of the shape). */
  private list(value: Json, field: Field): Json {
    if (!Array.isArray(value)) return refuse();
    if (field.kind === "enum") return value.every((v) => typeof v === "string") ? value : refuse();
    return value.map((v) => (v === null ? refuse() : this.scalar(v, field)));
  }

  private filter(value: Json, field: Field): Json {
    if (!isObject(value) || value.$type !== undefined) return this.scalar(value, field);
    const out: JsonObject = {};
    for (const [op, v] of Object.entries(value)) {
      if (op === "not" && isObject(v) && v.$type === undefined) out[op] = this.filter(v, field);
      else if (FILTER_OPERATORS.has(op)) out[op] = this.scalar(v, field);
      else if (op === "in" || op === "notIn") out[op] = this.list(v, field);
      // `mode: "insensitive"` makes the compiler write the value into the plan's text: not cached.
      else refuse();
    }
    return out;
  }

  where(value: Json, model: Model): Json {
    if (Array.isArray(value)) return value.map((v) => this.where(v, model));
    if (!isObject(value)) return refuse();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const field = model.get(key);
      if (key === "AND" || key === "OR" || key === "NOT") out[key] = this.where(v, model);
      else if (!field) out[key] = this.compoundKey(v, model);
      else if (field.kind === "object") out[key] = this.relationFilter(v, this.model(field.type));
      else out[key] = this.filter(v, field);
    }
    return out;
  }

  /** `workspaceId_externalId: { workspaceId, externalId }`: a compound unique key's fields. */
  private compoundKey(value: Json, model: Model): Json {
    if (!isObject(value)) return refuse();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const field = model.get(key) ?? refuse();
      out[key] = this.scalar(v, field);
    }
    return out;
  }

  private relationFilter(value: Json, related: Model): Json {
    if (value === null) return null;
    if (!isObject(value)) return refuse();
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => ["is", "isNot", "some", "every", "none"].includes(k))) {
      const out: JsonObject = {};
      for (const k of keys) out[k] = value[k] === null ? null : this.where(value[k]!, related);
      return out;
    }
    return this.where(value, related);
  }

  /** A row's scalar fields to write; nested writes and Json are not cached. */
  data(value: Json, model: Model): Json {
    if (Array.isArray(value)) return value.map((row) => this.data(row, model));
    if (!isObject(value)) return refuse();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const field = model.get(key) ?? refuse();
      if (isObject(v) && v.$type === undefined) {
        const ops: JsonObject = {};
        for (const [op, inner] of Object.entries(v)) ops[op] = UPDATE_OPERATORS.has(op) ? this.scalar(inner, field) : refuse();
        out[key] = ops;
      } else {
        out[key] = this.scalar(v, field);
      }
    }
    return out;
  }

  /** `arguments` of the query or of a relation in its selection. */
  arguments(args: Json, model: Model): JsonObject {
    if (!isObject(args)) return refuse();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(args)) {
      switch (key) {
        case "where":
        case "cursor":
          out[key] = this.where(v, model);
          break;
        case "data":
        case "create":
        case "update":
          out[key] = this.data(v, model);
          break;
        case "take":
        case "skip":
          out[key] = Number.isSafeInteger(v) ? v : refuse();
          break;
        case "orderBy":
        case "distinct":
          out[key] = structural(v);
          break;
        case "skipDuplicates":
          out[key] = typeof v === "boolean" ? v : refuse();
          break;
        default:
          refuse();
      }
    }
    return out;
  }

  /** The selection: booleans, and relations (or `_count`, `_sum`…) with arguments of their own. */
  selection(selection: Json, model: Model): JsonObject {
    if (!isObject(selection)) return refuse();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(selection)) {
      if (typeof v === "boolean") {
        out[key] = v;
        continue;
      }
      if (!isObject(v)) return refuse();
      const field = model.get(key);
      // `_count: { selection: { messages: true } }` names relations of this model; `_sum` and friends its scalars.
      const inner = field?.kind === "object" ? this.model(field.type) : field ? refuse() : model;
      const sub: JsonObject = {};
      for (const [part, value] of Object.entries(v)) {
        if (part === "arguments") sub[part] = field ? this.arguments(value, inner) : isObject(value) && Object.keys(value).length === 0 ? value : refuse();
        else if (part === "selection") sub[part] = this.selection(value, inner);
        else refuse();
      }
      out[key] = sub;
    }
    return out;
  }
}

/** orderBy and distinct: field names and directions only. */
function structural(value: Json): Json {
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  if (Array.isArray(value)) return value.map(structural);
  if (isObject(value) && value.$type === undefined) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structural(v)]));
  return refuse();
}

/**
 * `$queryRaw` and `$executeRaw` (pg-boss's insert in our transactions, advisory locks): the SQL
 * text and each parameter's kind are the shape. Only strings, 32-bit integers, booleans, null,
 * dates and JSON objects (the parameter types the compiler derives from the value) are taken;
 * anything else is compiled as before.
 */
function parameterizeRaw(query: JsonObject): Parameterized | null {
  const args = isObject(query.query) && isObject(query.query.arguments) ? query.query.arguments : null;
  if (!args || typeof args.query !== "string" || typeof args.parameters !== "string" || Object.keys(args).length !== 2) return null;
  const parameters = JSON.parse(args.parameters) as Json;
  if (!Array.isArray(parameters)) return null;
  const kinds: string[] = [];
  const values = new Map<string, unknown>();
  for (const [i, value] of parameters.entries()) {
    let kind: string;
    let plain: unknown = value;
    if (typeof value === "string") kind = "s";
    else if (typeof value === "boolean") kind = "b";
    else if (value === null) kind = "n";
    else if (Number.isSafeInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1) kind = "i";
    else if (isObject(value) && value.prisma__type === "date" && typeof value.prisma__value === "string") [kind, plain] = ["d", value.prisma__value];
    // A JSON object (pg-boss's job data): the compiler binds its text.
    else if (isObject(value) && value.prisma__type === undefined) [kind, plain] = ["o", JSON.stringify(value)];
    else return null;
    kinds.push(kind);
    values.set(`${NAME_PREFIX}${i}`, plain);
  }
  return { shape: { action: query.action!, raw: args.query, kinds: kinds.join("") }, values, raw: true };
}

/** A raw query's plan with its arguments as our placeholders, or null when it is not the plain rawSql plan expected. */
function rawPlanShape(plan: unknown, count: number): unknown {
  const p = plan as { type?: unknown; args?: { type?: unknown; args?: unknown } };
  if ((p?.type !== "query" && p?.type !== "execute") || p.args?.type !== "rawSql" || !Array.isArray(p.args.args) || p.args.args.length !== count) return null;
  const args = Array.from({ length: count }, (_, i) => ({ prisma__type: "param", prisma__value: { name: `${NAME_PREFIX}${i}`, type: "Any" } }));
  return { ...p, args: { ...p.args, args } };
}

/** The query with its plain values as placeholders, or null when its shape is not one this cache keeps. */
export function parameterize(request: object, models: DataModel): Parameterized | null {
  const query = request as JsonObject;
  if ((query.action === "queryRaw" || query.action === "executeRaw") && query.modelName === undefined) return parameterizeRaw(query);
  try {
    const { modelName, action, query: body } = query;
    if (typeof modelName !== "string" || typeof action !== "string" || !CACHED_ACTIONS.has(action) || !isObject(body)) return null;
    const p = new Parameterizer(models);
    const model = p.model(modelName);
    const shapeBody: JsonObject = {};
    for (const [key, v] of Object.entries(body)) {
      if (key === "arguments") shapeBody[key] = p.arguments(v, model);
      else if (key === "selection") shapeBody[key] = p.selection(v, model);
      else refuse();
    }
    return { shape: { modelName, action, query: shapeBody }, values: p.values };
  } catch (error) {
    if (error instanceof NotCacheable) return null;
    throw error;
  }
}

/** A placeholder in a compiled plan. */
function placeholderName(node: unknown): string | null {
  if (typeof node !== "object" || node === null) return null;
  const n = node as { prisma__type?: unknown; prisma__value?: { name?: unknown } };
  return n.prisma__type === "param" && typeof n.prisma__value?.name === "string" ? n.prisma__value.name : null;
}

/** A cached plan, with the nodes that hold one of our placeholders (the only ones a query's copy rebuilds). */
interface CachedPlan {
  plan: unknown;
  holders: WeakSet<object>;
}

export function cachedPlan(plan: unknown): CachedPlan {
  const holders = new WeakSet<object>();
  const walk = (node: unknown): boolean => {
    if (typeof node !== "object" || node === null) return false;
    const name = placeholderName(node);
    if (name !== null) return name.startsWith(NAME_PREFIX);
    let holds = false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) holds = walk(child) || holds;
    if (holds) holders.add(node);
    return holds;
  };
  walk(plan);
  return { plan, holders };
}

/**
 * The cached plan with each of our placeholders replaced by its value: the path to each is copied,
 * the rest (SQL text, result structure) is shared with the cached plan, which the executor only
 * reads (the tests' check would see a plan changed by a run: the next copy would differ).
 */
export function instantiate({ plan, holders }: CachedPlan, values: Map<string, unknown>): unknown {
  const copy = (node: unknown): unknown => {
    if (typeof node !== "object" || node === null) return node;
    const name = placeholderName(node);
    if (name !== null && name.startsWith(NAME_PREFIX)) {
      if (!values.has(name)) throw new Error(`plan cache: no value for ${name}`);
      return values.get(name);
    }
    if (!holders.has(node)) return node;
    if (Array.isArray(node)) return node.map(copy);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(node)) out[key] = copy((node as Record<string, unknown>)[key]);
    return out;
  };
  return copy(plan);
}

export interface PlanCacheStats {
  /** Plans served from the cache, compiled for a new shape, and queries compiled as before (a shape this cache does not keep). */
  hits: number;
  misses: number;
  uncached: number;
}

export const planCacheStats: PlanCacheStats = { hits: 0, misses: 0, uncached: 0 };

/** The line a process prints at exit (app/bin/start.ts), and reads back from it (the drain bench). */
export function planCacheSummary(stats: PlanCacheStats = planCacheStats): string {
  return `Query plans: ${stats.hits} from the cache, ${stats.misses} compiled for a new shape, ${stats.uncached} compiled outside the cache`;
}

export function parsePlanCacheSummary(output: string): PlanCacheStats | null {
  const m = /Query plans: (\d+) from the cache, (\d+) compiled for a new shape, (\d+) compiled outside the cache/.exec(output);
  return m ? { hits: Number(m[1]), misses: Number(m[2]), uncached: Number(m[3]) } : null;
}

interface Compiler {
  compile(request: string): unknown;
}

/**
 * Compares a cached plan, given its values, with the compiler's plan for the literal query:
 * the same tree, the same SQL, the same values (compared as text: the compiler writes an
 * increment's 1 as "1" for a BIGINT parameter, a placeholder as an Int). Returns the first
 * difference's path, or null.
 */
export function planDifference(cached: unknown, literal: unknown, path = "plan"): string | null {
  if (typeof cached !== "object" || cached === null || typeof literal !== "object" || literal === null) {
    if (cached === literal || (cached !== null && literal !== null && String(cached) === String(literal))) return null;
    return `${path}: ${JSON.stringify(cached)} ≠ ${JSON.stringify(literal)}`;
  }
  if (Array.isArray(cached) !== Array.isArray(literal)) return `${path}: array ≠ object`;
  const keys = new Set([...Object.keys(cached), ...Object.keys(literal)]);
  for (const key of keys) {
    // Parameter types follow the placeholder (Int) or the literal (BigInt for an increment): both bind the same text.
    if (key === "argTypes") continue;
    const d = planDifference((cached as Record<string, unknown>)[key], (literal as Record<string, unknown>)[key], `${path}.${key}`);
    if (d) return d;
  }
  return null;
}

/** A shape whose placeholder plan is not the compiler's plan for its literal query: compiled as before. */
const LITERAL_ONLY = Symbol("literal only");

/**
 * The compile step with a cache in front. A new shape is compiled twice, with placeholders and as
 * the literal query, and kept only if the two plans agree (an upsert the compiler would run as one
 * INSERT … ON CONFLICT stays one); otherwise its queries are compiled as before. `check` compares
 * every cached plan with the compiler's, not only the first, and throws on a difference (the tests
 * run with it).
 */
export function cachingCompile(compiler: Compiler, models: DataModel, check: boolean) {
  const plans = new Map<string, CachedPlan | typeof LITERAL_ONLY>();
  const remember = (key: string, plan: CachedPlan | typeof LITERAL_ONLY) => {
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  };
  return (request: string): unknown => {
    const parameterized = parameterize(JSON.parse(request) as object, models);
    const key = parameterized && JSON.stringify(parameterized.shape);
    const cached = key === null ? undefined : plans.get(key);
    if (parameterized === null || key === null || cached === LITERAL_ONLY) {
      planCacheStats.uncached += 1;
      return compiler.compile(request);
    }
    if (cached !== undefined) {
      planCacheStats.hits += 1;
      const instance = instantiate(cached, parameterized.values);
      if (check) {
        const difference = planDifference(instance, compiler.compile(request));
        if (difference) throw new Error(`plan cache: the cached plan differs from the compiler's for ${request}\n${difference}`);
      }
      return instance;
    }
    // A new shape. The literal query is compiled first: its errors are the caller's own.
    const literal = compiler.compile(request);
    let shaped: unknown;
    try {
      shaped = parameterized.raw ? rawPlanShape(literal, parameterized.values.size) : compiler.compile(key);
    } catch {
      // A placeholder where the compiler wants a literal.
      shaped = null;
    }
    const shape = shaped === null ? null : cachedPlan(shaped);
    const agrees = shape !== null && planDifference(instantiate(shape, parameterized.values), literal) === null;
    remember(key, agrees ? shape : LITERAL_ONLY);
    planCacheStats[agrees ? "misses" : "uncached"] += 1;
    return literal;
  };
}

interface PrismaConfig {
  runtimeDataModel: RuntimeDataModel;
  compilerWasm?: { getRuntime(): Promise<Record<string, unknown>>; getQueryCompilerWasmModule(): Promise<unknown> };
}

/**
 * PrismaClient's `__internal.configOverride`: the generated client's configuration with a query
 * compiler that caches plans. `check`: see cachingCompile.
 */
export function withPlanCache(check: boolean) {
  return <C>(config: C): C => {
    const c = config as unknown as PrismaConfig;
    const wasm = c.compilerWasm;
    if (!wasm) return config;
    const models = dataModelOf(c.runtimeDataModel);
    return {
      ...config,
      compilerWasm: {
        ...wasm,
        getRuntime: async () => {
          const runtime = await wasm.getRuntime();
          const Base = runtime.QueryCompiler as new (params: unknown) => Compiler;
          class CachingQueryCompiler extends Base {
            private readonly cached = cachingCompile({ compile: (request) => super.compile(request) }, models, check);
            override compile(request: string): unknown {
              return this.cached(request);
            }
          }
          // The wasm instance imports its glue from this object: every export stays, one is replaced.
          return Object.assign(Object.create(null) as Record<string, unknown>, runtime, { QueryCompiler: CachingQueryCompiler });
        },
      },
    };
  };
}
