// The HTTP face of billops: webhooks in (open, signed), health (open), and the authenticated operator and approval APIs.
import { Hono } from "hono";
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../log.js";
import type { CaseService } from "../graph/runner.js";
import { webhookRoutes } from "./webhook.js";
import { eventsRoutes } from "./events-api.js";
import { approverAuth } from "./auth.js";
import { approvalsRoutes } from "./approvals-api.js";
import { requestsRoutes } from "./requests-api.js";
import { casesRoutes } from "./cases-api.js";
import { jsonError } from "./http-error.js";

export interface AppOptions {
  pool: pg.Pool;
  stripe: Stripe;
  webhookSecret: string;
  clock: Clock;
  cases: CaseService;
  approverTokens: Map<string, string>;
  logger: Logger;
  /** Wakes an in-process worker when new work is stored. */
  wake?: () => void;
  /** Facts for /health. */
  info?: Record<string, unknown>;
}

export function createApp(o: AppOptions) {
  const app = new Hono();
  app.onError((err, c) => {
    o.logger.error({ err, path: c.req.path }, "request failed");
    return jsonError(c, 500, "internal_error", "billops could not handle this request; it is logged");
  });
  app.notFound((c) => jsonError(c, 404, "not_found", `no route ${c.req.method} ${c.req.path}`));

  app.get("/health", async (c) => {
    try {
      await o.pool.query("select 1");
      return c.json({ status: "ok", database: "up", ...o.info });
    } catch (err) {
      return c.json({ status: "degraded", database: "down", error: String((err as Error).message) }, 503);
    }
  });
  app.route("/", webhookRoutes({ pool: o.pool, stripe: o.stripe, webhookSecret: o.webhookSecret, clock: o.clock, onStored: o.wake, logger: o.logger }));

  const auth = approverAuth(o.approverTokens);
  for (const path of ["/approvals", "/approvals/*", "/events", "/events/*", "/requests", "/cases", "/cases/*", "/notifications"]) app.use(path, auth);
  app.route("/", approvalsRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", requestsRoutes({ pool: o.pool, clock: o.clock, onStored: o.wake }));
  app.route("/", casesRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", eventsRoutes({ pool: o.pool, logger: o.logger, onUnblocked: o.wake }));
  return app;
}
