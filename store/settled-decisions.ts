// The `settled_decisions` table: one row per settled decision (what, about which money, approved by whom, what it did),
// and every query on it — the activity list and the outcome figures. Amounts stay in their own currency.
import type { Queryable } from "./db.js";
import { sql } from "./literal.js";

export type ApprovalOutcome = "none" | "accepted" | "edited" | "rejected" | "ignored" | "superseded";

export interface StripeEffectRow {
  action: string;
  method: string;
  object: string | null;
  ok: boolean;
  requestId: string | null;
  error?: { code: string | null; declineCode: string | null; message: string };
}

export interface SettledDecisionRow {
  decisionId: string;
  caseKey: string;
  domain: string;
  action: string;
  source: string;
  confidence: number | null;
  rationale: string;
  triggerEvent: string;
  triggerType: string | null;
  triggerSource: string | null;
  echo: boolean;
  customer: string | null;
  subject: string | null;
  subjectStatus: string | null;
  amount: number | null;
  currency: string | null;
  category: string | null;
  approval: ApprovalOutcome;
  approvalId: string | null;
  approver: string | null;
  guardVerdict: string;
  guardReasons: string[];
  outcome: string;
  stripe: StripeEffectRow[];
  notifications: string[];
  scheduled: { id: string; kind: string; dueAt: number }[];
  llmCalls: number;
  llmTokens: number;
  fallbackReason: string | null;
  decidedAt: number;
  settledAt: number;
}

const COLUMNS = `decision_id, case_key, domain, action, source, confidence, rationale, trigger_event, trigger_type, trigger_source, echo,
  customer, subject, subject_status, amount, currency, category, approval, approval_id, approver, guard_verdict, guard_reasons,
  outcome, stripe, notifications, scheduled, llm_calls, llm_tokens, fallback_reason, decided_at, settled_at`;

/**
 * Inserts settled decisions, in one statement with its values written in (sent with the case's commit, see
 * CaseTx.defer). A decision is settled once; a re-run after a crash writes nothing twice.
 */
export function insertSettledStatement(rows: SettledDecisionRow[]): string | null {
  if (rows.length === 0) return null;
  const values = rows.map(
    (r) => sql`(${r.decisionId}, ${r.caseKey}, ${r.domain}, ${r.action}, ${r.source}, ${r.confidence}, ${r.rationale}, ${r.triggerEvent}, ${r.triggerType}, ${r.triggerSource}, ${r.echo},
      ${r.customer}, ${r.subject}, ${r.subjectStatus}, ${r.amount}, ${r.currency}, ${r.category}, ${r.approval}, ${r.approvalId}, ${r.approver}, ${r.guardVerdict}, ${r.guardReasons},
      ${r.outcome}, ${r.stripe}, ${r.notifications}, ${r.scheduled}, ${r.llmCalls}, ${r.llmTokens}, ${r.fallbackReason}, ${r.decidedAt}, ${r.settledAt})`,
  );
  return `INSERT INTO settled_decisions (${COLUMNS}) VALUES ${values.join(",\n")} ON CONFLICT (decision_id) DO NOTHING`;
}

export async function insertSettled(db: Queryable, rows: SettledDecisionRow[]): Promise<void> {
  const statement = insertSettledStatement(rows);
  if (statement) await db.query(statement);
}

function toRow(r: any): SettledDecisionRow {
  return {
    decisionId: r.decision_id,
    caseKey: r.case_key,
    domain: r.domain,
    action: r.action,
    source: r.source,
    confidence: r.confidence,
    rationale: r.rationale,
    triggerEvent: r.trigger_event,
    triggerType: r.trigger_type,
    triggerSource: r.trigger_source,
    echo: r.echo,
    customer: r.customer,
    subject: r.subject,
    subjectStatus: r.subject_status,
    amount: r.amount == null ? null : Number(r.amount),
    currency: r.currency,
    category: r.category,
    approval: r.approval,
    approvalId: r.approval_id,
    approver: r.approver,
    guardVerdict: r.guard_verdict,
    guardReasons: r.guard_reasons ?? [],
    outcome: r.outcome,
    stripe: r.stripe ?? [],
    notifications: r.notifications ?? [],
    scheduled: r.scheduled ?? [],
    llmCalls: r.llm_calls,
    llmTokens: r.llm_tokens,
    fallbackReason: r.fallback_reason,
    decidedAt: Number(r.decided_at),
    settledAt: Number(r.settled_at),
  };
}

export interface ActivityFilter {
  domain?: string | null;
  action?: string | null;
  customer?: string | null;
  caseKey?: string | null;
  /** Settled at or after (unix seconds). */
  from?: number | null;
  /** Settled before (unix seconds). */
  to?: number | null;
  /** "acted": only decisions that did something (a Stripe request, a message, scheduled work, an escalation). */
  only?: "acted" | null;
  /** Keyset paging: rows strictly older than this (settled_at, decision_id). */
  before?: { settledAt: number; decisionId: string } | null;
  limit?: number;
}

export const MAX_ACTIVITY_LIMIT = 500;

/**
 * What billops did on its own (no person approved it), newest first. Superseded questions are not in it: a person was
 * asked, and nothing ran.
 */
export async function listActivity(db: Queryable, f: ActivityFilter = {}): Promise<SettledDecisionRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM settled_decisions
     WHERE approval = 'none'
       AND ($1::text IS NULL OR domain = $1)
       AND ($2::text IS NULL OR action = $2)
       AND ($3::text IS NULL OR customer = $3)
       AND ($4::text IS NULL OR case_key = $4)
       AND ($5::bigint IS NULL OR settled_at >= $5)
       AND ($6::bigint IS NULL OR settled_at < $6)
       AND ($7::text IS NULL OR jsonb_array_length(stripe) > 0 OR jsonb_array_length(notifications) > 0
            OR jsonb_array_length(scheduled) > 0 OR outcome = 'escalated')
       AND ($8::bigint IS NULL OR (settled_at, decision_id) < ($8, $9::text))
     ORDER BY settled_at DESC, decision_id DESC
     LIMIT $10`,
    [f.domain ?? null, f.action ?? null, f.customer ?? null, f.caseKey ?? null, f.from ?? null, f.to ?? null, f.only ?? null, f.before?.settledAt ?? null, f.before?.decisionId ?? null, Math.min(Math.max(f.limit ?? 100, 1), MAX_ACTIVITY_LIMIT)],
  );
  return rows.map(toRow);
}

/** Every settled decision of a case, in order (automatic and approved alike). */
export async function caseDecisions(db: Queryable, caseKey: string): Promise<SettledDecisionRow[]> {
  const { rows } = await db.query(`SELECT * FROM settled_decisions WHERE case_key = $1 ORDER BY settled_at, decided_at, decision_id`, [caseKey]);
  return rows.map(toRow);
}

/** The currency each case's money is in (its latest settled decision that had one), for pages that show its arguments. */
export async function caseCurrencies(db: Queryable, caseKeys: string[]): Promise<Map<string, string>> {
  if (caseKeys.length === 0) return new Map();
  const { rows } = await db.query(
    `SELECT DISTINCT ON (case_key) case_key, currency FROM settled_decisions
     WHERE case_key = ANY($1::text[]) AND currency IS NOT NULL ORDER BY case_key, settled_at DESC`,
    [caseKeys],
  );
  return new Map(rows.map((r: any) => [r.case_key, r.currency]));
}

/** A period of billops' clock, [from, to) in unix seconds. */
export interface Period {
  from: number;
  to: number;
}

export interface MoneyByCurrency {
  /** null: asks whose charge was never found (counted, no amount). */
  currency: string | null;
  count: number;
  amount: number | null;
}

export interface WeeklyDunning {
  /** Monday 00:00 UTC of the week, unix seconds. */
  week: number;
  currency: string;
  failedCount: number;
  failedAmount: number;
  recoveredCount: number;
  recoveredAmount: number;
}

// An invoice enters dunning with its first decision on a failed payment; it is recovered with its first
// close_recovered. Both are taken per invoice (the subject), whatever happened in between.
const DUNNING_CTES = `
  failed AS (
    SELECT DISTINCT ON (subject) subject, currency, amount, category, decided_at
    FROM settled_decisions
    WHERE domain = 'dunning' AND trigger_type = 'invoice.payment_failed' AND subject IS NOT NULL
    ORDER BY subject, decided_at, decision_id
  ),
  recovered AS (
    SELECT DISTINCT ON (subject) subject, currency, amount, decided_at
    FROM settled_decisions
    WHERE domain = 'dunning' AND action = 'close_recovered' AND subject IS NOT NULL
    ORDER BY subject, decided_at, decision_id
  )`;

const weekOf = (col: string) => `extract(epoch from date_trunc('week', to_timestamp(${col}) AT TIME ZONE 'UTC'))::bigint`;

/**
 * Failed-payment amount (invoices that entered dunning in the week) against recovered amount (invoices recovered in
 * the week, after failing), per week and currency.
 */
export async function dunningByWeek(db: Queryable, p: Period): Promise<WeeklyDunning[]> {
  const { rows } = await db.query(
    `WITH ${DUNNING_CTES},
     weekly AS (
       SELECT ${weekOf("decided_at")} AS week, currency, count(*) AS failed_count, sum(amount) AS failed_amount, 0 AS recovered_count, 0 AS recovered_amount
       FROM failed WHERE decided_at >= $1 AND decided_at < $2 AND currency IS NOT NULL GROUP BY 1, 2
       UNION ALL
       SELECT ${weekOf("r.decided_at")}, r.currency, 0, 0, count(*), sum(r.amount)
       FROM recovered r JOIN failed f USING (subject)
       WHERE r.decided_at >= $1 AND r.decided_at < $2 AND r.currency IS NOT NULL GROUP BY 1, 2
     )
     SELECT week, currency, sum(failed_count)::int AS failed_count, coalesce(sum(failed_amount), 0)::bigint AS failed_amount,
            sum(recovered_count)::int AS recovered_count, coalesce(sum(recovered_amount), 0)::bigint AS recovered_amount
     FROM weekly GROUP BY week, currency ORDER BY week, currency`,
    [p.from, p.to],
  );
  return rows.map((r: any) => ({
    week: Number(r.week),
    currency: r.currency,
    failedCount: r.failed_count,
    failedAmount: Number(r.failed_amount),
    recoveredCount: r.recovered_count,
    recoveredAmount: Number(r.recovered_amount),
  }));
}

export interface RecoveryByCategory {
  category: string;
  failed: number;
  recovered: number;
  /** Per currency: amount that failed, amount recovered (of those invoices). */
  amounts: { currency: string; failedAmount: number; recoveredAmount: number }[];
}

/** Of the invoices that entered dunning in the period, how many were recovered (by now), by decline category. */
export async function recoveryByCategory(db: Queryable, p: Period): Promise<RecoveryByCategory[]> {
  const { rows } = await db.query(
    `WITH ${DUNNING_CTES}
     SELECT coalesce(f.category, 'unknown') AS category, f.currency, count(*)::int AS failed, count(r.subject)::int AS recovered,
            coalesce(sum(f.amount), 0)::bigint AS failed_amount, coalesce(sum(r.amount), 0)::bigint AS recovered_amount
     FROM failed f LEFT JOIN recovered r USING (subject)
     WHERE f.decided_at >= $1 AND f.decided_at < $2
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [p.from, p.to],
  );
  const out = new Map<string, RecoveryByCategory>();
  for (const r of rows as any[]) {
    const c: RecoveryByCategory = out.get(r.category) ?? { category: r.category, failed: 0, recovered: 0, amounts: [] };
    c.failed += r.failed;
    c.recovered += r.recovered;
    if (r.currency) c.amounts.push({ currency: r.currency, failedAmount: Number(r.failed_amount), recoveredAmount: Number(r.recovered_amount) });
    out.set(r.category, c);
  }
  return [...out.values()];
}

/** Seconds from an invoice's first failed-payment decision to its recovery, for the invoices recovered in the period. */
export async function recoveryTimes(db: Queryable, p: Period): Promise<number[]> {
  const { rows } = await db.query(
    `WITH ${DUNNING_CTES}
     SELECT (r.decided_at - f.decided_at)::bigint AS seconds
     FROM recovered r JOIN failed f USING (subject)
     WHERE r.decided_at >= $1 AND r.decided_at < $2
     ORDER BY 1`,
    [p.from, p.to],
  );
  return rows.map((r: any) => Math.max(0, Number(r.seconds)));
}

export type DisputeStage = "staged" | "submitted" | "accepted" | "won" | "lost";
export const DISPUTE_STAGES: DisputeStage[] = ["staged", "submitted", "accepted", "won", "lost"];

export interface DisputeStageFigure extends MoneyByCurrency {
  stage: DisputeStage;
}

/**
 * Disputes that billops first saw in the period, counted once per stage they reached: evidence staged, evidence
 * submitted, accepted (closed without a fight), and the bank's final word (won or lost, Stripe's status on a later
 * decision). Amounts are the disputed amounts, per currency.
 */
export async function disputeStages(db: Queryable, p: Period): Promise<DisputeStageFigure[]> {
  const { rows } = await db.query(
    `WITH disputes AS (
       SELECT subject, (array_agg(currency ORDER BY decided_at) FILTER (WHERE currency IS NOT NULL))[1] AS currency,
              (array_agg(amount ORDER BY decided_at) FILTER (WHERE amount IS NOT NULL))[1] AS amount,
              min(decided_at) AS first_seen,
              bool_or(action = 'stage_evidence' AND outcome = 'executed') AS staged,
              bool_or(action = 'submit_evidence' AND outcome = 'executed') AS submitted,
              bool_or(action = 'accept_dispute' AND outcome = 'executed') AS accepted,
              (array_agg(subject_status ORDER BY decided_at DESC, decision_id DESC) FILTER (WHERE subject_status IS NOT NULL))[1] AS last_status
       FROM settled_decisions WHERE domain = 'dispute' AND subject IS NOT NULL GROUP BY subject
     ),
     stages AS (
       SELECT 'staged' AS stage, currency, amount FROM disputes WHERE staged AND first_seen >= $1 AND first_seen < $2
       UNION ALL SELECT 'submitted', currency, amount FROM disputes WHERE submitted AND first_seen >= $1 AND first_seen < $2
       UNION ALL SELECT 'accepted', currency, amount FROM disputes WHERE accepted AND first_seen >= $1 AND first_seen < $2
       UNION ALL SELECT 'won', currency, amount FROM disputes WHERE last_status = 'won' AND first_seen >= $1 AND first_seen < $2
       UNION ALL SELECT 'lost', currency, amount FROM disputes WHERE last_status = 'lost' AND first_seen >= $1 AND first_seen < $2
     )
     SELECT stage, currency, count(*)::int AS count, coalesce(sum(amount), 0)::bigint AS amount
     FROM stages WHERE currency IS NOT NULL GROUP BY stage, currency ORDER BY stage, currency`,
    [p.from, p.to],
  );
  return rows.map((r: any) => ({ stage: r.stage, currency: r.currency, count: r.count, amount: Number(r.amount) }));
}

export type RefundKind = "automatic" | "approved" | "denied" | "rejected" | "escalated" | "failed";
export const REFUND_KINDS: RefundKind[] = ["automatic", "approved", "denied", "rejected", "escalated", "failed"];

export interface RefundFigure extends MoneyByCurrency {
  kind: RefundKind;
}

/**
 * Refund asks settled in the period (a customer's request, an issuer's fraud warning, or any refund billops made), by
 * how they ended: refunded automatically, refunded after a person approved, denied by the rules or the guard, rejected
 * by a person, escalated, or refused by Stripe. Records of Stripe's own refund events are not asks.
 */
export async function refundKinds(db: Queryable, p: Period): Promise<RefundFigure[]> {
  const { rows } = await db.query(
    `WITH asks AS (
       SELECT currency, amount,
              CASE
                WHEN action IN ('refund_full', 'refund_partial') AND outcome = 'executed' AND approval = 'none' THEN 'automatic'
                WHEN action IN ('refund_full', 'refund_partial') AND outcome = 'executed' THEN 'approved'
                WHEN outcome = 'failed' THEN 'failed'
                WHEN approval = 'rejected' THEN 'rejected'
                WHEN action = 'deny_refund' THEN 'denied'
                WHEN action = 'escalate_to_support' OR outcome = 'escalated' THEN 'escalated'
              END AS kind
       FROM settled_decisions
       WHERE domain = 'refund' AND settled_at >= $1 AND settled_at < $2 AND NOT echo
         AND (trigger_source = 'request' OR trigger_type = 'radar.early_fraud_warning.created' OR action IN ('refund_full', 'refund_partial'))
     )
     SELECT kind, currency, count(*)::int AS count, CASE WHEN currency IS NULL THEN NULL ELSE coalesce(sum(amount), 0)::bigint END AS amount
     FROM asks WHERE kind IS NOT NULL GROUP BY kind, currency ORDER BY kind, currency NULLS LAST`,
    [p.from, p.to],
  );
  return rows.map((r: any) => ({ kind: r.kind, currency: r.currency, count: r.count, amount: r.amount == null ? null : Number(r.amount) }));
}
