// GET /policy: the policy billops decides with now — every setting's effective value, its default and where it came
// from (the built-in default, the BILLOPS_POLICY file, an environment variable) — read off the schema, not a list.
import { Hono } from "hono";
import { z } from "zod";
import { DEFAULT_POLICY_CONFIG, PolicyConfigSchema, policyLeaves, type PolicyConfig } from "../domain/policy-config.js";

export interface PolicySource {
  /** The policy file's absolute path, or null. */
  file: string | null;
  /** Dotted setting path → "default" | "file" | "env:NAME". */
  origins: Record<string, string>;
}

export function policyRoutes(o: { policy: PolicyConfig; source?: PolicySource | null }) {
  const app = new Hono();
  // The schema as JSON Schema (inputs: what a policy file may say), computed once: a tool can check a file against it.
  const schema = z.toJSONSchema(PolicyConfigSchema, { io: "input", unrepresentable: "any" });
  const defaults = policyLeaves(DEFAULT_POLICY_CONFIG);
  app.get("/policy", (c) => {
    const effective = policyLeaves(o.policy);
    const keys = [...new Set([...Object.keys(effective), ...Object.keys(defaults)])].sort();
    return c.json({
      policy: o.policy,
      file: o.source?.file ?? null,
      settings: keys.map((key) => ({
        key,
        value: key in effective ? effective[key] : null,
        default: key in defaults ? defaults[key] : null,
        origin: o.source?.origins[key] ?? (key in effective && JSON.stringify(effective[key]) === JSON.stringify(defaults[key]) ? "default" : "configured"),
      })),
      schema,
    });
  });
  return app;
}
