// GET /metrics: Prometheus text for a scraper. Counters move as billops works; the inbox and approval gauges are read
// from the database at each scrape (so every web process reports the same, shared backlog).
import { Hono, type MiddlewareHandler } from "hono";
import type pg from "pg";
import type { Clock } from "../domain/clock.js";
import type { Metrics } from "../telemetry/metrics.js";
import { inboxStats } from "../engine/inbox/index.js";
import { pendingApprovalStats } from "../store/approvals.js";
import { approverAuth } from "./auth.js";
import type { AuthThrottle } from "./auth-throttle.js";

/**
 * Who may scrape: the metrics token (METRICS_TOKEN) or any approver token. A scraper's credential sits in monitoring
 * configuration that more people read than approve refunds, so it gets a token of its own that opens nothing else.
 */
export function metricsAuth(approverTokens: Map<string, string>, metricsToken: string | undefined, auth: { throttle: AuthThrottle; trustedProxies: ReadonlySet<string> }): MiddlewareHandler {
  return approverAuth(new Map([...approverTokens, ...(metricsToken ? ([[metricsToken, "metrics"]] as const) : [])]), auth);
}

/** Counts deliveries to the webhook route and its refusals by error code; the ingest path itself is untouched. */
export function webhookMetering(m: Metrics): MiddlewareHandler {
  return async (c, next) => {
    await next();
    m.webhooksReceived.inc();
    if (c.res.status >= 400) {
      // Refusals are rare and small: reading the code back from the JSON error costs nothing on the accepted path.
      const code = await c.res
        .clone()
        .json()
        .then((b: any) => (typeof b?.error?.code === "string" ? b.error.code : `http_${c.res.status}`))
        .catch(() => `http_${c.res.status}`);
      m.webhooksRejected.inc({ code });
    }
  };
}

export function metricsRoutes(o: { pool: pg.Pool; clock: Clock; metrics: Metrics; approverTokens: Map<string, string>; metricsToken?: string; auth: { throttle: AuthThrottle; trustedProxies: ReadonlySet<string> } }) {
  const app = new Hono();
  const m = o.metrics;
  app.use("/metrics", metricsAuth(o.approverTokens, o.metricsToken, o.auth));
  app.get("/metrics", async (c) => {
    try {
      const [inbox, approvals] = await Promise.all([inboxStats(o.pool), pendingApprovalStats(o.pool, o.clock.now())]);
      for (const s of inbox) {
        m.inboxEvents.set({ status: s.status }, s.count);
        m.inboxOldestAge.set({ status: s.status }, s.oldestAgeSeconds);
      }
      // A domain whose questions were all answered drops to zero rather than keeping its last value.
      m.approvalsPending.reset();
      m.approvalsOldestAge.reset();
      for (const a of approvals) {
        m.approvalsPending.set({ domain: a.domain }, a.count);
        m.approvalsOldestAge.set({ domain: a.domain }, a.oldestAgeSeconds);
      }
    } catch {
      // The database is down: the counters still answer (the gauges keep their last reading); /health says what is wrong.
    }
    return c.body(await m.registry.metrics(), 200, { "content-type": m.registry.contentType });
  });
  return app;
}
