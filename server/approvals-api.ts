// The approval (human-in-the-loop) API: list what waits for a person, show its case story, answer it.
import { Hono } from "hono";
import { z } from "zod";
import type pg from "pg";
import { getApproval, listApprovals } from "../store/approvals.js";
import { listAudit } from "../store/audit.js";
import type { CaseService } from "../engine/case-service.js";
import { intQuery, jsonError, readJson, zodMessage } from "./http-error.js";

const AnswerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("accept") }),
  z.object({ type: z.literal("edit"), args: z.record(z.string(), z.unknown()).optional(), action: z.string().optional() }),
  z.object({ type: z.literal("response"), reason: z.string().max(2000).optional() }),
  z.object({ type: z.literal("ignore") }),
]);

const STATUSES = ["pending", "accepted", "edited", "rejected", "ignored", "superseded", "resolved", "answered", "all"] as const;

export function approvalsRoutes({ pool, cases }: { pool: pg.Pool; cases: CaseService }) {
  const app = new Hono<{ Variables: { approver: string } }>();

  app.get("/approvals", async (c) => {
    const status = c.req.query("status") ?? "pending";
    if (!(STATUSES as readonly string[]).includes(status)) return jsonError(c, 400, "invalid_status", `status must be one of ${STATUSES.join(", ")}`);
    const limit = intQuery(c, "limit", { min: 1, max: 500, fallback: 50 });
    if (limit instanceof Response) return limit;
    const offset = intQuery(c, "offset", { min: 0, max: 1_000_000_000, fallback: 0 });
    if (offset instanceof Response) return offset;
    const rows = await listApprovals(pool, { status: status as any, caseKey: c.req.query("case"), domain: c.req.query("domain"), limit, offset });
    return c.json({ data: rows });
  });

  app.get("/approvals/:id", async (c) => {
    const row = await getApproval(pool, c.req.param("id"));
    if (!row) return jsonError(c, 404, "approval_not_found", `no approval ${c.req.param("id")}`);
    const { values } = await cases.snapshot(row.caseKey);
    const audit = await listAudit(pool, row.caseKey, 200);
    return c.json({
      approval: row,
      case: {
        key: row.caseKey,
        route: values.route,
        events: values.events ?? [],
        decision: values.decision,
        guard: values.guard,
        context: values.context,
        decisions: (values.decisions ?? []).map((d) => ({ decision: d.decision, guard: d.guard, approval: d.approval, outcome: d.outcome })),
      },
      audit,
    });
  });

  app.post("/approvals/:id", async (c) => {
    const parsed = await readJson(c);
    if (!parsed.ok) return jsonError(c, 400, "invalid_json", "the body must be JSON");
    const answer = AnswerSchema.safeParse(parsed.body);
    if (!answer.success) return jsonError(c, 400, "invalid_answer", zodMessage(answer.error));
    const result = await cases.answerApproval(c.req.param("id"), answer.data, c.get("approver"));
    if (!result.ok) return jsonError(c, result.status, result.code, result.message, result.approval ? { approval_status: result.approval.status } : {});
    const s = result.state;
    return c.json({ approval: result.approval, decision: s.decision, guard: s.guard, outcome: s.outcome, next_approval: s.approval?.status === "pending" ? s.approval.id : null });
  });

  return app;
}
