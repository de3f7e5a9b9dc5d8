// Agent Inbox's door: @langchain/langgraph-sdk's Client drives billops exactly as Agent Inbox does (search interrupted
// threads, resume with a HumanResponse array, ignore in the background, mark resolved), on real PostgreSQL and the
// simulator; the answers go through the same case lock, guard and audit as /approvals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Client } from "@langchain/langgraph-sdk";
import { startStack, APPROVER, APPROVER_TOKEN, type Stack } from "./support/stack.js";
import { threadIdFor } from "../domain/case.js";
import { withCaseLock } from "../engine/case-lock.js";

const scenario = JSON.parse(readFileSync(new URL("./fixtures/example_refund_small_goodwill.json", import.meta.url), "utf8"));
const CHARGE = "ch_X00000z";
const CUSTOMER = "cus_X00000w";
const CASES = ["request:req_stream", "request:req_create", "request:req_resolve"];

const refundWrites = (stack: Stack) => stack.sim.log.writes().filter((w) => w.method === "POST" && w.path === "/v1/refunds");

describe("Agent Server API for Agent Inbox", () => {
  let stack: Stack;
  let client: Client;

  beforeAll(async () => {
    // One $15 charge, limit lowered to $10: each request below waits for a person; only one may ever be refunded.
    stack = await startStack({ now: scenario.now, seed: scenario.stripe, policy: { auto_refund_limit: 1000 } });
    for (const key of CASES) {
      const res = await stack.api("POST", "/requests", { id: key.slice("request:".length), customer: CUSTOMER, charge: CHARGE, message: "I bought this by mistake yesterday, please refund it." });
      expect(res.status).toBe(202);
    }
    await stack.quiet();
    // What Agent Inbox builds: the token as the API key (sent as x-api-key), and its LangSmith auth-scheme header.
    client = new Client({ apiUrl: stack.url, apiKey: APPROVER_TOKEN, defaultHeaders: { "x-auth-scheme": "langsmith" } });
  });
  afterAll(() => stack?.stop());

  it("lists interrupted threads for graph billops with their HumanInterrupts, newest first", async () => {
    const threads = await client.threads.search({ status: "interrupted", metadata: { graph_id: "billops" }, limit: 10, offset: 0 });
    expect(threads.map((t) => t.thread_id).sort()).toEqual(CASES.map(threadIdFor).sort());
    for (const t of threads) {
      expect(t.status).toBe("interrupted");
      expect(new Date(t.created_at).toISOString()).toBe(t.created_at);
      expect(t.metadata).toMatchObject({ graph_id: "billops" });
      const tasks = Object.entries(t.interrupts);
      expect(tasks).toHaveLength(1);
      const [[, list]] = tasks;
      expect(list).toHaveLength(1);
      expect(list[0]!.id).toBeTruthy();
      expect(list[0]!.value).toMatchObject({ action_request: { action: "refund_full", args: { charge: CHARGE, amount: 1500 } }, config: { allow_accept: true, allow_edit: true } });
    }
    const times = threads.map((t) => t.created_at);
    expect([...times].sort().reverse()).toEqual(times);

    // Paging and other graphs.
    expect(await client.threads.search({ status: "interrupted", metadata: { graph_id: "billops" }, limit: 2, offset: 2 })).toHaveLength(1);
    expect(await client.threads.search({ status: "interrupted", metadata: { graph_id: "another_graph" } })).toEqual([]);
    expect(await client.threads.search({ status: "idle", metadata: { graph_id: "billops" } })).toEqual([]);
    expect(await client.threads.search({ metadata: { assistant_id: "billops" }, limit: 100 })).toHaveLength(3);

    const one = await client.threads.get(threadIdFor(CASES[0]!));
    expect(one.status).toBe("interrupted");
    const state = await client.threads.getState(threadIdFor(CASES[0]!));
    expect(state.next.length).toBeGreaterThan(0);
    const interrupted = state.tasks.filter((t) => t.interrupts.length > 0);
    expect(interrupted).toHaveLength(1);
    expect((interrupted[0]!.interrupts[0]!.value as any).action_request.action).toBe("refund_full");
    expect((state.values as any).decision.action).toBe("refund_full");
  });

  it("an edit the guard refuses ends the stream with an error event; the thread stays interrupted and nothing reaches Stripe", async () => {
    const threadId = threadIdFor(CASES[0]!);
    const parts = [];
    for await (const part of client.runs.stream(threadId, "billops", { command: { resume: [{ type: "edit", args: { action: "refund_full", args: { charge: CHARGE, amount: 999999, reason: "requested_by_customer" } } }] }, streamMode: "events" })) parts.push(part);
    expect(parts.map((p) => p.event)).toEqual(["metadata", "error"]);
    expect(parts[1]!.data).toMatchObject({ error: "guard_refused" });
    expect((await client.threads.get(threadId)).status).toBe("interrupted");
    expect(refundWrites(stack)).toHaveLength(0);
  });

  it("runs.stream with an accept resumes the thread: one refund, the thread leaves interrupted, audited under the approver", async () => {
    const threadId = threadIdFor(CASES[0]!);
    let created: { run_id: string } | undefined;
    const parts = [];
    for await (const part of client.runs.stream(threadId, "billops", { command: { resume: [{ type: "accept", args: null }] }, streamMode: "events", onRunCreated: (m) => (created = m) })) parts.push(part);
    // metadata, then Agent Server's `events` chunks as the resumed run goes node by node (Agent Inbox shows the node).
    expect(parts[0]!.event).toBe("metadata");
    expect(new Set(parts.slice(1).map((p) => p.event))).toEqual(new Set(["events"]));
    const nodes = parts.slice(1).map((p) => `${(p.data as any).event}:${(p.data as any).metadata.langgraph_node}`);
    expect(nodes).toContain("on_chain_start:act");
    expect(nodes.indexOf("on_chain_end:act")).toBeGreaterThan(nodes.indexOf("on_chain_start:act"));
    expect((parts[0]!.data as { run_id: string }).run_id).toBe(created?.run_id);
    // The stream closes only once the run finished and the thread's status is updated.
    const after = await client.threads.get(threadId);
    expect(after.status).toBe("idle");
    expect(after.interrupts).toEqual({});
    expect((await client.runs.get(threadId, created!.run_id)).status).toBe("success");

    await stack.quiet();
    const writes = refundWrites(stack);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.params.amount).toBe("1500");
    const approval = (await stack.api("GET", `/approvals?status=all&case=${encodeURIComponent(CASES[0]!)}`)).body.data[0];
    expect(approval).toMatchObject({ status: "accepted", approver: APPROVER });
    const audit = (await stack.api("GET", `/cases/${encodeURIComponent(CASES[0]!)}`)).body.audit as any[];
    expect(audit.filter((a) => a.kind === "approval_answered")).toEqual([expect.objectContaining({ actor: APPROVER, data: expect.objectContaining({ status: "accepted" }) })]);

    // Agent Inbox answering twice: refused, nothing more reaches Stripe.
    await expect(client.runs.create(threadId, "billops", { command: { resume: [{ type: "accept", args: null }] } })).rejects.toMatchObject({ status: 409 });
    expect(refundWrites(stack)).toHaveLength(1);
  });

  it("runs.create with an ignore answers at once with the thread busy, then the thread goes idle; nothing reaches Stripe", async () => {
    const threadId = threadIdFor(CASES[1]!);
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Hold the case lock as a worker would, so the run cannot finish before we look: busy must show across processes.
    const holder = withCaseLock(stack.db.pool, CASES[1]!, async () => {
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    const run = await client.runs.create(threadId, "billops", { command: { resume: [{ type: "ignore", args: null }] } });
    expect(run.thread_id).toBe(threadId);
    expect(run.assistant_id).toBe("billops");
    expect((await client.threads.get(threadId)).status).toBe("busy");
    const other = new Client({ apiUrl: (await stack.another()).url!, apiKey: APPROVER_TOKEN });
    expect((await other.threads.get(threadId)).status).toBe("busy");
    expect(["pending", "running"]).toContain((await client.runs.get(threadId, run.run_id)).status);
    expect(await client.threads.search({ status: "busy", metadata: { graph_id: "billops" } })).toHaveLength(1);
    // A second answer while one runs is refused (multitask "reject").
    await expect(client.runs.create(threadId, "billops", { command: { resume: [{ type: "accept", args: null }] } })).rejects.toMatchObject({ status: 409 });
    release();
    await holder;

    await client.runs.join(threadId, run.run_id);
    expect((await client.runs.get(threadId, run.run_id)).status).toBe("success");
    expect((await client.threads.get(threadId)).status).toBe("idle");
    const approval = (await stack.api("GET", `/approvals?status=all&case=${encodeURIComponent(CASES[1]!)}`)).body.data[0];
    expect(approval).toMatchObject({ status: "ignored", approver: APPROVER });
    const audit = (await stack.api("GET", `/cases/${encodeURIComponent(CASES[1]!)}`)).body.audit as any[];
    expect(audit.some((a) => a.kind === "approval_answered" && a.actor === APPROVER && a.data.status === "ignored")).toBe(true);
    expect(refundWrites(stack)).toHaveLength(1);
  });

  it("updateState with asNode __end__ marks the question resolved without running anything", async () => {
    const threadId = threadIdFor(CASES[2]!);
    await expect(client.threads.updateState(threadId, { values: { decision: null } })).rejects.toMatchObject({ status: 422 });
    const res = await client.threads.updateState(threadId, { values: null, asNode: "__end__" });
    expect((res as any).checkpoint.thread_id).toBe(threadId);
    const t = await client.threads.get(threadId);
    expect(t.status).toBe("idle");
    const approval = (await stack.api("GET", `/approvals?status=all&case=${encodeURIComponent(CASES[2]!)}`)).body.data[0];
    expect(approval).toMatchObject({ status: "resolved", approver: APPROVER });
    await expect(client.threads.updateState(threadId, { values: null, asNode: "__end__" })).rejects.toMatchObject({ status: 409 });
    expect(await client.threads.search({ status: "interrupted", metadata: { graph_id: "billops" } })).toEqual([]);
    await stack.quiet();
    expect(refundWrites(stack)).toHaveLength(1);
  });

  it("refuses every route without a token or with a wrong one", async () => {
    const t = threadIdFor(CASES[0]!);
    const routes: [string, string, unknown?][] = [
      ["POST", "/threads/search", {}],
      ["GET", `/threads/${t}`],
      ["GET", `/threads/${t}/state`],
      ["POST", `/threads/${t}/state`, { values: null, as_node: "__end__" }],
      ["POST", `/threads/${t}/runs`, { assistant_id: "billops", command: { resume: [{ type: "accept", args: null }] } }],
      ["POST", `/threads/${t}/runs/stream`, { assistant_id: "billops", command: { resume: [{ type: "accept", args: null }] } }],
      ["GET", `/threads/${t}/runs/00000000-0000-4000-8000-000000000000`],
      ["GET", "/approvals"],
    ];
    for (const [method, path, body] of routes) {
      for (const headers of [{}, { "x-api-key": "wrong-token-0123456789" }, { authorization: "Bearer wrong-token-0123456789" }] as Record<string, string>[]) {
        const res = await fetch(`${stack.url}${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect((await res.json()).error.code).toMatch(/unauthenticated|invalid_token/);
      }
    }
    // Bearer works as well as x-api-key.
    const ok = await fetch(`${stack.url}/threads/${t}`, { headers: { authorization: `Bearer ${APPROVER_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(refundWrites(stack)).toHaveLength(1);
  });

  it("answers CORS preflights from another origin, with Private Network Access", async () => {
    const res = await fetch(`${stack.url}/threads/search`, {
      method: "OPTIONS",
      headers: {
        origin: "https://dev.agentinbox.ai",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-api-key",
        "access-control-request-private-network": "true",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(",");
    for (const h of ["content-type", "x-api-key", "authorization"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-private-network")).toBe("true");

    const actual = await fetch(`${stack.url}/threads/search`, { method: "POST", headers: { origin: "https://dev.agentinbox.ai", "content-type": "application/json", "x-api-key": APPROVER_TOKEN }, body: "{}" });
    expect(actual.status).toBe(200);
    expect(actual.headers.get("access-control-allow-origin")).toBe("*");
  });
});
