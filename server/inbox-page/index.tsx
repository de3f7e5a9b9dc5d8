// GET /inbox: the web page where a person answers billops' questions; sign-in, the page, and its answer endpoint.
import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type pg from "pg";
import type { CaseService } from "../../engine/case-service.js";
import type { Clock } from "../../domain/clock.js";
import { listApprovals } from "../../store/approvals.js";
import { caseCurrencies } from "../../store/settled-decisions.js";
import { jsonError, readJson, zodMessage } from "../http-error.js";
import { sameValue, type InboxSession, type InboxSessions, type SessionEnv } from "./session.js";
import type { AuthThrottle } from "../auth-throttle.js";
import { clientInfo } from "../client.js";
import { actionSchema } from "./forms.js";
import { InboxPage, SignInPage, type PendingItem } from "./view.js";
import { operatorPageRoutes } from "./operator.js";
import type { DashboardTarget } from "../dashboard-links.js";

/** The same answers as POST /approvals/:id, through the same case service. */
const AnswerSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("accept") }),
  z.object({ type: z.literal("edit"), args: z.record(z.string(), z.unknown()), action: z.string().optional() }),
  z.object({ type: z.literal("response"), reason: z.string().trim().min(1).max(2000) }),
  z.object({ type: z.literal("ignore") }),
]);

function pageHeaders(c: Context, nonce: string) {
  // The page runs only its own inline script and style; no other origin, no framing, never cached (it shows money).
  c.header("Content-Security-Policy", `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`);
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Referrer-Policy", "no-referrer");
}

/** Most urgent first: dispute evidence deadlines on top (nearest first), then the newest questions. */
export function byUrgency(a: PendingItem, b: PendingItem): number {
  if (a.disputeDue != null || b.disputeDue != null) {
    if (a.disputeDue == null) return 1;
    if (b.disputeDue == null) return -1;
    if (a.disputeDue !== b.disputeDue) return a.disputeDue - b.disputeDue;
  }
  return b.approval.requestedAt - a.approval.requestedAt || a.approval.id.localeCompare(b.approval.id);
}

export interface InboxPageOptions {
  pool: pg.Pool;
  cases: CaseService;
  clock: Clock;
  sessions: InboxSessions;
  throttle: AuthThrottle;
  trustedProxies: ReadonlySet<string>;
  dashboard: DashboardTarget;
}

export function inboxPageRoutes(o: InboxPageOptions) {
  const app = new Hono<SessionEnv>();

  async function render(c: Context, session: InboxSession, error?: string) {
    const nonce = randomBytes(16).toString("base64");
    pageHeaders(c, nonce);
    const now = o.clock.now();
    const pendingRows = await listApprovals(o.pool, { status: "pending", limit: 200 });
    const pending: PendingItem[] = await Promise.all(
      pendingRows.map(async (approval) => {
        const { values } = await o.cases.snapshot(approval.caseKey);
        const due = (values.context as any)?.dispute?.evidence_details?.due_by;
        return { approval, values, schema: actionSchema(approval.domain, approval.action), disputeDue: approval.domain === "dispute" && typeof due === "number" ? due : null };
      }),
    );
    pending.sort(byUrgency);
    const history = (await listApprovals(o.pool, { status: "answered", limit: 100 })).sort((a, b) => (b.answeredAt ?? 0) - (a.answeredAt ?? 0) || b.requestedAt - a.requestedAt);
    const currencies = await caseCurrencies(o.pool, [...new Set(history.map((h) => h.caseKey))]);
    return c.html(<InboxPage nonce={nonce} approver={session.approver} csrf={session.csrf} now={now} pending={pending} history={history} error={error} currencies={currencies} />);
  }

  function signIn(c: Context, status: 200 | 401 | 403 | 429, error?: string) {
    const nonce = randomBytes(16).toString("base64");
    pageHeaders(c, nonce);
    return c.html(<SignInPage nonce={nonce} csrf={o.sessions.signInCsrf(c)} error={error} />, status);
  }

  const form = (c: Context) => c.req.parseBody().catch(() => ({}) as Record<string, unknown>);

  app.get("/inbox", async (c) => {
    const session = await o.sessions.current(c);
    // Nothing about any case is rendered before a valid sign-in.
    if (!session) return signIn(c, 200);
    return render(c, session);
  });

  // Activity, case stories and outcomes: behind the same sign-in, with the same headers.
  app.route(
    "/",
    operatorPageRoutes({
      pool: o.pool,
      clock: o.clock,
      dashboard: o.dashboard,
      session: (c) => o.sessions.current(c),
      page: (c) => {
        const nonce = randomBytes(16).toString("base64");
        pageHeaders(c, nonce);
        return nonce;
      },
      signIn: (c) => signIn(c, 200),
      contextCurrency: async (caseKey) => {
        const ctx = (await o.cases.snapshot(caseKey)).values.context as Record<string, any> | null;
        const c = ctx?.charge?.currency ?? ctx?.dispute?.currency ?? ctx?.invoice?.currency ?? ctx?.subscription?.currency;
        return typeof c === "string" ? c : null;
      },
    }),
  );

  app.post("/inbox/login", o.sessions.sameOrigin, async (c) => {
    const address = clientInfo(c, o.trustedProxies).ip;
    const wait = o.throttle.retryAfter(address);
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return signIn(c, 429, `Too many failed sign-ins from this address. Try again in ${wait} seconds.`);
    }
    const body = await form(c);
    if (!o.sessions.signInCsrfValid(c, body.csrf)) return signIn(c, 403, "This sign-in form has expired. Please sign in again.");
    const token = typeof body.token === "string" ? body.token.trim() : "";
    if (!(await o.sessions.signIn(c, token))) {
      o.throttle.failed(address);
      return signIn(c, 401, "That token is not an approver token.");
    }
    return c.redirect("/inbox", 303);
  });

  app.post("/inbox/logout", o.sessions.sameOrigin, async (c) => {
    const session = await o.sessions.current(c);
    if (session && !sameValue(session.csrf, (await form(c)).csrf)) return jsonError(c, 403, "csrf_mismatch", "sign out from billops' own inbox page");
    await o.sessions.signOut(c);
    return c.redirect("/inbox", 303);
  });

  app.post("/inbox/approvals/:id", o.sessions.required((c) => jsonError(c, 401, "unauthenticated", "sign in at /inbox first")), async (c) => {
    const approver = c.get("approver");
    // JSON only: a cross-site HTML form cannot send it, so the cookie cannot be ridden from elsewhere.
    if (!(c.req.header("content-type") ?? "").startsWith("application/json")) return jsonError(c, 415, "json_required", "send the answer as application/json");
    // And the session's CSRF token in a header, which only billops' own page can read: SameSite and the JSON rule
    // each rest on browser behaviour; this one does not.
    if (!sameValue(c.get("csrf"), c.req.header("x-csrf-token"))) return jsonError(c, 403, "csrf_mismatch", "answer from billops' own inbox page (the x-csrf-token header is missing or stale)");
    const parsed = await readJson(c);
    if (!parsed.ok) return jsonError(c, 400, "invalid_json", "the body must be JSON");
    const answer = AnswerSchema.safeParse(parsed.body);
    if (!answer.success) return jsonError(c, 400, "invalid_answer", zodMessage(answer.error));
    const result = await o.cases.answerApproval(c.req.param("id"), answer.data, approver);
    if (!result.ok) return jsonError(c, result.status, result.code, result.message, result.approval ? { approval_status: result.approval.status, approver: result.approval.approver } : {});
    return c.json({ approval: result.approval, outcome: result.state.outcome, next_approval: result.state.approval?.status === "pending" ? result.state.approval.id : null });
  });

  return app;
}
