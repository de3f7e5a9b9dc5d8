// The outcomes page: what billops brought in and how it behaved over a period, as charts with their figures beside them.
// Money is drawn one currency at a time: amounts in different currencies are never added up.
import { formatMoney } from "../../domain/money.js";
import { formatShortDate } from "../../domain/dates.js";
import type { DashboardTarget } from "../dashboard-links.js";
import type { OutcomeFigures } from "../outcome-figures.js";
import { BarChart, FigureTable } from "./charts.js";
import { OperatorPage } from "./operator-frame.js";

const PERIODS = [7, 30, 90, 365];
const count = (n: number) => String(Math.round(n));
const percent = (n: number) => `${Math.round(n)}%`;
const compact = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

export function OutcomesPage(props: { nonce: string; approver: string; csrf: string; now: number; dashboard: DashboardTarget; figures: OutcomeFigures; days: number | null; query: { from: string; to: string }; error?: string }) {
  const f = props.figures;
  return (
    <OperatorPage nonce={props.nonce} title="outcomes" tab="outcomes" approver={props.approver} csrf={props.csrf} now={props.now} dashboard={props.dashboard}>
      <h2 id="period-title">
        Outcomes, {f.period.from_text} – {f.period.to_text}
      </h2>
      <div class="period">
        {PERIODS.map((d) => (
          <a href={`/inbox/outcomes?days=${d}`} class={props.days === d ? "current" : ""}>
            last {d} days
          </a>
        ))}
        <form method="get" action="/inbox/outcomes" class="filters">
          <label>
            from
            <input name="from" type="date" value={props.query.from} />
          </label>
          <label>
            to
            <input name="to" type="date" value={props.query.to} />
          </label>
          <button type="submit">Show</button>
        </form>
      </div>
      {props.error ? (
        <div class="error-banner" role="alert">
          {props.error}
        </div>
      ) : null}
      <Dunning f={f} />
      <div class="grid2">
        <Disputes f={f} />
        <Refunds f={f} />
      </div>
      <div class="grid2">
        <Approvals f={f} />
        <Model f={f} />
      </div>
    </OperatorPage>
  );
}

function Dunning({ f }: { f: OutcomeFigures }) {
  const d = f.dunning;
  return (
    <section id="dunning">
      <h2>Failed payments</h2>
      {d.currencies.length === 0 ? <div class="empty">No payment failed in this period.</div> : null}
      <div class="grid2">
        {d.currencies.map((currency) => {
          const weeks = d.weekly.filter((w) => w.currency === currency);
          return (
            <div class="panel" data-currency={currency}>
              <h3>Failed vs recovered per week, {currency.toUpperCase()}</h3>
              <BarChart
                id={`chart-dunning-${currency}`}
                title={`Failed and recovered ${currency.toUpperCase()} per week`}
                categories={weeks.map((w) => formatShortDate(w.week))}
                series={[
                  { name: "failed", className: "s-failed", values: weeks.map((w) => w.failed.amount), labels: weeks.map((w) => `${w.failed.amount_text} (${w.failed.count})`) },
                  { name: "recovered", className: "s-recovered", values: weeks.map((w) => w.recovered.amount), labels: weeks.map((w) => `${w.recovered.amount_text} (${w.recovered.count})`) },
                ]}
                yFormat={(n) => formatMoney(n, currency)}
              />
              <FigureTable
                id={`table-dunning-${currency}`}
                head={["week", "failed", "recovered"]}
                rows={weeks.filter((w) => w.failed.count || w.recovered.count).map((w) => [w.week_text, `${w.failed.amount_text} (${w.failed.count})`, `${w.recovered.amount_text} (${w.recovered.count})`])}
              />
            </div>
          );
        })}
      </div>
      <div class="grid2">
        <div class="panel">
          <h3>Recovery rate by decline category</h3>
          <p class="note">Of the invoices that failed in the period, how many were paid since.</p>
          <BarChart
            id="chart-recovery-rate"
            title="Recovery rate by decline category"
            categories={d.by_category.map((c) => c.category.replace("_", " "))}
            series={[{ name: "recovered", className: "s-rate", values: d.by_category.map((c) => (c.rate ?? 0) * 100), labels: d.by_category.map((c) => c.rate_text) }]}
            yFormat={percent}
            max={100}
          />
          <FigureTable
            id="table-recovery-rate"
            head={["category", "recovered", "amounts (failed → recovered)"]}
            rows={d.by_category.map((c) => [c.category.replace("_", " "), c.rate_text, c.amounts.map((a) => `${a.failed.amount_text} → ${a.recovered.amount_text}`).join("; ")])}
          />
        </div>
        <div class="panel">
          <h3>Time to recover</h3>
          <p class="note">
            {d.time_to_recover.recovered} recovered; median {d.time_to_recover.median.text}.
          </p>
          <BarChart
            id="chart-time-to-recover"
            title="Invoices recovered, by time from first failure"
            categories={d.time_to_recover.buckets.map((b) => b.label)}
            series={[{ name: "invoices", className: "s-recovered", values: d.time_to_recover.buckets.map((b) => b.count) }]}
            yFormat={count}
            integer
          />
        </div>
      </div>
    </section>
  );
}

function Disputes({ f }: { f: OutcomeFigures }) {
  return (
    <section class="panel" id="disputes">
      <h3>Disputes</h3>
      <p class="note">Disputes first seen in the period, by the furthest stage each reached.</p>
      <BarChart
        id="chart-disputes"
        title="Disputes staged, submitted, accepted, won and lost"
        categories={f.disputes.map((d) => d.stage)}
        series={[{ name: "disputes", className: "s-count", values: f.disputes.map((d) => d.count) }]}
        yFormat={count}
        integer
      />
      <FigureTable id="table-disputes" head={["stage", "disputes", "amount"]} rows={f.disputes.map((d) => [d.stage, String(d.count), d.amounts.map((a) => a.amount_text).join(" · ") || "—"])} />
    </section>
  );
}

function Refunds({ f }: { f: OutcomeFigures }) {
  return (
    <section class="panel" id="refunds">
      <h3>Refunds</h3>
      <p class="note">Refund asks settled in the period: refunded on its own, after a person approved, denied by the rules, rejected by a person.</p>
      <BarChart
        id="chart-refunds"
        title="Refunds by how they were decided"
        categories={f.refunds.map((r) => r.kind)}
        series={[{ name: "refund asks", className: "s-count", values: f.refunds.map((r) => r.count) }]}
        yFormat={count}
        integer
      />
      <FigureTable id="table-refunds" head={["kind", "asks", "amount"]} rows={f.refunds.map((r) => [r.kind, String(r.count), [r.amounts.map((a) => a.amount_text).join(" · "), r.without_amount ? `${r.without_amount} without a charge` : ""].filter(Boolean).join("; ") || "—"])} />
    </section>
  );
}

function Approvals({ f }: { f: OutcomeFigures }) {
  const a = f.approvals;
  return (
    <section class="panel" id="approvals">
      <h3>Time to answer approvals</h3>
      <p class="note">
        {a.answered} answered by a person; median {a.median.text}.{" "}
        {a.pending.length ? `Waiting now: ${a.pending.map((p) => `${p.count} ${p.domain} (oldest ${p.oldest.text})`).join(", ")}.` : "Nothing waits now."}
      </p>
      <BarChart id="chart-approvals" title="Approvals by time to answer" categories={a.buckets.map((b) => b.label)} series={[{ name: "approvals", className: "s-answer", values: a.buckets.map((b) => b.count) }]} yFormat={count} integer />
      <FigureTable id="table-approvals" head={["domain", "answered", "median"]} rows={a.by_domain.map((d) => [d.domain, String(d.answered), d.median.text])} />
    </section>
  );
}

function Model({ f }: { f: OutcomeFigures }) {
  const m = f.model;
  return (
    <section class="panel" id="model">
      <h3>Model calls and tokens per day</h3>
      <p class="note">
        {m.calls} calls, {m.tokens} tokens, {m.fallbacks} answers replaced by the rules{m.calls === 0 ? " (the rules decider makes no model calls; llm and hybrid do)" : ""}.
      </p>
      <BarChart id="chart-model-calls" title="Model calls per day" categories={m.daily.map((d) => formatShortDate(d.day))} series={[{ name: "calls", className: "s-calls", values: m.daily.map((d) => d.calls), labels: m.daily.map((d) => `${d.calls} (${d.fallbacks} fallbacks)`) }]} yFormat={count} integer />
      <BarChart id="chart-model-tokens" title="Tokens per day" categories={m.daily.map((d) => formatShortDate(d.day))} series={[{ name: "tokens", className: "s-tokens", values: m.daily.map((d) => d.tokens) }]} yFormat={compact} integer />
    </section>
  );
}
