// The HTTP face of billops: webhooks in (open, signed), health (open), and the authenticated operator and approval APIs.
import { Hono } from "hono";
import { cors } from "hono/cors";
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import type { CaseService } from "../engine/case-service.js";
import { webhookRoutes } from "./webhook.js";
import { eventsRoutes } from "./events-api.js";
import { approverAuth } from "./auth.js";
import { approvalsRoutes } from "./approvals-api.js";
import { requestsRoutes } from "./requests-api.js";
import { casesRoutes } from "./cases-api.js";
import { jsonError } from "./http-error.js";
import { agentServerRoutes, AGENT_SERVER_OPEN_PATHS, AGENT_SERVER_PATHS } from "./agent-server/index.js";
import { inboxPageRoutes } from "./inbox-page/index.js";

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

  const apiPaths = ["/approvals", "/approvals/*", "/events", "/events/*", "/requests", "/cases", "/cases/*", "/notifications", ...AGENT_SERVER_PATHS];
  // Browsers on another origin (a hosted Agent Inbox, a team's own tool) call the token-authenticated APIs: preflights
  // are answered before auth, and Private Network Access lets a public page reach a billops on localhost.
  const crossOrigin = cors({ origin: "*", allowHeaders: ["content-type", "x-api-key", "authorization", "x-auth-scheme", "last-event-id"], allowMethods: ["GET", "POST", "OPTIONS"], exposeHeaders: ["content-location"], maxAge: 600 });
  for (const path of [...apiPaths, ...AGENT_SERVER_OPEN_PATHS]) {
    app.use(path, async (c, next) => {
      if (c.req.method === "OPTIONS") c.header("Access-Control-Allow-Private-Network", "true");
      await next();
    });
    app.use(path, crossOrigin);
  }
  const auth = approverAuth(o.approverTokens);
  for (const path of apiPaths) app.use(path, auth);
  app.route("/", approvalsRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", requestsRoutes({ pool: o.pool, clock: o.clock, onStored: o.wake }));
  app.route("/", casesRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", eventsRoutes({ pool: o.pool, logger: o.logger, onUnblocked: o.wake }));
  app.route("/", agentServerRoutes({ pool: o.pool, cases: o.cases, logger: o.logger }));
  // The web inbox signs in with a cookie of its own (same origin, no CORS): see inbox-page/session.ts.
  app.route("/", inboxPageRoutes({ pool: o.pool, cases: o.cases, clock: o.clock, approverTokens: o.approverTokens }));
  return app;
}
