// Runs one scenario on the real pipeline (fresh schema, fresh simulator, billops on HTTP) and checks its `expect`.
import { randomBytes } from "node:crypto";
import pg from "pg";
import Stripe from "stripe";
import { createPool, dropSchema } from "../db/pool.js";
import { migrate } from "../db/migrate.js";
import { silentLogger, type Logger } from "../telemetry/log.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { routeEvent } from "../domain/routing.js";
import { createRulesDecider } from "../deciders/rules.js";
import { createDecider } from "../deciders/index.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import type { Decider } from "../nodes/deps.js";
import type { CaseStateType } from "../domain/case-state.js";
import { createGateway } from "../stripe/gateway/index.js";
import { startSimulator } from "../stripe/sim/index.js";
import { startBillops, type Billops } from "../app/runtime.js";
import { mergePolicyInput } from "../app/policy-file.js";
import { countOpen, listEvents } from "../engine/inbox/index.js";
import type { ApproveStep, Expect, Scenario, ScenarioEvent, WriteMatch } from "./scenario.js";
import { decisionsOf, finalDecision, triggerOf, type DecisionTrigger } from "./final-decision.js";

export const DECIDERS = ["rules", "llm", "hybrid"] as const;
export type DeciderName = (typeof DECIDERS)[number];

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

export interface DecisionEntry {
  action: string;
  source: string;
  approval: "none" | "pending" | "accepted" | "edited" | "rejected" | "ignored" | "superseded";
  guard: string;
  /** What the decision was about (SCENARIOS.md: event id, source, echo). */
  trigger: DecisionTrigger;
  /** On exactly one decision, when the scenario made any: the one `action_in` checks. */
  final?: true;
}

/** How the approval API answered an `approve` step (refusals are results, not errors). */
export interface AnswerEntry {
  step: number;
  type: ApproveStep["type"];
  status: number;
  code: string | null;
}

export interface WriteEntry {
  method: string;
  path: string;
  body: Record<string, string>;
}

export interface NotificationEntry {
  template: string;
  to: string | null;
}

/** One row of the report, exactly the fields of SCENARIOS.md. */
export interface ReportEntry {
  id: string;
  passed: boolean;
  failures: string[];
  route: string | null;
  decisions: DecisionEntry[];
  answers: AnswerEntry[];
  approval_requested: boolean;
  writes: WriteEntry[];
  notifications: NotificationEntry[];
  error: string | null;
}

export interface ScenarioResult {
  entry: ReportEntry;
  llm: { calls: number; tokens: number };
  durationMs: number;
}

export interface RunOptions {
  databaseUrl?: string;
  decider?: Decider;
  logger: Logger;
  /** Bound on every wait (quiet, stop); default 30 s. */
  timeoutMs?: number;
  /** Run in this schema and leave it in place afterwards (replay reads its threads); default a fresh, dropped one. */
  keepSchema?: string;
  /** A policy file's settings (`--policy`): the base a scenario's own `config` is merged over. */
  policy?: Record<string, unknown>;
}

/** The decider asked for on the command line is not in this build: the runner cannot run (exit 2). */
export class DeciderUnavailableError extends Error {
  constructor(readonly decider: DeciderName, detail: string) {
    super(`decider "${decider}" is not available: ${detail}`);
    this.name = "DeciderUnavailableError";
  }
}

/**
 * The decider for a name. llm and hybrid use OPENAI_API_KEY / OPENAI_BASE_URL (any OpenAI-compatible server),
 * OPENAI_MODEL, OPENAI_STRUCTURED_OUTPUT and OPENAI_TIMEOUT_MS from `env`; without a key or a URL they cannot run.
 */
export async function resolveDecider(name: DeciderName, env: NodeJS.ProcessEnv = process.env, logger: Logger = silentLogger): Promise<Decider> {
  if (name === "rules") return createRulesDecider(DOMAIN_SPECS);
  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  const baseUrl = env.OPENAI_BASE_URL?.trim() || undefined;
  if (!apiKey && !baseUrl) throw new DeciderUnavailableError(name, "set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (an OpenAI-compatible server such as vLLM, Ollama or llama.cpp)");
  const structured = env.OPENAI_STRUCTURED_OUTPUT?.trim() || "json_schema";
  if (structured !== "json_schema" && structured !== "function_calling") throw new DeciderUnavailableError(name, `OPENAI_STRUCTURED_OUTPUT must be json_schema or function_calling, got "${structured}"`);
  const timeout = env.OPENAI_TIMEOUT_MS?.trim() ? Number(env.OPENAI_TIMEOUT_MS) : 20_000;
  if (!Number.isInteger(timeout) || timeout < 100) throw new DeciderUnavailableError(name, `OPENAI_TIMEOUT_MS must be an integer of at least 100, got "${env.OPENAI_TIMEOUT_MS}"`);
  return createDecider(name, {
    openai: { apiKey, baseUrl, model: env.OPENAI_MODEL?.trim() || "gpt-4o-mini" },
    functionCalling: structured === "function_calling",
    timeoutMs: timeout,
    logger,
  });
}

class StepError extends Error {}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves `p`, or throws `message` once `ms` passed. */
async function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new StepError(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0] || err.name;
  return String(err);
}

type Sim = Awaited<ReturnType<typeof startSimulator>>;

interface Running {
  pool: pg.Pool;
  sim: Sim;
  billops: Billops;
  token: string;
  webhookSecret: string;
  timeoutMs: number;
}

async function api(r: Running, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${r.billops.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${r.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(r.timeoutMs),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* left as text: the error message shows it */
  }
  return { status: res.status, body: parsed };
}

function httpProblem(what: string, res: { status: number; body: any }): string {
  const e = res.body?.error;
  return `${what} → ${res.status}${e?.code ? ` ${e.code}` : ""}${e?.message ? `: ${e.message}` : typeof res.body === "string" && res.body ? `: ${res.body.slice(0, 200)}` : ""}`;
}

/**
 * Waits until nothing moves: the inbox has nothing pending or running and the simulator has no delivery left, twice
 * in a row (a write by billops makes a simulator event that makes more work). Due scheduled work at the current
 * clock is fired on each pass, as billops' own scheduler would.
 */
async function quiet(r: Running): Promise<void> {
  const deadline = Date.now() + r.timeoutMs;
  let calm = 0;
  while (calm < 2) {
    const left = deadline - Date.now();
    if (left <= 0) {
      const open = await listEvents(r.pool, { status: "pending", limit: 5 }).catch(() => []);
      const running = await listEvents(r.pool, { status: "running", limit: 5 }).catch(() => []);
      const ids = [...running, ...open].map((e) => `${e.id} (${e.type}, ${e.status})`);
      throw new StepError(`timed out after ${r.timeoutMs < 1000 ? `${r.timeoutMs} ms` : `${Math.round(r.timeoutMs / 1000)} s`} waiting for billops to finish${ids.length ? `: open events ${ids.join(", ")}` : ": simulator webhook deliveries still pending"}`);
    }
    await within(r.billops.tick(), left, "timed out running due scheduled work");
    const simIdle = await Promise.race([r.sim.webhooks.idle().then(() => true), sleep(Math.min(left, 15)).then(() => false)]);
    const inboxIdle = simIdle && (await countOpen(r.pool)) === 0;
    calm = inboxIdle ? calm + 1 : 0;
    await sleep(calm === 1 ? 5 : 10);
  }
}

async function deliverEvent(r: Running, event: ScenarioEvent): Promise<void> {
  // Stripe changes its state before it sends the event; the simulator keeps the newest version of the object.
  r.sim.applyEventObject(structuredClone(event) as any);
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: r.webhookSecret, timestamp: r.sim.clock.now() });
  const res = await fetch(`${r.billops.url}/webhooks/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": header },
    body: payload,
    signal: AbortSignal.timeout(r.timeoutMs),
  });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) {
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* text */
    }
    throw new StepError(httpProblem(`webhook ${event.id} (${event.type})`, { status: res.status, body }));
  }
}

async function sendRequest(r: Running, request: Record<string, unknown>): Promise<string> {
  const res = await api(r, "POST", "/requests", request);
  if (res.status !== 200 && res.status !== 202) throw new StepError(httpProblem("POST /requests", res));
  return String(res.body.case);
}

/** Statuses with which the approval API refuses an answer a person may give: a result the scenario can expect. */
const REFUSALS = new Set([409, 422]);

async function answerApproval(r: Running, step: ApproveStep, index: number): Promise<AnswerEntry> {
  const query = `/approvals?status=pending&limit=500${step.case ? `&case=${encodeURIComponent(step.case)}` : ""}`;
  const list = await api(r, "GET", query);
  if (list.status !== 200) throw new StepError(httpProblem(`GET ${query}`, list));
  const pending: any[] = list.body.data ?? [];
  if (pending.length === 0) throw new StepError(`no pending approval to ${step.type}${step.case ? ` on case ${step.case}` : ""}`);
  if (pending.length > 1 && !step.case) {
    throw new StepError(`${pending.length} approvals are pending (${pending.map((a) => `${a.caseKey}: ${a.action}`).join(", ")}); name one with "case"`);
  }
  const approval = pending[0];
  const body: Record<string, unknown> = { type: step.type };
  if (step.type === "edit") {
    if (step.args !== undefined) body.args = step.args;
    if (step.action !== undefined) body.action = step.action;
  }
  if (step.type === "response" && step.reason !== undefined) body.reason = step.reason;
  const res = await api(r, "POST", `/approvals/${encodeURIComponent(approval.id)}`, body);
  if (res.status !== 200 && !REFUSALS.has(res.status)) throw new StepError(httpProblem(`answering approval ${approval.id} (${approval.caseKey}: ${approval.action}) with ${step.type}`, res));
  return { step: index, type: step.type, status: res.status, code: res.status === 200 ? null : (res.body?.error?.code ?? null) };
}

/** The case a step opens: support requests are `request:<id>`, events go where the routing table sends them. */
function eventCase(event: ScenarioEvent): string | null {
  return routeEvent(event as any).caseKey;
}

export function decisionEntries(values: Partial<CaseStateType>): DecisionEntry[] {
  const settled = values.decisions ?? [];
  const finalId = finalDecision(values)?.id;
  const entry = (d: { id: string; action: string; source: string; eventId: string }, approval: DecisionEntry["approval"], guard: string): DecisionEntry => ({
    action: d.action,
    source: d.source,
    approval,
    guard,
    trigger: triggerOf(values, d.eventId),
    ...(d.id === finalId ? { final: true as const } : {}),
  });
  const out: DecisionEntry[] = settled.map((d) => entry(d.decision, d.approval?.status ?? "none", d.guard?.verdict ?? "ok"));
  const current = values.decision;
  if (current && !settled.some((d) => d.decision.id === current.id)) {
    const pending = values.approval && values.approval.status === "pending";
    out.push(entry(current, pending ? "pending" : (values.approval?.status ?? "none"), values.guard?.verdict ?? "ok"));
  } else if (current && values.followUp && values.approval?.status === "pending") {
    // A settled decision's second step waiting for a person (staged evidence → submit): it exists because the guard
    // wants approval for it. It is not a decision of its own, so never the final one.
    out.push({ action: values.followUp.action, source: current.source, approval: "pending", guard: "needs_approval", trigger: triggerOf(values, current.eventId) });
  }
  return out;
}

/** The final decision's action (see final-decision.ts), or null when the case made none. */
export function finalAction(values: Partial<CaseStateType>): string | null {
  return finalDecision(values)?.action ?? null;
}

function llmOf(values: Partial<CaseStateType>): { calls: number; tokens: number } {
  const seen = new Set<string>();
  let calls = 0;
  let tokens = 0;
  for (const d of decisionsOf(values)) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    calls += d.llm?.calls ?? 0;
    tokens += d.llm?.tokens ?? 0;
  }
  // A support request's classification is a model call too (the supervisor keeps the latest one in state).
  const c = (values.classification as { llm?: { calls?: number; tokens?: number } } | null | undefined)?.llm;
  return { calls: calls + (c?.calls ?? 0), tokens: tokens + (c?.tokens ?? 0) };
}

export interface Observed {
  route: string | null;
  /** How the approval API answered each approve step. */
  answers?: AnswerEntry[];
  /** The final decision's action of the scenario's case. */
  action: string | null;
  approvals: { caseKey: string; action: string; status: string }[];
  writes: WriteEntry[];
  notifications: NotificationEntry[];
}

const showBody = (body: Record<string, unknown> | undefined) =>
  body && Object.keys(body).length ? ` with ${Object.entries(body).map(([k, v]) => `${k}=${String(v)}`).join(", ")}` : "";
const showMatch = (m: WriteMatch) => `${m.method ?? "any method"} ${m.path}${showBody(m.body)}`;

export function matchesWrite(m: WriteMatch, w: WriteEntry): boolean {
  if (m.method && m.method !== w.method) return false;
  if (!new RegExp(m.path).test(w.path)) return false;
  for (const [k, v] of Object.entries(m.body ?? {})) if (w.body[k] !== String(v)) return false;
  return true;
}

export function isCustomerNotification(n: NotificationEntry): boolean {
  return !n.template.startsWith("ops_");
}

/**
 * `expect.answers` against the approval API's answers: each listed step answered with its status, and no refused
 * answer (409, 422) the scenario did not list — a refusal nobody expected is a finding, not a pass.
 */
function checkAnswers(expected: Expect["answers"], answers: AnswerEntry[]): string[] {
  const failures: string[] = [];
  const listed = new Map((expected ?? []).map((e) => [e.step, e]));
  for (const e of expected ?? []) {
    const got = answers.find((a) => a.step === e.step);
    if (!got) failures.push(`steps[${e.step}] was never answered, expected status ${e.status}`);
    else if (got.status !== e.status) failures.push(`steps[${e.step}] (${got.type}) answered ${got.status}${got.code ? ` ${got.code}` : ""}, expected ${e.status}`);
    else if (e.code !== undefined && got.code !== e.code) failures.push(`steps[${e.step}] (${got.type}) refused with ${got.code ?? "no code"}, expected ${e.code}`);
  }
  for (const a of answers) {
    if (a.status !== 200 && !listed.has(a.step)) failures.push(`steps[${a.step}] (${a.type}) was refused: ${a.status}${a.code ? ` ${a.code}` : ""} (list it in expect.answers if that is the point)`);
  }
  return failures;
}

/** The readable failures of `expect` against what happened; empty when it all holds. */
export function checkExpect(expect: Expect | undefined, o: Observed): string[] {
  if (!expect) return [];
  const failures: string[] = [];
  if (expect.route !== undefined && o.route !== expect.route) failures.push(`route ${o.route ?? "(none: the case never ran)"}, expected ${expect.route}`);
  if (expect.action_in !== undefined && (o.action === null || !expect.action_in.includes(o.action))) {
    failures.push(`action ${o.action ?? "(no decision)"} not in [${expect.action_in.join(", ")}]`);
  }
  if (expect.approval_requested !== undefined) {
    const asked = o.approvals.length > 0;
    if (asked && !expect.approval_requested) {
      failures.push(`approval requested (${o.approvals.map((a) => `${a.action} on ${a.caseKey}`).join(", ")}), expected none`);
    } else if (!asked && expect.approval_requested) {
      failures.push("no approval requested, expected one");
    }
  }
  for (const m of expect.writes?.include ?? []) {
    const n = o.writes.filter((w) => matchesWrite(m, w)).length;
    if (m.count !== undefined) {
      if (n !== m.count) failures.push(`${n} write${n === 1 ? "" : "s"} match ${showMatch(m)}, expected exactly ${m.count}`);
    } else if (n === 0) {
      const samePath = o.writes.filter((w) => (!m.method || m.method === w.method) && new RegExp(m.path).test(w.path));
      failures.push(
        `no write matches ${showMatch(m)}${samePath.length ? ` (closest: ${samePath.map((w) => `${w.method} ${w.path}${showBody(w.body)}`).join("; ")})` : ""}`,
      );
    }
  }
  for (const m of expect.writes?.exclude ?? []) {
    for (const w of o.writes.filter((x) => matchesWrite(m, x))) failures.push(`forbidden write ${w.method} ${w.path} (matches exclude ${showMatch(m)})`);
  }
  failures.push(...checkAnswers(expect.answers, o.answers ?? []));
  if (expect.notified !== undefined) {
    const sent = o.notifications.filter(isCustomerNotification);
    if (sent.length > 0 && !expect.notified) {
      failures.push(`customer notified (${sent.map((n) => `${n.template} to ${n.to ?? "?"}`).join(", ")}), expected no notification`);
    } else if (sent.length === 0 && expect.notified) {
      failures.push("no customer notification, expected one");
    }
  }
  return failures;
}

/** Runs one scenario start to end and always cleans up (billops, simulator, schema), also when it fails. */
export async function runScenario(scenario: Scenario, opts: RunOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const logger = opts.logger;
  const schema = opts.keepSchema ?? `eval_${randomBytes(6).toString("hex")}`;
  const entry: ReportEntry = {
    id: scenario.id,
    passed: false,
    failures: [],
    route: null,
    decisions: [],
    answers: [],
    approval_requested: false,
    writes: [],
    notifications: [],
    error: null,
  };
  let llm = { calls: 0, tokens: 0 };
  let pool: pg.Pool | null = null;
  let sim: Sim | null = null;
  let billops: Billops | null = null;
  let schemaCreated = false;
  const cleanup: string[] = [];

  try {
    pool = createPool(url, { schema, max: 10, logger });
    schemaCreated = true;
    await migrate(pool);
    // Stripe retries a rejected delivery after minutes; here after milliseconds, so a retry costs no wall time.
    sim = await startSimulator({ now: scenario.now, seed: (scenario.stripe ?? {}) as any, logger, webhookRetry: { maxAttempts: 5, baseDelayMs: 10 } });
    const webhookSecret = `whsec_${randomBytes(24).toString("hex")}`;
    const token = `eval_${randomBytes(24).toString("hex")}`;
    billops = await startBillops({
      pool,
      schema,
      gateway: createGateway({ secretKey: "sk_test_eval", baseUrl: sim.url }),
      clock: sim.clock,
      webhookSecret,
      approverTokens: new Map([[token, "eval-runner"]]),
      policy: parsePolicyConfig(mergePolicyInput(opts.policy ?? {}, scenario.config)),
      decider: opts.decider,
      port: 0,
      // Failures surface in a second, not after minutes of backoff: a failing event is a finding, not a flake.
      worker: { pollIntervalMs: 20, backoffBaseMs: 20, maxAttempts: 3, concurrency: 4 },
      schedulerIntervalMs: 24 * 3600 * 1000,
      logger,
    });
    sim.webhooks.setEndpoint({ url: `${billops.url}/webhooks/stripe`, secret: webhookSecret });
    const r: Running = { pool, sim, billops, token, webhookSecret, timeoutMs };

    let caseKey: string | null | undefined;
    try {
      await quiet(r);
      for (const [i, step] of scenario.steps.entries()) {
        const label = `steps[${i}]`;
        try {
          if (step.event !== undefined) {
            if (caseKey === undefined) caseKey = eventCase(step.event);
            await deliverEvent(r, step.event);
          } else if (step.request !== undefined) {
            const key = await sendRequest(r, step.request);
            if (caseKey === undefined) caseKey = key;
          } else if (step.approve !== undefined) {
            entry.answers.push(await answerApproval(r, step.approve, i));
          } else if (step.advance !== undefined) {
            await within(sim.clock.advance(step.advance), timeoutMs, `timed out moving the simulator clock by ${step.advance} s`);
            await within(billops.tick(), timeoutMs, "timed out running due scheduled work");
          }
          await quiet(r);
        } catch (err) {
          const kind = Object.keys(step)[0];
          throw new StepError(`${label} (${kind}): ${messageOf(err)}`);
        }
      }
      const failed = await listEvents(pool, { status: "failed", limit: 10 });
      if (failed.length > 0) {
        entry.error = `billops failed to process ${failed.map((e) => `${e.id} (${e.type}) after ${e.attempts} attempts: ${e.lastError ?? "no error recorded"}`).join("; ")}`;
      }
      const lost = undelivered(sim.webhooks.deliveries());
      if (lost.length > 0) entry.error ??= `billops never accepted the simulator's webhook ${lost.join("; ")}`;
    } catch (err) {
      entry.error = messageOf(err);
    }

    // What happened, gathered even after an error: the report shows how far the scenario got.
    let action: string | null = null;
    if (caseKey === null) {
      entry.route = "ignore";
    } else if (caseKey !== undefined) {
      try {
        const { values } = await billops.cases.snapshot(caseKey);
        entry.route = values.route ?? null;
        entry.decisions = decisionEntries(values);
        action = finalAction(values);
      } catch (err) {
        entry.error ??= `reading case ${caseKey}: ${messageOf(err)}`;
      }
    }
    llm = await totalLlm(r).catch(() => llm);
    entry.writes = sim.log.writes().map((w: any) => ({ method: w.method, path: w.path, body: { ...(w.params ?? {}) } }));
    const approvals = await api(r, "GET", "/approvals?status=all&limit=500");
    const approvalRows: any[] = approvals.status === 200 ? approvals.body.data : [];
    if (approvals.status !== 200) entry.error ??= httpProblem("GET /approvals?status=all", approvals);
    entry.approval_requested = approvalRows.length > 0;
    const notes = await api(r, "GET", "/notifications?limit=1000");
    if (notes.status !== 200) entry.error ??= httpProblem("GET /notifications", notes);
    entry.notifications = (notes.status === 200 ? notes.body.data : []).map((n: any) => ({ template: n.template, to: n.to ?? null }));
    entry.failures = checkExpect(scenario.expect, {
      route: entry.route,
      answers: entry.answers,
      action,
      approvals: approvalRows.map((a) => ({ caseKey: a.caseKey, action: a.action, status: a.status })),
      writes: entry.writes,
      notifications: entry.notifications,
    });
  } catch (err) {
    entry.error ??= `could not run: ${messageOf(err)}`;
  } finally {
    if (billops) await within(billops.stop(), timeoutMs, "billops did not stop").catch((err) => cleanup.push(messageOf(err)));
    if (sim) await within(Promise.resolve(sim.stop()), timeoutMs, "the simulator did not stop").catch((err) => cleanup.push(messageOf(err)));
    if (pool) await pool.end().catch((err) => cleanup.push(`closing the pool: ${messageOf(err)}`));
    if (schemaCreated && !opts.keepSchema) await dropSchema(url, schema).catch((err) => cleanup.push(`dropping schema ${schema}: ${messageOf(err)}`));
  }
  if (cleanup.length > 0) entry.error ??= `cleanup: ${cleanup.join("; ")}`;
  entry.passed = entry.error === null && entry.failures.length === 0;
  return { entry, llm, durationMs: Math.round(performance.now() - started) };
}

/** Events whose every delivery attempt failed (billops rejected or never answered them), with the last reason. */
function undelivered(deliveries: { eventId: string; eventType: string; ok: boolean; error: string | null }[]): string[] {
  const last = new Map<string, { type: string; ok: boolean; error: string | null }>();
  const ok = new Set<string>();
  for (const d of deliveries) {
    if (d.ok) ok.add(d.eventId);
    last.set(d.eventId, { type: d.eventType, ok: d.ok, error: d.error });
  }
  return [...last].filter(([id]) => !ok.has(id)).map(([id, d]) => `${id} (${d.type}): ${d.error ?? "failed"}`);
}

/** LLM calls and tokens over every case of the scenario (a request can open a second case, e.g. its invoice). */
async function totalLlm(r: Running): Promise<{ calls: number; tokens: number }> {
  const res = await api(r, "GET", "/cases?limit=1000");
  const total = { calls: 0, tokens: 0 };
  if (res.status !== 200) return total;
  for (const c of res.body.data ?? []) {
    const key = c.key ?? c.caseKey;
    if (typeof key !== "string") continue;
    const { values } = await r.billops.cases.snapshot(key);
    const l = llmOf(values);
    total.calls += l.calls;
    total.tokens += l.tokens;
  }
  return total;
}
