/**
 * What /docs/api shows, derived from the OpenAPI document (./openapi.server): operations grouped by
 * tag with stable anchors, parameters, request and response bodies as field tables (component
 * `$ref`s resolved, nested inline objects indented, named components linked to their own table),
 * error statuses with their codes, and every named schema's table. Pure: no IO, so the page can
 * render it on the server and hydrate it on the client alike.
 */
type Json = Record<string, unknown>;

/** A type as words: text, with named components as links (`array of ` + Payment). */
export type TypeSegment = { text: string } | { ref: string };

export interface FieldRow {
  name: string;
  /** 0 for the object's own fields, 1 for a nested inline object's fields, … */
  depth: number;
  type: TypeSegment[];
  nullable: boolean;
  required: boolean;
  description: string | null;
  enum: string[] | null;
  default: string | null;
  constraints: string[];
}

export interface ParameterRow extends Omit<FieldRow, "depth" | "nullable"> {
  in: string;
}

export interface BodyDoc {
  /** The named component it is, if any (its table is also in the Schemas section). */
  ref: string | null;
  type: TypeSegment[];
  description: string | null;
  rows: FieldRow[];
  /** The schema exactly as the document has it, for the raw view. */
  raw: string;
  /** The object arrives in LostChurn's `{data, meta}`: `ref`'s fields are `data`'s. */
  envelope?: boolean;
  /** A page of these objects in `data` (with `meta`, and `pagination` or `cursor`). */
  listOf?: string;
}

export interface ErrorRow {
  status: string;
  description: string;
  codes: string[];
}

export interface ReferenceOperation {
  /** The anchor: `get-/api/v1/payments/{id}` (method + path: stable while the operation exists). */
  id: string;
  operationId: string;
  method: string;
  path: string;
  summary: string;
  description: string | null;
  auth: "required" | "optional" | "none";
  scope: string | null;
  parameters: ParameterRow[];
  requestBody: BodyDoc | null;
  status: string;
  response: BodyDoc;
  errors: ErrorRow[];
  /** How the errors arrive: LostChurn's JSON on its paths, problem+json elsewhere. */
  errorMediaType: string;
  curl: string;
}

export interface ReferenceGroup {
  tag: string;
  id: string;
  operations: ReferenceOperation[];
}

export interface ReferenceSchema {
  name: string;
  id: string;
  description: string | null;
  type: TypeSegment[];
  rows: FieldRow[];
  raw: string;
  usedBy: Array<{ href: string; label: string }>;
}

export interface ApiReferenceData {
  groups: ReferenceGroup[];
  schemas: ReferenceSchema[];
}

/** The minimum of an OpenAPI document this module reads. */
export interface ReferenceInput {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, unknown>; parameters?: Record<string, unknown> };
}

/** The scopes that grant `scope`, as hasScope (domain/auth/api-keys.server) decides: itself, its action (`read` for `read:payments`), `admin`. */
export function scopesGranting(scope: string): string[] {
  return [...new Set([scope, scope.split(":")[0]!, "admin"])];
}

export const operationAnchor = (method: string, path: string) => `${method.toLowerCase()}-${path}`;
export const schemaAnchor = (name: string) => `schema-${name}`;
export const tagAnchor = (tag: string) => tag.toLowerCase().replace(/\W+/g, "-");

const SAFE_INT = Number.MAX_SAFE_INTEGER;
// zod puts this on every string that refuses NUL characters: noise for a reader.
const NUL_GUARD = "^[^\\u0000]*$";

const refName = (ref: string) => ref.split("/").pop()!;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

interface Described {
  type: TypeSegment[];
  nullable: boolean;
  description: string | null;
  enum: string[] | null;
  default: string | null;
  constraints: string[];
  /** An inline object (or array of them) whose fields are listed beneath. */
  children: Json | null;
}

function range(min: unknown, max: unknown, unit: string): string | null {
  const lo = typeof min === "number" && min > -SAFE_INT ? min : null;
  const hi = typeof max === "number" && max < SAFE_INT ? max : null;
  if (lo !== null && hi !== null) return lo === hi ? `exactly ${lo}${unit}` : `${lo}–${hi}${unit}`;
  if (lo !== null) return `≥ ${lo}${unit}`;
  if (hi !== null) return `≤ ${hi}${unit}`;
  return null;
}

function constraintsOf(s: Json): string[] {
  const out = [
    range(s.minimum, s.maximum, ""),
    range(s.minLength, s.maxLength, " characters"),
    range(s.minItems, s.maxItems, " items"),
    typeof s.exclusiveMinimum === "number" ? `> ${s.exclusiveMinimum}` : null,
    typeof s.exclusiveMaximum === "number" ? `< ${s.exclusiveMaximum}` : null,
    typeof s.pattern === "string" && s.pattern !== NUL_GUARD && !s.format ? `pattern \`${s.pattern}\`` : null,
  ];
  return out.filter((c): c is string => c !== null);
}

/** One schema in words: its type (component refs kept as links), nullability, enum, default, limits. */
export function describeSchema(schema: unknown): Described {
  const s: Json = isObj(schema) ? schema : {};
  const base: Described = {
    type: [{ text: "any" }],
    nullable: false,
    description: typeof s.description === "string" ? s.description : null,
    enum: null,
    default: s.default !== undefined ? show(s.default) : null,
    constraints: constraintsOf(s),
    children: null,
  };
  if (typeof s.$ref === "string") return { ...base, type: [{ ref: refName(s.$ref) }] };

  const variants = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants) || (Array.isArray(s.allOf) && s.allOf.length === 1)) {
    const list = Array.isArray(variants) ? variants : (s.allOf as unknown[]);
    const nonNull = list.filter((v) => !(isObj(v) && v.type === "null"));
    const nullable = nonNull.length < list.length;
    if (nonNull.length === 1) {
      const inner = describeSchema(nonNull[0]);
      return {
        ...inner,
        nullable: nullable || inner.nullable,
        description: base.description ?? inner.description,
        default: base.default ?? inner.default,
      };
    }
    const type = nonNull.flatMap((v, i) => [...(i ? [{ text: " | " }] : []), ...describeSchema(v).type]);
    return { ...base, type, nullable };
  }

  let types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
  const nullable = types.includes("null") && types.length > 1;
  types = types.filter((t) => !nullable || t !== "null");
  if (s.const !== undefined) return { ...base, type: [{ text: types[0] ?? typeof s.const }], nullable, enum: [show(s.const)] };
  const enumValues = Array.isArray(s.enum) ? s.enum.map(show) : null;

  if (types.length === 1 && types[0] === "array") {
    const items = describeSchema(s.items);
    return {
      ...base,
      type: [{ text: "array of " }, ...items.type],
      nullable,
      enum: items.enum,
      children: items.children,
      constraints: [...base.constraints, ...items.constraints.map((c) => `each ${c}`)],
    };
  }
  if (types.length === 1 && types[0] === "object") {
    if (isObj(s.properties) && Object.keys(s.properties).length) return { ...base, type: [{ text: "object" }], nullable, children: s };
    if (isObj(s.additionalProperties)) return { ...base, type: [{ text: "map of " }, ...describeSchema(s.additionalProperties).type], nullable };
    return { ...base, type: [{ text: "object" }], nullable };
  }
  if (types.length) {
    const words = types.map((t) => (t === "string" && typeof s.format === "string" ? `string (${s.format})` : t));
    return { ...base, type: [{ text: words.join(" | ") }], nullable, enum: enumValues };
  }
  return { ...base, enum: enumValues };
}

/** The object's fields as table rows; inline nested objects follow their field, one level deeper. */
export function fieldRows(object: unknown, depth = 0): FieldRow[] {
  if (!isObj(object) || !isObj(object.properties) || depth > 8) return [];
  const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
  return Object.entries(object.properties).flatMap(([name, schema]) => {
    const { children, ...d } = describeSchema(schema);
    const row: FieldRow = { name, depth, required: required.has(name), ...d };
    return [row, ...fieldRows(children, depth + 1)];
  });
}

function bodyDoc(schema: unknown, components: Record<string, unknown>): BodyDoc {
  // LostChurn's envelope around one object (ADR 0067): the object's own fields are what a reader wants.
  const props = isObj(schema) && isObj(schema.properties) ? schema.properties : null;
  if (props && isObj(props.data) && typeof props.data.$ref === "string" && props.meta) {
    return { ...bodyDoc(props.data, components), envelope: true, raw: JSON.stringify(schema, null, 2) };
  }
  const doc = plainBodyDoc(schema, components);
  const items = props && isObj(props.data) && props.data.type === "array" ? props.data.items : null;
  // A page: the page's own sentence replaces the schema's description.
  return isObj(items) && typeof items.$ref === "string" ? { ...doc, listOf: refName(items.$ref), description: null } : doc;
}

function plainBodyDoc(schema: unknown, components: Record<string, unknown>): BodyDoc {
  const ref = isObj(schema) && typeof schema.$ref === "string" ? refName(schema.$ref) : null;
  const resolved = ref ? components[ref] : schema;
  const d = describeSchema(resolved);
  return {
    ref,
    type: ref ? [{ ref }] : d.type,
    description: d.description,
    rows: fieldRows(d.children ?? resolved),
    raw: JSON.stringify(schema, null, 2),
  };
}

/** Names of the components a schema mentions anywhere inside it. */
function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (isObj(node))
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")) out.add(refName(v));
      else refsIn(v, out);
    }
  return out;
}

/** The scope sentence openapi.server appends: the page shows the scope beside the path instead. */
function withoutAuthSentence(description: string | undefined, scope: string | null): string | null {
  if (!description) return null;
  const drop = new Set([scope ? `Requires the \`${scope}\` scope.` : "", "No key required."]);
  const kept = description.split("\n\n").filter((p) => !drop.has(p.trim()));
  return kept.length ? kept.join("\n\n") : null;
}

export function buildApiReference(doc: ReferenceInput): ApiReferenceData {
  const components = doc.components.schemas;
  const sharedParameters = doc.components.parameters ?? {};
  const groups = new Map<string, ReferenceOperation[]>();
  const usedBy = new Map<string, Array<{ href: string; label: string }>>();
  const use = (name: string, href: string, label: string) => {
    const list = usedBy.get(name) ?? [];
    if (!list.some((u) => u.href === href)) list.push({ href, label });
    usedBy.set(name, list);
  };

  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops as Record<string, Json>)) {
      const op = raw as Json & { responses: Record<string, Json>; tags?: string[] };
      const id = operationAnchor(method, path);
      const scope = (op["x-required-scope"] as string | undefined) ?? null;
      const security = (op.security as Json[] | undefined) ?? [];
      const auth = security.length === 0 ? "none" : security.some((s) => Object.keys(s).length === 0) ? "optional" : "required";

      const parameters: ParameterRow[] = ((op.parameters as Json[] | undefined) ?? []).flatMap((p) => {
        const param = typeof p.$ref === "string" ? (sharedParameters[refName(p.$ref)] as Json | undefined) : p;
        if (!param || typeof param.name !== "string") return [];
        const { children: _children, nullable: _nullable, ...d } = describeSchema(param.schema);
        return [
          {
            ...d,
            name: param.name,
            in: String(param.in),
            required: param.required === true,
            description: typeof param.description === "string" ? param.description : d.description,
          },
        ];
      });

      const [status, success] = Object.entries(op.responses).find(([s]) => s.startsWith("2"))!;
      const errorResponses = Object.entries(op.responses).filter(([s]) => !s.startsWith("2"));
      const successSchema = (success.content as Record<string, { schema: unknown }> | undefined)?.["application/json"]?.schema ?? {};
      const bodySchema = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content["application/json"]?.schema;
      for (const name of refsIn([successSchema, bodySchema ?? null])) use(name, `#${id}`, `${method.toUpperCase()} ${path}`);

      const entry: ReferenceOperation = {
        id,
        operationId: String(op.operationId ?? id),
        method: method.toUpperCase(),
        path,
        summary: String(op.summary ?? ""),
        description: withoutAuthSentence(op.description as string | undefined, scope),
        auth,
        scope,
        parameters,
        requestBody: bodySchema ? bodyDoc(bodySchema, components) : null,
        status,
        response: bodyDoc(successSchema, components),
        errorMediaType: errorResponses.map(([, r]) => Object.keys((r.content as Record<string, unknown> | undefined) ?? {})[0]).find(Boolean) ?? "application/json",
        errors: errorResponses.map(([s, r]) => ({ status: s, description: String(r.description ?? ""), codes: (r["x-error-codes"] as string[] | undefined) ?? [] })),
        curl: (op["x-codeSamples"] as Array<{ source: string }> | undefined)?.[0]?.source ?? "",
      };
      const tag = op.tags?.[0] ?? "Other";
      groups.set(tag, [...(groups.get(tag) ?? []), entry]);
    }
  }

  for (const [name, schema] of Object.entries(components)) {
    for (const inner of refsIn(schema)) if (inner !== name) use(inner, `#${schemaAnchor(name)}`, name);
  }

  const schemas = Object.entries(components)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]): ReferenceSchema => {
      const d = describeSchema(schema);
      return {
        name,
        id: schemaAnchor(name),
        description: d.description,
        type: d.type,
        rows: fieldRows(d.children ?? schema),
        raw: JSON.stringify(schema, null, 2),
        usedBy: usedBy.get(name) ?? [],
      };
    });

  return {
    groups: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tag, operations]) => ({ tag, id: tagAnchor(tag), operations })),
    schemas,
  };
}

/** Inline Markdown, the little the document uses: `code` and [text](url). Everything else is text. */
export type InlineToken = { kind: "text"; text: string } | { kind: "code"; text: string } | { kind: "link"; text: string; href: string };

// Only links a reader can safely follow: http(s), this site's paths and anchors (no javascript:, data:, …).
const SAFE_HREF = /^(https?:\/\/|\/(?!\/)|#)/i;

export function inlineTokens(text: string): InlineToken[] {
  const tokens: InlineToken[] = [];
  const push = (token: InlineToken) => {
    const last = tokens.at(-1);
    if (token.kind === "text" && last?.kind === "text") last.text += token.text;
    else if (token.text) tokens.push(token);
  };
  const pattern = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    push({ kind: "text", text: text.slice(at, match.index) });
    if (match[1] !== undefined) push({ kind: "code", text: match[1] });
    else if (SAFE_HREF.test(match[3]!)) push({ kind: "link", text: match[2]!, href: match[3]! });
    else push({ kind: "text", text: match[0] });
    at = match.index + match[0].length;
  }
  push({ kind: "text", text: text.slice(at) });
  return tokens;
}
