// What the clock does when it passes a due time, like a Stripe test clock: schedule phases, subscription period
// ends (cancel_at / cancel_at_period_end, renewal invoices), smart-retry invoice attempts, dispute due dates and
// test-mode dispute decisions.
import { attemptInvoice, cancelSubscription, cycleLines, invoiceSubscription, periodEnd } from "./billing.js";
import type { Transitions } from "./clock.js";
import { addInterval, change, emit, type SimCore } from "./core.js";
import { closeDispute, submitEvidence } from "./resources/disputes.js";
import { applyPhaseItems, currentPhaseOf, releaseSchedule, startSchedule } from "./resources/subscriptionSchedules.js";
import type { StripeObject } from "./types.js";
import { expirePendingUpdate } from "./pendingUpdates.js";

const LIVE = new Set(["active", "past_due", "trialing", "unpaid"]);
const RESPONDABLE = new Set(["needs_response", "warning_needs_response"]);

function subscriptionDue(sub: StripeObject): number | null {
  if (!LIVE.has(sub.status)) return null;
  const end = periodEnd(sub);
  const candidates = [end, sub.cancel_at, sub.pause_collection?.resumes_at, sub.pending_update?.expires_at].filter((n): n is number => typeof n === "number");
  return candidates.length ? Math.min(...candidates) : null;
}

function scheduleDue(s: StripeObject): number | null {
  if (s.status === "active") return s.current_phase?.end_date ?? null;
  if (s.status === "not_started") return s.phases?.[0]?.start_date ?? null;
  return null;
}

function invoiceDue(inv: StripeObject): number | null {
  if (inv.status !== "open" || inv.auto_advance === false || inv.collection_method !== "charge_automatically") return null;
  return typeof inv.next_payment_attempt === "number" ? inv.next_payment_attempt : null;
}

function disputeDue(dp: StripeObject): number | null {
  if (!RESPONDABLE.has(dp.status) || dp.evidence_details?.past_due) return null;
  return typeof dp.evidence_details?.due_by === "number" ? dp.evidence_details.due_by : null;
}

export function createTransitions(sim: SimCore): Transitions {
  return {
    nextDue() {
      let min: number | null = null;
      const consider = (t: number | null) => {
        if (t !== null && (min === null || t < min)) min = t;
      };
      for (const s of sim.store.list("subscription_schedule")) consider(scheduleDue(s));
      for (const s of sim.store.list("subscription")) consider(subscriptionDue(s));
      for (const i of sim.store.list("invoice")) consider(invoiceDue(i));
      for (const d of sim.store.list("dispute")) consider(disputeDue(d));
      for (const d of sim.disputeDecisions.values()) consider(d.at);
      return min;
    },
    runDue(at) {
      // Schedules first: a phase ending at the period end sets the price the renewal invoice charges.
      for (const s of sim.store.list("subscription_schedule").reverse()) {
        const due = scheduleDue(s);
        if (due !== null && due <= at) advanceSchedule(sim, s, at);
      }
      for (const s of sim.store.list("subscription").reverse()) {
        const due = subscriptionDue(s);
        if (due !== null && due <= at) advanceSubscription(sim, s, at);
      }
      for (const inv of sim.store.list("invoice").reverse()) {
        const due = invoiceDue(inv);
        if (due === null || due > at) continue;
        try {
          attemptInvoice(sim, inv, { automatic: true });
        } catch (err) {
          sim.logger.warn({ err, invoice: inv.id }, "automatic invoice attempt failed");
          inv.next_payment_attempt = null;
          sim.store.put(inv);
        }
      }
      for (const dp of sim.store.list("dispute").reverse()) {
        const due = disputeDue(dp);
        if (due === null || due > at) continue;
        const before = structuredClone(dp);
        dp.evidence_details = { ...dp.evidence_details, past_due: true };
        if (dp.evidence_details.has_evidence) {
          // Staged evidence is submitted automatically at the due date, as Stripe does.
          submitEvidence(sim, dp);
          sim.store.put(dp);
          emit(sim, "charge.dispute.updated", dp, { status: before.status, evidence_details: before.evidence_details });
        } else {
          sim.store.put(dp);
          closeDispute(sim, dp, "lost");
        }
      }
      for (const [id, d] of [...sim.disputeDecisions]) {
        if (d.at > at) continue;
        sim.disputeDecisions.delete(id);
        const dp = sim.store.get(id);
        if (dp && !["won", "lost", "warning_closed"].includes(dp.status)) closeDispute(sim, dp, d.status);
      }
    },
  };
}

function advanceSchedule(sim: SimCore, sched: StripeObject, at: number): void {
  if (sched.status === "not_started") {
    startSchedule(sim, sched);
    return;
  }
  const sub = sched.subscription ? sim.store.get(sched.subscription) : undefined;
  const next = currentPhaseOf(sched.phases, at);
  if (next && sub) {
    const previous = change(sched, { current_phase: { start_date: next.start_date, end_date: next.end_date } });
    sim.store.put(sched);
    applyPhaseItems(sim, sub, next, "none");
    emit(sim, "subscription_schedule.updated", sched, previous);
    return;
  }
  if (sched.end_behavior === "cancel") {
    const previous = change(sched, { status: "completed", completed_at: at, current_phase: null });
    sim.store.put(sched);
    emit(sim, "subscription_schedule.completed", sched, previous);
    if (sub && sub.status !== "canceled") cancelSubscription(sim, sub, "cancellation_requested");
  } else {
    releaseSchedule(sim, sched);
  }
}

function advanceSubscription(sim: SimCore, sub: StripeObject, at: number): void {
  expirePendingUpdate(sim, sub, at);
  if (sub.pause_collection?.resumes_at && sub.pause_collection.resumes_at <= at) {
    const previous = change(sub, { pause_collection: null });
    sim.store.put(sub);
    emit(sim, "customer.subscription.updated", sub, previous);
  }
  const end = periodEnd(sub);
  if ((sub.cancel_at && sub.cancel_at <= at) || (sub.cancel_at_period_end && end !== null && end <= at)) {
    cancelSubscription(sim, sub, "cancellation_requested");
    return;
  }
  if (end === null || end > at) return;
  const before = structuredClone(sub.items);
  for (const it of sub.items.data) {
    while (it.current_period_end <= at) {
      it.current_period_start = it.current_period_end;
      it.current_period_end = addInterval(it.current_period_start, it.price?.recurring);
    }
  }
  const previous: Record<string, any> = { items: before };
  if (sub.status === "trialing") {
    previous.status = sub.status;
    sub.status = "active";
  }
  sim.store.put(sub);
  emit(sim, "customer.subscription.updated", sub, previous);
  const inv = invoiceSubscription(sim, sub, "subscription_cycle", cycleLines(sim, sub));
  if (inv.status !== "open") return;
  const pause = sub.pause_collection?.behavior;
  if (pause === "void") {
    Object.assign(inv, { status: "void", status_transitions: { ...inv.status_transitions, voided_at: at } });
    sim.store.put(inv);
    emit(sim, "invoice.voided", inv);
  } else if (pause === "mark_uncollectible") {
    Object.assign(inv, { status: "uncollectible", status_transitions: { ...inv.status_transitions, marked_uncollectible_at: at } });
    sim.store.put(inv);
    emit(sim, "invoice.marked_uncollectible", inv);
  } else if (pause === "keep_as_draft") {
    Object.assign(inv, { status: "draft", status_transitions: { ...inv.status_transitions, finalized_at: null } });
    sim.store.put(inv);
  } else if (sub.collection_method === "charge_automatically") {
    attemptInvoice(sim, inv, { automatic: true });
  }
}
