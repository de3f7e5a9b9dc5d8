// The edit form's contract: each action's params schema (the zod schemas the guard enforces) as JSON Schema.
import { z } from "zod";
import { paramsSchema } from "../../nodes/params-schemas.js";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
}

const cache = new Map<string, JsonSchema | null>();

/** The JSON Schema of an action's params, or null for an action without one. */
export function actionSchema(domain: string, action: string): JsonSchema | null {
  const key = `${domain}:${action}`;
  if (!cache.has(key)) {
    const schema = paramsSchema(domain, action);
    // "input" io: what a person types (defaults are optional), refinements the browser cannot check are left to the server.
    cache.set(key, schema ? (z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema) : null);
  }
  return cache.get(key)!;
}
