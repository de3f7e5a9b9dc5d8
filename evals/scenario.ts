// The scenario file format of SCENARIOS.md as a zod schema, and the loader whose errors name the file and the field.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import { ACTIONS } from "../domain/actions.js";
import { PolicyConfigSchema } from "../domain/policy-config.js";

const ALL_ACTIONS = [...new Set(Object.values(ACTIONS).flat())] as [string, ...string[]];
export const ROUTES = ["dunning", "subscription", "dispute", "refund", "ignore"] as const;
export const APPROVAL_TYPES = ["accept", "edit", "response", "ignore"] as const;
export const STEP_TYPES = ["event", "request", "approve", "advance"] as const;

// Stripe's objects keep every key they carry: unknown fields are Stripe's business, not a format error.
const StripeObjectSchema = z.looseObject({ id: z.string().min(1).optional(), object: z.string().optional() });
const StripeListSchema = z.array(StripeObjectSchema);

export const STRIPE_SEED_KEYS = [
  "customers",
  "products",
  "prices",
  "payment_methods",
  "subscriptions",
  "subscription_schedules",
  "invoices",
  "invoice_payments",
  "payment_intents",
  "charges",
  "refunds",
  "disputes",
  "early_fraud_warnings",
  "events",
] as const;

// The block's own keys are ours: a misspelt list would silently seed nothing, so it is an error.
const StripeSeedSchema = z.strictObject(Object.fromEntries(STRIPE_SEED_KEYS.map((k) => [k, StripeListSchema.optional()])) as Record<
  (typeof STRIPE_SEED_KEYS)[number],
  z.ZodOptional<typeof StripeListSchema>
>);

export const EventSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("event").optional(),
  type: z.string().min(1),
  created: z.number().int(),
  data: z.looseObject({
    object: z.looseObject({ id: z.string().min(1), object: z.string().min(1) }),
  }),
});

// The request body of POST /requests; extra keys are passed on and the server decides what it reads.
export const RequestStepSchema = z.looseObject({
  id: z.string().min(1).optional(),
  customer: z.string().min(1),
  message: z.string().min(1),
  charge: z.string().min(1).optional(),
  subscription: z.string().min(1).optional(),
  invoice: z.string().min(1).optional(),
});

export const ApproveStepSchema = z.strictObject({
  type: z.enum(APPROVAL_TYPES),
  args: z.record(z.string(), z.unknown()).optional(),
  action: z.enum(ALL_ACTIONS).optional(),
  reason: z.string().optional(),
  case: z.string().min(1).optional(),
});

const StepSchema = z
  .strictObject({
    event: EventSchema.optional(),
    request: RequestStepSchema.optional(),
    approve: ApproveStepSchema.optional(),
    advance: z.number().int().nonnegative().optional(),
  })
  .superRefine((step, ctx) => {
    const keys = STEP_TYPES.filter((k) => step[k] !== undefined);
    if (keys.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          keys.length === 0
            ? `a step needs exactly one of ${STEP_TYPES.join("|")}`
            : `a step has exactly one of ${STEP_TYPES.join("|")}, this one has ${keys.join(" and ")}`,
      });
    }
  });

const BodyValue = z.union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean (compared as a string)" });

const WriteMatchSchema = z.strictObject({
  method: z.enum(["POST", "DELETE"]).optional(),
  path: z.string().min(1).superRefine((p, ctx) => {
    try {
      new RegExp(p);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `not a regular expression: ${(err as Error).message}` });
    }
  }),
  body: z.record(z.string(), BodyValue).optional(),
});

export const WriteIncludeSchema = WriteMatchSchema.extend({ count: z.number().int().nonnegative().optional() });

export const ExpectSchema = z.strictObject({
  route: z.enum(ROUTES).optional(),
  action_in: z.array(z.enum(ALL_ACTIONS)).min(1).optional(),
  approval_requested: z.boolean().optional(),
  writes: z
    .strictObject({
      include: z.array(WriteIncludeSchema).optional(),
      exclude: z.array(WriteMatchSchema).optional(),
    })
    .optional(),
  notified: z.boolean().optional(),
  /** The approval API's status for `approve` steps by index (0-based over all steps); a refused answer is a result. */
  answers: z
    .array(z.strictObject({ step: z.number().int().nonnegative(), status: z.number().int().min(200).max(599), code: z.string().min(1).optional() }))
    .optional(),
});

export const ScenarioSchema = z
  .looseObject({
    id: z.string().min(1),
    description: z.string().optional(),
    now: z.number().int().positive(),
    config: z
      .record(z.string(), z.unknown())
      .superRefine((config, ctx) => {
        const parsed = PolicyConfigSchema.safeParse(config, { reportInput: true });
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as any);
      })
      .optional(),
    stripe: StripeSeedSchema.optional(),
    steps: z.array(StepSchema).min(1),
    expect: ExpectSchema.optional(),
  })
  .superRefine((s, ctx) => {
    // Top-level keys are ours too, so a typo like "expects" cannot make a scenario pass by checking nothing.
    // Keys starting with "_" or "$" (comments, $schema) are left to the author.
    const known = new Set(["id", "description", "now", "config", "stripe", "steps", "expect"]);
    for (const key of Object.keys(s)) {
      if (!known.has(key) && !key.startsWith("_") && !key.startsWith("$")) {
        ctx.addIssue({ code: "custom", path: [key], message: `unknown key (expected one of ${[...known].join("|")})` });
      }
    }
    // An expected answer names an approve step: any other index could never be answered.
    (s.expect?.answers ?? []).forEach((a, i) => {
      if (!s.steps[a.step] || s.steps[a.step]!.approve === undefined) {
        ctx.addIssue({ code: "custom", path: ["expect", "answers", i, "step"], message: `steps[${a.step}] is not an approve step` });
      }
    });
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type Step = z.infer<typeof StepSchema>;
export type ScenarioEvent = z.infer<typeof EventSchema>;
export type ApproveStep = z.infer<typeof ApproveStepSchema>;
export type Expect = z.infer<typeof ExpectSchema>;
export type WriteMatch = z.infer<typeof WriteIncludeSchema>;

export interface FieldProblem {
  /** `steps[2].approve.type`, or "" for the file itself. */
  path: string;
  message: string;
}

/** A file that is not a scenario: the message names the file and each bad field. */
export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FieldProblem[],
  ) {
    super(problems.map((p) => (p.path ? `${file}: ${p.path}: ${p.message}` : `${file}: ${p.message}`)).join("\n"));
    this.name = "ScenarioFileError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `required (expected ${issue.expected})`;
      return `expected ${issue.expected}, got ${describe(issue.input)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => String(v)).join("|")}${issue.input === undefined ? "" : `, got ${describe(issue.input)}`}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    default:
      return issue.message;
  }
}

/** The problems of a parsed JSON value, one per field; unrecognized step keys name the step types. */
function problemsOf(error: z.ZodError): FieldProblem[] {
  const out: FieldProblem[] = [];
  const stepsWithUnknownKeys = new Set(
    error.issues.filter((i) => i.code === "unrecognized_keys" && i.path.length === 2 && i.path[0] === "steps").map((i) => String(i.path[1])),
  );
  for (const issue of error.issues) {
    const path = issue.path;
    // A step with an unknown key: say which step types exist rather than just "unknown key".
    if (issue.code === "unrecognized_keys" && path.length === 2 && path[0] === "steps" && typeof path[1] === "number") {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), message: `unknown step type (expected one of ${STEP_TYPES.join("|")})` });
      }
      continue;
    }
    if (issue.code === "unrecognized_keys") {
      const known = path.length === 1 && path[0] === "stripe" ? ` (expected one of ${STRIPE_SEED_KEYS.join("|")})` : "";
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: `unknown key${known}` });
      continue;
    }
    // "needs exactly one step type" adds nothing when the step's unknown key was already named.
    if (issue.code === "custom" && path.length === 2 && path[0] === "steps" && stepsWithUnknownKeys.has(String(path[1]))) continue;
    out.push({ path: formatPath(path), message: issueMessage(issue) });
  }
  return out;
}

/** Parses the text of one scenario file; throws ScenarioFileError naming `file` and the bad fields. */
export function parseScenario(text: string, file: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioFileError(file, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ScenarioFileError(file, [{ path: "", message: `expected a JSON object, got ${describe(json)}` }]);
  }
  const r = ScenarioSchema.safeParse(json, { reportInput: true });
  if (!r.success) throw new ScenarioFileError(file, problemsOf(r.error));
  return r.data;
}

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
}

/** Files named on the command line, and every `*.json` under named folders (sorted, recursively). */
export async function expandPaths(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const abs = resolve(f);
    if (!seen.has(abs)) {
      seen.add(abs);
      files.push(f);
    }
  };
  async function walk(dir: string): Promise<void> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && e.name.endsWith(".json")) add(p);
    }
  }
  for (const p of paths) {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new ScenarioFileError(p, [{ path: "", message: "no such file or folder" }]);
    }
    if (s.isDirectory()) await walk(p);
    else add(p);
  }
  return files;
}

/** Loads and checks every file before anything runs; all bad files are reported together. */
export async function loadScenarios(paths: string[]): Promise<LoadedScenario[]> {
  const files = await expandPaths(paths);
  const loaded: LoadedScenario[] = [];
  const errors: ScenarioFileError[] = [];
  for (const file of files) {
    try {
      loaded.push({ file, scenario: parseScenario(await readFile(file, "utf8"), file) });
    } catch (err) {
      if (err instanceof ScenarioFileError) errors.push(err);
      else errors.push(new ScenarioFileError(file, [{ path: "", message: `cannot read: ${(err as Error).message}` }]));
    }
  }
  const byId = new Map<string, string>();
  for (const { file, scenario } of loaded) {
    const other = byId.get(scenario.id);
    if (other !== undefined) errors.push(new ScenarioFileError(file, [{ path: "id", message: `"${scenario.id}" is also the id of ${other}` }]));
    else byId.set(scenario.id, file);
  }
  if (errors.length > 0) throw new ScenarioLoadError(errors);
  return loaded;
}

export class ScenarioLoadError extends Error {
  constructor(readonly errors: ScenarioFileError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "ScenarioLoadError";
  }
}
