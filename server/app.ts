// The HTTP face of billops: webhooks in (open, signed), health (open), and the authenticated operator and approval APIs.
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type pg from "pg";
import type Stripe from "stripe";
import type { Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";
import type { CaseService } from "../engine/case-service.js";
import { newWebhookCounters, webhookRoutes, type WebhookCounters } from "./webhook.js";
import { eventsRoutes } from "./events-api.js";
import { reconcileRoutes } from "./reconcile-api.js";
import { approverAuth } from "./auth.js";
import { approvalsRoutes } from "./approvals-api.js";
import { requestsRoutes } from "./requests-api.js";
import { casesRoutes } from "./cases-api.js";
import { jsonError } from "./http-error.js";
import { agentServerRoutes, AGENT_SERVER_OPEN_PATHS, AGENT_SERVER_PATHS } from "./agent-server/index.js";
import { inboxPageRoutes } from "./inbox-page/index.js";
import { inboxSessions } from "./inbox-page/session.js";
import { createAuthThrottle, type AuthThrottle } from "./auth-throttle.js";
import { trustedProxySet } from "./client.js";
import { refuseControlCharacters } from "./control-characters.js";
import { API_BODY_BYTES, FORM_BODY_BYTES, limitBody } from "./limits.js";
import { healthRoutes } from "./health.js";
import type { PolicyConfig } from "../domain/policy-config.js";
import type { Metrics } from "../telemetry/metrics.js";
import { operatorRoutes } from "./activity-api.js";
import { policyRoutes, type PolicySource } from "./policy-api.js";
import { metricsRoutes, webhookMetering } from "./metrics-api.js";
import type { DashboardTarget } from "./dashboard-links.js";

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
  /** Facts for /health (shown with a token). */
  info?: Record<string, unknown>;
  /** Reverse proxies whose X-Forwarded-For / -Proto / -Host are believed (TRUSTED_PROXIES); nobody's by default. */
  trustedProxies?: readonly string[];
  /** What this Stripe account's events say (gateway.expectedEvents); mismatches are logged and counted. */
  expectedEvents?: { livemode: boolean; apiVersion: string };
  /** The brake on failed authentication; one per process by default (tests pass their own). */
  throttle?: AuthThrottle;
  /** Counts of signed events that did not look like this account's (shared with /health). */
  webhookCounters?: WebhookCounters;
  /** Operators' views: the policy in force (GET /policy), metrics (GET /metrics), links to Stripe's Dashboard. */
  operator: { policy: PolicyConfig; policySource?: PolicySource | null; metrics: Metrics; metricsToken?: string; dashboard: DashboardTarget };
}

/** The form posts of the inbox are a few hundred bytes; everything else that reads a body reads JSON. */
const FORM_PATHS = new Set(["/inbox/login", "/inbox/logout"]);
/** The webhook route limits its own body (it is also mounted alone). */
const OWN_LIMIT_PATHS = new Set(["/webhooks/stripe"]);

/** The client hung up before billops answered: nothing to answer, nothing wrong with billops. */
function clientWentAway(err: Error, c: Context): boolean {
  const code = (err as { code?: unknown }).code;
  return c.req.raw.signal?.aborted === true || err.name === "AbortError" || code === "ERR_STREAM_PREMATURE_CLOSE" || (code === "ECONNRESET" && err.message === "aborted");
}

export function createApp(o: AppOptions) {
  const app = new Hono();
  const trustedProxies = trustedProxySet(o.trustedProxies ?? []);
  const throttle = o.throttle ?? createAuthThrottle();
  const counters = o.webhookCounters ?? newWebhookCounters();
  app.onError((err, c) => {
    if (clientWentAway(err, c)) {
      // A slow or impatient client is routine (thousands of lines in one slow-client run): no stack, not an error.
      o.logger.debug({ path: c.req.path, reason: err.message }, "client went away before the answer");
      return c.body(null, 499 as 400);
    }
    if (err instanceof HTTPException) return err.getResponse();
    o.logger.error({ err, path: c.req.path }, "request failed");
    return jsonError(c, 500, "internal_error", "billops could not handle this request; it is logged");
  });
  app.notFound((c) => jsonError(c, 404, "not_found", `no route ${c.req.method} ${c.req.path}`));

  // Before anything reads a body: its size (a 300 MB sign-in is refused before one byte of it is read) …
  const formLimit = limitBody(FORM_BODY_BYTES);
  const apiLimit = limitBody(API_BODY_BYTES);
  app.use("*", (c, next) => (OWN_LIMIT_PATHS.has(c.req.path) ? next() : FORM_PATHS.has(c.req.path) ? formLimit(c, next) : apiLimit(c, next)));
  // … then no control characters in the path, the query or a JSON body.
  app.use("*", refuseControlCharacters({ rawBodyPaths: [...OWN_LIMIT_PATHS] }));

  app.route("/", healthRoutes({ pool: o.pool, approverTokens: o.approverTokens, throttle, trustedProxies, counters, info: o.info }));
  app.use("/webhooks/stripe", webhookMetering(o.operator.metrics));
  app.route("/", webhookRoutes({ pool: o.pool, stripe: o.stripe, webhookSecret: o.webhookSecret, clock: o.clock, onStored: o.wake, logger: o.logger, expect: o.expectedEvents, counters, onMismatch: (field) => o.operator.metrics.webhookMismatches.inc({ field }) }));

  const apiPaths = ["/approvals", "/approvals/*", "/events", "/events/*", "/requests", "/cases", "/cases/*", "/notifications", ...AGENT_SERVER_PATHS, "/activity", "/outcomes", "/policy", "/reconcile/runs"];
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
  const auth = approverAuth(o.approverTokens, { throttle, trustedProxies });
  for (const path of apiPaths) app.use(path, auth);
  app.route("/", approvalsRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", requestsRoutes({ pool: o.pool, clock: o.clock, onStored: o.wake }));
  app.route("/", casesRoutes({ pool: o.pool, cases: o.cases }));
  app.route("/", eventsRoutes({ pool: o.pool, logger: o.logger, onUnblocked: o.wake }));
  app.route("/", reconcileRoutes({ pool: o.pool }));
  app.route("/", agentServerRoutes({ pool: o.pool, cases: o.cases, logger: o.logger }));
  const op = o.operator;
  app.route("/", operatorRoutes({ pool: o.pool, clock: o.clock, dashboard: op.dashboard }));
  app.route("/", policyRoutes({ policy: op.policy, source: op.policySource }));
  app.route("/", metricsRoutes({ pool: o.pool, clock: o.clock, metrics: op.metrics, approverTokens: o.approverTokens, metricsToken: op.metricsToken, auth: { throttle, trustedProxies } }));
  // The web inbox signs in with a cookie of its own (same origin, no CORS): see inbox-page/session.ts.
  const sessions = inboxSessions({ pool: o.pool, approverTokens: o.approverTokens, trustedProxies });
  app.route("/", inboxPageRoutes({ pool: o.pool, cases: o.cases, clock: o.clock, sessions, throttle, trustedProxies, dashboard: o.operator.dashboard }));
  return app;
}
