// The case service: runs inbox events and approval answers on their case thread, under the case lock, and keeps
// the cases, approvals and audit tables in step with the thread.
import { Command } from "@langchain/langgraph";
import type { HumanResponse } from "@langchain/langgraph/prebuilt";
import type pg from "pg";
import type { InboxEvent } from "./inbox/index.js";
import { withCaseLock, type CaseTx, type PreparedRead } from "./case-lock.js";
import { threadIdFor } from "../domain/case.js";
import { storable } from "../domain/storable-text.js";
import { isAction } from "../domain/actions.js";
import { upsertCaseStatement, type CasePatch, type CaseStatus } from "../store/cases.js";
import { appendAudit, appendAuditStatement, type AuditEntry } from "../store/audit.js";
import { approvalsBeingAnswered, clearAnswering, closeApproval, getApproval, insertApproval, markAnswering, pendingApprovalForCase, type ApprovalRow } from "../store/approvals.js";
import { insertSettledStatement } from "../store/settled-decisions.js";
import { ledgerRows, newlySettled } from "../nodes/record/ledger.js";
import type { Queryable } from "../store/db.js";
import { guardDecision } from "../nodes/guard/review.js";
import { coerceEditArgs } from "../nodes/approval/edit-args.js";
import { progressHandler, type RunProgress } from "./run-progress.js";
import { supervise } from "../nodes/supervisor/node.js";
import type { ResumeValue } from "../nodes/approval/node.js";
import type { GraphDeps } from "../nodes/deps.js";
import { BatchedPostgresSaver } from "../graph/checkpointer.js";
import type { CaseGraph } from "../graph/graph.js";
import type { ApprovalRecord, AuditLine, CaseStateType, DecisionRecord, Trigger } from "../domain/case-state.js";

export interface CaseServiceOptions {
  pool: pg.Pool;
  graph: CaseGraph;
  deps: GraphDeps;
}

export type ApprovalAnswer =
  | { type: "accept" }
  | { type: "edit"; args?: Record<string, unknown>; action?: string }
  | { type: "response"; reason?: string }
  | { type: "ignore" };

export type AnswerResult =
  | { ok: true; approval: ApprovalRow; state: CaseStateType }
  | { ok: false; status: 404 | 409 | 422; code: string; message: string; approval?: ApprovalRow };

// What the thread keeps of a Stripe event's object: the fields that say which objects the event is about. The whole
// payload, exactly as Stripe signed it, is in the event log (stripe_events, GET /events/:id; its envelope only after
// EVENT_PAYLOAD_RETENTION_DAYS, engine/retention.ts), and specialists always
// fetch the objects as Stripe has them now (events arrive out of order). A thread stores its input three times
// (input, the start task's writes, the channel), so a full Stripe object there cost ~8 KB per event for ids.
const REFERENCE_FIELDS = ["id", "object", "status", "customer", "subscription", "invoice", "charge", "payment_intent", "dispute", "livemode"] as const;

export function eventObjectReference(object: Record<string, any> | null | undefined): Record<string, unknown> {
  const ref: Record<string, unknown> = {};
  if (!object || typeof object !== "object") return ref;
  for (const k of REFERENCE_FIELDS) {
    const v = object[k];
    if (v === undefined) continue;
    ref[k] = v && typeof v === "object" && typeof v.id === "string" ? v.id : v;
  }
  return ref;
}

export function triggerOf(event: InboxEvent, now: number): Trigger {
  const p = event.payload ?? {};
  if (event.source === "stripe") {
    return { eventId: event.id, type: event.type, source: "stripe", echo: event.echo, created: Number(p.created ?? now), object: eventObjectReference(p.data?.object) };
  }
  return { eventId: event.id, type: event.type, source: event.source, echo: false, created: Number(p.created ?? p.due_at ?? now), object: p };
}

const CLOSING = new Set(["close_recovered", "record_outcome", "refund_full", "refund_partial", "deny_refund", "upgrade", "downgrade", "cancel_at_period_end", "cancel_immediately", "submit_evidence", "accept_dispute"]);

function caseStatusOf(state: CaseStateType, waiting: boolean): CaseStatus {
  if (waiting) return "waiting_approval";
  const last = state.decisions.at(-1);
  if (!last) return "open";
  if (last.outcome.status === "escalated" || last.outcome.status === "failed") return "escalated";
  if (CLOSING.has(last.decision.action) && last.outcome.status !== "rejected" && last.outcome.status !== "ignored") return "closed";
  return "open";
}

/** In the case's transaction the bookkeeping goes out with the commit; elsewhere (tests, tools) it is written now. */
async function write(db: Queryable | CaseTx, statement: string | null): Promise<void> {
  if (statement === null) return;
  if ("defer" in db) db.defer(statement);
  else await db.query(statement);
}

export function createCaseService({ pool, graph, deps }: CaseServiceOptions) {
  // durability "sync": each step's checkpoint is stored before the next step starts. With the default ("async") a
  // worker killed inside act has already written to Stripe while the checkpoints saying why are not stored yet; the
  // re-run would then decide afresh from the changed Stripe state instead of repeating act with the same key.
  const configFor = (caseKey: string) => ({
    configurable: { thread_id: threadIdFor(caseKey) },
    context: deps as unknown as Record<string, any>,
    durability: "sync" as const,
  });

  async function snapshot(caseKey: string) {
    const snap = await graph.getState(configFor(caseKey));
    // A task that asked a person and has since stored its writes (the answer was taken, then the process died before
    // the step's checkpoint) no longer waits: its interrupt is still among the checkpoint's writes, its result too.
    const interrupted = snap.tasks.some((t) => (t.interrupts ?? []).length > 0 && (t as { result?: unknown }).result === undefined);
    // A run died half-way when its latest checkpoint still has tasks: `next` lists only those with nothing stored,
    // so a task whose writes were saved before the kill (and the checkpoint after it never was) counts too.
    // invoke(null) applies those writes without re-running the task and goes on from there.
    return { snap, values: snap.values as CaseStateType, interrupted, midRun: !interrupted && snap.tasks.length > 0 };
  }

  /** The thread's audit lines (the current run's) for audit_log; idempotent by line id, so safe to repeat. */
  function auditEntries(caseKey: string, values: Partial<CaseStateType>): AuditEntry[] {
    const threadId = threadIdFor(caseKey);
    return (values.log ?? []).map((l) => ({ entryId: `${threadId}:${l.id}`, caseKey, threadId, kind: l.kind as AuditEntry["kind"], at: l.at, actor: l.actor, data: l.data }));
  }

  /** The settled_decisions rows of the decisions `after` has and `before` had not (see nodes/record/ledger.ts). */
  function ledgerStatement(caseKey: string, before: Pick<CaseStateType, "decisions"> | null, after: CaseStateType, customer: string | null): string | null {
    return insertSettledStatement(ledgerRows(caseKey, newlySettled(before, after), after, { customer, settledAt: deps.clock.now() }));
  }

  /**
   * Writes the thread's new audit lines, the pending approval, the case row and the ledger rows of the decisions settled
   * since `before` (with the commit when `db` is the case's transaction). Idempotent: safe after a crash.
   */
  async function settle(db: Queryable | CaseTx, caseKey: string, extra: AuditEntry[] = [], result?: Record<string, any>, customer: string | null = null, before: Pick<CaseStateType, "decisions"> | null = null, afterFailure = false): Promise<CaseStateType> {
    // invoke's result is the thread's state after the run (with `__interrupt__` when it paused): no need to read it back.
    const { values, interrupted } = result
      ? { values: result as CaseStateType, interrupted: Array.isArray(result.__interrupt__) && result.__interrupt__.length > 0 }
      : await snapshot(caseKey);
    const threadId = threadIdFor(caseKey);
    const entries = auditEntries(caseKey, values);
    const asking = interrupted && values.approval?.status === "pending";
    // Before a question is asked, and after a failed attempt, the approval rows follow the thread: a pending row the
    // thread no longer waits on is closed as the thread says. A superseding event whose attempt failed (a Stripe
    // error, a kill) rolled its closing of the old row back while the thread had moved on; without this its retry
    // broke the one-pending-approval-per-case rule for good, and people saw a question nobody waited on.
    if (asking || afterFailure) {
      const open = await pendingApprovalForCase(db, caseKey);
      if (open && !(asking && values.approval!.id === open.id)) await closeStale(db, open, values, customer, entries);
    }
    const patch: CasePatch = {
      route: values.route ?? null,
      status: caseStatusOf(values, interrupted),
      lastAction: values.decision?.action ?? null,
      lastEventId: values.events?.at(-1)?.id ?? null,
      customer,
    };
    if (asking) {
      const a = values.approval!;
      const decision = values.decision!;
      const now = deps.clock.now();
      // The approval row points at the case row: that one is written first, not with the commit.
      await db.query(upsertCaseStatement(caseKey, patch));
      const inserted = await insertApproval(db, {
        id: a.id,
        caseKey,
        threadId,
        decisionId: values.followUp ? `${decision.id}:${values.followUp.action}` : decision.id,
        domain: decision.domain,
        action: a.request.action_request.action,
        args: a.request.action_request.args,
        request: a.request,
        requestedAt: now,
        dueAt: approvalDueAt(values, now),
        expiresAt: approvalExpiresAt(values),
      });
      if (inserted) entries.push({ entryId: `${a.id}:requested`, caseKey, threadId, kind: "approval_requested", at: now, data: { approval_id: a.id, action: a.request.action_request.action, args: a.request.action_request.args, reasons: values.guard?.reasons ?? [] } });
    } else {
      await write(db, upsertCaseStatement(caseKey, patch));
    }
    await write(db, appendAuditStatement([...entries, ...extra]));
    await write(db, ledgerStatement(caseKey, before, values, customer));
    return values;
  }

  /** Closes a pending approval row the thread no longer waits on, as the thread recorded it (superseded unless it says otherwise). */
  async function closeStale(db: Queryable | CaseTx, open: ApprovalRow, values: CaseStateType, customer: string | null, entries: AuditEntry[]): Promise<void> {
    const record = takenAnswer(values, open.id);
    const lastEvent = values.events?.at(-1)?.id ?? null;
    const status = (record?.status ?? "superseded") as Exclude<ApprovalRecord["status"], "pending">;
    const supersededBy = status === "superseded" ? (record?.supersededBy ?? lastEvent) : null;
    const now = deps.clock.now();
    await closeApproval(db, open.id, { status, response: record?.response ?? null, approver: record?.approver ?? null, supersededBy, at: now });
    if (status === "superseded") entries.push({ entryId: `${open.id}:superseded`, caseKey: open.caseKey, threadId: open.threadId, kind: "approval_superseded", at: now, data: { approval_id: open.id, by: supersededBy } });
    // Its decision is settled in the thread already; the ledger row follows (idempotent by decision id).
    await write(db, ledgerStatement(open.caseKey, { decisions: (values.decisions ?? []).filter((d) => d.approval?.id !== open.id) }, values, customer));
  }

  function approvalDueAt(values: CaseStateType, now: number): number {
    let due = now + deps.config.approval_timeout_hours * 3600;
    const disputeDue = disputeDueBy(values);
    // A dispute's own deadline comes first: a person must answer well before Stripe stops taking evidence.
    if (disputeDue != null) due = Math.min(due, disputeDue - deps.config.dispute_deadline_hours * 3600);
    // Already inside the window and escalated by the case itself (stage, ask, escalate): overdue only at the deadline.
    if (disputeDue != null && due <= now && typeof (values.followUp?.params ?? values.decision?.params)?.escalate === "string") return Math.max(disputeDue, now);
    return Math.max(due, now);
  }

  /** A dispute's question expires with the dispute's evidence deadline (due_by): after it Stripe takes no answer. */
  function approvalExpiresAt(values: CaseStateType): number | null {
    return values.decision?.domain === "dispute" ? disputeDueBy(values) : null;
  }

  function disputeDueBy(values: CaseStateType): number | null {
    const due = (values.context as { dispute?: { evidence_details?: { due_by?: unknown } } } | null)?.dispute?.evidence_details?.due_by;
    return typeof due === "number" ? due : null;
  }

  const saver = graph.checkpointer instanceof BatchedPostgresSaver ? graph.checkpointer : null;

  /**
   * The event as the case may keep it: the inbox stores what Stripe signed (a NUL in a customer's name included), the
   * case thread, its audit lines and the cases row get U+FFFD instead (graph/graph.ts does the same for every node).
   */
  function storableEvent(event: InboxEvent): InboxEvent {
    const { value, replaced } = storable(event.payload, "payload");
    if (replaced.length === 0) return event;
    deps.logger.warn({ event_id: event.id, case: event.caseKey, fields: replaced }, "replaced NUL or lone surrogates in the event's data with U+FFFD");
    return { ...event, payload: value };
  }

  /** The read the worker sends with the case lock: the case thread's latest checkpoint (see handleEvent). */
  function prefetchFor(event: InboxEvent): PreparedRead | null {
    return saver && event.caseKey ? saver.latestRead(threadIdFor(event.caseKey)) : null;
  }

  /**
   * The worker's handler: one inbox event on its case thread. The worker holds the case lock in `db`'s transaction;
   * the case row, audit lines and approval are written there, so they commit together with the event's completion
   * (one commit instead of four). Stripe writes, the outbox and jobs (in act) commit on their own, at once.
   */
  async function handleEvent(stored: InboxEvent, db: Queryable | CaseTx = pool, prefetched?: { rows: Record<string, any>[] }): Promise<void> {
    const event = storableEvent(stored);
    const caseKey = event.caseKey!;
    const now = deps.clock.now();
    const customer = typeof event.payload?.customer === "string" ? event.payload.customer : typeof event.payload?.data?.object?.customer === "string" ? event.payload.data.object.customer : null;
    const config = configFor(caseKey);
    const threadId = config.configurable.thread_id;
    // The thread's latest checkpoint came with the case lock (prefetchFor): the state read below and the run after
    // it both start from it instead of reading it again (we hold the lock: nobody else writes the thread meanwhile).
    if (saver && prefetched) await saver.provide(threadId, prefetched.rows[0]);
    try {
      await runEvent(event, db, caseKey, now, customer, config);
    } finally {
      saver?.forget(threadId);
    }
  }

  async function runEvent(event: InboxEvent, db: Queryable | CaseTx, caseKey: string, now: number, customer: string | null, config: ReturnType<typeof configFor>): Promise<void> {
    // A case's first event: the read that came with the lock found no checkpoint, so there is no state to inspect.
    const fresh = saver?.providedEmpty(config.configurable.thread_id) === true;
    let { values, interrupted, midRun } = fresh ? { values: {} as CaseStateType, interrupted: false, midRun: false } : await snapshot(caseKey);

    if (midRun) {
      // A run died between nodes (crash after a checkpoint): finish it. Its act node repeats its keys, Stripe acts once.
      const died = values;
      await graph.invoke(null, config);
      ({ values, interrupted, midRun } = await snapshot(caseKey));
      await appendAudit(db, auditEntries(caseKey, values));
      await write(db, ledgerStatement(caseKey, died, values, customer));
    }
    if ((values.events ?? []).some((e) => e.id === event.id)) {
      // The run finished but its commit did not happen: what it settled is written now (once, by decision id).
      await settle(db, caseKey, [], undefined, customer, { decisions: (values.decisions ?? []).filter((d) => d.decision.eventId !== event.id) }, true);
      return;
    }
    const extra: AuditEntry[] = [];
    const threadId = threadIdFor(caseKey);
    if (interrupted) {
      if (event.echo) {
        // Our own write's echo: the question to a person stands; the event is on record, nothing runs.
        extra.push({ entryId: `${threadId}:${event.id}:echo`, caseKey, threadId, kind: "echo", at: now, data: { event_id: event.id, type: event.type, note: "echo of billops' own write while waiting for approval: recorded only" } });
        await write(db, upsertCaseStatement(caseKey, { lastEventId: event.id, customer }));
        await write(db, appendAuditStatement(extra));
        return;
      }
      const pending = await pendingApprovalForCase(db, caseKey);
      const superseded: ResumeValue = { type: "ignore", args: null, superseded_by: event.id };
      // The closing lines of the superseded run are written before the new run starts its own.
      const waiting = values;
      values = (await graph.invoke(new Command({ resume: [superseded] }), config)) as CaseStateType;
      extra.push(...auditEntries(caseKey, values));
      // The superseded decision is settled on the context it was made on, before the new run replaces it.
      await write(db, ledgerStatement(caseKey, waiting, values, customer));
      if (pending) {
        await closeApproval(db, pending.id, { status: "superseded", supersededBy: event.id, at: now });
        extra.push({ entryId: `${pending.id}:superseded`, caseKey, threadId, kind: "approval_superseded", at: now, data: { approval_id: pending.id, by: event.id } });
      }
    }
    const result = await graph.invoke(startOf(values, caseKey, triggerOf(event, now)), config);
    await settle(db, caseKey, extra, result, customer, values, event.attempts > 1);
  }

  /**
   * The run's input. The event is written in with a Command rather than as graph input, which LangGraph stores as an
   * input checkpoint and then copies into the channels in a start step of its own. An event the routing table routes
   * (and scheduled work) comes with the supervisor's update and goes straight to its specialist — the same writes the
   * supervisor node makes, without a stored step for a table lookup; a support request goes to the supervisor, whose
   * classifier is a model call, and so does an event routed nowhere ("ignore"), which the supervisor records and ends.
   */
  function startOf(values: CaseStateType, caseKey: string, trigger: Trigger) {
    // The clock is read now, as the supervisor node reads it when it runs: after a superseded run's closing lines.
    const routed = supervise({ ...values, trigger } as CaseStateType, deps.clock.now());
    if (routed === null || routed.route === "ignore") return new Command({ update: { caseKey, trigger }, goto: "supervisor" as const });
    return new Command({ update: { caseKey, trigger, ...routed }, goto: routed.route });
  }

  function toResume(a: ApprovalAnswer, row: ApprovalRow, approver: string): ResumeValue {
    switch (a.type) {
      case "accept":
        return { type: "accept", args: null, approver };
      case "edit":
        return { type: "edit", args: { action: a.action ?? row.action, args: a.args ?? {} }, approver };
      case "response":
        return { type: "response", args: a.reason ?? "", approver };
      default:
        return { type: "ignore", args: null, approver };
    }
  }

  const STATUS_OF: Record<ApprovalAnswer["type"], "accepted" | "edited" | "rejected" | "ignored"> = { accept: "accepted", edit: "edited", response: "rejected", ignore: "ignored" };

  /** An answer from a person (approval API or Agent Inbox): exactly one answer to one approval ever runs. */
  async function answerApproval(id: string, given: ApprovalAnswer, approver: string, progress?: RunProgress): Promise<AnswerResult> {
    const first = await getApproval(pool, id);
    if (!first) return { ok: false, status: 404, code: "approval_not_found", message: `no approval ${id}` };
    return withCaseLock(pool, first.caseKey, async (db) => {
      const row = (await getApproval(db, id))!;
      if (row.status !== "pending") {
        return { ok: false, status: 409, code: "approval_closed", message: `approval ${id} is already ${row.status}`, approval: row };
      }
      const { values, interrupted, midRun } = await snapshot(row.caseKey);
      if (!interrupted || values.approval?.id !== id) {
        const answered = takenAnswer(values, id);
        if (answered && midRun && answered.status !== STATUS_OF[given.type]) {
          // Another answer than the one the thread took (a second person rejecting an accept whose Stripe write failed):
          // the first answer stands — exactly one answer ever runs — and is finished by its own retry or the worker's
          // sweep. Saying so beats finishing it in this person's name, or a 200 that hides that their answer was not used.
          return {
            ok: false,
            status: 409,
            code: "approval_being_answered",
            message: `approval ${id} was already ${answered.status}${answered.approver ? ` by ${answered.approver}` : ""}; that answer is still being carried out, so this ${given.type} was not applied`,
            approval: row,
          };
        }
        if (answered) {
          // The thread took this answer but its run did not finish (Stripe failed inside act, the process died): the
          // retry finishes it, act repeating its key. A run that did finish only had its row left open: closed here.
          const state = await finishTakenAnswer(db, row, values, midRun);
          const closed = (await getApproval(db, id))!;
          if (midRun) return { ok: true, approval: closed, state };
          return { ok: false, status: 409, code: "approval_closed", message: `approval ${id} is already ${answered.status}`, approval: closed };
        }
        return { ok: false, status: 409, code: "approval_stale", message: `case ${row.caseKey} no longer waits on approval ${id}`, approval: row };
      }
      const answer = given.type === "edit" ? editAsTyped(values, row, given) : given;
      if (answer.type === "edit") {
        const refusal = checkEdit(values, row, answer);
        if (refusal) return { ok: false, status: 422, code: "guard_refused", message: refusal, approval: row };
      }
      const now = deps.clock.now();
      const resume = toResume(answer, row, approver);
      // Committed now, apart from the case's transaction: if the run below fails or the process dies, the worker's
      // sweep knows this approval was being answered (resumeTakenAnswers).
      await markAnswering(pool, id);
      const result = await graph.invoke(new Command({ resume: [resume] }), { ...configFor(row.caseKey), ...(progress ? { callbacks: [progressHandler(progress)] } : {}) });
      await closeApproval(db, id, { status: STATUS_OF[answer.type], response: resume as HumanResponse, approver, at: now });
      const state = await settle(db, row.caseKey, [], result, null, values);
      return { ok: true, approval: (await getApproval(db, id))!, state };
    });
  }

  /**
   * Edited values as the action's schema reads them (Agent Inbox sends text: "6000", JSON for objects), once, here,
   * so the guard check below, the thread's resume and the audit all see the same typed args, whichever door it came by.
   */
  function editAsTyped(values: CaseStateType, row: ApprovalRow, answer: Extract<ApprovalAnswer, { type: "edit" }>): Extract<ApprovalAnswer, { type: "edit" }> {
    const domain = values.decision?.domain ?? row.domain;
    return { ...answer, args: coerceEditArgs(domain, answer.action ?? row.action, answer.args) };
  }

  /** An edit must pass the guard as an approved decision before the thread resumes; else the approval stays open. */
  function checkEdit(values: CaseStateType, row: ApprovalRow, answer: Extract<ApprovalAnswer, { type: "edit" }>): string | null {
    const base: DecisionRecord = values.followUp
      ? { ...values.decision!, action: values.followUp.action, params: values.followUp.params }
      : values.decision!;
    const action = answer.action ?? row.action;
    if (!isAction(base.domain, action)) return `${action} is not an action of the ${base.domain} domain`;
    const edited: DecisionRecord = { ...base, action, params: { ...base.params, ...(answer.args ?? {}) } };
    const g = guardDecision(deps, values, edited, true);
    if (g.guard.verdict === "downgraded") return `the guard refuses this edit: ${g.guard.reasons.join("; ") || "not allowed"}`;
    return null;
  }

  /** The thread's record of its answer to approval `id`, once it took one (the question asked now, or a settled decision's). */
  function takenAnswer(values: CaseStateType, id: string): ApprovalRecord | null {
    const taken = (a: ApprovalRecord | null | undefined) => (a && a.id === id && a.status !== "pending" ? a : null);
    return taken(values.approval) ?? (values.decisions ?? []).map((d) => taken(d.approval)).find((a) => a) ?? null;
  }

  /**
   * An answer the thread took: a run left half-way (midRun) is finished (act repeats its idempotency key, so Stripe
   * acts once), then the approval row is closed as the thread says and the bookkeeping written. Under the case lock.
   */
  async function finishTakenAnswer(db: Queryable | CaseTx, row: ApprovalRow, values: CaseStateType, midRun: boolean): Promise<CaseStateType> {
    const before = { decisions: (values.decisions ?? []).filter((d) => d.approval?.id !== row.id) };
    const result = midRun ? ((await graph.invoke(null, configFor(row.caseKey))) as CaseStateType) : undefined;
    const state = result ?? values;
    const answered = takenAnswer(state, row.id) ?? takenAnswer(values, row.id)!;
    await closeApproval(db, row.id, { status: answered.status as Exclude<typeof answered.status, "pending">, response: answered.response ?? null, approver: answered.approver ?? null, at: deps.clock.now() });
    if (result) return settle(db, row.caseKey, [], result, null, before);
    await write(db, ledgerStatement(row.caseKey, before, values, null));
    return values;
  }

  /**
   * The worker's sweep: approvals an answer began to resume that are still pending — the answer's run failed (a Stripe
   * outage inside act) or its process died. Each is finished under its case lock; an answer the thread never took
   * leaves the question to a person again. Returns how many were finished.
   */
  async function resumeTakenAnswers(opts: { olderThanSeconds?: number; lockTimeoutMs?: number } = {}): Promise<number> {
    const rows = await approvalsBeingAnswered(pool, opts.olderThanSeconds ?? 0);
    let finished = 0;
    for (const candidate of rows) {
      try {
        const done = await withCaseLock(pool, candidate.caseKey, async (db) => {
          const row = await getApproval(db, candidate.id);
          // Answered meanwhile (the answer was still running when the sweep read the list): nothing to do.
          if (!row || row.status !== "pending") return false;
          const { values, midRun } = await snapshot(row.caseKey);
          if (!takenAnswer(values, row.id)) {
            await clearAnswering(db, row.id);
            return false;
          }
          await finishTakenAnswer(db, row, values, midRun);
          return true;
        }, { timeoutMs: opts.lockTimeoutMs ?? 5_000 });
        if (done) {
          finished++;
          deps.logger.info({ case: candidate.caseKey, approval_id: candidate.id }, "finished an answer whose run had failed or died");
        }
      } catch (err) {
        // Stripe still failing, or the case busy: the next sweep tries again.
        deps.logger.warn({ err, case: candidate.caseKey, approval_id: candidate.id }, "could not finish an answered approval yet");
      }
    }
    return finished;
  }

  /** Agent Inbox's "mark as resolved": the question is closed without running anything. */
  async function resolveApproval(id: string, approver: string): Promise<AnswerResult> {
    const first = await getApproval(pool, id);
    if (!first) return { ok: false, status: 404, code: "approval_not_found", message: `no approval ${id}` };
    return withCaseLock(pool, first.caseKey, async (db) => {
      const row = (await getApproval(db, id))!;
      if (row.status !== "pending") return { ok: false, status: 409, code: "approval_closed", message: `approval ${id} is already ${row.status}`, approval: row };
      const now = deps.clock.now();
      const resume: ResumeValue = { type: "ignore", args: null, approver };
      const { values: before } = await snapshot(row.caseKey);
      const result = await graph.invoke(new Command({ resume: [resume] }), configFor(row.caseKey));
      await closeApproval(db, id, { status: "resolved", response: resume, approver, at: now });
      const state = await settle(db, row.caseKey, [], result, null, before);
      return { ok: true, approval: (await getApproval(db, id))!, state };
    });
  }

  return { handleEvent, prefetchFor, answerApproval, resolveApproval, resumeTakenAnswers, snapshot, configFor };
}

export type CaseService = ReturnType<typeof createCaseService>;
