// The policy file (BILLOPS_POLICY, `--policy`): every PolicyConfig setting from a JSON or YAML file, checked with the
// policy's own zod schema, merged with the AUTO_REFUND_LIMIT variable, and traced key by key to where its value came from.
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { PolicyConfigSchema, policyLeaves, type PolicyConfig, type PolicyConfigInput } from "../domain/policy-config.js";

/** A policy file that cannot be used; `key` is the setting at fault (dotted path), when one is. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | null,
    readonly problem: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ""}${problem}`);
    this.name = "PolicyFileError";
  }
}

export type PolicyInput = Record<string, unknown>;

/** Where each effective setting came from: the built-in default, the file, or an environment variable. */
export type SettingOrigin = "default" | "file" | `env:${string}`;

export interface LoadedPolicy {
  policy: PolicyConfig;
  /** What the file and the environment said, merged (scenario `config` blocks merge over it in evals). */
  input: PolicyInput;
  /** The file's absolute path, or null when none was given. */
  file: string | null;
  /** Dotted setting path → origin, for every leaf of the effective policy. */
  origins: Record<string, SettingOrigin>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `over` merged into `base`: nested mappings key by key (a scenario's `good_customer: {min_tenure_days: 30}` keeps the
 * file's `min_paid_invoices`), anything else replaced.
 */
export function mergePolicyInput(base: PolicyInput, over: PolicyInput | null | undefined): PolicyInput {
  const out: PolicyInput = { ...base };
  for (const [k, v] of Object.entries(over ?? {})) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergePolicyInput(out[k] as PolicyInput, v) : v;
  return out;
}

/** The first zod issue as "key.path: problem", naming an unknown key itself (and the setting it probably meant). */
export function describeIssue(issue: z.core.$ZodIssue): { key: string | null; problem: string } {
  const at = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const unknown = issue.keys[0] ?? "";
    const key = [...at, unknown].join(".");
    const near = nearestSetting(at, unknown);
    return { key, problem: `unknown setting${near ? ` (did you mean ${[...at, near].join(".")}?)` : ""}` };
  }
  if (issue.code === "invalid_union") {
    // A setting of two forms (a money threshold: a number, or amounts per currency): name what was wrong in the form
    // the value was written in, not "Invalid input" — the branch that did not fail on the value's kind itself.
    const branches = issue.errors.map((errs) => errs[0]).filter((e): e is z.core.$ZodIssue => !!e);
    const meant = branches.find((e) => !(e.code === "invalid_type" && e.path.length === 0)) ?? branches[0];
    if (meant) {
      const inner = describeIssue(meant);
      const key = [...at, ...meant.path.map(String)].join(".") || inner.key;
      return { key, problem: `${inner.problem} (a whole number of minor units, or amounts per currency such as {usd: 50, jpy: 7500, default: 0})` };
    }
  }
  return { key: at.length ? at.join(".") : null, problem: issue.message };
}

/** The known setting names at a path of the schema (top level, or inside a nested object setting). */
function settingNames(path: string[]): string[] {
  let shape: Record<string, unknown> | undefined = (PolicyConfigSchema as unknown as { shape: Record<string, unknown> }).shape;
  for (const p of path) {
    let s = shape?.[p] as { def?: { innerType?: unknown; type?: string }; shape?: Record<string, unknown> } | undefined;
    // Through .default()/.prefault()/.optional() wrappers to the object inside.
    while (s && !s.shape && s.def?.innerType) s = s.def.innerType as typeof s;
    shape = s?.shape;
  }
  return shape ? Object.keys(shape) : [];
}

function nearestSetting(path: string[], name: string): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of settingNames(path)) {
    // A name cut short (min_tenure for min_tenure_days) counts as near whatever its length.
    const d = candidate.startsWith(name.toLowerCase()) && name.length >= 4 ? 1 : editDistance(name.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(best.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

type SchemaNode = { shape?: Record<string, SchemaNode>; def?: { innerType?: SchemaNode; catchall?: { def?: { type?: string } } } };

/** Through .default()/.prefault()/.optional() wrappers to the schema inside. */
function unwrap(s: SchemaNode | undefined): SchemaNode | undefined {
  while (s && !s.shape && s.def?.innerType) s = s.def.innerType;
  return s;
}

/**
 * The first key of `input` the schema does not know, at any depth. zod strips unknown keys of nested objects silently
 * (only the top level is strict), and a typo under `good_customer:` must not quietly leave a default in force.
 * Objects that take any key (a catchall such as network_retry_limits' brands, records such as the catalog) are open.
 */
export function unknownSetting(input: unknown, schema: SchemaNode | undefined = PolicyConfigSchema as unknown as SchemaNode, at: string[] = []): string[] | null {
  const s = unwrap(schema);
  if (!s?.shape || !isPlainObject(input)) return null;
  const open = s.def?.catchall !== undefined && s.def.catchall.def?.type !== "never";
  for (const [k, v] of Object.entries(input)) {
    if (!(k in s.shape)) {
      if (open) continue;
      return [...at, k];
    }
    const deeper = unknownSetting(v, s.shape[k], [...at, k]);
    if (deeper) return deeper;
  }
  return null;
}

/** Validates a policy input with the schema; a PolicyFileError names the first bad key. */
export function checkPolicyInput(input: PolicyInput, file: string): PolicyConfig {
  const unknown = unknownSetting(input);
  if (unknown) {
    const near = nearestSetting(unknown.slice(0, -1), unknown.at(-1)!);
    throw new PolicyFileError(file, unknown.join("."), `unknown setting${near ? ` (did you mean ${[...unknown.slice(0, -1), near].join(".")}?)` : ""}`);
  }
  const parsed = PolicyConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { key, problem } = describeIssue(parsed.error.issues[0]!);
  throw new PolicyFileError(file, key, problem);
}

/** Reads and checks a policy file: `.json` as JSON, anything else as YAML (which also reads JSON). */
export function readPolicyFile(path: string): PolicyInput {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PolicyFileError(path, null, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    // YAML: duplicate keys are errors (uniqueKeys), so a setting cannot be given twice with the last one silently winning.
    doc = extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, prettyErrors: true });
  } catch (err) {
    throw new PolicyFileError(path, null, `not valid ${extname(file).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
  }
  // An empty file means "the defaults"; anything but a mapping of settings is a mistake worth stopping for.
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) throw new PolicyFileError(path, null, "must be a mapping of settings (auto_refund_limit: 5000, …)");
  checkPolicyInput(doc, path);
  return doc;
}

/** Settings that also have an environment variable of their own (older configuration, kept working). */
const ENV_SETTINGS: Record<string, keyof PolicyConfigInput> = { AUTO_REFUND_LIMIT: "auto_refund_limit" };

/**
 * The effective policy: defaults, then the file (when `file` is given), then the environment variables above. A
 * variable and the file that disagree on one setting stop start-up: which of two limits on money applies must never be
 * a guess.
 */
export function loadPolicy(o: { file?: string | null; env?: NodeJS.ProcessEnv }): LoadedPolicy {
  const env = o.env ?? {};
  const fileInput = o.file ? readPolicyFile(o.file) : {};
  const envInput: PolicyInput = {};
  for (const [name, key] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new PolicyFileError(name, String(key), `must be an integer, got "${raw}"`);
    if (o.file && key in fileInput && fileInput[key] !== n) {
      throw new PolicyFileError(name, String(key), `${name}=${n} and ${o.file} (${String(key)}: ${JSON.stringify(fileInput[key])}) disagree; set it in one place`);
    }
    envInput[key] = n;
  }
  const input = mergePolicyInput(fileInput, envInput);
  const policy = checkPolicyInput(input, o.file ?? (Object.keys(ENV_SETTINGS).filter((name) => env[name]?.trim()).join(", ") || "policy"));
  const fromFile = policyLeaves(fileInput);
  const fromEnv = policyLeaves(envInput);
  const envName = (path: string) => Object.entries(ENV_SETTINGS).find(([, key]) => key === path)?.[0] ?? "environment";
  const origins: Record<string, SettingOrigin> = {};
  // A setting the file wrote whole or in part (a threshold's `usd:` line) comes from the file.
  const within = (leaves: Record<string, unknown>, path: string) => Object.keys(leaves).some((k) => k === path || k.startsWith(`${path}.`));
  for (const path of Object.keys(policyLeaves(policy))) {
    origins[path] = within(fromEnv, path) ? `env:${envName(path)}` : within(fromFile, path) ? "file" : "default";
  }
  return { policy, input, file: o.file ? resolve(o.file) : null, origins };
}
