// The web inbox's markup (Hono JSX, rendered on the server): sign-in, pending approvals with their case story, history.
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { ApprovalRow } from "../../store/approvals.js";
import type { CaseStateType } from "../../domain/case-state.js";
import { INBOX_CSS, INBOX_JS } from "./assets.js";
import { OPERATOR_CSS } from "./operator-assets.js";
import { Tabs } from "./tabs.js";
import { argText } from "./arg-text.js";
import { caseFacts, money, relative, when } from "./facts.js";
import { stripeExponent } from "../../domain/money.js";
import type { JsonSchema } from "./forms.js";

export interface PendingItem {
  approval: ApprovalRow;
  values: Partial<CaseStateType>;
  schema: JsonSchema | null;
  /** The dispute's evidence deadline, when the case is a dispute: it orders the list. */
  disputeDue: number | null;
}

export function Layout(props: { nonce: string; title: string; children: Child }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style nonce={props.nonce}>{raw(INBOX_CSS + OPERATOR_CSS)}</style>
      </head>
      <body>{props.children}</body>
      </html>
    </>
  );
}

export function SignInPage(props: { nonce: string; csrf: string; error?: string }) {
  return (
    <Layout nonce={props.nonce} title="billops — sign in">
      <div class="signin">
        <h1>billops approvals</h1>
        <div class="muted">Sign in with your approver token (from APPROVER_TOKENS, or the one `npm start` printed).</div>
        <form method="post" action="/inbox/login" id="signin">
          {props.error ? <div class="error-banner" role="alert">{props.error}</div> : null}
          <label for="token">Approver token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          <input type="hidden" name="csrf" value={props.csrf} />
          <button class="primary" type="submit">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}

export function InboxPage(props: { nonce: string; approver: string; csrf: string; now: number; pending: PendingItem[]; history: ApprovalRow[]; error?: string; currencies?: Map<string, string> }) {
  return (
    <Layout nonce={props.nonce} title={`billops — ${props.pending.length} waiting`}>
      <header class="top">
        <h1>billops approvals</h1>
        <Tabs current="approvals" />
        <span class="muted">billops clock: {when(props.now)}</span>
        <span class="who">
          signed in as <strong id="approver">{props.approver}</strong>
        </span>
        <form method="post" action="/inbox/logout">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit" id="signout">Sign out</button>
        </form>
      </header>
      <main>
        {props.error ? <div class="error-banner" role="alert">{props.error}</div> : null}
        <h2>
          Waiting for you <span class="badge">{props.pending.length}</span>
        </h2>
        <section id="pending">
          {props.pending.length === 0 ? <div class="empty">Nothing waits for a person right now.</div> : props.pending.map((p) => <ApprovalCard item={p} now={props.now} />)}
        </section>
        <h2>Answered and superseded</h2>
        <section id="history">{props.history.length === 0 ? <div class="empty">No answers yet.</div> : <History rows={props.history} currencies={props.currencies ?? new Map()} />}</section>
      </main>
      <script nonce={props.nonce}>{raw(INBOX_JS)}</script>
    </Layout>
  );
}

function ApprovalCard({ item, now }: { item: PendingItem; now: number }) {
  const a = item.approval;
  const v = item.values;
  const d = v.decision;
  const overdue = a.dueAt != null && a.dueAt <= now;
  const cfg = a.request.config;
  const currency = currencyOf(v.context);
  return (
    <article class={`card${overdue ? " overdue" : ""}`} data-approval={a.id} data-case={a.caseKey}>
      <div class="head">
        <span class="badge action">{a.action}</span>
        <span class="case">{a.caseKey}</span>
        <span class="badge">{a.domain}</span>
        {item.disputeDue ? <span class="badge warn">evidence due {relative(item.disputeDue, now)}</span> : null}
        {overdue ? <span class="badge overdue">overdue since {when(a.dueAt)}</span> : a.dueAt ? <span class="muted">answer by {when(a.dueAt)}</span> : null}
        {a.expiresAt ? <span class={`badge ${a.expiresAt <= now ? "overdue" : "warn"}`}>{a.expiresAt <= now ? `expired ${when(a.expiresAt)}` : `expires ${when(a.expiresAt)}`}</span> : null}
        {a.escalatedAt ? <span class="badge escalated">escalated {when(a.escalatedAt)}</span> : null}
        <span class="muted asked">asked {relative(a.requestedAt, now)}</span>
      </div>
      <div class="body">
        <div>
          <h3>Stripe facts</h3>
          <dl class="facts">
            {caseFacts(v.context, now).map((f) => (
              <>
                <dt>{f.label}</dt>
                <dd class={f.strong ? "strong" : ""}>{f.value}</dd>
              </>
            ))}
          </dl>
          <h3 class="spaced">Events</h3>
          <ul class="events">
            {(v.events ?? []).map((e) => (
              <li>
                <code>{e.type}</code> <span class="muted">{e.id} · {when(e.created)} · {e.source}{e.echo ? " · echo of billops' own write" : ""}</span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Proposed</h3>
          <div>
            <span class="badge action">{a.action}</span> <Args args={a.args} currency={currency} />
          </div>
          <Economics args={a.args} />
          {d ? (
            <p>
              <strong>Why:</strong> {d.rationale}{" "}
              <span class={`badge ${d.source === "llm" ? "warn" : ""}`}>source: {d.source}</span> <span class="muted">confidence {d.confidence}</span>
            </p>
          ) : null}
          {v.guard ? (
            <div>
              <h3>Guard</h3>
              <span class={`badge ${v.guard.verdict === "ok" ? "ok" : v.guard.verdict === "downgraded" ? "bad" : "warn"}`}>{v.guard.verdict.replace("_", " ")}</span>
              <ul class="reasons">{(v.guard.reasons ?? []).map((r) => <li>{r}</li>)}</ul>
            </div>
          ) : null}
        </div>
      </div>
      <div class="actions">
        {cfg.allow_accept ? (
          <button class="primary" type="button" data-answer="accept">
            Accept
          </button>
        ) : null}
        {cfg.allow_ignore ? (
          <button type="button" data-answer="ignore" title="Close the question; nothing runs">
            Ignore
          </button>
        ) : null}
        {cfg.allow_edit && item.schema ? (
          <details class="edit">
            <summary>Edit arguments</summary>
            <form class="fields edit" data-schema={JSON.stringify(item.schema)} novalidate>
              <Fields schema={item.schema} values={a.args} path={[]} currency={currency} />
              <span></span>
              <div>
                <button class="primary" type="submit">
                  Accept with these arguments
                </button>
              </div>
            </form>
          </details>
        ) : null}
        {cfg.allow_respond ? (
          <details class="reject">
            <summary>Reject</summary>
            <form class="reject">
              <textarea name="reason" placeholder="Why not? (goes to the audit trail)"></textarea>
              <button class="danger" type="submit">
                Reject
              </button>
            </form>
          </details>
        ) : null}
        <div class="result" role="status" hidden></div>
      </div>
    </article>
  );
}

function currencyOf(context: unknown): string {
  const c = (context ?? {}) as Record<string, any>;
  return c.charge?.currency ?? c.dispute?.currency ?? c.invoice?.currency ?? "usd";
}

function Args({ args, currency }: { args: Record<string, unknown>; currency: string }) {
  // Amounts and times as a person reads them; the edit form below holds the machine values (minor units, unix seconds).
  return (
    <table>
      {/* A dispute's economics are read as the sentence under the arguments (<Economics>), amounts formatted there. */}
      {Object.entries(args ?? {}).filter(([k]) => k !== "economics").map(([k, val]) => (
        <tr>
          <th>{k}</th>
          <td>{typeof val === "object" && val !== null ? <pre>{JSON.stringify(val, null, 2)}</pre> : <code>{typeof val === "number" ? argText(k, val, currency) : String(val)}</code>}</td>
        </tr>
      ))}
    </table>
  );
}

const COMPUTED_ARGS = new Set(["sources", "economics"]);

/** A dispute question's economics line: what accepting and countering cost, and how strong the evidence is. */
function Economics({ args }: { args: Record<string, unknown> }) {
  const summary = (args?.economics as { summary?: unknown } | undefined)?.summary;
  return typeof summary === "string" ? (
    <p class="economics">
      <strong>Counter or accept:</strong> {summary}
    </p>
  ) : null;
}

const typeOf = (s: JsonSchema) => (Array.isArray(s.type) ? s.type[0] : s.type);

/** One input per leaf of the action's JSON Schema, prefilled with the proposed arguments. */
function Fields({ schema, values, path, currency }: { schema: JsonSchema; values: Record<string, unknown> | undefined; path: string[]; currency: string }) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, s]) => {
        const p = [...path, key];
        const id = `f-${p.join("-")}`;
        const current = values?.[key];
        const label = `${key}${required.has(key) ? " *" : ""}`;
        // Lists (Visa CE 3.0's prior payments) and what billops computes (sources, economics) are not typed in: an edit
        // leaves them as proposed, and the guard recomputes the computed ones.
        if (typeOf(s) === "array" || COMPUTED_ARGS.has(key)) return null;
        if (typeOf(s) === "object") {
          return (
            <fieldset>
              <legend>{label}</legend>
              <Fields schema={s} values={current as Record<string, unknown> | undefined} path={p} currency={currency} />
            </fieldset>
          );
        }
        const common = { id, name: p.join("."), "data-path": p.join("."), "data-type": typeOf(s) ?? "string" };
        let input;
        if (s.enum) {
          input = (
            <select {...common}>
              {required.has(key) ? null : <option value="">—</option>}
              {s.enum.map((o) => (
                <option value={String(o)} selected={o === current}>
                  {String(o)}
                </option>
              ))}
            </select>
          );
        } else if (typeOf(s) === "integer" || typeOf(s) === "number") {
          const isMoney = key === "amount";
          input = (
            <div>
              <input {...common} type="text" inputmode="numeric" value={current == null ? "" : String(current)} {...(isMoney ? { "data-currency": currency, "data-exponent": String(stripeExponent(currency)) } : {})} />
              {isMoney ? <span class="muted money-preview">{typeof current === "number" ? `= ${money(current, currency)}` : ""}</span> : null}
              {isMoney ? <div class="muted">minor units of {currency.toUpperCase()}: {String(10 ** stripeExponent(currency))} = {money(10 ** stripeExponent(currency), currency)}</div> : /_at$/.test(key) && typeof current === "number" ? <div class="muted">unix seconds: {when(current)}</div> : null}
            </div>
          );
        } else if ((s.maxLength ?? 0) > 300 || (typeof current === "string" && current.length > 80)) {
          input = <textarea {...common}>{current == null ? "" : String(current)}</textarea>;
        } else {
          input = <input {...common} type="text" value={current == null ? "" : String(current)} />;
        }
        return (
          <>
            <label for={id}>{label}</label>
            {input}
          </>
        );
      })}
    </>
  );
}

function History({ rows, currencies }: { rows: ApprovalRow[]; currencies: Map<string, string> }) {
  return (
    <table class="card" id="history-table">
      <tr>
        <th>answered</th>
        <th>case</th>
        <th>action</th>
        <th>status</th>
        <th>by</th>
        <th>note</th>
      </tr>
      {rows.map((r) => (
        <tr data-approval={r.id}>
          <td>{when(r.answeredAt)}</td>
          <td>{r.caseKey}</td>
          <td>
            <code>{r.action}</code>
          </td>
          <td>
            <span class={`badge ${r.status === "accepted" || r.status === "edited" ? "ok" : r.status === "rejected" ? "bad" : ""}`}>{r.status}</span>
          </td>
          <td>{r.approver ?? (r.status === "superseded" ? "billops" : "—")}</td>
          <td class="muted">{noteOf(r, currencies.get(r.caseKey) ?? null)}</td>
        </tr>
      ))}
    </table>
  );
}

function noteOf(r: ApprovalRow, currency: string | null): string {
  if (r.status === "superseded") return `superseded by ${r.supersededBy ?? "a newer event"}`;
  const resp = r.response as { type?: string; args?: any } | null;
  if (resp?.type === "response" && typeof resp.args === "string") return `reason: ${resp.args}`;
  if (resp?.type === "edit" && resp.args) {
    const edit = (resp.args.args ?? resp.args) as Record<string, unknown>;
    const action = typeof resp.args.action === "string" && resp.args.action !== r.action ? ` to ${resp.args.action}` : "";
    return `edited${action}: ${Object.entries(edit).map(([k, v]) => `${k} ${argText(k, v, currency)}`).join(", ")}`;
  }
  if (r.status === "resolved") return "marked resolved (nothing ran)";
  return "";
}
