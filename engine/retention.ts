// Bounded storage: without it every event adds checkpoints to its case thread forever (LangGraph's PostgresSaver
// never deletes) and the inbox keeps every payload. One pass, run periodically by the worker role and on demand by
// `npm run retention`:
// - case threads quiet for `checkpointDays` keep their latest checkpoint and the ones replay needs (each decision's
//   starting point, proposal and guard verdict: graph/decision-points.ts) for decisions made in the last `replayDays`;
//   every other checkpoint, the pending writes a later checkpoint already holds, and the blobs nothing points at any
//   more go. Done under the case lock, so no run writes the thread meanwhile.
// - events finished `payloadDays` ago keep their envelope and lose the body (engine/inbox/dropPayloads.ts).
// - expired inbox sign-ins are forgotten.
import type pg from "pg";
import type { Logger } from "../telemetry/log.js";
import type { CaseGraph } from "../graph/graph.js";
import type { BatchedPostgresSaver } from "../graph/checkpointer.js";
import { checkpointIdOf, decisionPoints } from "../graph/decision-points.js";
import { casesToPrune, markCheckpointsPruned } from "../store/cases.js";
import { deleteExpiredInboxSessions } from "../store/inbox-sessions.js";
import { CaseLockTimeoutError, withCaseLock } from "./case-lock.js";
import { dropPayloads } from "./inbox/index.js";
import { startPeriodic, type Periodic } from "./periodic.js";
import type { StateSnapshot } from "@langchain/langgraph";

export interface RetentionPolicy {
  /** A case's thread is pruned once the case has been quiet this many days. */
  checkpointDays: number;
  /** An event's body is dropped this many days after it finished. */
  payloadDays: number;
  /** Decisions stay replayable this many days; older ones keep only what the case's latest state says of them. */
  replayDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { checkpointDays: 7, payloadDays: 30, replayDays: 365 };

export interface RetentionCutoffs {
  threadsQuietSince: Date;
  payloadsFinishedBefore: Date;
  /** Decision points made before this are pruned too (default: none are). */
  decisionsReplayableSince?: Date;
}

export interface RetentionOptions {
  pool: pg.Pool;
  graph: CaseGraph;
  saver: BatchedPostgresSaver;
  logger: Logger;
  /** Threads and events handled per pass at most (default 200 and 5,000): a pass is short, the next one continues. */
  batch?: { threads?: number; events?: number };
}

export interface RetentionReport {
  threads: number;
  checkpoints: number;
  blobs: number;
  writes: number;
  /** Threads whose case was busy (locked) this pass: the next pass takes them. */
  busy: number;
  payloads: number;
  sessions: number;
}

/**
 * The checkpoints of a thread retention keeps: its latest, and the three of every decision made since
 * `replayableSince`; with the time the oldest decision kept was made (null when none was).
 */
export function checkpointsToKeep(history: StateSnapshot[], replayableSince?: Date): { keep: string[]; oldestDecision: Date | null } {
  const keep = new Set<string>();
  if (history[0]) keep.add(checkpointIdOf(history[0]));
  const since = replayableSince?.toISOString();
  let oldest: string | null = null;
  for (const d of decisionPoints(history)) {
    // createdAt is the checkpoint's ISO timestamp: comparable as text.
    const at = d.point.createdAt ?? "";
    if (since !== undefined && at < since) continue;
    if (oldest === null || at < oldest) oldest = at;
    for (const s of [d.point, d.made, d.guarded]) if (s) keep.add(checkpointIdOf(s));
  }
  return { keep: [...keep], oldestDecision: oldest ? new Date(oldest) : null };
}

const DAY_MS = 86_400_000;

/** One pass with cut-off times given outright (tests and `npm run retention` choose them; the loop uses days). */
export async function runRetention(o: RetentionOptions, cutoffs: RetentionCutoffs): Promise<RetentionReport> {
  const report: RetentionReport = { threads: 0, checkpoints: 0, blobs: 0, writes: 0, busy: 0, payloads: 0, sessions: 0 };
  for (const c of await casesToPrune(o.pool, cutoffs.threadsQuietSince, o.batch?.threads ?? 200)) {
    try {
      await withCaseLock(
        o.pool,
        c.caseKey,
        async (tx) => {
          const history: StateSnapshot[] = [];
          for await (const s of o.graph.getStateHistory({ configurable: { thread_id: c.threadId } })) history.push(s);
          const { keep, oldestDecision } = checkpointsToKeep(history, cutoffs.decisionsReplayableSince);
          const removed = history.length > 1 ? await o.saver.pruneThread(tx, c.threadId, keep) : { checkpoints: 0, writes: 0, blobs: 0 };
          // Pruned again when the oldest decision kept leaves the replay window (the window's length after it).
          const since = cutoffs.decisionsReplayableSince;
          const due = since && oldestDecision ? new Date(oldestDecision.getTime() + (Date.now() - since.getTime())) : null;
          await markCheckpointsPruned(tx, c.caseKey, due);
          report.threads++;
          report.checkpoints += removed.checkpoints;
          report.writes += removed.writes;
          report.blobs += removed.blobs;
        },
        // A case that is running now is not quiet after all: skip it rather than wait.
        { timeoutMs: 1_000 },
      );
    } catch (err) {
      if (!(err instanceof CaseLockTimeoutError)) throw err;
      report.busy++;
    }
  }
  report.payloads = await dropPayloads(o.pool, { olderThan: cutoffs.payloadsFinishedBefore, limit: o.batch?.events ?? 5_000 });
  report.sessions = await deleteExpiredInboxSessions(o.pool);
  return report;
}

/** The cut-offs of a policy, now. */
export function cutoffsOf(policy: RetentionPolicy, now = Date.now()): RetentionCutoffs {
  return {
    threadsQuietSince: new Date(now - policy.checkpointDays * DAY_MS),
    payloadsFinishedBefore: new Date(now - policy.payloadDays * DAY_MS),
    decisionsReplayableSince: new Date(now - policy.replayDays * DAY_MS),
  };
}

export function startRetention(o: RetentionOptions & { policy: RetentionPolicy; intervalMs: number }): Periodic {
  return startPeriodic(
    async () => {
      const r = await runRetention(o, cutoffsOf(o.policy));
      if (r.threads || r.payloads || r.sessions) o.logger.info(r, "retention pass");
    },
    { intervalMs: o.intervalMs, logger: o.logger, name: "retention" },
  );
}
