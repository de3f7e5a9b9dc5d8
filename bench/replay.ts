// Replay: recorded decisions re-decided per second with the rules decider, against plain getState reads of the same
// threads — the checkpoint reads replay cannot avoid, so the ratio shows what the copy + re-run adds on top.
import { pathToFileURL } from "node:url";
import { createTestDatabase } from "../test/support/db.js";
import { startSimulator } from "../stripe/sim/index.js";
import { createGateway } from "../stripe/gateway/index.js";
import { parsePolicyConfig } from "../domain/policy-config.js";
import { createCheckpointer, startBillops } from "../app/runtime.js";
import { compileGraph } from "../graph/graph.js";
import { insertEvent, isIdle } from "../engine/inbox/index.js";
import { createRulesDecider } from "../deciders/rules.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { listCases } from "../store/cases.js";
import { replay } from "../evals/replay.js";
import { silentLogger } from "../telemetry/log.js";
import type { BenchResult } from "./result.js";
import { NOW, subscriptionSeed } from "../test/support/subscriptions.js";


const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

export async function benchReplay(opts: { decisions: number; concurrency?: number }): Promise<BenchResult> {
  const n = opts.decisions;
  const concurrency = opts.concurrency ?? 4;
  const db = await createTestDatabase();
  const sim = await startSimulator({ now: NOW, seed: subscriptionSeed(n, "replay"), logger: silentLogger });
  try {
    // Real recorded decisions: each event runs the whole pipeline (worker, graph, simulator) on its own case thread.
    for (let i = 0; i < n; i++) {
      const sub = await sim.store.get(`sub_replay_${i}`);
      await insertEvent(db.pool, {
        id: `evt_replay_${i}`, type: "customer.subscription.updated", caseKey: `subscription:sub_replay_${i}`, source: "stripe",
        payload: { id: `evt_replay_${i}`, object: "event", type: "customer.subscription.updated", created: NOW, request: { id: null, idempotency_key: null }, data: { object: sub } },
      });
    }
    const billops = await startBillops({
      pool: db.pool, schema: db.schema, gateway: createGateway({ secretKey: "sk_test_bench", baseUrl: sim.url }), clock: sim.clock,
      webhookSecret: "whsec_bench", approverTokens: new Map(), policy: parsePolicyConfig({}), role: "worker",
      worker: { concurrency, pollIntervalMs: 20 }, schedulerIntervalMs: 3_600_000, logger: silentLogger,
    });
    while (!(await isIdle(db.pool))) await new Promise((r) => setTimeout(r, 20));
    await billops.stop();

    const rules = createRulesDecider(DOMAIN_SPECS);
    await replay({ pool: db.pool, schema: db.schema, decider: rules, caseKey: "subscription:sub_replay_0" }); // warm-up
    let start = process.hrtime.bigint();
    const report = await replay({ pool: db.pool, schema: db.schema, decider: rules, concurrency });
    const value = report.summary.decisions / seconds(start);
    if (report.summary.decisions < n) throw new Error(`only ${report.summary.decisions} of ${n} decisions were recorded`);
    if (report.summary.agreement !== 100) throw new Error(`rules against itself agreed on ${report.summary.agreement}%, not 100%`);

    const threads: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const rows = await listCases(db.pool, { limit: 500, offset });
      threads.push(...rows.map((r) => r.threadId));
      if (rows.length < 500) break;
    }
    const graph = compileGraph(await createCheckpointer(db.pool, db.schema));
    let next = 0;
    start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < threads.length) await graph.getState({ configurable: { thread_id: threads[next++]! } });
      }),
    );
    const baseline = threads.length / seconds(start);
    return { name: `decisions replayed (rules decider, ${report.summary.decisions} recorded) vs plain graph.getState reads of their threads`, value, baseline, ratio: value / baseline, unit: "decisions/s" };
  } finally {
    await sim.stop();
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const decisions = Number(process.argv.find((a) => a.startsWith("--decisions="))?.split("=")[1] ?? 1000);
  const r = await benchReplay({ decisions });
  process.stdout.write(`${r.name}: ${r.value.toFixed(1)} ${r.unit} (baseline ${r.baseline.toFixed(1)} reads/s, ratio ${r.ratio.toFixed(2)})\n`);
  process.exit(0);
}
