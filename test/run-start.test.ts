// Where a case's run starts. A Stripe event the routing table routes starts at its specialist with the supervisor's
// writes in the run's input (no stored step for a table lookup) and ends in the state a run through the supervisor
// node makes; a support request, which takes the classifier, still goes through the supervisor; and an event that
// supersedes a pending approval starts from the state the superseded run left, clearing what that run produced.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { StateSnapshot } from "@langchain/langgraph";
import { startStack, type Stack } from "./support/stack.js";
import { compileGraph } from "../graph/graph.js";
import { triggerOf } from "../engine/case-service.js";
import { getEvent } from "../engine/inbox/index.js";
import { threadIdFor } from "../domain/case.js";
import { NOW, subscriptionSeed } from "./support/subscriptions.js";

const CASE = "subscription:sub_start_0";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ now: NOW, seed: subscriptionSeed(1, "start") });
});
afterAll(() => stack?.stop());

async function history(graph: ReturnType<typeof compileGraph>, threadId: string): Promise<StateSnapshot[]> {
  const snaps: StateSnapshot[] = [];
  for await (const s of graph.getStateHistory({ configurable: { thread_id: threadId } })) snaps.push(s);
  return snaps.reverse();
}

it("a routed Stripe event runs from its specialist and ends where a run through the supervisor ends", async () => {
  const stripe = stack.gateway.stripe;
  await stripe.subscriptions.update("sub_start_0", { metadata: { note: "first" } });
  await stack.quiet();
  await stripe.subscriptions.update("sub_start_0", { metadata: { note: "second" } });
  await stack.quiet();

  const graph = compileGraph(stack.billops.checkpointer);
  const worker = await history(graph, threadIdFor(CASE));
  const inputs = worker.filter((s) => s.metadata?.source === "input");
  expect(inputs).toHaveLength(2);
  for (const s of inputs) expect(s.next).toEqual(["subscription"]);
  expect(worker.some((s) => s.next.includes("supervisor"))).toBe(false);
  // Each input checkpoint already holds the supervisor's writes: the route and the event.
  expect(inputs.map((s) => (s.values as any).route)).toEqual(["subscription", "subscription"]);
  expect(inputs.map((s) => (s.values as any).events.length)).toEqual([1, 2]);

  // The same two events as graph input on another thread, through START and the supervisor node.
  const events = (await stack.db.pool.query("select id from stripe_events where case_key = $1 order by seq", [CASE])).rows.map((r) => r.id);
  expect(events).toHaveLength(2);
  const compare = { configurable: { thread_id: "through-the-supervisor" }, context: stack.billops.deps as any, durability: "sync" as const };
  for (const id of events) {
    const event = (await getEvent(stack.db.pool, id))!;
    await graph.invoke({ caseKey: CASE, trigger: triggerOf(event, NOW) }, compare);
  }
  const through = await history(graph, "through-the-supervisor");
  expect(through.filter((s) => s.next.includes("supervisor"))).toHaveLength(2);

  const a = (await graph.getState({ configurable: { thread_id: threadIdFor(CASE) } })).values as any;
  const b = (await graph.getState(compare)).values as any;
  expect(a.decisions).toHaveLength(2);
  expect(a).toEqual(b);
  // The audit trail has the run's first line, which the supervisor's update carries.
  const kinds = (await stack.db.pool.query("select kind from audit_log where case_key = $1 order by at, id", [CASE])).rows.map((r) => r.kind);
  expect(kinds.filter((k) => k === "event")).toHaveLength(2);
});

it("a support request goes through the supervisor, which classifies it", async () => {
  const created = await stack.api("POST", "/requests", { id: "req_start", customer: "cus_start", subscription: "sub_start_0", message: "Which plan am I on?" });
  expect(created.status).toBe(202);
  await stack.quiet();
  const graph = compileGraph(stack.billops.checkpointer);
  const snaps = await history(graph, threadIdFor("request:req_start"));
  expect(snaps.find((s) => s.metadata?.source === "input")?.next).toEqual(["supervisor"]);
  expect((snaps.at(-1)!.values as any).classification).toMatchObject({ source: "rules" });
});

it("an event that supersedes a pending approval starts at its specialist with the superseded run's leftovers cleared", async () => {
  const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_dispute_credit_not_processed.json", import.meta.url), "utf8"));
  const disputes = await startStack({ now: scenario.now, seed: scenario.stripe });
  try {
    const created = scenario.steps[0].event;
    const caseKey = `dispute:${created.data.object.id}`;
    disputes.sim.applyEventObject(created);
    await disputes.sim.webhooks.deliver(created);
    await disputes.quiet();
    const first = await disputes.billops.cases.snapshot(caseKey);
    expect(first.interrupted).toBe(true);

    const dispute = await disputes.gateway.stripe.disputes.retrieve(created.data.object.id);
    await disputes.sim.webhooks.deliver({ id: "evt_supersedes", object: "event", api_version: "2026-10-28.endive", created: scenario.now + 10, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type: "charge.dispute.updated", data: { object: dispute } });
    await disputes.quiet();

    const graph = compileGraph(disputes.billops.checkpointer);
    const snaps = await history(graph, threadIdFor(caseKey));
    // The new run starts at the specialist with what the superseded run left (its outcome, the closed approval)
    // cleared, as the supervisor clears it.
    const start = snaps.filter((s) => s.metadata?.source === "input").at(-1)!;
    expect(start.next).toEqual(["dispute"]);
    expect((start.values as any).outcome).toBeNull();
    expect((start.values as any).approval).toBeNull();
    expect((start.values as any).events.map((e: any) => e.id)).toContain("evt_supersedes");
    const now = await disputes.billops.cases.snapshot(caseKey);
    expect(now.values.approval).toMatchObject({ status: "pending" });
    expect(now.values.log[0]).toMatchObject({ id: "evt_supersedes:event", run: true });
  } finally {
    await disputes.stop();
  }
});
