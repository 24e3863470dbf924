import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;

/** OpenAPI 3.0 schemas → JSON Schema: `nullable: true` becomes "or null"; refs stay inside the document. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchema(v)]));
  if (nullable !== true) return converted;
  // `nullable` admits null whatever the rest says (allOf included), as OpenAPI 3.0 means it.
  return { anyOf: [{ type: "null" }, converted] };
}

/** Validates responses against an OpenAPI document's declared response schemas. */
export function loadContract(file: string) {
  const doc = JSON.parse(readFileSync(file, "utf8")) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: "contract", components: toJsonSchema((doc as { components: Json }).components) });
  const cache = new Map<string, ValidateFunction>();

  function responseSchema(path: string, method: string, status: number): { ref: unknown; mediaType: string } {
    const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    if (!op) throw new Error(`the contract has no ${method} ${path}`);
    const responses = op.responses as Json;
    let response = (responses[String(status)] ?? responses.default) as Json | undefined;
    if (!response) throw new Error(`the contract declares no ${status} for ${method} ${path}`);
    if (typeof response.$ref === "string") {
      const name = response.$ref.split("/").pop()!;
      response = ((doc.components as Json).responses as Json)[name] as Json;
    }
    const content = response.content as Json;
    const mediaType = Object.keys(content)[0]!;
    return { ref: toJsonSchema((content[mediaType] as Json).schema), mediaType };
  }

  return {
    /** Throws with the validation errors when `body` does not match the declared response. */
    assertResponse(path: string, method: string, status: number, body: unknown, contentType: string | null) {
      const { ref, mediaType } = responseSchema(path, method, status);
      if (!contentType?.startsWith(mediaType)) throw new Error(`${method} ${path} ${status}: content-type ${contentType}, contract says ${mediaType}`);
      const key = `${method} ${path} ${status}`;
      let validate = cache.get(key);
      if (!validate) {
        const schema = JSON.parse(JSON.stringify(ref).replaceAll('"#/components/', '"contract#/components/'));
        validate = ajv.compile(schema);
        cache.set(key, validate);
      }
      if (!validate(body)) throw new Error(`${key} does not match the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
    },
    operations(): Array<{ path: string; method: string }> {
      return Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((method) => ({ path, method: method.toUpperCase() })));
    },
  };
}
