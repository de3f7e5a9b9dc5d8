// Subscription schedules: create (from_subscription, or customer + phases), update phases, release, cancel; the
// phase that follows takes effect only when the clock passes the current phase's end (see transitions.ts).
import { cancelSubscription, requireRecurringPrice } from "../billing.js";
import { asArray, int } from "../form.js";
import { addInterval, change, emit, getTyped, listResponse, mergeMetadata, oneOf, type Filter, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest } from "../errors.js";
import type { Route } from "../routes.js";
import type { StripeObject } from "../types.js";
import { createSubscription } from "./subscriptions.js";

const END_BEHAVIOR = ["release", "cancel"] as const;

/** Normalises requested phases into Stripe's shape with concrete start and end dates. */
function buildPhases(sim: SimCore, requested: any[], currentStart: number | null): Record<string, any>[] {
  const now = sim.now();
  const phases: Record<string, any>[] = [];
  let prevEnd: number | null = currentStart;
  for (const [i, p] of requested.entries()) {
    const items = asArray(p.items);
    if (items.length === 0) throw invalidRequest(`Missing required param: phases[${i}][items].`, `phases[${i}][items]`, "parameter_missing");
    const prices = items.map((it: any, j: number) => requireRecurringPrice(sim, it.price, `phases[${i}][items][${j}][price]`));
    const start = p.start_date === "now" ? now : (int(p.start_date) ?? (i === 0 ? (currentStart ?? now) : prevEnd));
    if (start === null) throw invalidRequest(`Missing required param: phases[${i}][start_date].`, `phases[${i}][start_date]`, "parameter_missing");
    const recurring = prices[0]!.recurring;
    const nextStart = requested[i + 1] ? int(requested[i + 1].start_date) : undefined;
    let end: number;
    if (p.end_date !== undefined) end = p.end_date === "now" ? now : int(p.end_date)!;
    else if (p.iterations !== undefined) end = addInterval(start, recurring, int(p.iterations) ?? 1);
    else if (p.duration?.interval) end = addInterval(start, { interval: p.duration.interval, interval_count: int(p.duration.interval_count) ?? 1 });
    else if (nextStart !== undefined) end = nextStart;
    else end = addInterval(start, recurring);
    if (!(end > start)) throw invalidRequest(`Phase ${i} must end after it starts.`, `phases[${i}][end_date]`);
    phases.push(
      defaults.schedulePhase({
        currency: prices[0]!.currency,
        start_date: start,
        end_date: end,
        items: items.map((it: any, j: number) => ({
          billing_thresholds: null,
          discounts: [],
          metadata: mergeMetadata({}, it.metadata),
          plan: prices[j]!.id,
          price: prices[j]!.id,
          quantity: int(it.quantity) ?? 1,
          tax_rates: [],
        })),
        metadata: mergeMetadata({}, p.metadata),
        proration_behavior: p.proration_behavior ?? "create_prorations",
        default_payment_method: p.default_payment_method ?? null,
      }),
    );
    prevEnd = end;
  }
  return phases;
}

export function currentPhaseOf(phases: Record<string, any>[], at: number): Record<string, any> | undefined {
  return phases.find((p) => p.start_date <= at && at < p.end_date);
}

function subscriptionPhase(sub: StripeObject): Record<string, any> {
  const first = sub.items.data[0];
  return defaults.schedulePhase({
    currency: sub.currency,
    start_date: first?.current_period_start ?? sub.start_date,
    end_date: first?.current_period_end ?? sub.start_date,
    items: sub.items.data.map((it: any) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: it.price.id,
      price: it.price.id,
      quantity: it.quantity ?? 1,
      tax_rates: [],
    })),
    default_payment_method: sub.default_payment_method ?? null,
  });
}

/** Starts a not-yet-started schedule's subscription (its first phase has begun). */
export function startSchedule(sim: SimCore, sched: StripeObject): void {
  const phase = sched.phases[0];
  const sub = createSubscription(sim, {
    customer: sched.customer,
    items: phase.items.map((it: any) => ({ price: it.price, quantity: String(it.quantity) })),
    default_payment_method: phase.default_payment_method ?? sched.default_settings?.default_payment_method ?? undefined,
    metadata: {},
  });
  sub.schedule = sched.id;
  sim.store.put(sub);
  Object.assign(sched, { status: "active", subscription: sub.id, current_phase: { start_date: phase.start_date, end_date: phase.end_date } });
  sim.store.put(sched);
  emit(sim, "subscription_schedule.updated", sched);
}

export function releaseSchedule(sim: SimCore, sched: StripeObject): void {
  const sub = sched.subscription ? sim.store.get(sched.subscription) : undefined;
  const previous = change(sched, {
    status: "released",
    released_at: sim.now(),
    released_subscription: sched.subscription,
    subscription: null,
    current_phase: null,
  });
  sim.store.put(sched);
  emit(sim, "subscription_schedule.released", sched, previous);
  if (sub) {
    const prev = change(sub, { schedule: null });
    sim.store.put(sub);
    emit(sim, "customer.subscription.updated", sub, prev);
  }
}

export const subscriptionScheduleRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/subscription_schedules",
    handler: (sim, { params }) => {
      const now = sim.now();
      if (params.from_subscription) {
        if (params.phases !== undefined) throw invalidRequest("You cannot set `phases` if `from_subscription` is set.", "phases");
        const sub = getTyped(sim, "subscription", params.from_subscription, "from_subscription");
        if (sub.schedule) throw invalidRequest(`You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`, "from_subscription");
        if (sub.status === "canceled") throw invalidRequest("You cannot create a schedule from a canceled subscription.", "from_subscription");
        const phase = subscriptionPhase(sub);
        const sched = defaults.subscriptionSchedule(
          {
            customer: sub.customer,
            subscription: sub.id,
            status: "active",
            phases: [phase],
            current_phase: { start_date: phase.start_date, end_date: phase.end_date },
            end_behavior: "release",
            metadata: mergeMetadata({}, params.metadata),
          },
          now,
        );
        sim.store.put(sched);
        const previous = change(sub, { schedule: sched.id });
        sim.store.put(sub);
        emit(sim, "subscription_schedule.created", sched);
        emit(sim, "customer.subscription.updated", sub, previous);
        return sched;
      }
      if (!params.customer) throw invalidRequest("Missing required param: customer.", "customer", "parameter_missing");
      getTyped(sim, "customer", params.customer, "customer");
      const requested = asArray(params.phases);
      if (requested.length === 0) throw invalidRequest("Missing required param: phases.", "phases", "parameter_missing");
      if (requested[0].start_date === undefined && params.start_date !== undefined) requested[0].start_date = params.start_date;
      const phases = buildPhases(sim, requested, null);
      const sched = defaults.subscriptionSchedule(
        {
          customer: params.customer,
          phases,
          end_behavior: oneOf(params, "end_behavior", END_BEHAVIOR) ?? "release",
          metadata: mergeMetadata({}, params.metadata),
          status: "not_started",
        },
        now,
      );
      sim.store.put(sched);
      emit(sim, "subscription_schedule.created", sched);
      if (phases[0]!.start_date <= now) startSchedule(sim, sched);
      return sched;
    },
  },
  {
    method: "GET",
    path: "/v1/subscription_schedules/:id",
    handler: (sim, { pathParams }) => getTyped(sim, "subscription_schedule", pathParams.id, "schedule"),
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id",
    handler: (sim, { pathParams, params }) => {
      const sched = getTyped(sim, "subscription_schedule", pathParams.id, "schedule");
      if (!["active", "not_started"].includes(sched.status)) {
        throw invalidRequest(`You cannot update a subscription schedule that is ${sched.status}.`, null);
      }
      const before = structuredClone(sched);
      const now = sim.now();
      if (params.phases !== undefined) {
        const current = sched.current_phase;
        const phases = buildPhases(sim, asArray(params.phases), current?.start_date ?? null);
        if (current && phases[0]!.start_date !== current.start_date) {
          throw invalidRequest("You can not modify the start date of the current phase.", "phases[0][start_date]");
        }
        sched.phases = phases;
        const active = currentPhaseOf(phases, now);
        sched.current_phase = sched.status === "active" && active ? { start_date: active.start_date, end_date: active.end_date } : sched.current_phase;
        if (sched.status === "active" && active && sched.subscription) {
          // The current phase's items apply now (Stripe does the same), with its proration behaviour.
          const sub = sim.store.get(sched.subscription);
          const same =
            sub &&
            sub.items.data.length === active.items.length &&
            sub.items.data.every((it: any, i: number) => it.price.id === active.items[i].price && (it.quantity ?? 1) === active.items[i].quantity);
          if (sub && !same) applyPhaseItems(sim, sub, active, params.proration_behavior ?? active.proration_behavior);
        }
      }
      if (params.end_behavior !== undefined) sched.end_behavior = oneOf(params, "end_behavior", END_BEHAVIOR);
      if (params.metadata !== undefined) sched.metadata = mergeMetadata(sched.metadata, params.metadata);
      sim.store.put(sched);
      const previous: Record<string, any> = {};
      for (const k of ["phases", "current_phase", "end_behavior", "metadata"]) {
        if (JSON.stringify(before[k]) !== JSON.stringify(sched[k])) previous[k] = before[k];
      }
      if (Object.keys(previous).length) emit(sim, "subscription_schedule.updated", sched, previous);
      return sched;
    },
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id/release",
    handler: (sim, { pathParams }) => {
      const sched = getTyped(sim, "subscription_schedule", pathParams.id, "schedule");
      if (!["active", "not_started"].includes(sched.status)) {
        throw invalidRequest(`You cannot release a subscription schedule that is currently in the \`${sched.status}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`, null);
      }
      releaseSchedule(sim, sched);
      return sched;
    },
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id/cancel",
    handler: (sim, { pathParams }) => {
      const sched = getTyped(sim, "subscription_schedule", pathParams.id, "schedule");
      if (!["active", "not_started"].includes(sched.status)) {
        throw invalidRequest(`You cannot cancel a subscription schedule that is currently in the \`${sched.status}\` status.`, null);
      }
      const previous = change(sched, { status: "canceled", canceled_at: sim.now(), current_phase: null });
      sim.store.put(sched);
      emit(sim, "subscription_schedule.canceled", sched, previous);
      const sub = sched.subscription ? sim.store.get(sched.subscription) : undefined;
      if (sub && sub.status !== "canceled") cancelSubscription(sim, sub, "cancellation_requested");
      return sched;
    },
  },
  {
    method: "GET",
    path: "/v1/subscription_schedules",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      if (params.subscription) extra.push((o) => o.subscription === params.subscription || o.released_subscription === params.subscription);
      return listResponse(sim, "subscription_schedule", "/v1/subscription_schedules", params, { customer: "customer" }, extra);
    },
  },
];

/** Puts a phase's items on the subscription (same item ids by position), emitting customer.subscription.updated. */
export function applyPhaseItems(sim: SimCore, sub: StripeObject, phase: Record<string, any>, _proration: string): void {
  const before = structuredClone(sub.items);
  const data: any[] = sub.items.data;
  const start = data[0]?.current_period_start ?? sim.now();
  const end = data[0]?.current_period_end ?? sim.now();
  const next = phase.items.map((pi: any, i: number) => {
    const price = sim.store.get(pi.price)!;
    const existing = data[i];
    if (existing) {
      existing.price = structuredClone(price);
      existing.quantity = pi.quantity;
      existing.plan = { ...(existing.plan ?? {}), id: price.id, amount: price.unit_amount, product: price.product };
      return existing;
    }
    return defaults.subscriptionItem({ subscription: sub.id, price: structuredClone(price), quantity: pi.quantity, current_period_start: start, current_period_end: end }, sim.now());
  });
  sub.items.data = next;
  sub.items.total_count = next.length;
  sim.store.put(sub);
  emit(sim, "customer.subscription.updated", sub, { items: before });
}
