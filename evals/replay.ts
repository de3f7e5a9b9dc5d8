// Replay: re-decides every recorded decision of the stored case threads from the checkpoint it was made in, with any
// decider, on copies of those checkpoints, and reports agreement with the recorded decisions and with the people.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { StateSnapshot } from "@langchain/langgraph";
import { BatchedPostgresSaver } from "../graph/checkpointer.js";
import { buildGraph, GRAPH_ID } from "../graph/graph.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { DEFAULT_POLICY_CONFIG, type PolicyConfig } from "../domain/policy-config.js";
import { manualClock } from "../domain/clock.js";
import { threadIdFor } from "../domain/case.js";
import type { Domain } from "../domain/actions.js";
import { checkpointIdOf, decisionPoints } from "../graph/decision-points.js";
import { getCase, listCases } from "../store/cases.js";
import { silentLogger, type Logger } from "../telemetry/log.js";
import type { Decider, DomainSpec, GraphDeps } from "../nodes/deps.js";
import type { StripeReads } from "../stripe/gateway/index.js";
import type { ApprovalRecord, CaseStateType, DecisionRecord, GuardRecord } from "../domain/case-state.js";
import { finalDecision, triggerOf, type DecisionTrigger } from "./final-decision.js";

export interface ReplayOptions {
  /** A pool on the database (and schema, through its search_path) whose threads are replayed. */
  pool: pg.Pool;
  /** Schema of LangGraph's tables; default public. */
  schema?: string;
  decider: Decider;
  /** Policy thresholds the replay's decider and guard use; default the built-in defaults. */
  config?: PolicyConfig;
  /** Decisions made at or after this time (Date, or unix seconds of billops' clock). */
  since?: Date | number;
  caseKey?: string;
  /** Decisions replayed at once; default 4. */
  concurrency?: number;
  /** Leave the replay threads in the database to inspect them; default they are deleted at the end. */
  keepThreads?: boolean;
  runId?: string;
  logger?: Logger;
  onProgress?: (done: number, total: number) => void;
}

export type PersonAnswer = "accepted" | "edited" | "rejected" | "ignored" | "superseded" | "pending" | "none";

/** What a person's answer says the right action was: `is` (accept, edit) or `not` (reject). */
export interface PersonLabel {
  kind: "is" | "not";
  action: string;
}

export interface ReplayedDecision {
  case: string;
  threadId: string;
  decisionId: string;
  domain: Domain;
  eventId: string;
  /** What the recorded decision was about, as in the eval report. */
  trigger: DecisionTrigger;
  /** The case's final decision (the eval report's `final`): the last one about something from outside. */
  final: boolean;
  /** billops' clock at the recorded decision (unix seconds). */
  at: number;
  recorded: { action: string; params: Record<string, unknown>; source: string; guard: GuardRecord["verdict"]; guardedAction: string };
  replayed: { action: string; params: Record<string, unknown>; source: string; guard: GuardRecord["verdict"]; guardedAction: string; llm: { calls: number; tokens: number }; fallbackReason?: string };
  person: { answer: PersonAnswer; approver: string | null; label: PersonLabel | null };
  /** The replayed decider proposed the recorded decider's action. */
  agree: boolean;
  /** Agreement with the person's label; null when nobody labelled the decision. */
  agreeWithPerson: boolean | null;
  guardChanged: boolean;
  /** Where the replay ran: a copy of the production checkpoint, never the production thread. */
  replayThread: string;
  fromCheckpoint: string;
}

export interface ReplaySummary {
  decisions: number;
  agreed: number;
  agreement: number;
  labelled: number;
  agreedWithPeople: number;
  agreementWithPeople: number | null;
  guardVerdictChanges: number;
  llmCalls: number;
  llmTokens: number;
  /** Recorded decisions not re-decided, and why (follow-ups a person was asked about have no decider decision). */
  skipped: number;
}

export interface ReplayReport {
  runId: string;
  decider: string;
  filters: { since: string | null; case: string | null };
  startedAt: string;
  durationMs: number;
  summary: ReplaySummary;
  decisions: ReplayedDecision[];
  skipped: { case: string; checkpoint: string; reason: string }[];
}

/** One decision as the production thread recorded it, with the checkpoint the specialist started from. */
interface Recorded {
  caseKey: string;
  threadId: string;
  /** The checkpoint whose next task is the specialist: the state the decision was made in. */
  point: StateSnapshot;
  domain: Domain;
  /** The specialist's own output (before the guard). */
  decision: DecisionRecord;
  context: unknown;
  guard: GuardRecord | null;
  guardedAction: string;
  approval: ApprovalRecord | null;
  trigger: DecisionTrigger;
  final: boolean;
}

const idOf = checkpointIdOf;

/** Reads a production thread's checkpoint history (read only) and finds each decision its specialists made. */
async function recordedDecisions(graph: ReturnType<typeof replayGraph>, caseKey: string, threadId: string): Promise<{ found: Recorded[]; skipped: ReplayReport["skipped"] }> {
  const snaps: StateSnapshot[] = [];
  for await (const s of graph.getStateHistory({ configurable: { thread_id: threadId } })) snaps.push(s);
  const skipped: ReplayReport["skipped"] = [];
  if (snaps.length === 0) return { found: [], skipped };
  const latest = snaps[0]!.values as CaseStateType;
  const found: Recorded[] = [];
  for (const { domain, point, made, guarded } of decisionPoints(snaps)) {
    if (!made) {
      skipped.push({ case: caseKey, checkpoint: idOf(point), reason: `the ${domain} specialist never finished on this checkpoint` });
      continue;
    }
    const v = made.values as CaseStateType;
    const decision = v.decision!;
    const gv = guarded ? (guarded.values as CaseStateType) : null;
    // The person's answer lives on the settled decision, or on the thread while it still waits.
    const settled = (latest.decisions ?? []).find((d) => d.decision.id === decision.id);
    const approval = settled ? settled.approval : latest.decision?.id === decision.id && !latest.followUp ? latest.approval : null;
    found.push({
      caseKey,
      threadId,
      point,
      domain,
      decision,
      context: v.context,
      guard: gv?.guard ?? null,
      guardedAction: gv?.decision?.action ?? decision.action,
      approval,
      trigger: triggerOf(latest, decision.eventId),
      final: finalDecision(latest)?.id === decision.id,
    });
  }
  for (const d of latest.decisions ?? []) {
    if (!found.some((f) => f.decision.id === d.decision.id)) {
      skipped.push({ case: caseKey, checkpoint: "", reason: `${d.decision.id} (${d.decision.action}) was proposed by billops after a settled decision, not by a decider` });
    }
  }
  return { found, skipped };
}

function personOf(approval: ApprovalRecord | null, asked: string): ReplayedDecision["person"] {
  if (!approval) return { answer: "none", approver: null, label: null };
  const approver = approval.approver ?? null;
  const requested = approval.request?.action_request?.action ?? asked;
  switch (approval.status) {
    case "accepted":
      return { answer: "accepted", approver, label: { kind: "is", action: requested } };
    case "edited": {
      const args = approval.response?.args as { action?: unknown } | null | undefined;
      const action = args && typeof args === "object" && typeof args.action === "string" ? args.action : requested;
      return { answer: "edited", approver, label: { kind: "is", action } };
    }
    case "rejected":
      return { answer: "rejected", approver, label: { kind: "not", action: requested } };
    default:
      // Ignored, superseded or still pending: nobody said what was right.
      return { answer: approval.status, approver, label: null };
  }
}

/** The production graph's nodes, stopped before anything with effects: act writes to Stripe, approval asks a person. */
function replayGraph(checkpointer: BatchedPostgresSaver) {
  return buildGraph().compile({ checkpointer, interruptBefore: ["act", "await_approval"], name: `${GRAPH_ID}-replay` });
}

/** Replay never reads Stripe: its state has moved on since the decision; the recorded context is the truth. */
const NO_STRIPE = new Proxy({} as StripeReads, {
  get(_t, name) {
    if (name === "then") return undefined;
    return async () => {
      throw new Error(`replay does not read Stripe (${String(name)}): decisions are re-made from the recorded context`);
    };
  },
});

/** Domain specs whose gather returns the context recorded at decision time; the rules stay the production rules. */
function recordedSpecs(domain: Domain, context: unknown): Record<Domain, DomainSpec> {
  return { ...DOMAIN_SPECS, [domain]: { ...DOMAIN_SPECS[domain], gather: async () => structuredClone(context) } };
}

function proposalOf(state: CaseStateType): { action: string; params: Record<string, unknown> } {
  const d = state.decision!;
  return state.guard?.original ? { action: state.guard.original.action, params: state.guard.original.params } : { action: d.action, params: d.params };
}

/**
 * Copies one checkpoint, and the blobs of its channel versions, into a thread of its own, in one statement and byte
 * for byte (the join is the saver's own SELECT_SQL). Blobs are keyed by thread, so the replay's new channel versions
 * can never collide with production's or with another replay's (langgraphjs issue 1812). Pending writes are not
 * copied: the specialist's recorded writes would be reused instead of re-run.
 */
async function copyCheckpoint(pool: pg.Pool, schema: string, from: StateSnapshot, toThread: string, runId: string): Promise<void> {
  const threadId = String(from.config.configurable?.thread_id);
  const { rowCount } = await pool.query(
    `WITH src AS (
       SELECT * FROM "${schema}".checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' AND checkpoint_id = $2
     ), blobs AS (
       INSERT INTO "${schema}".checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
       SELECT $3, bl.checkpoint_ns, bl.channel, bl.version, bl.type, bl.blob
       FROM src, jsonb_each_text(src.checkpoint -> 'channel_versions') v
       JOIN "${schema}".checkpoint_blobs bl ON bl.thread_id = $1 AND bl.checkpoint_ns = '' AND bl.channel = v.key AND bl.version = v.value
     )
     INSERT INTO "${schema}".checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
     SELECT $3, checkpoint_ns, checkpoint_id, NULL, type, checkpoint, metadata || jsonb_build_object('replay', jsonb_build_object('run', $4::text, 'thread_id', $1::text, 'checkpoint_id', $2::text))
     FROM src`,
    [threadId, idOf(from), toThread, runId],
  );
  if (rowCount !== 1) throw new Error(`checkpoint ${idOf(from)} of thread ${threadId} disappeared`);
}

async function deleteReplayThreads(pool: pg.Pool, schema: string, runId: string): Promise<void> {
  const like = `replay:${runId}:%`;
  for (const table of ["checkpoint_writes", "checkpoint_blobs", "checkpoints"]) {
    await pool.query(`DELETE FROM "${schema}".${table} WHERE thread_id LIKE $1`, [like]);
  }
}

async function caseThreads(pool: pg.Pool, caseKey: string | undefined): Promise<{ caseKey: string; threadId: string }[]> {
  if (caseKey) {
    const row = await getCase(pool, caseKey);
    return [{ caseKey, threadId: row?.threadId ?? threadIdFor(caseKey) }];
  }
  const out: { caseKey: string; threadId: string }[] = [];
  for (let offset = 0; ; offset += 500) {
    const rows = await listCases(pool, { limit: 500, offset });
    out.push(...rows.map((r) => ({ caseKey: r.caseKey, threadId: r.threadId })));
    if (rows.length < 500) break;
  }
  return out.sort((a, b) => a.caseKey.localeCompare(b.caseKey));
}

export async function replay(opts: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const runId = opts.runId ?? randomBytes(6).toString("hex");
  const schema = opts.schema ?? "public";
  const config = opts.config ?? DEFAULT_POLICY_CONFIG;
  const logger = opts.logger ?? silentLogger;
  const since = opts.since === undefined ? null : opts.since instanceof Date ? Math.floor(opts.since.getTime() / 1000) : opts.since;
  // No setup(): replay reads a database billops made; it must not create tables or schemas in one it did not.
  const saver = new BatchedPostgresSaver(opts.pool, undefined, opts.schema ? { schema: opts.schema } : {});
  const graph = replayGraph(saver);

  const recorded: Recorded[] = [];
  const skipped: ReplayReport["skipped"] = [];
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const threads = await caseThreads(opts.pool, opts.caseKey);
  const perCase = await inParallel(threads, concurrency, (t) => recordedDecisions(graph, t.caseKey, t.threadId));
  for (const r of perCase) {
    recorded.push(...r.found.filter((d) => since === null || d.decision.at >= since));
    skipped.push(...r.skipped);
  }

  const results: ReplayedDecision[] = new Array(recorded.length);
  const perThread = new Map<string, number>();
  const threadOf = recorded.map((r) => {
    const n = perThread.get(r.threadId) ?? 0;
    perThread.set(r.threadId, n + 1);
    return `replay:${runId}:${r.threadId}:${n}`;
  });
  let done = 0;
  opts.onProgress?.(0, recorded.length);
  try {
    results.splice(0, results.length, ...(await inParallel(recorded, concurrency, async (r, i) => {
      const out = await replayOne(r, threadOf[i]!);
      opts.onProgress?.(++done, recorded.length);
      return out;
    })));
  } finally {
    if (!opts.keepThreads) await deleteReplayThreads(opts.pool, schema, runId);
  }

  async function replayOne(r: Recorded, replayThread: string): Promise<ReplayedDecision> {
    await copyCheckpoint(opts.pool, schema, r.point, replayThread, runId);
    const deps: GraphDeps = {
      reads: NO_STRIPE,
      writes: null,
      decider: opts.decider,
      domains: recordedSpecs(r.domain, r.context),
      config,
      // The clock of the recorded decision: policies that count days decide as they did then.
      clock: manualClock(r.decision.at),
      db: null,
      logger,
    };
    // "exit": one checkpoint per replay instead of one per node; the replay thread still holds the result.
    const state = (await graph.invoke(null, { configurable: { thread_id: replayThread }, context: deps as unknown as Record<string, any>, durability: "exit" })) as CaseStateType;
    const proposal = proposalOf(state);
    const recordedGuard = r.guard?.verdict ?? "ok";
    const newGuard = state.guard?.verdict ?? "ok";
    const person = personOf(r.approval, r.guardedAction);
    const label = person.label;
    return {
      case: r.caseKey,
      threadId: r.threadId,
      decisionId: r.decision.id,
      domain: r.domain,
      eventId: r.decision.eventId,
      trigger: r.trigger,
      final: r.final,
      at: r.decision.at,
      recorded: { action: r.decision.action, params: r.decision.params, source: r.decision.source, guard: recordedGuard, guardedAction: r.guardedAction },
      replayed: {
        action: proposal.action,
        params: proposal.params,
        source: state.decision!.source,
        guard: newGuard,
        guardedAction: state.decision!.action,
        llm: state.decision!.llm ?? { calls: 0, tokens: 0 },
        ...(state.decision!.fallbackReason ? { fallbackReason: state.decision!.fallbackReason } : {}),
      },
      person,
      agree: proposal.action === r.decision.action,
      agreeWithPerson: label ? (label.kind === "is" ? proposal.action === label.action : proposal.action !== label.action) : null,
      guardChanged: recordedGuard !== newGuard,
      replayThread,
      fromCheckpoint: idOf(r.point),
    };
  }

  return {
    runId,
    decider: opts.decider.name,
    filters: { since: since === null ? null : new Date(since * 1000).toISOString(), case: opts.caseKey ?? null },
    startedAt,
    durationMs: Math.round(performance.now() - started),
    summary: summarize(results, skipped.length),
    decisions: results,
    skipped,
  };
}

/** Maps with at most `n` calls in flight, keeping the order of `items`. */
async function inParallel<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export function summarize(ds: ReplayedDecision[], skipped = 0): ReplaySummary {
  const agreed = ds.filter((d) => d.agree).length;
  const labelled = ds.filter((d) => d.agreeWithPerson !== null);
  const agreedWithPeople = labelled.filter((d) => d.agreeWithPerson).length;
  const pct = (a: number, b: number) => Math.round((a / b) * 10000) / 100;
  return {
    decisions: ds.length,
    agreed,
    agreement: ds.length ? pct(agreed, ds.length) : 100,
    labelled: labelled.length,
    agreedWithPeople,
    agreementWithPeople: labelled.length ? pct(agreedWithPeople, labelled.length) : null,
    guardVerdictChanges: ds.filter((d) => d.guardChanged).length,
    llmCalls: ds.reduce((n, d) => n + d.replayed.llm.calls, 0),
    llmTokens: ds.reduce((n, d) => n + d.replayed.llm.tokens, 0),
    skipped,
  };
}
