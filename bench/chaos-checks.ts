// The chaos suite's checks (bench/chaos.ts): what the database, the simulator's request log and its refunds say after
// the run — nothing lost, every event finished or visibly failed, order kept, no effect twice, every case acted on.
import type { TestDatabase } from "../test/support/db.js";
import { chargeAmount, type Stream } from "./chaos-world.js";

export interface ChaosCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  events: number;
  deliveries: number;
  duplicatesSent: number;
  outOfOrderPairs: number;
  cases: number;
  kills: number;
  faultsInjected: Record<string, number>;
  /** Sent events billops never stored (or never acknowledged). */
  lost: number;
  duplicateEffects: number;
  failedEvents: number;
  blockedEvents: number;
  drainSeconds: number;
  /** Answers sent (accepted, 409, other errors, timeouts) and approvals accepted as the database has them. */
  approvals: { accepted: number; conflicts: number; errors: number; timeouts: number; storms: number; acceptedInDatabase: number };
  statuses: Record<string, number>;
  checks: ChaosCheck[];
  ok: boolean;
}

export interface Observed {
  drained: boolean;
  answers: { accepted: number; conflicts: number; errors: number; timeouts: number; storms: number };
  approvalEvery: number;
  refundCases: number;
  unacknowledged: string[];
  kills: number;
  drainSeconds: number;
  faultKinds: Record<string, string>;
  faults: { id: string; hits: number }[];
  writes: { method: string; path: string; idempotencyKey: string | null; status: number; replayed: boolean; objectId: string | null; params: Record<string, string> }[];
  refunds: { id: string; charge: string; amount: number; status?: string }[];
}

export async function verify(db: TestDatabase, stream: Stream, x: Observed): Promise<ChaosReport> {
  const checks: ChaosCheck[] = [];
  const check = (name: string, bad: string[], ok = "none") => checks.push({ name, ok: bad.length === 0, detail: bad.length === 0 ? ok : `${bad.length}: ${bad.slice(0, 8).join("; ")}${bad.length > 8 ? " …" : ""}` });
  check("drained in time (nothing open but what waits behind a failed event; every approval answered)", x.drained ? [] : ["the inbox or the approvals did not settle before the timeout"]);
  const sentIds = stream.distinct.map((s) => s.id);
  const { rows } = await db.pool.query<{ id: string; case_key: string; seq: string; status: string; attempts: number; finished_at: Date | null; last_error: string | null }>(
    // Ordered by the bigint, not by its text (where "10" sorts before "3").
    "select id, case_key, seq::text as seq, status, attempts, finished_at, last_error from stripe_events where id = any($1) order by stripe_events.seq",
    [sentIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lost = sentIds.filter((id) => !byId.has(id));
  check("none lost (every sent event stored once)", [...lost.map((id) => `${id} not stored`), ...x.unacknowledged.map((id) => `${id} never acknowledged`)]);

  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const failed = rows.filter((r) => r.status === "failed");
  const blocked = rows.filter((r) => (r.status === "pending" || r.status === "running") && failed.some((f) => f.case_key === r.case_key && BigInt(f.seq) < BigInt(r.seq)));
  const open = rows.filter((r) => (r.status === "pending" || r.status === "running") && !blocked.includes(r));
  check("every event done, or failed visibly (failed, or waiting behind a failed event of its case)", open.map((r) => `${r.id} ${r.status} after ${r.attempts} attempts`));
  check("no event failed", failed.map((r) => `${r.id} (${r.case_key}) failed after ${r.attempts} attempts: ${(r.last_error ?? "").slice(0, 160)}`));

  // Arrival order within a case: each done event finished after the one that arrived before it.
  const disorder: string[] = [];
  const perCase = new Map<string, typeof rows>();
  for (const r of rows) perCase.set(r.case_key, [...(perCase.get(r.case_key) ?? []), r]);
  for (const [caseKey, list] of perCase) {
    const done = list.filter((r) => r.finished_at);
    for (let i = 1; i < done.length; i++) {
      const [a, b] = [done[i - 1]!, done[i]!];
      if (b.finished_at! < a.finished_at!) disorder.push(`${caseKey}: ${b.id} (seq ${b.seq}, attempt ${b.attempts}) finished at ${b.finished_at!.toISOString()}, before ${a.id} (seq ${a.seq}, attempt ${a.attempts}) at ${a.finished_at!.toISOString()}`);
    }
  }
  check("per-case order kept (done events finished in arrival order)", disorder);

  // Stripe effects. By idempotency key: a key executed (not replayed, 2xx) more than once is a duplicate write.
  const executed = x.writes.filter((w) => w.status >= 200 && w.status < 300 && !w.replayed);
  const perKey = new Map<string, number>();
  for (const w of executed) if (w.idempotencyKey) perKey.set(w.idempotencyKey, (perKey.get(w.idempotencyKey) ?? 0) + 1);
  const dupKeys = [...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k} executed ${n} times`);
  const keyless = executed.filter((w) => !w.idempotencyKey).map((w) => `${w.method} ${w.path} without an idempotency key`);
  // By case and action: billops' keys are billops:<case>:<event or approval>:<action>; two keys for one case's action
  // mean two decisions acted; and Stripe's own view: at most one refund per charge.
  const perCaseAction = new Map<string, Set<string>>();
  for (const k of perKey.keys()) {
    const m = /^billops:((?:charge|invoice|subscription|dispute|request):[^:]+):.+:([a-z_]+)$/.exec(k);
    if (!m) continue;
    const key = `${m[1]} ${m[2]}`;
    perCaseAction.set(key, (perCaseAction.get(key) ?? new Set()).add(k));
  }
  const dupActions = [...perCaseAction].filter(([, keys]) => keys.size > 1).map(([ca, keys]) => `${ca} by ${keys.size} keys`);
  const refundsPerCharge = new Map<string, number>();
  for (const r of x.refunds) refundsPerCharge.set(r.charge, (refundsPerCharge.get(r.charge) ?? 0) + 1);
  const dupRefunds = [...refundsPerCharge].filter(([, n]) => n > 1).map(([c, n]) => `${c} refunded ${n} times`);
  const duplicateEffects = dupKeys.length + dupActions.length + dupRefunds.length;
  check("no duplicate Stripe effect by idempotency key", [...dupKeys, ...keyless]);
  check("no duplicate Stripe effect by case + action (one refund per charge)", [...dupActions, ...dupRefunds]);

  // Every refund case's effect was made: a fraud warning on a small charge is refunded (decided and acted once).
  const missing: string[] = [];
  for (let i = 0; i < x.refundCases; i++) {
    const charge = `ch_chaos${i}`;
    const refund = x.refunds.find((r) => r.charge === charge);
    if (refund && refund.amount !== chargeAmount(i, x.approvalEvery)) missing.push(`${charge} refunded ${refund.amount}, not ${chargeAmount(i, x.approvalEvery)}`);
    if (refund) continue;
    const evs = rows.filter((r) => r.case_key === `charge:${charge}`);
    if (evs.some((r) => r.status === "failed" || blocked.includes(r))) continue; // visibly failed: counted above
    // What the case's story says, so a failure names the fault: its approvals and the trail of its last run.
    const approvals = await db.pool.query("select id, status, response->>'type' as answer from approvals where case_key = $1 order by created_at", [`charge:${charge}`]);
    const trail = await db.pool.query("select kind, data->>'action' as action from audit_log where case_key = $1 order by id", [`charge:${charge}`]);
    missing.push(
      `${charge} not refunded though its events are ${evs.map((r) => r.status).join("/")}; approvals ${approvals.rows.map((a) => `${a.status}${a.answer ? `(${a.answer})` : ""}`).join(", ") || "none"}; audit ${trail.rows.map((t) => (t.action ? `${t.kind}:${t.action}` : t.kind)).join(" → ")}`,
    );
  }
  check("every refund case acted on (its events done, its refund made; above the limit once a person accepted)", missing);
  const { rows: waiting } = await db.pool.query<{ id: string; case_key: string }>("select id, case_key from approvals where status = 'pending'");
  check("no approval left waiting (every one answered, none stuck behind a thread that moved on)", waiting.map((a) => `${a.id} on ${a.case_key}`));
  const { rows: accepted } = await db.pool.query<{ case_key: string; status: string }>("select case_key, status from approvals where status in ('accepted', 'edited')");

  const faultsInjected: Record<string, number> = {};
  for (const f of x.faults) {
    const kind = x.faultKinds[f.id] ?? f.id;
    faultsInjected[kind] = (faultsInjected[kind] ?? 0) + f.hits;
  }
  return {
    events: sentIds.length,
    deliveries: stream.deliveries.length,
    duplicatesSent: stream.duplicates,
    outOfOrderPairs: stream.outOfOrder,
    cases: perCase.size,
    kills: x.kills,
    faultsInjected,
    lost: lost.length + x.unacknowledged.length,
    duplicateEffects,
    failedEvents: failed.length,
    blockedEvents: blocked.length,
    drainSeconds: x.drainSeconds,
    approvals: { ...x.answers, acceptedInDatabase: accepted.length },
    statuses,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

export function formatChaos(r: ChaosReport): string {
  const faults = Object.entries(r.faultsInjected).map(([k, n]) => `${k} ${n}`).join(", ");
  const total = Object.values(r.faultsInjected).reduce((a, b) => a + b, 0);
  return [
    `events ${r.events} (${r.deliveries} deliveries: ${r.duplicatesSent} duplicates, ${r.outOfOrderPairs} out-of-order pairs) on ${r.cases} cases`,
    `worker SIGKILLs ${r.kills}; Stripe faults injected ${total} (${faults || "none"})`,
    `approvals accepted ${r.approvals.acceptedInDatabase} (answers: ${r.approvals.accepted} ok, ${r.approvals.conflicts} 409, ${r.approvals.errors} errors, ${r.approvals.timeouts} timeouts; ${r.approvals.storms} answer storms)`,
    `lost ${r.lost}; duplicate Stripe effects ${r.duplicateEffects}; failed events ${r.failedEvents} (+${r.blockedEvents} waiting behind them); drain ${r.drainSeconds.toFixed(1)} s`,
    `statuses ${JSON.stringify(r.statuses)}`,
    ...r.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`),
  ].join("\n");
}
