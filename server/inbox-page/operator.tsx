// The operators' pages behind the inbox's sign-in: /inbox/activity, /inbox/cases/:key and /inbox/outcomes. The session
// check, the page headers and the sign-in page are the inbox's own, handed in (see index.tsx).
import { Hono, type Context } from "hono";
import type pg from "pg";
import type { Clock } from "../../domain/clock.js";
import { listActivity, caseDecisions } from "../../store/settled-decisions.js";
import { getCase } from "../../store/cases.js";
import { listAudit } from "../../store/audit.js";
import { listNotifications } from "../../store/notifications.js";
import { listApprovals } from "../../store/approvals.js";
import type { DashboardTarget } from "../dashboard-links.js";
import { activityItem } from "../activity-api.js";
import { activityCursor, parseActivityQuery, parsePeriodQuery } from "../operator-query.js";
import { outcomeFigures } from "../outcome-figures.js";
import { ActivityPage } from "./activity-view.js";
import { CasePage } from "./case-view.js";
import { OutcomesPage } from "./outcomes-view.js";
import type { InboxSession } from "./session.js";

export interface OperatorPageOptions {
  pool: pg.Pool;
  clock: Clock;
  dashboard: DashboardTarget;
  /** The request's sign-in, or null (the inbox's session check, session.ts). */
  session: (c: Context) => Promise<InboxSession | null>;
  /** Sets the page's headers (CSP with a fresh nonce, no caching) and returns the nonce. */
  page: (c: Context) => string;
  /** The sign-in page, for a request without a session: nothing about any case is shown before sign-in. */
  signIn: (c: Context) => Response | Promise<Response>;
  /** The currency of a case's Stripe facts now (from its thread), for a case with no settled decision yet. */
  contextCurrency: (caseKey: string) => Promise<string | null>;
}

const DAY_SECONDS = 86400;
const isoDay = (t: number | null | undefined) => (typeof t === "number" ? new Date(t * 1000).toISOString().slice(0, 10) : "");

export function operatorPageRoutes(o: OperatorPageOptions) {
  const app = new Hono();

  app.get("/inbox/activity", async (c) => {
    const session = await o.session(c);
    if (!session) return o.signIn(c);
    const { approver, csrf } = session;
    const nonce = o.page(c);
    const query = c.req.query();
    const q = parseActivityQuery(query);
    const filter = q.ok ? q.value : { limit: 100 };
    const rows = await listActivity(o.pool, { ...filter, limit: (filter.limit ?? 100) + 1 });
    const page = rows.slice(0, filter.limit);
    let nextHref: string | null = null;
    if (rows.length > page.length) {
      const next = new URLSearchParams(Object.entries(query).filter(([k, v]) => k !== "before" && v));
      next.set("before", activityCursor(page.at(-1)!));
      nextHref = `/inbox/activity?${next}`;
    }
    const filters = {
      domain: q.ok ? (q.value.domain ?? "") : "",
      action: q.ok ? (q.value.action ?? "") : "",
      customer: q.ok ? (q.value.customer ?? "") : "",
      // The `to` date a person typed is the last day they want; the filter holds the next day's start.
      from: q.ok ? isoDay(q.value.from) : "",
      to: q.ok && q.value.to != null ? isoDay(q.value.to - DAY_SECONDS) : "",
      only: q.ok && q.value.only === "acted",
    };
    return c.html(
      <ActivityPage
        nonce={nonce}
        approver={approver}
        csrf={csrf}
        now={o.clock.now()}
        dashboard={o.dashboard}
        filters={filters}
        items={page.map((r) => activityItem(r, o.dashboard))}
        nextHref={nextHref}
        error={q.ok ? undefined : `Filters not applied — ${q.message}`}
      />,
    );
  });

  app.get("/inbox/cases/:key", async (c) => {
    const session = await o.session(c);
    if (!session) return o.signIn(c);
    const { approver, csrf } = session;
    const nonce = o.page(c);
    const key = c.req.param("key");
    const row = await getCase(o.pool, key);
    if (!row) {
      c.status(404);
      return c.html(
        <ActivityPage nonce={nonce} approver={approver} csrf={csrf} now={o.clock.now()} dashboard={o.dashboard} filters={{ domain: "", action: "", customer: "", from: "", to: "", only: false }} items={[]} nextHref={null} error={`There is no case ${key}.`} />,
      );
    }
    const [audit, notifications, approvals, decisions] = await Promise.all([
      listAudit(o.pool, key, 2000),
      listNotifications(o.pool, { caseKey: key, limit: 200 }),
      listApprovals(o.pool, { status: "all", caseKey: key, limit: 200 }),
      caseDecisions(o.pool, key),
    ]);
    approvals.sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
    const currency = decisions.find((d) => d.currency)?.currency ?? (await o.contextCurrency(key));
    return c.html(<CasePage nonce={nonce} approver={approver} csrf={csrf} now={o.clock.now()} dashboard={o.dashboard} story={{ row, audit, notifications, approvals, decisions, currency }} />);
  });

  app.get("/inbox/outcomes", async (c) => {
    const session = await o.session(c);
    if (!session) return o.signIn(c);
    const { approver, csrf } = session;
    const nonce = o.page(c);
    const now = o.clock.now();
    const query = c.req.query();
    let p = parsePeriodQuery(query, now);
    const error = p.ok ? undefined : `Showing the last 90 days — ${p.message}`;
    if (!p.ok) p = parsePeriodQuery({}, now);
    if (!p.ok) throw new Error("the default period must parse");
    const figures = await outcomeFigures(o.pool, p.value, now);
    const days = query.from || query.to ? null : p.value.days;
    return c.html(<OutcomesPage nonce={nonce} approver={approver} csrf={csrf} now={now} dashboard={o.dashboard} figures={figures} days={days} query={{ from: query.from ?? "", to: query.to ?? "" }} error={error} />);
  });

  return app;
}
