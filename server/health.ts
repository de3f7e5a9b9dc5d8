// GET /health: ok or not ok for anyone (a load balancer's probe); what is wrong, and the process's facts, only for an
// approver token — a database error names hosts, users and schemas.
import { Hono } from "hono";
import type pg from "pg";
import { approverAuth } from "./auth.js";
import type { AuthThrottle } from "./auth-throttle.js";
import type { WebhookCounters } from "./webhook.js";

export interface HealthOptions {
  pool: pg.Pool;
  approverTokens: Map<string, string>;
  throttle: AuthThrottle;
  trustedProxies: ReadonlySet<string>;
  counters: WebhookCounters;
  /** Facts shown with a token (mode, role, decider). */
  info?: Record<string, unknown>;
}

export function healthRoutes(o: HealthOptions) {
  const app = new Hono<{ Variables: { approver: string } }>();
  const details = approverAuth(o.approverTokens, { throttle: o.throttle, trustedProxies: o.trustedProxies });

  async function database(): Promise<{ up: true } | { up: false; error: { code: string | null; message: string } }> {
    try {
      await o.pool.query("select 1");
      return { up: true };
    } catch (err) {
      const e = err as { code?: unknown; message?: unknown };
      return { up: false, error: { code: typeof e.code === "string" ? e.code : null, message: String(e.message ?? err).slice(0, 300) } };
    }
  }

  app.get("/health", async (c, next) => {
    // A token asks for the details (and is checked like any other); without one the answer is a bare verdict.
    if (c.req.header("authorization") !== undefined || c.req.header("x-api-key") !== undefined) return next();
    const db = await database();
    return c.json({ status: db.up ? "ok" : "not_ok" }, db.up ? 200 : 503);
  }, details, async (c) => {
    const db = await database();
    return c.json(
      {
        status: db.up ? "ok" : "not_ok",
        database: db.up ? "up" : "down",
        ...(db.up ? {} : { database_error: db.error }),
        webhooks: { livemode_mismatches: o.counters.livemodeMismatches, api_version_mismatches: o.counters.apiVersionMismatches },
        ...o.info,
      },
      db.up ? 200 : 503,
    );
  });
  return app;
}
