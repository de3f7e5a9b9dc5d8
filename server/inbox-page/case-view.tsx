// A case's whole story from its audit trail: the events, each decision and why, the guard, the questions to people and
// their answers, the Stripe requests (linked), the messages as sent, and the money each decision was about.
import type { CaseRow } from "../../store/cases.js";
import type { AuditRow } from "../../store/audit.js";
import type { NotificationRow } from "../../store/notifications.js";
import type { ApprovalRow } from "../../store/approvals.js";
import type { SettledDecisionRow } from "../../store/settled-decisions.js";
import { formatMoney } from "../../domain/money.js";
import { formatDateTime, formatDuration } from "../../domain/dates.js";
import type { DashboardTarget } from "../dashboard-links.js";
import { Args, OperatorPage, StripeLink } from "./operator-frame.js";

export interface CaseStory {
  row: CaseRow;
  audit: AuditRow[];
  notifications: NotificationRow[];
  approvals: ApprovalRow[];
  decisions: SettledDecisionRow[];
  /** The currency of the case's money, for its actions' arguments. */
  currency: string | null;
}

const KIND_LABEL: Record<string, string> = {
  event: "event",
  echo: "echo",
  decision: "decision",
  fallback: "model fallback",
  guard: "guard",
  approval_requested: "asked a person",
  approval_answered: "answered",
  approval_superseded: "superseded",
  approval_escalated: "escalated",
  stripe: "Stripe",
  stripe_error: "Stripe refused",
  notification: "message",
  scheduled: "scheduled",
  error: "error",
};

export function CasePage(props: { nonce: string; approver: string; csrf: string; now: number; dashboard: DashboardTarget; story: CaseStory }) {
  const { row, audit, notifications, approvals, decisions, currency } = props.story;
  const subject = decisions.find((d) => d.subject)?.subject ?? row.objectId;
  return (
    <OperatorPage nonce={props.nonce} title={row.caseKey} tab={null} approver={props.approver} csrf={props.csrf} now={props.now} dashboard={props.dashboard}>
      <h2 id="case-title">Case {row.caseKey}</h2>
      <section class="card summary" id="case-summary">
        <div>
          <span class="label">status</span>
          <span class="badge">{row.status.replace("_", " ")}</span>
        </div>
        <div>
          <span class="label">route</span>
          {row.route ?? "—"}
        </div>
        <div>
          <span class="label">last action</span>
          {row.lastAction ?? "—"}
        </div>
        <div>
          <span class="label">Stripe object</span>
          <StripeLink id={subject} dashboard={props.dashboard} />
        </div>
        <div>
          <span class="label">customer</span>
          <StripeLink id={row.customer ?? decisions.find((d) => d.customer)?.customer} dashboard={props.dashboard} />
        </div>
        <div>
          <span class="label">opened</span>
          {/* billops' clock, as every other time on the page (the row's created_at is the database's). */}
          {audit[0] ? formatDateTime(audit[0].at) : "—"}
        </div>
      </section>

      <h2>Decisions</h2>
      <section class="card">
        {decisions.length === 0 ? (
          <div class="empty">No decision settled yet.</div>
        ) : (
          <table id="case-decisions">
            <tr>
              <th>settled</th>
              <th>action</th>
              <th>amount</th>
              <th>by</th>
              <th>guard</th>
              <th>outcome</th>
              <th>why</th>
            </tr>
            {decisions.map((d) => (
              <tr data-decision={d.decisionId}>
                <td>{formatDateTime(d.settledAt)}</td>
                <td>
                  <code>{d.action}</code>
                </td>
                <td>{d.amount != null && d.currency ? formatMoney(d.amount, d.currency) : "—"}</td>
                <td>{d.approval === "none" ? `billops (${d.source})` : `${d.approver ?? "a person"} (${d.approval})`}</td>
                <td>{d.guardVerdict.replace("_", " ")}</td>
                <td>{d.outcome}</td>
                <td>{d.rationale}</td>
              </tr>
            ))}
          </table>
        )}
      </section>

      <h2>The whole story</h2>
      <section class="card">
        <ol class="timeline" id="timeline">
          {audit.map((e) => (
            <li class={`k-${e.kind}`} data-kind={e.kind}>
              <span class="muted">{formatDateTime(e.at)}</span>
              <span class="kind">{KIND_LABEL[e.kind] ?? e.kind}</span>
              <span>
                <AuditLine entry={e} currency={currency} dashboard={props.dashboard} />
              </span>
            </li>
          ))}
        </ol>
      </section>

      <div class="grid2">
        <div>
          <h2>Questions to people</h2>
          <section class="card">
            {approvals.length === 0 ? (
              <div class="empty">billops asked nobody on this case.</div>
            ) : (
              <table id="case-approvals">
                <tr>
                  <th>asked</th>
                  <th>action</th>
                  <th>answer</th>
                  <th>by</th>
                  <th>after</th>
                </tr>
                {approvals.map((a) => (
                  <tr>
                    <td>{formatDateTime(a.requestedAt)}</td>
                    <td>
                      <code>{a.action}</code> <Args args={a.args} currency={currency} />
                    </td>
                    <td>{a.status}</td>
                    <td>{a.approver ?? (a.status === "superseded" ? "billops" : "—")}</td>
                    <td>{a.answeredAt != null ? formatDuration(a.answeredAt - a.requestedAt) : a.status === "pending" ? `waiting ${formatDuration(props.now - a.requestedAt)}` : "—"}</td>
                  </tr>
                ))}
              </table>
            )}
          </section>
        </div>
        <div>
          <h2>Messages</h2>
          <section class="card" id="case-messages">
            {notifications.length === 0 ? (
              <div class="empty">No message on this case.</div>
            ) : (
              notifications.map((n) => (
                <div class="panel">
                  <h3>{n.subject}</h3>
                  <p class="note">
                    {n.template} to {n.to ?? "operations"} · {formatDateTime(n.at)} · {n.status}
                  </p>
                  <pre class="mail">{n.body}</pre>
                </div>
              ))
            )}
          </section>
        </div>
      </div>
    </OperatorPage>
  );
}

const str = (v: unknown) => (typeof v === "string" ? v : v == null ? "" : String(v));

/** One audit line as a sentence: what happened, with its ids linked and its money and times readable. */
function AuditLine({ entry: e, currency, dashboard }: { entry: AuditRow; currency: string | null; dashboard: DashboardTarget }) {
  const d = e.data as Record<string, any>;
  switch (e.kind) {
    case "event":
    case "echo":
      return (
        <>
          <code>{str(d.type)}</code> <StripeLink id={str(d.event_id)} dashboard={dashboard} /> from {str(d.source) || "stripe"}
          {e.kind === "echo" ? " — caused by billops' own write" : ""}
          {d.note ? <span class="muted"> ({str(d.note)})</span> : null}
        </>
      );
    case "decision":
    case "fallback":
      if (d.classification) {
        const c = d.classification as Record<string, unknown>;
        return (
          <>
            support request understood as <strong>{str(c.intent)}</strong> → {str(c.route)} ({str(c.source)})
            {c.ambiguous ? <span class="muted"> — unsure: {str(c.ambiguous)}</span> : null}
            {d.fallback_reason ? <span class="muted"> — model failed, rules decided: {str(d.fallback_reason)}</span> : null}
          </>
        );
      }
      if (e.kind === "fallback") return <>the model's answer was not used, the rules decided: {str(d.reason)}</>;
      return (
        <>
          <code>{str(d.action)}</code> <Args args={d.params} currency={currency} /> — {str(d.rationale)}{" "}
          <span class="muted">
            ({str(d.source)}, confidence {str(d.confidence)}
            {d.llm ? `, ${d.llm.calls} model call${d.llm.calls === 1 ? "" : "s"}, ${d.llm.tokens} tokens` : ""})
          </span>
          {d.ambiguous ? <span class="muted"> — unsure: {str(d.ambiguous)}</span> : null}
        </>
      );
    case "guard":
      return (
        <>
          {str(d.verdict).replace("_", " ")} for <code>{str(d.action)}</code>
          {d.original ? <> (proposed <code>{str(d.original.action)}</code>)</> : null}
          {d.approved ? " after a person approved" : ""}
          {Array.isArray(d.reasons) && d.reasons.length ? `: ${d.reasons.join("; ")}` : ""}
        </>
      );
    case "approval_requested":
      return (
        <>
          asked a person to approve <code>{str(d.action)}</code> <Args args={d.args} currency={currency} />
          {Array.isArray(d.reasons) && d.reasons.length ? ` — because ${d.reasons.join("; ")}` : ""}
        </>
      );
    case "approval_answered":
      return (
        <>
          {e.actor} {str(d.status)} <code>{str(d.action)}</code>
          {d.edited ? (
            <>
              {" "}
              as <code>{str(d.edited.action)}</code> <Args args={d.edited.args} currency={currency} />
            </>
          ) : null}
          {d.reason ? ` — “${str(d.reason)}”` : ""}
        </>
      );
    case "approval_superseded":
      return <>the question was closed: a newer event ({str(d.by)}) came first</>;
    case "approval_escalated":
      return (
        <>
          nobody answered about <code>{str(d.action)}</code> by {typeof d.due_at === "number" ? formatDateTime(d.due_at) : "its deadline"}: operations were told
        </>
      );
    case "stripe":
    case "stripe_error":
      return (
        <>
          {str(d.method)} <StripeLink id={d.object} dashboard={dashboard} /> request <StripeLink id={d.requestId} dashboard={dashboard} />{" "}
          <span class="muted">(idempotency key {str(d.idempotencyKey)})</span>
          {d.error ? <strong> — {str(d.error.message)}</strong> : null}
        </>
      );
    case "notification":
      return (
        <>
          {str(d.template).replace(/_/g, " ")} to {str(d.to) || "—"}
        </>
      );
    case "scheduled":
      return (
        <>
          {str(d.kind).replace(/_/g, " ")} on {typeof d.due_at === "number" ? formatDateTime(d.due_at) : "—"}
        </>
      );
    default:
      return <>{str(d.message ?? d.error ?? JSON.stringify(d)).slice(0, 300)}</>;
  }
}
