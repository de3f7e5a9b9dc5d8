// LangGraph Agent Server's Thread and ThreadState shapes, built from billops' cases, case threads and agent runs.
import type pg from "pg";
import type { CaseService } from "../../engine/case-service.js";
import { getCaseByThread, listCases, type CaseRow } from "../../store/cases.js";
import { busyThreads } from "../../store/agent-runs.js";

/** The graph id Agent Inbox is pointed at; also accepted where Agent Server expects an assistant id. */
export const GRAPH_ID = "billops";

export type ThreadStatus = "idle" | "busy" | "interrupted" | "error";
export const THREAD_STATUSES: readonly ThreadStatus[] = ["idle", "busy", "interrupted", "error"];

export interface InterruptOut {
  value: unknown;
  id: string;
}

export interface ThreadOut {
  thread_id: string;
  created_at: string;
  updated_at: string;
  state_updated_at: string;
  metadata: Record<string, unknown>;
  status: ThreadStatus;
  values: Record<string, unknown>;
  interrupts: Record<string, InterruptOut[]>;
  config: Record<string, unknown>;
  error: null;
}

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function metadataOf(row: CaseRow): Record<string, unknown> {
  // graph_id and assistant_id both name the one graph: Agent Inbox filters on graph_id unless given a UUID.
  return { graph_id: GRAPH_ID, assistant_id: GRAPH_ID, case_key: row.caseKey, case_kind: row.kind, case_status: row.status, customer: row.customer };
}

type Snapshot = Awaited<ReturnType<CaseService["snapshot"]>>["snap"];

function interruptsOf(snap: Snapshot): Record<string, InterruptOut[]> {
  const out: Record<string, InterruptOut[]> = {};
  for (const t of snap.tasks) {
    const list = (t.interrupts ?? []).map((i: any) => ({ value: i.value, id: String(i.id ?? i.interrupt_id ?? t.id) }));
    if (list.length) out[t.id] = list;
  }
  return out;
}

function statusOf(row: CaseRow, interrupted: boolean, busy: boolean): ThreadStatus {
  if (busy) return "busy";
  if (interrupted) return "interrupted";
  if (row.status === "error") return "error";
  return "idle";
}

export function createThreadViews({ pool, cases }: { pool: pg.Pool; cases: CaseService }) {
  async function toThreads(rows: CaseRow[]): Promise<ThreadOut[]> {
    const busy = await busyThreads(pool, rows.map((r) => r.threadId));
    return Promise.all(
      rows.map(async (row) => {
        const { snap, interrupted } = await cases.snapshot(row.caseKey);
        return {
          thread_id: row.threadId,
          created_at: row.createdAt.toISOString(),
          updated_at: row.updatedAt.toISOString(),
          state_updated_at: (snap.createdAt ?? row.updatedAt.toISOString()) as string,
          metadata: metadataOf(row),
          status: statusOf(row, interrupted, busy.has(row.threadId)),
          values: (snap.values ?? {}) as Record<string, unknown>,
          interrupts: interruptsOf(snap),
          config: {},
          error: null,
        };
      }),
    );
  }

  async function thread(threadId: string): Promise<ThreadOut | null> {
    if (!isUuid(threadId)) return null;
    const row = await getCaseByThread(pool, threadId);
    return row ? (await toThreads([row]))[0] : null;
  }

  /** Agent Server's thread search: metadata subset match, exact status, newest first, limit/offset after filtering. */
  async function search(q: { metadata?: Record<string, unknown>; status?: ThreadStatus; ids?: string[]; limit: number; offset: number }): Promise<ThreadOut[]> {
    const wanted = (t: ThreadOut) =>
      (!q.status || t.status === q.status) &&
      Object.entries(q.metadata ?? {}).every(([k, v]) => JSON.stringify(t.metadata[k]) === JSON.stringify(v));
    if (q.ids) {
      const found = await Promise.all(q.ids.map((id) => thread(id)));
      return found.filter((t): t is ThreadOut => t !== null && wanted(t)).slice(q.offset, q.offset + q.limit);
    }
    // Waiting on a person is a case status, so the common search (Agent Inbox's "interrupted" tab) pages in SQL;
    // other statuses depend on live runs and are filtered here, reading cases in batches, newest first.
    const caseStatus = q.status === "interrupted" ? ("waiting_approval" as const) : q.status === "error" ? ("error" as const) : undefined;
    const out: ThreadOut[] = [];
    let skipped = 0;
    const batch = 100;
    for (let at = 0; out.length < q.limit; at += batch) {
      const rows = await listCases(pool, { status: caseStatus, limit: batch, offset: at });
      for (const t of await toThreads(rows)) {
        if (!wanted(t)) continue;
        if (skipped < q.offset) skipped++;
        else if (out.length < q.limit) out.push(t);
      }
      if (rows.length < batch) break;
    }
    return out;
  }

  /** Agent Server's ThreadState: values, next, tasks (with interrupts), checkpoint. */
  async function state(threadId: string) {
    if (!isUuid(threadId)) return null;
    const row = await getCaseByThread(pool, threadId);
    if (!row) return null;
    const { snap } = await cases.snapshot(row.caseKey);
    const checkpointOf = (cfg: any) =>
      cfg?.configurable?.checkpoint_id
        ? { thread_id: threadId, checkpoint_ns: cfg.configurable.checkpoint_ns ?? "", checkpoint_id: cfg.configurable.checkpoint_id, checkpoint_map: null }
        : null;
    const tasks = snap.tasks.map((t) => ({
      id: t.id,
      name: t.name,
      path: t.path ?? null,
      error: t.error ? String((t.error as any)?.message ?? t.error) : null,
      interrupts: (t.interrupts ?? []).map((i: any) => ({ value: i.value, id: String(i.id ?? t.id) })),
      checkpoint: null,
      state: null,
      result: t.result ?? null,
    }));
    return {
      values: snap.values ?? {},
      next: snap.next,
      tasks,
      checkpoint: checkpointOf(snap.config) ?? { thread_id: threadId, checkpoint_ns: "", checkpoint_id: null, checkpoint_map: null },
      metadata: snap.metadata ?? {},
      created_at: snap.createdAt ?? null,
      parent_checkpoint: checkpointOf(snap.parentConfig),
      interrupts: tasks.flatMap((t) => t.interrupts),
    };
  }

  return { thread, search, state, caseOf: (threadId: string) => (isUuid(threadId) ? getCaseByThread(pool, threadId) : Promise.resolve(null)) };
}

export type ThreadViews = ReturnType<typeof createThreadViews>;
