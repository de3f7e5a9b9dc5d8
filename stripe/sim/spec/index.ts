// Stripe's request checks, read from stripe-api.json (stripe-node's types): unknown parameters, malformed values and
// expand paths are refused with Stripe's 400s before a handler runs, so nothing Stripe would reject passes here.
import { readFileSync } from "node:fs";
import { StripeApiError, invalidRequest } from "../errors.js";
import type { ParamSchema, RuntimeSpec } from "./types.js";

export type { ParamSchema, RuntimeSpec, StripeApiSpec } from "./types.js";

let loaded: RuntimeSpec | null = null;
/** The table, read once (282 KB of JSON; the simulator starts in every test). */
export function stripeApiSpec(): RuntimeSpec {
  loaded ??= JSON.parse(readFileSync(new URL("./stripe-api.json", import.meta.url), "utf8")) as RuntimeSpec;
  return loaded;
}

/** Route paths compared by shape: `/v1/customers/:id` and `/v1/customers/:customer` are one endpoint. */
export const routeShape = (method: string, path: string) => `${method} ${path.replace(/:\w+/g, ":")}`;

const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
/** stripe-node types every number as `number`; Stripe's OpenAPI says integer except for these (percentages, decimals). */
const takesDecimal = (name: string) => /percent|_decimal$|^quantity_decimal|tax_rate/.test(name);

const encoded = (path: string[]) => path.map((p, i) => (i === 0 ? p : `[${p}]`)).join("");
const oneOf = (values: string[]) => (values.length <= 1 ? values.join("") : `${values.slice(0, -1).join(", ")}, or ${values[values.length - 1]}`);

function emptyString(name: string): StripeApiError {
  return invalidRequest(
    `You passed an empty string for '${name}'. We assume empty values are an attempt to unset a parameter; however '${name}' cannot be unset. You should remove '${name}' from your request or supply a non-empty value.`,
    name,
    "parameter_invalid_empty",
  );
}

/** Checks one value against its schema; `path` names it as Stripe's form encoding does (`items[0][price]`). */
function check(value: unknown, schema: ParamSchema, path: string[]): void {
  if (schema.any) return;
  const name = encoded(path);
  const leaf = path[path.length - 1]!;
  if (typeof value === "string") {
    if (value === "") {
      if (schema.emptyable || schema.string) return;
      throw emptyString(name);
    }
    if (schema.string) return;
    if (schema.enum?.includes(value)) return;
    if (schema.number && (INTEGER.test(value) || (takesDecimal(leaf) && DECIMAL.test(value)))) return;
    if (schema.boolean && (value === "true" || value === "false")) return;
    if (schema.enum) throw invalidRequest(`Invalid ${name}: must be one of ${oneOf(schema.enum)}`, name);
    if (schema.number) {
      if (takesDecimal(leaf)) throw invalidRequest(`Invalid decimal: ${value}`, name);
      throw invalidRequest(`Invalid integer: ${value}`, name, "parameter_invalid_integer");
    }
    if (schema.boolean) throw invalidRequest(`Invalid boolean: ${value}`, name);
    if (schema.array) throw invalidRequest("Invalid array", name);
    if (schema.object || schema.map) throw invalidRequest("Invalid object", name);
    return;
  }
  if (Array.isArray(value)) {
    if (!schema.array) {
      // Indexed keys under a hash param (`evidence[0]=…`) parse as a list: Stripe sees unknown keys there.
      if (schema.object) throw invalidRequest(`Received unknown parameter: ${name}[0]`, `${name}[0]`, "parameter_unknown");
      if (schema.map) return;
      throw invalidRequest(schema.string || schema.number || schema.enum ? `Invalid ${name}: must be a string` : "Invalid array", name);
    }
    value.forEach((v, i) => check(v, schema.array!, [...path, String(i)]));
    return;
  }
  if (value && typeof value === "object") {
    if (schema.map) return;
    if (!schema.object) {
      // A hash where Stripe wants a list is what an unindexed `items[price]=…` looks like.
      if (schema.array) throw invalidRequest("Invalid array", name);
      throw invalidRequest(`Invalid ${name}: must be a string`, name);
    }
    checkObject(value as Record<string, unknown>, schema.object, path);
  }
}

function checkObject(params: Record<string, unknown>, fields: Record<string, ParamSchema>, path: string[]): void {
  for (const [key, value] of Object.entries(params)) {
    const schema = fields[key];
    const here = [...path, key];
    if (!schema) throw invalidRequest(`Received unknown parameter: ${encoded(here)}`, encoded(here), "parameter_unknown");
    check(value, schema, here);
  }
}

const MAX_EXPAND_DEPTH = 4;

function cannotExpand(path: string, hint?: string): StripeApiError {
  return new StripeApiError(400, { type: "invalid_request_error", message: `This property cannot be expanded (${path}).${hint ? ` ${hint}` : ""}` });
}

/** Whether `segs` is a path Stripe expands on objects of `types`: objects along the way, an expandable id at the end. */
function expandable(spec: RuntimeSpec, types: string[], segs: string[]): boolean {
  if (segs.length === 0) return false;
  const [head, ...rest] = segs as [string, ...string[]];
  for (const t of types) {
    const f = spec.objects[t]?.[head];
    if (!f) continue;
    if (rest.length === 0 ? f.expandable : expandable(spec, f.refs, rest)) return true;
  }
  return false;
}

function checkExpand(spec: RuntimeSpec, returns: string | null, raw: unknown): void {
  if (raw === undefined) return;
  const paths = Array.isArray(raw) ? raw : typeof raw === "object" && raw ? Object.values(raw) : [raw];
  const list = returns?.startsWith("[]") ?? false;
  const types = (returns ?? "").replace(/^\[\]/, "").split("|").filter(Boolean);
  for (const p of paths) {
    if (typeof p !== "string" || p === "") throw invalidRequest("Invalid array", "expand");
    const segs = p.split(".");
    if (segs.length > MAX_EXPAND_DEPTH + (list ? 1 : 0)) {
      throw new StripeApiError(400, { type: "invalid_request_error", message: `You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${p}` });
    }
    if (list) {
      if (segs[0] === "data" && expandable(spec, types, segs.slice(1))) continue;
      throw cannotExpand(p, expandable(spec, types, segs) ? `You may want to try expanding 'data.${p}' instead.` : undefined);
    }
    if (!expandable(spec, types, segs)) throw cannotExpand(p);
  }
}

/**
 * Stripe's checks of a request's parameters for the endpoint `routePath` answers: throws Stripe's 400 for an unknown
 * parameter, a malformed value or an expand path Stripe would refuse. Endpoints stripe-node does not know (none of
 * billops' today) are not checked.
 */
export function checkRequest(method: string, routePath: string, params: Record<string, unknown>): void {
  const spec = stripeApiSpec();
  const endpoint = spec.endpoints[routeShape(method, routePath)];
  if (!endpoint) return;
  const fields = endpoint.params.object ?? {};
  checkObject(params, fields, []);
  checkExpand(spec, endpoint.returns, params.expand);
}
