// The act node: the only place with side effects — Stripe writes (deterministic keys), the outbox, scheduled jobs.
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type Stripe from "stripe";
import type { GraphDeps } from "../deps.js";
import type { AuditLine, CaseStateType, CaseStateUpdate, Outcome, StripeEffect } from "../../domain/case-state.js";
import { idempotencyKey, type WriteResult } from "../../stripe/gateway/index.js";
import { enqueueNotificationOnce } from "../../store/notifications.js";
import { cancelJobsForCase, scheduleJob } from "../../store/jobs.js";
import { render, type Template } from "../../notifications/templates.js";
import { customerFacts } from "./facts.js";
import { chargesCard } from "../refund/stop-charges.js";
import { settle } from "../record/settle.js";
import { understoodLines } from "../supervisor/understanding/index.js";

interface ActScope {
  deps: GraphDeps;
  state: CaseStateType;
  caseKey: string;
  /** The approval id when a person approved, else the triggering event id: half of every idempotency key. */
  basis: string;
  now: number;
  outcome: Outcome;
  log: AuditLine[];
  metadata: Record<string, string>;
}

const str = (v: unknown): string => (typeof v === "string" ? v : String(v ?? ""));
const idOfInvoice = (v: unknown): string | null => (typeof v === "string" ? v : v && typeof v === "object" && "id" in v ? String((v as { id: unknown }).id) : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function effect(s: ActScope, action: string, method: string, r: WriteResult<{ id: string }>): StripeEffect {
  const e: StripeEffect = r.ok
    ? { action, method, object: r.object.id, ok: true, requestId: r.requestId, idempotencyKey: r.idempotencyKey }
    : {
        action,
        method,
        object: null,
        ok: false,
        requestId: r.requestId,
        idempotencyKey: r.idempotencyKey,
        error: { code: r.code, declineCode: r.declineCode, message: r.message },
      };
  s.outcome.stripe.push(e);
  s.log.push({ id: `${s.state.decision!.id}:stripe:${s.outcome.stripe.length}`, kind: r.ok ? "stripe" : "stripe_error", at: s.now, data: { ...e } });
  return e;
}

async function notify(s: ActScope, template: Template, extra: { retryAt?: number | null; graceDays?: number | null; amount?: number | null; periodEnd?: number | null; planName?: string | null; reason?: string | null } = {}) {
  const facts = customerFacts(s.state.context);
  const ops = template.startsWith("ops_");
  const msg = render(template, {
    customerName: facts.name,
    amount: extra.amount ?? facts.amount,
    currency: facts.currency,
    hostedInvoiceUrl: facts.hostedInvoiceUrl,
    invoiceNumber: facts.invoiceNumber,
    caseKey: s.caseKey,
    ...extra,
  });
  const key = `${s.caseKey}:${s.basis}:${template}`;
  // One notification per fact: what the customer is asked to do about an invoice is told once, whichever case tells it.
  const factKey = !ops && FACT_TEMPLATES.has(template) && facts.customerId && facts.invoiceId ? `${facts.customerId}:${template}:${facts.invoiceId}` : null;
  if (s.deps.db) {
    const r = await enqueueNotificationOnce(s.deps.db, { key, caseKey: s.caseKey, template, to: ops ? null : facts.email, subject: msg.subject, body: msg.body, at: s.now, factKey });
    if (r.status === "duplicate_fact") {
      s.log.push({ id: `${s.state.decision!.id}:notify:${template}:skipped`, kind: "notification_skipped", at: s.now, data: { template, fact_key: factKey, told_by: r.caseKey, notification: r.key, reason: `the customer was already told this (${template} about ${facts.invoiceId}) by case ${r.caseKey}` } });
      return;
    }
  }
  s.outcome.notifications.push(template);
  s.log.push({ id: `${s.state.decision!.id}:notify:${template}`, kind: "notification", at: s.now, data: { template, to: ops ? "operations" : facts.email, key } });
}

/** Customer messages that state a fact about an invoice (what is wrong, what to do): told once per customer and invoice. */
const FACT_TEMPLATES = new Set<string>(["update_payment_method", "authentication_required", "payment_failed", "grace_period_granted"]);

async function schedule(s: ActScope, kind: string, dueAt: number, payload: Record<string, unknown>) {
  const id = `job:${s.caseKey}:${s.state.decision!.id}:${kind}`;
  if (s.deps.db) await scheduleJob(s.deps.db, { id, caseKey: s.caseKey, kind, dueAt, payload });
  s.outcome.scheduled.push({ id, kind, dueAt });
  s.log.push({ id: `${s.state.decision!.id}:schedule:${kind}`, kind: "scheduled", at: s.now, data: { job: id, kind, due_at: dueAt, ...payload } });
}

async function actDunning(s: ActScope, action: string, p: Record<string, unknown>) {
  const w = s.deps.writes!;
  const invoice = str(p.invoice);
  switch (action) {
    case "retry_immediately": {
      const e = effect(s, action, "invoices.pay", await w.payInvoice(invoice, idempotencyKey(s.caseKey, s.basis, "pay")));
      if (!e.ok) s.outcome.status = "failed";
      return;
    }
    case "schedule_retry":
      await schedule(s, "retry_invoice", num(p.retry_at) ?? s.now + 86_400, { invoice, domain: "dunning" });
      await notify(s, "retry_scheduled", { retryAt: num(p.retry_at) });
      return;
    case "apply_grace_period": {
      const graceDays = num(p.grace_days) ?? s.deps.config.grace_days;
      const retryAt = num(p.retry_at) ?? s.now + graceDays * 86_400;
      // Grace with Stripe's own tool: the subscription's collection is paused until the retry (renewals kept as
      // drafts, collected later), so Stripe neither bills a new period nor ends the service meanwhile.
      const sub = idOfInvoice((s.state.context as { subscription?: unknown } | null)?.subscription ?? null);
      if (!sub) {
        s.outcome.status = "failed";
        s.outcome.error = `invoice ${invoice} has no subscription to keep during a grace period`;
        return;
      }
      const pause: Stripe.SubscriptionUpdateParams = { pause_collection: { behavior: "keep_as_draft", resumes_at: retryAt }, metadata: s.metadata };
      const e = effect(s, action, "subscriptions.update", await w.updateSubscription(sub, pause, idempotencyKey(s.caseKey, s.basis, action, "pause")));
      if (!e.ok) {
        s.outcome.status = "failed";
        return;
      }
      await schedule(s, "retry_invoice", retryAt, { invoice, domain: "dunning", grace: true, subscription: sub });
      await notify(s, "grace_period_granted", { graceDays, retryAt });
      return;
    }
    case "notify_customer":
      await notify(s, (typeof p.template === "string" ? p.template : "update_payment_method") as Template);
      return;
    case "close_recovered":
      if (s.deps.db) await cancelJobsForCase(s.deps.db, s.caseKey);
      s.outcome.status = "recorded";
      return;
  }
}

async function actSubscription(s: ActScope, action: string, p: Record<string, unknown>) {
  const w = s.deps.writes!;
  const sub = str(p.subscription);
  const metadata = s.metadata;
  switch (action) {
    case "upgrade": {
      // Billed now; with pending_if_incomplete a failed payment leaves the plan as it was (Stripe's pending updates).
      const params: Stripe.SubscriptionUpdateParams = {
        items: [{ id: str(p.item), price: str(p.price) }],
        proration_behavior: "always_invoice",
        payment_behavior: "pending_if_incomplete",
        metadata,
      };
      const r = await w.updateSubscription(sub, params, idempotencyKey(s.caseKey, s.basis, action));
      const e = effect(s, action, "subscriptions.update", r);
      if (!e.ok) s.outcome.status = "failed";
      else if (r.ok && r.object.pending_update) {
        // Stripe took the request but the payment failed: nothing changed yet. Dunning follows the invoice.
        s.outcome.status = "failed";
        s.outcome.error = `payment for the upgrade failed: the plan is unchanged until invoice ${idOfInvoice(r.object.latest_invoice) ?? "(latest)"} is paid (pending update expires ${r.object.pending_update.expires_at})`;
      } else await notify(s, "plan_changed", { planName: typeof p.plan_name === "string" ? p.plan_name : null });
      return;
    }
    case "downgrade": {
      // At period end through a schedule: the current phase keeps the old price until its end, then the new one.
      const existing = typeof p.schedule === "string" && p.schedule ? p.schedule : null;
      let scheduleId = existing;
      let phase: Stripe.SubscriptionSchedule.Phase | undefined;
      if (!scheduleId) {
        const r = await w.createScheduleFromSubscription(sub, idempotencyKey(s.caseKey, s.basis, action, "schedule"));
        const e = effect(s, action, "subscriptionSchedules.create", r);
        if (!r.ok || !e.ok) {
          s.outcome.status = "failed";
          return;
        }
        scheduleId = r.object.id;
        phase = r.object.phases?.[0];
      } else {
        phase = (await s.deps.reads.getSubscriptionSchedule(scheduleId))?.phases?.[0];
      }
      const currentItems = (phase?.items ?? []).map((i) => ({
        price: typeof i.price === "string" ? i.price : i.price.id,
        quantity: i.quantity ?? 1,
      }));
      const quantity = currentItems[0]?.quantity ?? 1;
      const effectiveAt = num(p.effective_at) ?? phase?.end_date ?? s.now;
      const params: Stripe.SubscriptionScheduleUpdateParams = {
        end_behavior: "release",
        phases: [
          { items: currentItems, start_date: phase?.start_date ?? s.now, end_date: effectiveAt },
          { items: [{ price: str(p.price), quantity }], start_date: effectiveAt, proration_behavior: "none" } as Stripe.SubscriptionScheduleUpdateParams.Phase,
        ],
        metadata,
      };
      const e = effect(s, action, "subscriptionSchedules.update", await w.updateSchedule(scheduleId!, params, idempotencyKey(s.caseKey, s.basis, action, "phases")));
      if (e.ok) await notify(s, "plan_changed", { periodEnd: effectiveAt, planName: typeof p.plan_name === "string" ? p.plan_name : null });
      else s.outcome.status = "failed";
      return;
    }
    case "cancel_at_period_end": {
      const e = effect(s, action, "subscriptions.update", await w.updateSubscription(sub, { cancel_at_period_end: true, metadata }, idempotencyKey(s.caseKey, s.basis, action)));
      if (e.ok) await notify(s, "cancellation_confirmed", { periodEnd: num(p.period_end) });
      else s.outcome.status = "failed";
      return;
    }
    case "cancel_immediately": {
      // invoice_now bills pending prorations (Stripe drops them when invoice_now and prorate are both false).
      const params: Stripe.SubscriptionCancelParams = { invoice_now: p.invoice_now !== false, prorate: p.prorate === true };
      const e = effect(s, action, "subscriptions.cancel", await w.cancelSubscription(sub, params, idempotencyKey(s.caseKey, s.basis, action)));
      if (!e.ok) {
        s.outcome.status = "failed";
        return;
      }
      if (typeof p.open_invoice === "string" && p.open_invoice) {
        // After the cancellation (which stops Stripe's automatic collection): the refused invoice is settled as approved.
        const inv = p.open_invoice;
        const settled =
          p.open_invoice_action === "void"
            ? effect(s, action, "invoices.voidInvoice", await w.voidInvoice(inv, idempotencyKey(s.caseKey, s.basis, action, "void")))
            : effect(s, action, "invoices.markUncollectible", await w.markInvoiceUncollectible(inv, idempotencyKey(s.caseKey, s.basis, action, "uncollectible")));
        if (!settled.ok) s.outcome.status = "failed";
      }
      await notify(s, "cancellation_confirmed");
      return;
    }
    case "pause_collection": {
      const behavior = (["void", "keep_as_draft", "mark_uncollectible"].includes(str(p.behavior)) ? str(p.behavior) : "void") as "void";
      const pause: Stripe.SubscriptionUpdateParams.PauseCollection = { behavior };
      if (num(p.resumes_at)) pause.resumes_at = num(p.resumes_at)!;
      else {
        // The guard's schema requires an end; a pause without one is never sent.
        s.outcome.status = "failed";
        s.outcome.error = "pause without resumes_at";
        return;
      }
      const e = effect(s, action, "subscriptions.update", await w.updateSubscription(sub, { pause_collection: pause, metadata }, idempotencyKey(s.caseKey, s.basis, action)));
      if (!e.ok) s.outcome.status = "failed";
      return;
    }
  }
}

function evidenceOf(p: Record<string, unknown>): Stripe.DisputeUpdateParams.Evidence {
  const ev = (p.evidence ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ev)) if (typeof v === "string" && v.length > 0) out[k] = v;
  // Visa CE 3.0 (checked by the guard's schema): Stripe's `evidence[enhanced_evidence][visa_compelling_evidence_3]`.
  if (ev.enhanced_evidence && typeof ev.enhanced_evidence === "object") out.enhanced_evidence = ev.enhanced_evidence;
  return out as Stripe.DisputeUpdateParams.Evidence;
}

async function actDispute(s: ActScope, action: string, p: Record<string, unknown>) {
  const w = s.deps.writes!;
  const dispute = str(p.dispute);
  switch (action) {
    case "stage_evidence": {
      // Stripe submits by default: staging must say submit=false explicitly.
      const e = effect(s, action, "disputes.update", await w.updateDispute(dispute, { evidence: evidenceOf(p), submit: false, metadata: s.metadata }, idempotencyKey(s.caseKey, s.basis, action)));
      if (!e.ok) s.outcome.status = "failed";
      // Near the deadline a person is told now, whether or not staging worked: the submit question alone could wait unseen.
      if (typeof p.escalate === "string" && p.escalate) {
        const economics = (p.economics as { summary?: string } | undefined)?.summary;
        await notify(s, "ops_escalation", { reason: [p.escalate, e.ok ? "The submit approval waits in the inbox." : `Staging failed: ${e.error?.message ?? "unknown error"}.`, economics].filter(Boolean).join("\n") });
      }
      return;
    }
    case "submit_evidence": {
      const e = effect(s, action, "disputes.update", await w.updateDispute(dispute, { evidence: evidenceOf(p), submit: true, metadata: s.metadata }, idempotencyKey(s.caseKey, s.basis, action)));
      if (!e.ok) s.outcome.status = "failed";
      return;
    }
    case "accept_dispute": {
      const e = effect(s, action, "disputes.close", await w.closeDispute(dispute, idempotencyKey(s.caseKey, s.basis, action)));
      if (!e.ok) s.outcome.status = "failed";
      return;
    }
    case "record_outcome":
      s.outcome.status = "recorded";
      return;
  }
}

async function actRefund(s: ActScope, action: string, p: Record<string, unknown>) {
  const w = s.deps.writes!;
  if (action === "stop_future_charges") return stopFutureCharges(s, p);
  if (action !== "refund_full" && action !== "refund_partial") return;
  const amount = num(p.amount);
  const reason = (["duplicate", "fraudulent", "requested_by_customer"].includes(str(p.reason)) ? str(p.reason) : "requested_by_customer") as Stripe.RefundCreateParams.Reason;
  const r = await w.createRefund({ charge: str(p.charge), amount: amount ?? 0, reason, metadata: s.metadata }, idempotencyKey(s.caseKey, s.basis, "refund"));
  const e = effect(s, action, "refunds.create", r);
  if (e.ok) {
    await notify(s, "refund_issued", { amount });
  } else {
    // A refund Stripe refused is not retried blindly: a person looks at it.
    s.outcome.status = "failed";
    await notify(s, "ops_refund_failed", { amount, reason: e.error?.message ?? null });
  }
}

/**
 * After an early fraud warning: the customer's live subscriptions that would charge that card again are paused
 * (collection paused, invoices voided) or cancelled. They are listed now, at the time of the write, not when a person
 * was asked; each write has its own key, so a re-run repeats them and Stripe acts once.
 */
async function stopFutureCharges(s: ActScope, p: Record<string, unknown>) {
  const w = s.deps.writes!;
  const customer = str(p.customer);
  const card = str(p.payment_method);
  const [subs, owner] = await Promise.all([s.deps.reads.listSubscriptions({ customer, status: "all", limit: 20 }), s.deps.reads.getCustomer(customer)]);
  for (const sub of subs.filter((x) => chargesCard(x, owner, card))) {
    const key = idempotencyKey(s.caseKey, s.basis, "stop_future_charges", sub.id);
    const r =
      p.mode === "cancel"
        ? await w.cancelSubscription(sub.id, {}, key)
        : await w.updateSubscription(sub.id, { pause_collection: { behavior: "void" }, metadata: s.metadata }, key);
    const e = effect(s, "stop_future_charges", p.mode === "cancel" ? "subscriptions.cancel" : "subscriptions.update", r);
    if (!e.ok) s.outcome.status = "failed";
  }
}
export async function actNode(state: CaseStateType, config: LangGraphRunnableConfig): Promise<CaseStateUpdate> {
  const deps = config.context as GraphDeps;
  const decision = state.decision!;
  const now = deps.clock.now();
  const s: ActScope = {
    deps,
    state,
    caseKey: state.caseKey,
    basis: state.approval && state.approval.status !== "pending" && state.approval.status !== "superseded" ? state.approval.id : state.trigger!.eventId,
    now,
    outcome: { status: "executed", stripe: [], notifications: [], scheduled: [] },
    log: [],
    metadata: { billops_case: state.caseKey, billops_decision: decision.id, billops_action: decision.action },
  };
  const passive = ["no_action", "no_change", "record_outcome", "deny_refund"].includes(decision.action);
  if (decision.action === "escalate_to_support") {
    s.outcome.status = "escalated";
    // A person picks up a support request with what billops understood of it, every ask listed.
    const understood = understoodLines(state.classification);
    const reason = str(decision.params.reason) || decision.rationale;
    await notify(s, "ops_escalation", { reason: understood.length ? `${reason}\nThe customer's message, as understood:\n${understood.map((l) => `- ${l}`).join("\n")}` : reason });
  } else if (passive) {
    s.outcome.status = "recorded";
  } else if (!deps.writes) {
    // Replay and dry runs: the decision is recorded, nothing leaves the building.
    s.outcome.status = "recorded";
  } else {
    const p = decision.params;
    switch (decision.domain) {
      case "dunning":
        await actDunning(s, decision.action, p);
        break;
      case "subscription":
        await actSubscription(s, decision.action, p);
        break;
      case "dispute":
        await actDispute(s, decision.action, p);
        break;
      case "refund":
        await actRefund(s, decision.action, p);
        break;
    }
  }
  return { outcome: s.outcome, log: s.log, ...settle(deps, { ...state, outcome: s.outcome }) };
}
