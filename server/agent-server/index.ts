// The Agent Server API subset LangGraph's Agent Inbox uses (threads, state, runs), as a second door to billops'
// approvals: every answer goes through the case service (case lock, guard, audit) like POST /approvals/:id.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type pg from "pg";
import type { ApprovalAnswer, CaseService } from "../../engine/case-service.js";
import type { NodeEvent } from "../../engine/run-progress.js";
import type { Logger } from "../../telemetry/log.js";
import { pendingApprovalForCase } from "../../store/approvals.js";
import { jsonError, readJson, zodMessage } from "../http-error.js";
import { createThreadViews, GRAPH_ID, THREAD_STATUSES, type ThreadStatus } from "./threads.js";
import { getRun, insertRun, setRunStatus, type AgentRunRow } from "../../store/agent-runs.js";

const require = createRequire(import.meta.url);
const BILLOPS_VERSION: string = require("../../package.json").version;
const LANGGRAPH_VERSION: string = require("@langchain/langgraph/package.json").version;

const SearchSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  status: z.enum(THREAD_STATUSES as [ThreadStatus, ...ThreadStatus[]]).nullish(),
  ids: z.array(z.string()).nullish(),
  limit: z.number().int().min(1).max(1000).default(10),
  offset: z.number().int().min(0).default(0),
});

/** Agent Inbox's HumanResponse; the resume value is always an array of exactly one. */
const HumanResponseSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("accept"), args: z.unknown().optional() }),
  z.object({ type: z.literal("ignore"), args: z.unknown().optional() }),
  z.object({ type: z.literal("response"), args: z.string().max(2000).nullish() }),
  z.object({ type: z.literal("edit"), args: z.object({ action: z.string().optional(), args: z.record(z.string(), z.unknown()).default({}) }) }),
]);

const RunSchema = z.object({
  assistant_id: z.string().optional(),
  command: z.object({ resume: z.array(HumanResponseSchema).length(1, "resume with an array of one HumanResponse") }, { error: "billops threads only take resume commands: new work arrives from Stripe and support requests" }),
});

const UpdateStateSchema = z.object({ values: z.null(), as_node: z.literal("__end__") });

function toAnswer(r: z.infer<typeof HumanResponseSchema>): ApprovalAnswer {
  switch (r.type) {
    case "accept":
      return { type: "accept" };
    case "ignore":
      return { type: "ignore" };
    case "response":
      return { type: "response", reason: r.args ?? "" };
    case "edit":
      return { type: "edit", action: r.args.action, args: r.args.args };
  }
}

function runOut(run: AgentRunRow) {
  return {
    run_id: run.runId,
    thread_id: run.threadId,
    assistant_id: run.assistantId,
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    status: run.status,
    metadata: { case_key: run.caseKey, approval_id: run.approvalId, approver: run.approver },
    multitask_strategy: "reject",
    kwargs: { command: { resume: [run.answer] } },
    ...(run.error ? { error: run.error } : {}),
  };
}

export function agentServerRoutes({ pool, cases, logger }: { pool: pg.Pool; cases: CaseService; logger: Logger }) {
  const app = new Hono<{ Variables: { approver: string } }>();
  const views = createThreadViews({ pool, cases });

  /** What Agent Inbox asks of a deployment before anything else (no credentials: it is sent without the API key). */
  app.get("/info", (c) =>
    c.json({
      version: BILLOPS_VERSION,
      langgraph_js_version: LANGGRAPH_VERSION,
      context: "js",
      flags: { assistants: false, crons: false, langsmith: false, langsmith_tracing_replicas: false },
      host: { kind: "self-hosted", project_id: null, revision_id: BILLOPS_VERSION, tenant_id: null },
    }),
  );

  app.post("/threads/search", async (c) => {
    const parsed = await readJson(c);
    const body = parsed.ok ? (parsed.body ?? {}) : {};
    const q = SearchSchema.safeParse(body);
    if (!q.success) return jsonError(c, 422, "invalid_search", zodMessage(q.error));
    const threads = await views.search({ metadata: q.data.metadata ?? undefined, status: q.data.status ?? undefined, ids: q.data.ids ?? undefined, limit: q.data.limit, offset: q.data.offset });
    return c.json(threads);
  });

  app.get("/threads/:id", async (c) => {
    const t = await views.thread(c.req.param("id"));
    return t ? c.json(t) : jsonError(c, 404, "thread_not_found", `no thread ${c.req.param("id")}`);
  });

  app.get("/threads/:id/state", async (c) => {
    const s = await views.state(c.req.param("id"));
    return s ? c.json(s) : jsonError(c, 404, "thread_not_found", `no thread ${c.req.param("id")}`);
  });

  /** Agent Inbox's "mark as resolved": closes the question without running anything. Nothing else may be written. */
  app.post("/threads/:id/state", async (c) => {
    const threadId = c.req.param("id");
    const row = await views.caseOf(threadId);
    if (!row) return jsonError(c, 404, "thread_not_found", `no thread ${threadId}`);
    const parsed = await readJson(c);
    if (!parsed.ok) return jsonError(c, 400, "invalid_json", "the body must be JSON");
    const update = UpdateStateSchema.safeParse(parsed.body);
    if (!update.success) return jsonError(c, 422, "unsupported_update", 'billops threads take only {"values": null, "as_node": "__end__"} (mark resolved); their state is written by the graph');
    const pending = await pendingApprovalForCase(pool, row.caseKey);
    if (!pending) return jsonError(c, 409, "thread_not_interrupted", `case ${row.caseKey} waits on no approval`);
    const result = await cases.resolveApproval(pending.id, c.get("approver"));
    if (!result.ok) return jsonError(c, result.status, result.code, result.message);
    const s = await views.state(threadId);
    return c.json({ checkpoint: s?.checkpoint ?? null });
  });

  /** Checks and records a run; the caller executes it. The row makes the thread busy for every process at once. */
  async function startRun(c: Context<{ Variables: { approver: string } }>): Promise<{ run: AgentRunRow; answer: ApprovalAnswer } | Response> {
    const threadId = c.req.param("id")!;
    const row = await views.caseOf(threadId);
    if (!row) return jsonError(c, 404, "thread_not_found", `no thread ${threadId}`);
    const parsed = await readJson(c);
    if (!parsed.ok) return jsonError(c, 400, "invalid_json", "the body must be JSON");
    const body = RunSchema.safeParse(parsed.body);
    if (!body.success) return jsonError(c, 422, "invalid_run", zodMessage(body.error));
    const assistantId = body.data.assistant_id ?? GRAPH_ID;
    if (assistantId !== GRAPH_ID) return jsonError(c, 404, "assistant_not_found", `billops has one graph, "${GRAPH_ID}"; no assistant ${assistantId}`);
    const pending = await pendingApprovalForCase(pool, row.caseKey);
    if (!pending) return jsonError(c, 409, "thread_not_interrupted", `case ${row.caseKey} waits on no approval`);
    const response = body.data.command.resume[0];
    const run = await insertRun(pool, { runId: randomUUID(), threadId, caseKey: row.caseKey, assistantId, approvalId: pending.id, approver: c.get("approver"), answer: response as Record<string, unknown> });
    if (!run) return jsonError(c, 409, "thread_busy", `thread ${threadId} already has a run in progress`);
    c.header("Content-Location", `/threads/${threadId}/runs/${run.runId}`);
    return { run, answer: toAnswer(response) };
  }

  /** Runs the answer through the case service and records how it ended. Never throws: failures end the run as error. */
  async function execute(run: AgentRunRow, answer: ApprovalAnswer, progress?: (e: NodeEvent) => void): Promise<AgentRunRow["error"]> {
    let error: AgentRunRow["error"] = null;
    try {
      await setRunStatus(pool, run.runId, "running");
      const result = await cases.answerApproval(run.approvalId, answer, run.approver, progress);
      if (!result.ok) error = { code: result.code, message: result.message, status: result.status };
      else await setRunStatus(pool, run.runId, result.state.approval?.status === "pending" ? "interrupted" : "success");
    } catch (err) {
      logger.error({ err, case: run.caseKey, thread_id: run.threadId, run_id: run.runId }, "agent server run failed");
      error = { code: "run_failed", message: "the run failed; it is logged", status: 500 };
    }
    if (error) await setRunStatus(pool, run.runId, "error", error).catch((err) => logger.error({ err, run_id: run.runId }, "could not record a failed run"));
    return error;
  }

  app.post("/threads/:id/runs/stream", async (c) => {
    const started = await startRun(c);
    if (started instanceof Response) return started;
    const { run, answer } = started;
    const encoder = new TextEncoder();
    const sse = (event: string, data: unknown) => encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let out: ReadableStreamDefaultController<Uint8Array> | null = null;
    const send = (event: string, data: unknown) => {
      try {
        out?.enqueue(sse(event, data));
      } catch {
        out = null; // the client went away; the run is recorded either way
      }
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        out = controller;
        controller.enqueue(sse("metadata", { run_id: run.runId, attempt: 1 }));
      },
      cancel() {
        out = null;
      },
    });
    // Agent Server's `events` chunks as the resumed run goes node by node (Agent Inbox shows the current node). The
    // run goes on if the client disconnects: a Stripe write half-done must finish under its idempotency key.
    void execute(run, answer, (e) => send("events", { ...e, metadata: { ...e.metadata, run_id: run.runId, thread_id: run.threadId, assistant_id: run.assistantId, graph_id: GRAPH_ID } })).then((error) => {
      if (error) send("error", { error: error.code, message: error.message });
      try {
        out?.close();
      } catch {
        /* already closed by the client */
      }
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        "content-location": `/threads/${run.threadId}/runs/${run.runId}`,
      },
    });
  });

  app.post("/threads/:id/runs", async (c) => {
    const started = await startRun(c);
    if (started instanceof Response) return started;
    void execute(started.run, started.answer);
    return c.json(runOut(started.run));
  });

  app.get("/threads/:id/runs/:runId", async (c) => {
    const run = await findRun(c.req.param("id"), c.req.param("runId"));
    return run ? c.json(runOut(run)) : jsonError(c, 404, "run_not_found", `no run ${c.req.param("runId")} on thread ${c.req.param("id")}`);
  });

  /** Waits for the run to end and answers with the thread's values, as Agent Server's join does. */
  app.get("/threads/:id/runs/:runId/join", async (c) => {
    const threadId = c.req.param("id");
    const deadline = Date.now() + 150_000;
    for (;;) {
      const run = await findRun(threadId, c.req.param("runId"));
      if (!run) return jsonError(c, 404, "run_not_found", `no run ${c.req.param("runId")} on thread ${threadId}`);
      if (run.status !== "pending" && run.status !== "running") break;
      if (Date.now() > deadline) return jsonError(c, 408, "run_still_running", `run ${run.runId} has not finished`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const s = await views.state(threadId);
    return c.json(s?.values ?? {});
  });

  const findRun = (threadId: string, runId: string) =>
    /^[0-9a-f-]{36}$/i.test(threadId) && /^[0-9a-f-]{36}$/i.test(runId) ? getRun(pool, threadId, runId) : Promise.resolve(null);

  return app;
}

/** The paths these routes answer, for mounting auth and CORS in front of them. */
export const AGENT_SERVER_PATHS = ["/threads", "/threads/*"];
/** Answered to anyone (CORS, no token), as Agent Server does: it says which server this is and nothing about cases. */
export const AGENT_SERVER_OPEN_PATHS = ["/info"];
