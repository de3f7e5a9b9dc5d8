// The frame of the operators' pages (header with tabs, who is signed in, billops' clock) and how they write a Stripe
// link, an action's arguments and a case link for a person.
import type { Child } from "hono/jsx";
import { formatDateTime } from "../../domain/dates.js";
import { argText } from "./arg-text.js";
import { dashboardLabel, dashboardUrl, type DashboardTarget } from "../dashboard-links.js";
import { Layout } from "./view.js";
import { Tabs, type Tab } from "./tabs.js";

export function OperatorPage(props: { nonce: string; title: string; tab: Tab | null; approver: string; csrf: string; now: number; dashboard: DashboardTarget; children: Child }) {
  return (
    <Layout nonce={props.nonce} title={`billops — ${props.title}`}>
      <header class="top">
        <h1>billops</h1>
        <Tabs current={props.tab} />
        <span class="muted">billops clock: {formatDateTime(props.now)}</span>
        <span class="who">
          signed in as <strong id="approver">{props.approver}</strong>
        </span>
        <form method="post" action="/inbox/logout">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit" id="signout">
            Sign out
          </button>
        </form>
      </header>
      <main>
        {props.children}
        <p class="muted">Links to Stripe objects open the {dashboardLabel(props.dashboard)}.</p>
      </main>
    </Layout>
  );
}

export const caseHref = (caseKey: string) => `/inbox/cases/${encodeURIComponent(caseKey)}`;

/** A Stripe id, linked to its page in the Dashboard (or the simulator) when it has one. */
export function StripeLink({ id, dashboard, label }: { id: string | null | undefined; dashboard: DashboardTarget; label?: string }) {
  if (!id) return <span class="muted">—</span>;
  const href = dashboardUrl(dashboard, id);
  return href ? (
    <a href={href} class="stripe-link" target="_blank" rel="noopener noreferrer" data-stripe-id={id}>
      <code>{label ?? id}</code>
    </a>
  ) : (
    <code>{label ?? id}</code>
  );
}

export function Args({ args, currency }: { args: Record<string, unknown> | null | undefined; currency: string | null }) {
  const entries = Object.entries(args ?? {});
  if (entries.length === 0) return null;
  return (
    <span class="args">
      {entries.map(([k, v], i) => (
        <>
          {i ? ", " : ""}
          <span class="muted">{k}</span> {argText(k, v, currency)}
        </>
      ))}
    </span>
  );
}
