// Cases for people and tools: state, recent history and audit of one case; the outbox of notifications.
import { Hono } from "hono";
import type pg from "pg";
import { getCase, listCases } from "../store/cases.js";
import { listAudit } from "../store/audit.js";
import { listNotifications } from "../store/notifications.js";
import type { CaseService } from "../engine/case-service.js";
import { intQuery, jsonError } from "./http-error.js";

export function casesRoutes({ pool, cases }: { pool: pg.Pool; cases: CaseService }) {
  const app = new Hono();
  app.get("/cases", async (c) => {
    // Up to 1,000 asked, as before; the store answers at most 500 cases a page.
    const limit = intQuery(c, "limit", { min: 1, max: 1000, fallback: 50 });
    if (limit instanceof Response) return limit;
    const rows = await listCases(pool, { status: c.req.query("status") as any, limit });
    return c.json({ data: rows });
  });
  app.get("/cases/:key", async (c) => {
    const key = c.req.param("key");
    const limit = intQuery(c, "limit", { min: 1, max: 500, fallback: 20 });
    if (limit instanceof Response) return limit;
    const row = await getCase(pool, key);
    if (!row) return jsonError(c, 404, "case_not_found", `no case ${key}`);
    const { values, interrupted } = await cases.snapshot(key);
    return c.json({
      case: row,
      state: {
        route: values.route,
        waiting_for_approval: interrupted,
        decision: values.decision,
        guard: values.guard,
        approval: values.approval,
        outcome: values.outcome,
      },
      events: (values.events ?? []).slice(-limit),
      decisions: (values.decisions ?? []).slice(-limit).map((d) => ({ decision: d.decision, guard: d.guard, approval: d.approval, outcome: d.outcome })),
      notifications: await listNotifications(pool, { caseKey: key, limit }),
      audit: await listAudit(pool, key, limit * 10),
    });
  });
  app.get("/notifications", async (c) => {
    const limit = intQuery(c, "limit", { min: 1, max: 1000, fallback: 100 });
    if (limit instanceof Response) return limit;
    return c.json({ data: await listNotifications(pool, { status: c.req.query("status"), caseKey: c.req.query("case"), limit }) });
  });
  return app;
}
