// GET /reconcile/runs: the recent missed-event recovery runs (what each listed, already had, enqueued). Auth is the caller's.
import { Hono } from "hono";
import type pg from "pg";
import { listReconcileRuns } from "../store/reconcile-runs.js";
import { jsonError } from "./http-error.js";

const MAX_RUNS = 100;

export function reconcileRoutes(opts: { pool: pg.Pool }): Hono<any> {
  const app = new Hono<any>();
  app.get("/reconcile/runs", async (c) => {
    const text = c.req.query("limit");
    const limit = text === undefined ? 20 : Number(text);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS) return jsonError(c, 400, "invalid_limit", `limit must be an integer from 1 to ${MAX_RUNS}`);
    const runs = await listReconcileRuns(opts.pool, limit);
    return c.json({
      runs: runs.map((r) => ({
        ...r,
        since: new Date(r.since * 1000).toISOString(),
        until: new Date(r.until * 1000).toISOString(),
      })),
    });
  });
  return app;
}
