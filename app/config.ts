// Configuration: every environment variable and CLI flag, parsed once at start with zod; a bad one names itself.
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_RETENTION, type RetentionPolicy } from "../engine/retention.js";
import { loadPolicy, PolicyFileError, type LoadedPolicy } from "./policy-file.js";
import type { PolicyConfig } from "../domain/policy-config.js";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

const DECIDERS = ["rules", "llm", "hybrid"] as const;
const ROLES = ["web", "worker", "all"] as const;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export type Decider = (typeof DECIDERS)[number];
export type Role = (typeof ROLES)[number];

const emptyAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyAsUnset, z.coerce.number().int().min(min).max(max).optional());
const str = () => z.preprocess(emptyAsUnset, z.string().optional());
const url = () => z.preprocess(emptyAsUnset, z.url().optional());

// Each key is the variable's name, so a zod issue's path is the name the user must fix.
const EnvSchema = z.object({
  DATABASE_URL: z.preprocess(emptyAsUnset, z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional()),
  STRIPE_SECRET_KEY: z.preprocess(emptyAsUnset, z.string().regex(/^(sk|rk)_(test|live)_/, "must start with sk_test_, sk_live_, rk_test_ or rk_live_").optional()),
  STRIPE_WEBHOOK_SECRET: z.preprocess(emptyAsUnset, z.string().startsWith("whsec_", "must start with whsec_").optional()),
  /** Any Stripe-compatible API: a separately running `npm run sim`, stripe-mock, a recording proxy. */
  STRIPE_API_BASE: z.preprocess(emptyAsUnset, z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://127.0.0.1:12111" }).optional()),
  STRIPE_CATALOG_TTL_SECONDS: int(0, 86_400),
  HOST: z.preprocess(emptyAsUnset, z.string().default("127.0.0.1")),
  PORT: int(0, 65535),
  APPROVER_TOKENS: str(),
  BILLOPS_DECIDER: z.preprocess(emptyAsUnset, z.enum(DECIDERS).optional()),
  OPENAI_API_KEY: str(),
  OPENAI_BASE_URL: url(),
  OPENAI_MODEL: z.preprocess(emptyAsUnset, z.string().default("gpt-4o-mini")),
  // function_calling for OpenAI-compatible servers without json_schema response formats.
  OPENAI_STRUCTURED_OUTPUT: z.preprocess(emptyAsUnset, z.enum(["json_schema", "function_calling"]).default("json_schema")),
  OPENAI_TIMEOUT_MS: int(100, 600_000),
  SMTP_URL: url(),
  SMTP_FROM: z.preprocess(emptyAsUnset, z.email().default("billing@localhost")),
  OPS_EMAIL: z.preprocess(emptyAsUnset, z.email().optional()),
  AUTO_REFUND_LIMIT: int(0),
  BILLOPS_POLICY: str(),
  METRICS_TOKEN: z.preprocess(emptyAsUnset, z.string().min(16, "must be at least 16 characters").optional()),
  BILLOPS_DATA_DIR: z.preprocess(emptyAsUnset, z.string().default(".billops")),
  BILLOPS_PG_PORT: int(1, 65535),
  WORKER_CONCURRENCY: int(1, 1000),
  EVENT_MAX_ATTEMPTS: int(1, 1000),
  EVENT_LEASE_SECONDS: int(5, 86_400),
  LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(LOG_LEVELS).default("info")),
  LOG_FORMAT: z.preprocess(emptyAsUnset, z.enum(["pretty", "json"]).optional()),
  TRUSTED_PROXIES: str(),
  CHECKPOINT_RETENTION_DAYS: int(1, 36_500),
  EVENT_PAYLOAD_RETENTION_DAYS: int(1, 36_500),
  REPLAY_RETENTION_DAYS: int(1, 36_500),
  // 0 turns it off; a minute at least (each run lists Stripe's events), a day at most (Stripe retries for three).
  BILLOPS_RECONCILE_INTERVAL_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().refine((n) => n === 0 || (n >= 60 && n <= 86_400), "must be 0 (off) or whole seconds from 60 to 86400").optional()),
});

export interface Config {
  role: Role;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Unset: readable lines at a terminal, JSON otherwise (telemetry/log.ts). */
  logFormat: "pretty" | "json" | undefined;
  dataDir: string;
  database: { kind: "embedded"; pgPort: number } | { kind: "external"; url: string };
  /**
   * simulator: in this process, with demo data. endpoint: a Stripe-compatible API at `baseUrl` (STRIPE_API_BASE),
   * shared by every process of a split deployment. stripe: api.stripe.com.
   */
  stripe: { kind: "simulator" } | { kind: "endpoint"; baseUrl: string; secretKey: string; webhookSecret: string } | { kind: "stripe"; secretKey: string; webhookSecret: string };
  /** Seconds the plan catalog (active recurring prices) is reused before Stripe is asked again; 0 = every case. */
  catalogTtlSeconds: number;
  /** Set in production; in offline mode main.ts generates one and hands it to the simulator. */
  webhookSecret: string | undefined;
  /** token → approver name. */
  approverTokens: Map<string, string>;
  /** true when APPROVER_TOKENS was unset and a local token was generated (print it in the banner). */
  approverTokensGenerated: boolean;
  decider: Decider;
  openai: { apiKey?: string; baseUrl?: string; model: string; structuredOutput: "json_schema" | "function_calling"; timeoutMs: number };
  smtpUrl: string | undefined;
  /** The From of customer messages and where operations alerts (escalations, overdue approvals) are mailed. */
  smtpFrom: string;
  opsEmail: string | undefined;
  /** The effective policy: built-in defaults, then BILLOPS_POLICY's file, then AUTO_REFUND_LIMIT (app/policy-file.ts). */
  policy: PolicyConfig;
  /** Where each policy setting came from, for GET /policy. */
  policySource: Pick<LoadedPolicy, "file" | "origins">;
  /** A read-only token for GET /metrics (a scraper's credential should not approve refunds); approver tokens work too. */
  metricsToken: string | undefined;
  worker: { concurrency: number; maxAttempts: number; leaseSeconds: number };
  /** Reverse proxies (IP addresses) whose X-Forwarded-For / -Proto / -Host billops believes. */
  trustedProxies: string[];
  /** Days a quiet case keeps its whole thread, a finished event its whole payload, a decision its replay (engine/retention.ts). */
  retention: RetentionPolicy;
  /** Seconds between missed-event recovery runs on worker processes (engine/reconcile.ts); null: off. */
  reconcileIntervalSeconds: number | null;
  /** Facts about the mode, for the banner and for main.ts's wiring. */
  mode: "offline" | "production" | "mixed";
  embeddedDatabase: boolean;
  simulator: boolean;
}

function parseApproverTokens(text: string): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf(":");
    const name = part.slice(0, i).trim();
    const token = part.slice(i + 1).trim();
    if (i <= 0 || !name) throw new ConfigError("APPROVER_TOKENS", "expected name:token,name:token");
    if (token.length < 16) throw new ConfigError("APPROVER_TOKENS", `the token of ${name} is shorter than 16 characters`);
    if (tokens.has(token)) throw new ConfigError("APPROVER_TOKENS", `two approvers share one token (${name})`);
    tokens.set(token, name);
  }
  if (tokens.size === 0) throw new ConfigError("APPROVER_TOKENS", "no name:token pairs");
  return tokens;
}

function parseTrustedProxies(text: string | undefined): string[] {
  const list = (text ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of list) {
    // Addresses only: a name would be resolved by nobody, and a range invites trusting more than meant.
    if (isIP(p) === 0) throw new ConfigError("TRUSTED_PROXIES", `${JSON.stringify(p)} is not an IP address (list the proxies' addresses, comma-separated)`);
  }
  return list;
}

function parseFlags(argv: string[]): { role?: string; decider?: string; port?: string } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { role: { type: "string" }, decider: { type: "string" }, port: { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (err) {
    throw new ConfigError("argv", (err as Error).message);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? "environment"), issue.message);
  }
  const e = parsed.data;
  const flags = parseFlags(argv);

  const role = flags.role ?? "all";
  if (!(ROLES as readonly string[]).includes(role)) throw new ConfigError("--role", `must be one of ${ROLES.join("|")}`);
  const deciderFlag = flags.decider;
  if (deciderFlag !== undefined && !(DECIDERS as readonly string[]).includes(deciderFlag)) {
    throw new ConfigError("--decider", `must be one of ${DECIDERS.join("|")}`);
  }
  let port = e.PORT ?? 4280;
  if (flags.port !== undefined) {
    const p = Number(flags.port);
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new ConfigError("--port", "must be an integer 0-65535");
    port = p;
  }

  const endpoint = e.STRIPE_API_BASE !== undefined;
  const simulator = e.STRIPE_SECRET_KEY === undefined && !endpoint;
  if (simulator && role !== "all") {
    // The offline simulator lives in memory in one process: a web and a worker process would each have their own.
    throw new ConfigError("--role", `${role} needs one Stripe for every process: STRIPE_API_BASE (e.g. a separate \`npm run sim\`) or STRIPE_SECRET_KEY; or run one process with --role all`);
  }
  if (!simulator && e.STRIPE_WEBHOOK_SECRET === undefined) {
    throw new ConfigError("STRIPE_WEBHOOK_SECRET", endpoint ? "required with STRIPE_API_BASE (the whsec_… secret that endpoint signs webhooks with)" : "required when STRIPE_SECRET_KEY is set (the endpoint's whsec_… secret)");
  }
  const llmConfigured = e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined;
  const decider = (deciderFlag as Decider | undefined) ?? e.BILLOPS_DECIDER ?? (llmConfigured ? "hybrid" : "rules");
  if (decider !== "rules" && !llmConfigured) {
    throw new ConfigError(deciderFlag ? "--decider" : "BILLOPS_DECIDER", `${decider} needs OPENAI_API_KEY or OPENAI_BASE_URL`);
  }

  let approverTokens: Map<string, string>;
  let approverTokensGenerated = false;
  if (e.APPROVER_TOKENS !== undefined) {
    approverTokens = parseApproverTokens(e.APPROVER_TOKENS);
  } else if (simulator || endpoint) {
    approverTokens = new Map([[`local_${randomBytes(18).toString("base64url")}`, "local"]]);
    approverTokensGenerated = true;
  } else {
    // Against real money nobody approves with a token printed to a terminal.
    throw new ConfigError("APPROVER_TOKENS", "required with real Stripe (name:token,… with tokens of 16+ characters)");
  }

  let loaded: LoadedPolicy;
  try {
    loaded = loadPolicy({ file: e.BILLOPS_POLICY, env: { AUTO_REFUND_LIMIT: e.AUTO_REFUND_LIMIT?.toString() } });
  } catch (err) {
    if (err instanceof PolicyFileError) throw new ConfigError(e.BILLOPS_POLICY ? "BILLOPS_POLICY" : "AUTO_REFUND_LIMIT", err.message);
    throw err;
  }
  if (e.METRICS_TOKEN !== undefined && approverTokens.has(e.METRICS_TOKEN)) {
    throw new ConfigError("METRICS_TOKEN", "is also an approver token; give the scraper a token of its own");
  }

  const embeddedDatabase = e.DATABASE_URL === undefined;
  return {
    role: role as Role,
    host: e.HOST,
    port,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    dataDir: e.BILLOPS_DATA_DIR,
    database: embeddedDatabase ? { kind: "embedded", pgPort: e.BILLOPS_PG_PORT ?? 54329 } : { kind: "external", url: e.DATABASE_URL! },
    stripe: simulator
      ? { kind: "simulator" }
      : endpoint
        ? { kind: "endpoint", baseUrl: e.STRIPE_API_BASE!, secretKey: e.STRIPE_SECRET_KEY ?? "sk_test_billops_endpoint", webhookSecret: e.STRIPE_WEBHOOK_SECRET! }
        : { kind: "stripe", secretKey: e.STRIPE_SECRET_KEY!, webhookSecret: e.STRIPE_WEBHOOK_SECRET! },
    webhookSecret: e.STRIPE_WEBHOOK_SECRET,
    catalogTtlSeconds: e.STRIPE_CATALOG_TTL_SECONDS ?? 60,
    approverTokens,
    approverTokensGenerated,
    decider,
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, model: e.OPENAI_MODEL, structuredOutput: e.OPENAI_STRUCTURED_OUTPUT, timeoutMs: e.OPENAI_TIMEOUT_MS ?? 20_000 },
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    opsEmail: e.OPS_EMAIL,
    policy: loaded.policy,
    policySource: { file: loaded.file, origins: loaded.origins },
    metricsToken: e.METRICS_TOKEN,
    worker: {
      concurrency: e.WORKER_CONCURRENCY ?? 4,
      maxAttempts: e.EVENT_MAX_ATTEMPTS ?? 5,
      leaseSeconds: e.EVENT_LEASE_SECONDS ?? 60,
    },
    trustedProxies: parseTrustedProxies(e.TRUSTED_PROXIES),
    retention: {
      checkpointDays: e.CHECKPOINT_RETENTION_DAYS ?? DEFAULT_RETENTION.checkpointDays,
      payloadDays: e.EVENT_PAYLOAD_RETENTION_DAYS ?? DEFAULT_RETENTION.payloadDays,
      replayDays: e.REPLAY_RETENTION_DAYS ?? DEFAULT_RETENTION.replayDays,
    },
    // Offline (a simulator, in process or at STRIPE_API_BASE) nothing is missed unless a test makes it so; against
    // Stripe an outage loses what Stripe stops retrying, so there it runs hourly unless told otherwise.
    reconcileIntervalSeconds: (e.BILLOPS_RECONCILE_INTERVAL_SECONDS ?? (simulator || endpoint ? 0 : 3600)) || null,
    // An endpoint is offline when it is a local simulator, production when it proxies real Stripe: "mixed" says neither.
    mode: embeddedDatabase && simulator ? "offline" : !embeddedDatabase && !simulator && !endpoint ? "production" : "mixed",
    embeddedDatabase,
    simulator,
  };
}
