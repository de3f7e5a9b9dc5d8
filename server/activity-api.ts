// GET /activity: what billops did without a person, newest first, each with its rationale, the guard's verdict, the
// Stripe request ids and links to the objects; GET /outcomes: what it earned over a period (server/outcome-figures.ts).
import { Hono } from "hono";
import type pg from "pg";
import type { Clock } from "../domain/clock.js";
import { formatMoney } from "../domain/money.js";
import { formatDateTime } from "../domain/dates.js";
import { listActivity, type SettledDecisionRow } from "../store/settled-decisions.js";
import { dashboardUrl, type DashboardTarget } from "./dashboard-links.js";
import { activityCursor, parseActivityQuery, parsePeriodQuery } from "./operator-query.js";
import { outcomeFigures } from "./outcome-figures.js";
import { jsonError } from "./http-error.js";

export interface ActivityItem {
  decision_id: string;
  case: string;
  domain: string;
  action: string;
  source: string;
  confidence: number | null;
  rationale: string;
  guard: { verdict: string; reasons: string[] };
  outcome: string;
  customer: string | null;
  customer_url: string | null;
  subject: { id: string | null; status: string | null; url: string | null };
  amount: number | null;
  currency: string | null;
  amount_text: string | null;
  category: string | null;
  stripe: { action: string; method: string; ok: boolean; object: string | null; object_url: string | null; request_id: string | null; request_url: string | null; error: string | null }[];
  notifications: string[];
  scheduled: { kind: string; due_at: number; due_text: string }[];
  trigger: { event: string; type: string | null; source: string | null; echo: boolean };
  llm: { calls: number; tokens: number; fallback_reason: string | null };
  decided_at: number;
  settled_at: number;
  settled_text: string;
}

/** One ledger row for people and tools: numbers stay numbers, `*_text` fields read well, ids link to Stripe. */
export function activityItem(r: SettledDecisionRow, dashboard: DashboardTarget): ActivityItem {
  return {
    decision_id: r.decisionId,
    case: r.caseKey,
    domain: r.domain,
    action: r.action,
    source: r.source,
    confidence: r.confidence,
    rationale: r.rationale,
    guard: { verdict: r.guardVerdict, reasons: r.guardReasons },
    outcome: r.outcome,
    customer: r.customer,
    customer_url: dashboardUrl(dashboard, r.customer),
    subject: { id: r.subject, status: r.subjectStatus, url: dashboardUrl(dashboard, r.subject) },
    amount: r.amount,
    currency: r.currency,
    amount_text: r.amount != null && r.currency ? formatMoney(r.amount, r.currency) : null,
    category: r.category,
    stripe: r.stripe.map((e) => ({
      action: e.action,
      method: e.method,
      ok: e.ok,
      object: e.object,
      object_url: dashboardUrl(dashboard, e.object),
      request_id: e.requestId,
      request_url: dashboardUrl(dashboard, e.requestId),
      error: e.error ? e.error.message : null,
    })),
    notifications: r.notifications,
    scheduled: r.scheduled.map((j) => ({ kind: j.kind, due_at: j.dueAt, due_text: formatDateTime(j.dueAt) })),
    trigger: { event: r.triggerEvent, type: r.triggerType, source: r.triggerSource, echo: r.echo },
    llm: { calls: r.llmCalls, tokens: r.llmTokens, fallback_reason: r.fallbackReason },
    decided_at: r.decidedAt,
    settled_at: r.settledAt,
    settled_text: formatDateTime(r.settledAt),
  };
}

export function operatorRoutes(o: { pool: pg.Pool; clock: Clock; dashboard: DashboardTarget }) {
  const app = new Hono();

  app.get("/activity", async (c) => {
    const q = parseActivityQuery(c.req.query());
    if (!q.ok) return jsonError(c, 400, "invalid_query", q.message);
    const rows = await listActivity(o.pool, { ...q.value, limit: q.value.limit + 1 });
    const page = rows.slice(0, q.value.limit);
    return c.json({ data: page.map((r) => activityItem(r, o.dashboard)), next: rows.length > q.value.limit ? activityCursor(page.at(-1)!) : null });
  });

  app.get("/outcomes", async (c) => {
    const now = o.clock.now();
    const p = parsePeriodQuery(c.req.query(), now);
    if (!p.ok) return jsonError(c, 400, "invalid_query", p.message);
    return c.json(await outcomeFigures(o.pool, p.value, now));
  });

  return app;
}
