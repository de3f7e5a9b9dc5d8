// Bounded storage on real cases: a quiet case's thread keeps its latest checkpoint and what replay needs, and nothing
// a person or the next event would notice changes; finished events keep their envelope and lose their body; a busy
// case waits for the next pass; expired inbox sessions are forgotten.
import { readFileSync } from "node:fs";
import type { StateSnapshot } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./support/stack.js";
import { compileGraph } from "../graph/graph.js";
import { decisionPoints } from "../graph/decision-points.js";
import { runRetention, checkpointsToKeep } from "../engine/retention.js";
import { withCaseLock } from "../engine/case-lock.js";
import { getEvent, insertEvent, listEvents } from "../engine/inbox/index.js";
import { threadIdFor } from "../domain/case.js";
import { replay } from "../evals/replay.js";
import { createRulesDecider } from "../deciders/rules.js";
import { DOMAIN_SPECS } from "../nodes/domains.js";
import { silentLogger } from "../telemetry/log.js";
import { main } from "../app/retention-cli.js";
import { Sink } from "./support/sink.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_dispute_credit_not_processed.json", import.meta.url), "utf8"));
const DISPUTE_CASE = "dispute:dp_X000016";
const REQUEST_CASE = "request:req_keep";
const day = 86_400_000;
const later = () => new Date(Date.now() + day);
const earlier = () => new Date(Date.now() - 365 * day);

let stack: Stack;
let retention: Parameters<typeof runRetention>[0];
beforeAll(async () => {
  stack = await startStack({ now: scenario.now, seed: scenario.stripe });
  retention = { pool: stack.db.pool, graph: compileGraph(stack.billops.checkpointer), saver: stack.billops.checkpointer, logger: silentLogger };
  const created = scenario.steps[0].event;
  stack.sim.applyEventObject(created);
  await stack.sim.webhooks.deliver(created);
  await stack.quiet();
  const pending = (await stack.api("GET", "/approvals")).body.data;
  expect(pending).toHaveLength(1);
  expect((await stack.api("POST", `/approvals/${pending[0].id}`, { type: "accept" })).status).toBe(200);
  expect((await stack.api("POST", "/requests", { id: "req_keep", customer: "cus_X000011", message: "Please cancel my subscription at the end of the month." })).status).toBe(202);
  await stack.quiet();
});
afterAll(() => stack?.stop());

async function history(caseKey: string): Promise<StateSnapshot[]> {
  const out: StateSnapshot[] = [];
  for await (const s of retention.graph.getStateHistory({ configurable: { thread_id: threadIdFor(caseKey) } })) out.push(s);
  return out;
}

async function rowCounts(caseKey: string) {
  const t = threadIdFor(caseKey);
  const n = async (table: string) => (await stack.db.pool.query(`select count(*)::int as n from ${table} where thread_id = $1`, [t])).rows[0].n as number;
  return { checkpoints: await n("checkpoints"), blobs: await n("checkpoint_blobs"), writes: await n("checkpoint_writes") };
}

const rules = createRulesDecider(DOMAIN_SPECS);
const replayed = async (caseKey: string) =>
  (await replay({ pool: stack.db.pool, schema: stack.db.schema, decider: rules, caseKey })).decisions.map(({ replayThread: _t, ...d }) => d);

describe("pruning a quiet case's thread", () => {
  it("keeps the latest checkpoint and each decision's three; state, replay and the next event are unchanged", async () => {
    const before = await rowCounts(DISPUTE_CASE);
    const historyBefore = await history(DISPUTE_CASE);
    const { keep } = checkpointsToKeep(historyBefore);
    const points = decisionPoints(historyBefore);
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(keep.length).toBeLessThan(historyBefore.length);
    const stateBefore = historyBefore[0]!.values;
    const replayBefore = await replayed(DISPUTE_CASE);
    expect(replayBefore.length).toBeGreaterThanOrEqual(2);
    expect(replayBefore.every((d) => d.agree)).toBe(true);

    // A case that was active in the last day is not pruned.
    expect((await runRetention(retention, { threadsQuietSince: earlier(), payloadsFinishedBefore: earlier() })).threads).toBe(0);
    expect(await rowCounts(DISPUTE_CASE)).toEqual(before);

    const report = await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier() });
    expect(report.threads).toBeGreaterThanOrEqual(2);
    const after = await rowCounts(DISPUTE_CASE);
    expect(after.checkpoints).toBe(keep.length);
    expect(after.blobs).toBeLessThan(before.blobs);
    // Pending writes stay only with the latest checkpoint, and a run's input (LangGraph's null task) with the kept
    // checkpoint it belongs to: what the nodes wrote is in the next checkpoint already.
    const writesLeft = (await stack.db.pool.query("select checkpoint_id, task_id from checkpoint_writes where thread_id = $1", [threadIdFor(DISPUTE_CASE)])).rows;
    const latestId = historyBefore[0]!.config.configurable?.checkpoint_id;
    expect(writesLeft.every((w) => w.checkpoint_id === latestId || (w.task_id.startsWith("00000000-0000-0000-0000-") && keep.includes(w.checkpoint_id)))).toBe(true);
    expect(after.writes).toBeLessThan(before.writes);

    const historyAfter = await history(DISPUTE_CASE);
    expect(historyAfter.map((s) => s.config.configurable?.checkpoint_id).sort()).toEqual([...keep].sort());
    // Every kept checkpoint still reads whole: the same values and next task as before pruning.
    for (const s of historyAfter) {
      const was = historyBefore.find((b) => b.config.configurable?.checkpoint_id === s.config.configurable?.checkpoint_id)!;
      expect(s.values).toEqual(was.values);
      expect(s.next).toEqual(was.next);
    }
    expect(historyAfter[0]!.values).toEqual(stateBefore);
    expect((await stack.api("GET", `/cases/${DISPUTE_CASE}`)).body.state.decision).toEqual((stateBefore as any).decision);
    // Replay finds the same decisions and decides them the same way.
    expect(await replayed(DISPUTE_CASE)).toEqual(replayBefore);
    // No blob is left that no checkpoint names.
    const orphans = await stack.db.pool.query(
      `select count(*)::int as n from checkpoint_blobs b where b.thread_id = $1 and not exists (
         select 1 from checkpoints c, jsonb_each_text(c.checkpoint -> 'channel_versions') v
          where c.thread_id = b.thread_id and v.key = b.channel and v.value = b.version)`,
      [threadIdFor(DISPUTE_CASE)],
    );
    expect(orphans.rows[0].n).toBe(0);

    // The case goes on: Stripe closes the dispute, billops records the outcome on the pruned thread.
    const dispute = await stack.gateway.stripe.disputes.retrieve("dp_X000016");
    const closed = { ...scenario.steps[0].event, id: "evt_closed_after_prune", type: "charge.dispute.closed", created: scenario.now + 60, data: { object: { ...dispute, status: "won" } } };
    stack.sim.applyEventObject(closed);
    await stack.sim.webhooks.deliver(closed);
    await stack.quiet();
    expect((await getEvent(stack.db.pool, "evt_closed_after_prune"))?.status).toBe("done");
    const latest = (await history(DISPUTE_CASE))[0]!.values as any;
    expect(latest.decision.action).toBe("record_outcome");
    expect(latest.decisions.length).toBe((stateBefore as any).decisions.length + 1);

    // A case pruned and quiet since is not read again; the new activity makes it a candidate once more.
    await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier() });
    const quiet = await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier() });
    expect(quiet.threads).toBe(0);
  });

  it("waits for a case that is running (its lock is held) and prunes it on the next pass", async () => {
    await stack.db.pool.query("update cases set checkpoints_pruned_at = null");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    const holder = withCaseLock(stack.db.pool, REQUEST_CASE, async () => {
      locked();
      await held;
    });
    await lockTaken;
    const busy = await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier() });
    release();
    await holder;
    expect(busy.busy).toBe(1);
    const next = await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier() });
    expect(next.threads).toBe(1);
    expect((await stack.api("GET", `/cases/${REQUEST_CASE}`)).status).toBe(200);
  });
});

describe("the replay window", () => {
  it("prunes a decision older than the window down to the latest checkpoint; the case still runs, replay skips it", async () => {
    const caseKey = "request:req_window";
    expect((await stack.api("POST", "/requests", { id: "req_window", customer: "cus_X000011", message: "Please cancel my subscription at the end of the month." })).status).toBe(202);
    await stack.quiet();
    expect((await replayed(caseKey)).length).toBe(1);
    const latestBefore = (await history(caseKey))[0]!;
    // Still in the window: kept, and due to be pruned again when the decision leaves it.
    await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier(), decisionsReplayableSince: earlier() });
    const due = (await stack.db.pool.query("select checkpoints_prune_due_at from cases where case_key = $1", [caseKey])).rows[0].checkpoints_prune_due_at as Date;
    expect(due.getTime()).toBeGreaterThan(Date.now() + 300 * day);
    expect((await replayed(caseKey)).length).toBe(1);
    // The window has moved past it (as if a year went by: the case is due): only the latest checkpoint is left.
    await stack.db.pool.query("update cases set checkpoints_prune_due_at = now() - interval '1 second' where case_key = $1", [caseKey]);
    const r = await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier(), decisionsReplayableSince: later() });
    expect(r.threads).toBe(1);
    const left = await history(caseKey);
    expect(left.map((s) => s.config.configurable?.checkpoint_id)).toEqual([latestBefore.config.configurable?.checkpoint_id]);
    expect(left[0]!.values).toEqual(latestBefore.values);
    expect((await rowCounts(caseKey)).writes).toBe(0);
    expect(await replayed(caseKey)).toEqual([]);
    expect((await stack.db.pool.query("select checkpoints_prune_due_at from cases where case_key = $1", [caseKey])).rows[0].checkpoints_prune_due_at).toBeNull();
    // Nothing more to do for it until it sees activity again.
    expect((await runRetention(retention, { threadsQuietSince: later(), payloadsFinishedBefore: earlier(), decisionsReplayableSince: later() })).threads).toBe(0);
  });
});

describe("event bodies", () => {
  it("are dropped for finished events only, keeping the envelope; the event still dedupes its id", async () => {
    // One event that failed for good, one still pending: their bodies are needed for a retry.
    await insertEvent(stack.db.pool, { id: "evt_waiting", type: "invoice.paid", caseKey: "invoice:in_waiting", source: "stripe", payload: { id: "evt_waiting", data: { object: { id: "in_waiting", amount_paid: 100 } } }, availableAt: new Date(Date.now() + day) });
    const done = (await listEvents(stack.db.pool, { status: "done", limit: 500 })).length;
    expect(done).toBeGreaterThan(2);
    const r = await runRetention(retention, { threadsQuietSince: earlier(), payloadsFinishedBefore: later() });
    expect(r.payloads).toBe(done + (await listEvents(stack.db.pool, { status: "ignored", limit: 500 })).length);

    const created = (await getEvent(stack.db.pool, scenario.steps[0].event.id))!;
    expect(created.payloadDroppedAt).toBeInstanceOf(Date);
    expect(created.payload).toEqual({
      id: scenario.steps[0].event.id,
      object: "event",
      type: "charge.dispute.created",
      created: scenario.steps[0].event.created,
      livemode: false,
      api_version: "2026-10-28.endive",
      request: { id: null, idempotency_key: null },
      data: { object: { id: "dp_X000016", object: "dispute", customer: null } },
    });
    const request = (await getEvent(stack.db.pool, `request:req_keep`))!;
    expect(request.payload).toMatchObject({ id: "req_keep", customer: "cus_X000011" });
    expect(JSON.stringify(request.payload)).not.toContain("cancel");
    const waiting = (await getEvent(stack.db.pool, "evt_waiting"))!;
    expect(waiting.payloadDroppedAt).toBeNull();
    expect(waiting.payload.data.object.amount_paid).toBe(100);
    // Stripe delivering the dropped event again is still a duplicate.
    const again = await insertEvent(stack.db.pool, { id: scenario.steps[0].event.id, type: "charge.dispute.created", caseKey: DISPUTE_CASE, source: "stripe", payload: scenario.steps[0].event });
    expect(again.inserted).toBe(false);
    expect((await runRetention(retention, { threadsQuietSince: earlier(), payloadsFinishedBefore: later() })).payloads).toBe(0);
  });
});

describe("inbox sessions", () => {
  it("that expired are forgotten", async () => {
    await stack.db.pool.query(`insert into inbox_sessions (id_hash, approver, token_digest, csrf, expires_at) values ('old', 'a', 'd', 'c', now() - interval '1 hour'), ('live', 'a', 'd', 'c', now() + interval '1 hour')`);
    expect((await runRetention(retention, { threadsQuietSince: earlier(), payloadsFinishedBefore: earlier() })).sessions).toBe(1);
    expect((await stack.db.pool.query("select id_hash from inbox_sessions")).rows).toEqual([{ id_hash: "live" }]);
  });
});

describe("npm run retention", () => {
  it("runs a pass on the database it is pointed at, says what it did, and refuses bad arguments", async () => {
    const out = new Sink();
    const err = new Sink();
    const env = { DATABASE_URL: stack.db.url, BILLOPS_SCHEMA: stack.db.schema, CHECKPOINT_RETENTION_DAYS: "1" };
    expect(await main([], { stdout: out as any, stderr: err as any, env })).toBe(0);
    expect(err.text).toBe("");
    expect(out.text).toMatch(/retention: \d+ case threads quiet for 1\+ days pruned/);
    expect(out.text).toMatch(/checkpoint_blobs\s+[\d.]+ MB → [\d.]+ MB/);
    for (const [argv, e, message] of [
      [["--payload-days", "0"], env, /--payload-days must be a whole number of days/],
      [["--nope"], env, /Unknown option/],
      [[], {}, /DATABASE_URL is not set/],
    ] as const) {
      const bad = new Sink();
      expect(await main([...argv], { stdout: new Sink() as any, stderr: bad as any, env: e as NodeJS.ProcessEnv })).toBe(2);
      expect(bad.text).toMatch(message);
    }
  });
});

describe("a case waiting for a person", () => {
  it("is pruned like any quiet case, and the answer still runs once from its latest checkpoint", async () => {
    const refund = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
    // $15 charge, limit lowered to $10: the refund waits for a person.
    const s = await startStack({ now: refund.now, seed: refund.stripe, policy: { auto_refund_limit: 1000 } });
    try {
      const r = { pool: s.db.pool, graph: compileGraph(s.billops.checkpointer), saver: s.billops.checkpointer, logger: silentLogger };
      expect((await s.api("POST", "/requests", { id: "req_wait", customer: "cus_X00000w", charge: "ch_X00000z", message: "I bought this by mistake yesterday, please refund it." })).status).toBe(202);
      await s.quiet();
      const approval = (await s.api("GET", "/approvals")).body.data[0];
      expect(approval.action).toBe("refund_full");
      const t = threadIdFor("request:req_wait");
      const before = (await s.db.pool.query("select count(*)::int as n from checkpoints where thread_id = $1", [t])).rows[0].n;
      expect((await runRetention(r, { threadsQuietSince: later(), payloadsFinishedBefore: later(), decisionsReplayableSince: later() })).threads).toBe(1);
      expect((await s.db.pool.query("select count(*)::int as n from checkpoints where thread_id = $1", [t])).rows[0].n).toBeLessThan(before);

      const answered = await s.api("POST", `/approvals/${approval.id}`, { type: "accept" });
      expect(answered.status).toBe(200);
      await s.quiet();
      const refunds = s.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");
      expect(refunds).toHaveLength(1);
      expect(refunds[0]!.params.amount).toBe("1500");
    } finally {
      await s.stop();
    }
  });
});
