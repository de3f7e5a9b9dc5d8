// Replay on a database filled by the public scenarios: the rules decider agrees with itself, a changed policy shows
// up as exactly the decisions it changes, the filters work, replays never touch the production threads, and
// retention's pruning leaves replay as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "../db/pool.js";
import { silentLogger } from "../telemetry/log.js";
import { parsePolicyConfig, type PolicyConfig } from "../domain/policy-config.js";
import { createRulesDecider } from "../deciders/rules.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { buildGraph, compileGraph } from "../graph/graph.js";
import { BatchedPostgresSaver } from "../graph/checkpointer.js";
import { runRetention } from "../engine/retention.js";
import { createCheckpointer } from "../app/runtime.js";
import type { CaseStateType } from "../domain/case-state.js";
import type { DomainSpec } from "../nodes/deps.js";
import { DEFAULT_DATABASE_URL, runScenario } from "./runner.js";
import { parseScenario, type Scenario } from "./scenario.js";
import { replay, type ReplayReport, type ReplayedDecision } from "./replay.js";
import { main } from "./replay-cli.js";
import { createDecider } from "../deciders/index.js";
import { startFakeOpenAI, outputName, USAGE } from "../test/support/fake-openai.js";
import { SHARED_SCENARIOS } from "../test/support/shared-scenarios.js";
import { Sink } from "../test/support/sink.js";

const URL_ = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const SHARED = SHARED_SCENARIOS;
const PUBLIC = fileURLToPath(new URL("./scenarios/", import.meta.url));
const files = [PUBLIC, SHARED].flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f)) : []));

interface Filled {
  /** The file's name without .json: scenario ids have slashes. */
  name: string;
  scenario: Scenario;
  schema: string;
  config: PolicyConfig;
}

/** A pool for one use: 60-odd schemas with idle pools each would exhaust the server's connections. */
async function withPool<T>(f: Filled, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPool(URL_, { schema: f.schema, max: 4, logger: silentLogger });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

const tag = randomBytes(4).toString("hex");
const filled: Filled[] = [];
const rules = createRulesDecider(DOMAIN_SPECS);

/** The refund policy with one deliberate change: every refund it would grant becomes a denial. */
const STINGY: Record<string, DomainSpec> = {
  ...DOMAIN_SPECS,
  refund: {
    ...DOMAIN_SPECS.refund,
    rules(ctx, config) {
      const p = DOMAIN_SPECS.refund.rules(ctx, config);
      return p.action === "refund_full" || p.action === "refund_partial" ? { action: "deny_refund", params: { reason: "changed policy: no refunds" }, rationale: "changed policy", confidence: 1 } : p;
    },
  },
};
const stingy = createRulesDecider(STINGY as typeof DOMAIN_SPECS);

async function replayAll(decider = rules, extra: { keepThreads?: boolean; runId?: string } = {}): Promise<ReplayedDecision[]> {
  const out: ReplayedDecision[] = [];
  for (const f of filled) {
    const r = await withPool(f, (pool) => replay({ pool, schema: f.schema, decider, config: f.config, logger: silentLogger, ...extra }));
    out.push(...r.decisions.map((d) => ({ ...d, case: `${f.name}/${d.case}` })));
  }
  return out;
}

/** Every row of LangGraph's tables outside replay threads, bytea as hex: the production threads, byte for byte. */
async function productionRows(pool: pg.Pool): Promise<string> {
  const out: unknown[] = [];
  for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
    const { rows } = await pool.query(`SELECT * FROM ${table} WHERE thread_id NOT LIKE 'replay:%' ORDER BY 1, 2, 3, 4`);
    out.push(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString("hex") : v]))));
  }
  return JSON.stringify(out);
}

beforeAll(async () => {
  expect(files.length, "no public scenario files").toBeGreaterThan(0);
  const scenarios = files.map((f) => ({ name: basename(f, ".json"), scenario: parseScenario(readFileSync(f, "utf8"), f) }));
  // Two at a time: CI has two cores, and each scenario runs its own billops and simulator.
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < scenarios.length) {
        const i = next++;
        const { name, scenario } = scenarios[i]!;
        const schema = `rp_${tag}_${i}`;
        const { entry } = await runScenario(scenario, { logger: silentLogger, timeoutMs: 20_000, keepSchema: schema });
        expect(entry.error, `${scenario.id}: ${entry.error}`).toBeNull();
        filled.push({ name, scenario, schema, config: parsePolicyConfig(scenario.config ?? {}) });
      }
    }),
  );
  filled.sort((a, b) => a.schema.localeCompare(b.schema));
}, 180_000);

afterAll(async () => {
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  try {
    for (const f of filled) await admin.query(`drop schema if exists "${f.schema}" cascade`);
  } finally {
    await admin.end();
  }
});

describe("replay with the rules decider against itself", () => {
  let all: ReplayedDecision[];
  beforeAll(async () => {
    all = await replayAll();
  });

  it("re-decides every scenario's decisions with 100% agreement", () => {
    // A scenario routed nowhere ("thanks, that fixed it") makes no decision to replay (SCENARIOS.md).
    const deciding = filled.filter((f) => f.scenario.expect?.route !== "ignore");
    expect(new Set(all.map((d) => d.case.split("/")[0])).size).toBe(deciding.length);
    expect(all.length).toBeGreaterThanOrEqual(deciding.length);
    const differing = all.filter((d) => !d.agree || d.guardChanged).map((d) => `${d.case} ${d.decisionId}: ${d.recorded.action} → ${d.replayed.action}`);
    expect(differing).toEqual([]);
    for (const d of all) {
      expect(d.replayed.source).toBe("rules");
      expect(d.replayed.params).toEqual(d.recorded.params);
      // The eval report's fields: what the decision was about, and whether it is the case's final one.
      expect(d.trigger.id).toBe(d.eventId);
      expect(["stripe", "request", "schedule"]).toContain(d.trigger.source);
    }
    // At most one final decision a case (none replayed when billops itself proposed the final one, e.g. a follow-up).
    for (const key of new Set(all.map((d) => d.case))) expect(all.filter((d) => d.case === key && d.final).length, key).toBeLessThanOrEqual(1);
    expect(all.filter((d) => d.final).length).toBeGreaterThan(new Set(all.map((d) => d.case)).size / 2);
  });

  it("takes the people's answers as labels: an accepted refund agrees, a rejected one does not", () => {
    const accepted = all.filter((d) => d.case.startsWith("approval_refund_above_limit_accepted/") && d.person.answer === "accepted");
    const rejected = all.filter((d) => d.case.startsWith("approval_refund_above_limit_rejected/") && d.person.answer === "rejected");
    expect(accepted.length).toBe(1);
    expect(rejected.length).toBe(1);
    expect(accepted[0]!.person.label).toEqual({ kind: "is", action: accepted[0]!.recorded.action });
    expect(accepted[0]!.agreeWithPerson).toBe(true);
    expect(rejected[0]!.person.label).toEqual({ kind: "not", action: rejected[0]!.recorded.action });
    expect(rejected[0]!.agreeWithPerson).toBe(false);
    expect(accepted[0]!.recorded.guard).toBe("needs_approval");
  });
});

describe("a deliberately changed policy", () => {
  it("shows up as disagreement on exactly the decisions it changes", async () => {
    const all = await replayAll(stingy);
    const affected = all.filter((d) => d.domain === "refund" && (d.recorded.action === "refund_full" || d.recorded.action === "refund_partial"));
    expect(affected.length).toBeGreaterThan(0);
    expect(all.filter((d) => !d.agree).map((d) => d.decisionId).sort()).toEqual(affected.map((d) => d.decisionId).sort());
    for (const d of affected) expect(d.replayed.action).toBe("deny_refund");
    // The accepted above-limit refund now disagrees with the person who approved it; the rejected one agrees.
    const answered = (file: string) => affected.filter((d) => d.case.startsWith(`${file}/`) && d.person.label).map((d) => [d.person.answer, d.agreeWithPerson]);
    expect(answered("approval_refund_above_limit_accepted")).toEqual([["accepted", false]]);
    expect(answered("approval_refund_above_limit_rejected")).toEqual([["rejected", true]]);
  });
});

describe("replay with a model", () => {
  it("re-decides with the llm decider and counts its calls and tokens", async () => {
    const ai = await startFakeOpenAI((req) =>
      outputName(req).includes("refund") ? { kind: "answer", value: { action: "deny_refund", params: { reason: "the model says no" }, rationale: "model", confidence: 0.9 } } : { kind: "status", status: 500 },
    );
    try {
      const llm = createDecider("llm", { openai: { baseUrl: ai.url, model: "fake" }, maxRetries: 0, logger: silentLogger });
      const f = filled.find((x) => x.name === "approval_refund_above_limit_accepted")!;
      const r = await withPool(f, (pool) => replay({ pool, schema: f.schema, decider: llm, config: f.config }));
      const refund = r.decisions.find((d) => d.domain === "refund")!;
      expect(refund.replayed).toMatchObject({ action: "deny_refund", source: "llm" });
      expect(refund.agree).toBe(false);
      expect(refund.agreeWithPerson).toBe(false);
      expect(r.summary.llmCalls).toBeGreaterThan(0);
      expect(r.summary.llmCalls).toBe(r.decisions.reduce((n, d) => n + d.replayed.llm.calls, 0));
      expect(r.summary.llmTokens).toBe(r.decisions.reduce((n, d) => n + d.replayed.llm.tokens, 0));
      expect(refund.replayed.llm.tokens).toBe(refund.replayed.llm.calls * USAGE.total_tokens);
    } finally {
      await ai.stop();
    }
  });
});

describe("filters", () => {
  it("--case replays only that case's decisions", async () => {
    const f = filled.find((x) => x.name.startsWith("delivery_early_fraud_warning"))!;
    await withPool(f, async (pool) => {
      const full = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config });
      const key = full.decisions[0]!.case;
      const one = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config, caseKey: key });
      expect(one.decisions.length).toBeGreaterThan(0);
      expect(one.decisions.every((d) => d.case === key)).toBe(true);
      expect(one.decisions.map((d) => d.decisionId)).toEqual(full.decisions.filter((d) => d.case === key).map((d) => d.decisionId));
      expect((await replay({ pool: pool, schema: f.schema, decider: rules, caseKey: "charge:ch_nobody" })).decisions).toEqual([]);
    });
  });

  it("--since keeps the decisions made at or after the time", async () => {
    const f = filled.find((x) => x.scenario.steps.some((s) => s.advance !== undefined)) ?? filled.find((x) => x.name.startsWith("approval_refund_above_limit_accepted"))!;
    await withPool(f, async (pool) => {
      const full = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config });
      const times = [...new Set(full.decisions.map((d) => d.at))].sort((a, b) => a - b);
      const last = times.at(-1)!;
      const later = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config, since: new Date(last * 1000) });
      expect(later.decisions.map((d) => d.decisionId)).toEqual(full.decisions.filter((d) => d.at >= last).map((d) => d.decisionId));
      expect((await replay({ pool: pool, schema: f.schema, decider: rules, since: last + 1 })).decisions).toEqual([]);
      expect(later.filters.since).toBe(new Date(last * 1000).toISOString());
    });
  });
});

describe("fork safety (langgraphjs issue 1812)", () => {
  it("two replays from one checkpoint both keep their state, and the production threads are byte-for-byte unchanged", async () => {
    const f = filled.find((x) => x.name.startsWith("approval_refund_above_limit_accepted"))!;
    await withPool(f, async (pool) => {
      const before = await productionRows(pool);
      expect(before.length).toBeGreaterThan(1000);
      const casesBefore = (await pool.query("SELECT * FROM cases ORDER BY case_key")).rows;
      const first = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config, keepThreads: true });
      const target = first.decisions.find((d) => d.domain === "refund" && d.recorded.action.startsWith("refund_"))!;
      expect(target).toBeDefined();

      const a = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config, caseKey: target.case, keepThreads: true });
      const b = await replay({ pool: pool, schema: f.schema, decider: stingy, config: f.config, caseKey: target.case, keepThreads: true });
      const ra = a.decisions.find((d) => d.decisionId === target.decisionId)!;
      const rb = b.decisions.find((d) => d.decisionId === target.decisionId)!;
      // Same parent checkpoint, so both branches got the same channel versions: the case that loses data in place.
      expect(ra.fromCheckpoint).toBe(rb.fromCheckpoint);
      expect(ra.replayThread).not.toBe(rb.replayThread);
      expect(ra.replayed.action).toBe(target.recorded.action);
      expect(rb.replayed.action).toBe("deny_refund");

      const saver = await createCheckpointer(pool, f.schema);
      const reader = buildGraph().compile({ checkpointer: saver });
      const stateA = (await reader.getState({ configurable: { thread_id: ra.replayThread } })).values as CaseStateType;
      const stateB = (await reader.getState({ configurable: { thread_id: rb.replayThread } })).values as CaseStateType;
      expect(stateA.decision?.action).toBe(target.recorded.action);
      expect(stateA.guard?.verdict).toBe("needs_approval");
      expect(stateB.decision?.action).toBe("deny_refund");
      expect(stateB.guard?.verdict).toBe(rb.replayed.guard);
      // The first replay thread, made before the second, still holds its own answer.
      const stateFirst = (await reader.getState({ configurable: { thread_id: target.replayThread } })).values as CaseStateType;
      expect(stateFirst.decision?.action).toBe(target.recorded.action);
      // Both carry the recorded history the decision was made in.
      expect(stateA.events.map((e) => e.id)).toEqual(stateB.events.map((e) => e.id));

      expect(await productionRows(pool)).toBe(before);
      expect((await pool.query("SELECT * FROM cases ORDER BY case_key")).rows).toEqual(casesBefore);
    });
  });

  it("deletes its replay threads unless asked to keep them", async () => {
    const f = filled[0]!;
    await withPool(f, async (pool) => {
      const r = await replay({ pool: pool, schema: f.schema, decider: rules, config: f.config, runId: `del${tag}` });
      expect(r.decisions.length).toBeGreaterThan(0);
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM checkpoints WHERE thread_id LIKE $1", [`replay:del${tag}:%`]);
      expect(rows[0].n).toBe(0);
    });
  });
});

describe("npm run replay", () => {

  it("prints the table and totals, writes the JSON report, and refuses bad arguments", async () => {
    const f = filled.find((x) => x.name.startsWith("approval_refund_above_limit_rejected"))!;
    const out = join(mkdtempSync(join(tmpdir(), "billops-replay-")), "report.json");
    const stdout = new Sink();
    const stderr = new Sink();
    const policy = join(mkdtempSync(join(tmpdir(), "billops-policy-")), "policy.json");
    await import("node:fs/promises").then((fs) => fs.writeFile(policy, JSON.stringify(f.scenario.config ?? {})));
    const code = await main(["--schema", f.schema, "--decider", "rules", "--policy", policy, "--out", out], { stdout: stdout as any, stderr: stderr as any, env: { DATABASE_URL: URL_ }, logger: silentLogger });
    expect(stderr.text).toMatch(/replay: \d+\/\d+/);
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/recorded\s+new\s+source\s+person/);
    expect(stdout.text).toMatch(/rejected \(not refund_/);
    expect(stdout.text).toMatch(/agreement with recorded 100%/);
    const report = JSON.parse(readFileSync(out, "utf8")) as ReplayReport;
    expect(report.summary.agreement).toBe(100);
    expect(report.summary.labelled).toBe(1);
    expect(report.summary.agreementWithPeople).toBe(0);

    const bad = new Sink();
    expect(await main(["--since", "yesterday"], { stdout: new Sink() as any, stderr: bad as any, env: {} })).toBe(2);
    expect(bad.text).toMatch(/--since must be an ISO date/);
    // Without OPENAI_API_KEY or OPENAI_BASE_URL the model deciders cannot run: exit 2, saying what to set.
    const noModel = new Sink();
    expect(await main(["--decider", "llm", "--schema", f.schema], { stdout: new Sink() as any, stderr: noModel as any, env: { DATABASE_URL: URL_ } })).toBe(2);
    expect(noModel.text).toMatch(/OPENAI_API_KEY/);
  });
});

describe("after retention has pruned every thread (engine/retention.ts)", () => {
  it("finds the same decisions and re-decides them the same way, from far fewer rows", async () => {
    const strip = (ds: ReplayedDecision[]) => ds.map(({ replayThread: _t, ...d }) => d);
    const before = strip(await replayAll());
    let rowsBefore = 0;
    let rowsAfter = 0;
    const count = async (pool: pg.Pool) =>
      (await pool.query("select (select count(*) from checkpoints) + (select count(*) from checkpoint_blobs) + (select count(*) from checkpoint_writes) as n")).rows[0].n as string;
    for (const f of filled) {
      await withPool(f, async (pool) => {
        rowsBefore += Number(await count(pool));
        const saver = new BatchedPostgresSaver(pool, undefined, { schema: f.schema });
        // Every case counts as quiet, and every decision is still inside the replay window.
        const future = new Date(Date.now() + 86_400_000);
        const r = await runRetention({ pool, graph: compileGraph(saver), saver, logger: silentLogger }, { threadsQuietSince: future, payloadsFinishedBefore: future, decisionsReplayableSince: new Date(0) });
        expect(r.busy).toBe(0);
        rowsAfter += Number(await count(pool));
      });
    }
    expect(rowsAfter).toBeLessThan(rowsBefore * 0.8);
    expect(strip(await replayAll())).toEqual(before);
    // Two full replays of every scenario plus a retention pass on each: over the default minute on a loaded machine.
  }, 240_000);
});
