// Edited args as people's tools send them: Agent Inbox (and any form) sends every edited value as text. Each value
// is read back as the kind the action's own schema expects — strictly, so a value that is not plainly that kind stays
// text and the guard refuses it (a person typed it; billops never guesses what "1e9" or "6000abc" meant).
import { z } from "zod";
import { paramsSchema } from "../params-schemas.js";

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };

const cache = new Map<string, Record<string, string[]> | null>();

/** The JSON kinds each top-level param accepts ("integer", "number", "object", "boolean", "null", "string"). */
function kindsOf(domain: string, action: string): Record<string, string[]> | null {
  const key = `${domain}:${action}`;
  if (!cache.has(key)) {
    const schema = paramsSchema(domain, action);
    if (!schema) cache.set(key, null);
    else {
      const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
      const kinds: Record<string, string[]> = {};
      for (const [name, prop] of Object.entries(json.properties ?? {})) kinds[name] = typesOf(prop);
      cache.set(key, kinds);
    }
  }
  return cache.get(key)!;
}

function typesOf(s: JsonSchema): string[] {
  const own = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  return [...own, ...(s.anyOf ?? []).flatMap(typesOf), ...(s.oneOf ?? []).flatMap(typesOf)];
}

/** Plain decimal text as a person types it: an optional minus, digits, an optional fraction. No exponent, no hex, no units. */
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

function coerceValue(text: string, kinds: string[]): unknown {
  if (kinds.length === 0 || kinds.includes("string")) return text;
  const t = text.trim();
  if (t === "null" && kinds.includes("null")) return null;
  if ((kinds.includes("integer") || kinds.includes("number")) && DECIMAL.test(t)) return Number(t);
  if (kinds.includes("boolean") && (t === "true" || t === "false")) return t === "true";
  if ((kinds.includes("object") || kinds.includes("array")) && /^[[{]/.test(t)) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      return text; // not JSON: left as text, the guard names the field
    }
    if (Array.isArray(v) ? kinds.includes("array") : v !== null && typeof v === "object" && kinds.includes("object")) return v;
  }
  return text;
}

/**
 * Edited args with each text value read as the kind `action`'s schema wants. Values that are not text pass unchanged
 * (a JSON client already sent numbers); text that is not plainly the wanted kind is kept as text for the guard to
 * refuse — an emptied number field too: "" never means "no value" or 0 here.
 */
export function coerceEditArgs(domain: string, action: string, args: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kinds = kindsOf(domain, action);
  for (const [name, value] of Object.entries(args ?? {})) {
    const wanted = kinds?.[name];
    out[name] = typeof value === "string" && wanted ? coerceValue(value, wanted) : value;
  }
  return out;
}
