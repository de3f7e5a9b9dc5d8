// The activity page: what billops did on its own, newest first — each with its rationale, the guard's verdict, its
// Stripe requests (linked) and messages — filterable by domain, action, customer and date.
import { ACTIONS, DOMAINS } from "../../domain/actions.js";
import type { DashboardTarget } from "../dashboard-links.js";
import type { ActivityItem } from "../activity-api.js";
import { OperatorPage, StripeLink, caseHref } from "./operator-frame.js";

export interface ActivityFilters {
  domain: string;
  action: string;
  customer: string;
  from: string;
  to: string;
  only: boolean;
}

const ALL_ACTIONS = [...new Set(Object.values(ACTIONS).flat())].sort();

const VERDICT_CLASS: Record<string, string> = { ok: "ok", needs_approval: "warn", downgraded: "bad" };
const OUTCOME_CLASS: Record<string, string> = { executed: "ok", failed: "bad", escalated: "escalated" };

export function ActivityPage(props: {
  nonce: string;
  approver: string;
  csrf: string;
  now: number;
  dashboard: DashboardTarget;
  filters: ActivityFilters;
  items: ActivityItem[];
  nextHref: string | null;
  error?: string;
}) {
  const f = props.filters;
  return (
    <OperatorPage nonce={props.nonce} title="activity" tab="activity" approver={props.approver} csrf={props.csrf} now={props.now} dashboard={props.dashboard}>
      <h2>What billops did on its own</h2>
      <form class="filters" method="get" action="/inbox/activity" id="filters">
        <label>
          domain
          <select name="domain">
            <option value="">all</option>
            {DOMAINS.map((d) => (
              <option value={d} selected={d === f.domain}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          action
          <select name="action">
            <option value="">all</option>
            {ALL_ACTIONS.map((a) => (
              <option value={a} selected={a === f.action}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          customer
          <input name="customer" value={f.customer} placeholder="cus_…" />
        </label>
        <label>
          from
          <input name="from" type="date" value={f.from} />
        </label>
        <label>
          to
          <input name="to" type="date" value={f.to} />
        </label>
        <label class="check">
          <input type="checkbox" name="only" value="acted" checked={f.only} /> only what touched Stripe, a customer or a person
        </label>
        <button class="primary" type="submit">
          Show
        </button>
        <a href="/inbox/activity">clear</a>
      </form>
      {props.error ? (
        <div class="error-banner" role="alert">
          {props.error}
        </div>
      ) : null}
      <section class="card activity" id="activity">
        {props.items.length === 0 ? <div class="empty">Nothing billops did on its own matches.</div> : props.items.map((a) => <Item item={a} dashboard={props.dashboard} />)}
      </section>
      {props.nextHref ? (
        <div class="pager">
          <a href={props.nextHref} id="older">
            Older →
          </a>
        </div>
      ) : null}
    </OperatorPage>
  );
}

function Item({ item: a, dashboard }: { item: ActivityItem; dashboard: DashboardTarget }) {
  return (
    <article class="item" data-decision={a.decision_id} data-case={a.case} data-action={a.action}>
      <div class="when">{a.settled_text}</div>
      <div class="what">
        <span class="badge action">{a.action}</span>
        <span class="badge">{a.domain}</span>
        {a.amount_text ? <span class="amount">{a.amount_text}</span> : null}
        <a href={caseHref(a.case)} class="case-link">
          {a.case}
        </a>
        {a.customer ? (
          <span>
            customer <StripeLink id={a.customer} dashboard={dashboard} />
          </span>
        ) : null}
        <span class={`badge ${VERDICT_CLASS[a.guard.verdict] ?? ""}`} title={a.guard.reasons.join("; ")}>
          guard: {a.guard.verdict.replace("_", " ")}
        </span>
        <span class={`badge ${OUTCOME_CLASS[a.outcome] ?? ""}`}>{a.outcome}</span>
        <span class="muted">
          {a.source}
          {a.trigger.echo ? " · on billops' own echo" : ""}
        </span>
      </div>
      <div class="why">
        {a.rationale}
        {a.guard.reasons.length ? <span class="muted"> — guard: {a.guard.reasons.join("; ")}</span> : null}
      </div>
      <div class="effects">
        {a.subject.id ? (
          <span>
            object <StripeLink id={a.subject.id} dashboard={dashboard} />
            {a.subject.status ? <span class="muted"> ({a.subject.status})</span> : null}
          </span>
        ) : null}
        {a.stripe.map((e) => (
          <span class={e.ok ? "" : "failed"}>
            Stripe {e.method} <StripeLink id={e.object} dashboard={dashboard} /> request <StripeLink id={e.request_id} dashboard={dashboard} />
            {e.error ? ` — ${e.error}` : ""}
          </span>
        ))}
        {a.notifications.map((n) => (
          <span>message {n}</span>
        ))}
        {a.scheduled.map((j) => (
          <span>
            {j.kind.replace(/_/g, " ")} on {j.due_text}
          </span>
        ))}
      </div>
    </article>
  );
}
