// Storage: bytes kept per event in billops' growing tables (LangGraph's checkpoints, blobs and pending writes, and the
// inbox), after the events ran through the whole pipeline and again after a retention pass (engine/retention.ts:
// quiet case threads pruned to what replay needs, finished events cut to their envelope). Replay is run on both
// sides and must find and agree on the same decisions. The ratio is after / before: lower is better. A last pass as
// if the replay window (REPLAY_RETENTION_DAYS) had passed shows what a case keeps for good: its latest checkpoint.
import { pathToFileURL } from "node:url";
import type pg from "pg";
import { createTestDatabase } from "../test/support/db.js";
import { startSimulator } from "../stripe/sim/index.js";
import { createGateway } from "../stripe/gateway/index.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { startBillops } from "../app/runtime.js";
import { compileGraph } from "../graph/graph.js";
import { insertEvents, waitUntilIdle } from "../engine/inbox/index.js";
import { runRetention } from "../engine/retention.js";
import { replay } from "../evals/replay.js";
import { createRulesDecider } from "../deciders/rules.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { silentLogger } from "../telemetry/log.js";
import type { BenchResult } from "./result.js";
import { NOW, subscriptionSeed } from "../test/support/subscriptions.js";

const TABLES = ["checkpoints", "checkpoint_blobs", "checkpoint_writes", "stripe_events"] as const;

/**
 * Bytes of live rows in each table: every column's stored size (compressed or TOASTed as PostgreSQL keeps it) plus a
 * row header. Not the files' size: deleted rows leave space that new rows reuse, and VACUUM FULL, which returns it,
 * keeps rows any open transaction on the server may still see (this machine's server is shared), so file sizes would
 * measure the neighbours.
 */
async function tableBytes(pool: pg.Pool): Promise<Record<(typeof TABLES)[number], number>> {
  const out = {} as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) {
    const { rows: cols } = await pool.query("select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1", [t]);
    const size = cols.map((c: any) => `coalesce(pg_column_size("${c.column_name}"), 0)`).join(" + ");
    const { rows } = await pool.query(`select coalesce(sum(${size} + ${ROW_HEADER}), 0)::bigint as bytes from ${t}`);
    out[t] = Number(rows[0].bytes);
  }
  return out;
}

/** A heap tuple's header and line pointer. */
const ROW_HEADER = 28;

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export async function benchStorage(opts: { cases: number; eventsPerCase: number }): Promise<BenchResult & { afterWindow: number }> {
  const db = await createTestDatabase();
  const sim = await startSimulator({ now: NOW, seed: subscriptionSeed(opts.cases, "store"), logger: silentLogger });
  try {
    const billops = await startBillops({
      pool: db.pool, schema: db.schema, gateway: createGateway({ secretKey: "sk_test_bench", baseUrl: sim.url }), clock: sim.clock,
      webhookSecret: "whsec_bench", approverTokens: new Map(), policy: parsePolicyConfig({}), role: "worker",
      worker: { concurrency: 4, pollIntervalMs: 20 }, schedulerIntervalMs: 3_600_000, retentionIntervalMs: 3_600_000, logger: silentLogger,
    });
    // Each case gets its events one round after another, as a subscription's updates arrive over its life.
    for (let round = 0; round < opts.eventsPerCase; round++) {
      const batch = [];
      for (let i = 0; i < opts.cases; i++) {
        const sub = await sim.store.get(`sub_store_${i}`);
        const id = `evt_store_${i}_${round}`;
        batch.push({ id, type: "customer.subscription.updated", caseKey: `subscription:sub_store_${i}`, source: "stripe" as const, payload: { id, object: "event", type: "customer.subscription.updated", api_version: "2026-10-28.endive", created: NOW + round, livemode: false, request: { id: null, idempotency_key: null }, data: { object: sub, previous_attributes: { status: "past_due" } } } });
      }
      await insertEvents(db.pool, batch);
      if (!(await waitUntilIdle(db.pool, { timeoutMs: 600_000, intervalMs: 25 }))) throw new Error("the inbox did not drain");
    }
    await billops.stop();
    const events = opts.cases * opts.eventsPerCase;
    const rules = createRulesDecider(DOMAIN_SPECS);
    const replayed = async () => (await replay({ pool: db.pool, schema: db.schema, decider: rules })).decisions.map((d) => `${d.decisionId}:${d.recorded.action}:${d.replayed.action}:${d.agree}`).sort();

    const decisionsBefore = await replayed();
    const before = await tableBytes(db.pool);
    const future = new Date(Date.now() + 86_400_000);
    const retention = { pool: db.pool, graph: compileGraph(billops.checkpointer), saver: billops.checkpointer, logger: silentLogger, batch: { threads: 100_000, events: 1_000_000 } };
    await runRetention(retention, { threadsQuietSince: future, payloadsFinishedBefore: future });
    const after = await tableBytes(db.pool);
    const decisionsAfter = await replayed();
    if (decisionsBefore.length < events) throw new Error(`only ${decisionsBefore.length} of ${events} decisions were recorded`);
    if (JSON.stringify(decisionsAfter) !== JSON.stringify(decisionsBefore)) throw new Error("replay after retention differs from replay before it");

    // The replay window has passed for every decision: each case keeps its latest checkpoint.
    await db.pool.query("update cases set checkpoints_prune_due_at = now()");
    await runRetention(retention, { threadsQuietSince: future, payloadsFinishedBefore: future, decisionsReplayableSince: future });
    const afterWindow = await tableBytes(db.pool);

    const perEvent = (r: Record<string, number>) => sum(r) / events;
    const kb = (n: number) => (n / events / 1024).toFixed(1);
    const detail = TABLES.map((t) => `${t} ${kb(before[t])}→${kb(after[t])}→${kb(afterWindow[t])}`).join(", ");
    return {
      name: `bytes kept per event (${opts.cases} cases × ${opts.eventsPerCase} events; replay unchanged: ${decisionsAfter.length} decisions) after retention vs before it; KB/event before→after→past the replay window: ${detail}; past the window ${perEvent(afterWindow).toFixed(0)} B/event`,
      value: perEvent(after),
      baseline: perEvent(before),
      ratio: perEvent(after) / perEvent(before),
      unit: "B/event",
      afterWindow: perEvent(afterWindow),
    };
  } finally {
    await sim.stop();
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
  const r = await benchStorage({ cases: arg("cases", 200), eventsPerCase: arg("events-per-case", 5) });
  process.stdout.write(`${r.name}\n  before ${r.baseline.toFixed(0)} B/event, after ${r.value.toFixed(0)} B/event (ratio ${r.ratio.toFixed(2)}), past the replay window ${r.afterWindow.toFixed(0)} B/event\n`);
  process.exit(0);
}
