// Subscription context: the subscription (period end lives on its item), its schedule, and the plan catalog of active recurring prices.
import type Stripe from "stripe";
import type { CaseHistory } from "../../domain/history.js";
import type { StripeReads } from "../../stripe/gateway/reads.js";
import { idOf, triggerOf, type SpecialistInput, type Trigger } from "../proposal.js";

/** A recurring price as a plan customers can name. */
export interface CatalogEntry {
  price: string;
  product: string | null;
  productName: string | null;
  nickname: string | null;
  lookupKey: string | null;
  currency: string;
  unitAmount: number | null;
  interval: string | null;
  intervalCount: number;
  /** unit_amount normalised to a month, to compare plans across intervals. */
  monthlyAmount: number | null;
}

export interface SubscriptionItemFacts {
  id: string;
  price: string;
  quantity: number;
  currentPeriodEnd: number;
  monthlyAmount: number | null;
}

export interface SubscriptionContext {
  trigger: Trigger;
  now: number;
  history: CaseHistory;
  subscription: Stripe.Subscription | null;
  /** Live subscriptions the customer has when the request named none (more than one → ask a person). */
  liveSubscriptions: number;
  schedule: Stripe.SubscriptionSchedule | null;
  customer: Stripe.Customer | null;
  items: SubscriptionItemFacts[];
  catalog: CatalogEntry[];
  /** A subscription the request named (field or text) that belongs to another customer: set aside, never acted on. */
  foreignObject?: { id: string; customer: string | null } | null;
}

const MONTHS: Record<string, number> = { day: 1 / 30, week: 12 / 52, month: 1, year: 12 };

function monthly(unit: number | null, interval: string | null, count: number): number | null {
  if (unit == null || !interval || !(interval in MONTHS)) return null;
  return unit / (MONTHS[interval] * count);
}

export function catalogEntry(p: Stripe.Price): CatalogEntry {
  const product = typeof p.product === "string" ? null : p.product;
  const interval = p.recurring?.interval ?? null;
  const intervalCount = p.recurring?.interval_count ?? 1;
  return {
    price: p.id,
    product: idOf(p.product as string | { id: string }),
    productName: product && !("deleted" in product && product.deleted) ? (product as Stripe.Product).name : null,
    nickname: p.nickname ?? null,
    lookupKey: p.lookup_key ?? null,
    currency: p.currency,
    unitAmount: p.unit_amount ?? null,
    interval,
    intervalCount,
    monthlyAmount: monthly(p.unit_amount ?? null, interval, intervalCount),
  };
}

const LIVE = new Set(["active", "trialing", "past_due", "paused", "incomplete", "unpaid"]);

export async function gatherSubscriptionContext(
  reads: StripeReads,
  input: SpecialistInput,
  history: CaseHistory,
  now: number,
): Promise<SubscriptionContext> {
  let subId: string | null = null;
  let liveSubscriptions = 0;
  if (input.kind === "event") {
    const o = input.event.data.object;
    subId = o.object === "subscription" || o.id?.startsWith("sub_") ? (o.id ?? null) : typeof o.subscription === "string" ? o.subscription : null;
  } else {
    subId = input.request.subscription ?? input.classification.params.subscription ?? null;
    if (!subId) {
      const all = await reads.listSubscriptions({ customer: input.request.customer, status: "all", limit: 10 });
      const subs = all.filter((s) => LIVE.has(s.status));
      liveSubscriptions = subs.length;
      if (subs.length === 1) subId = subs[0].id;
      // Only ended ones: take the newest, so the policy can say "already canceled" instead of "not found".
      else if (subs.length === 0 && all.length) subId = [...all].sort((a, b) => b.created - a.created)[0].id;
    }
  }
  // The event payload is a hint; the subscription as Stripe has it now decides.
  // One request for the subscription, its customer and its schedule; the catalog alongside.
  const [found, prices] = await Promise.all([subId ? reads.getSubscriptionWithParties(subId) : null, reads.listActiveRecurringPrices()]);
  // A subscription named by a request must be the requester's: another customer's is set aside as not found.
  const foreign = found && input.kind === "request" && idOf(found.subscription.customer) !== input.request.customer ? found : null;
  const subscription = foreign ? null : (found?.subscription ?? null);
  if (subscription) liveSubscriptions = Math.max(liveSubscriptions, 1);
  const schedule = foreign ? null : (found?.schedule ?? null);
  const customer = found && !foreign ? found.customer : input.kind === "request" ? await reads.getCustomer(input.request.customer) : null;
  const catalog = prices.filter((p) => p.active && p.type === "recurring").map(catalogEntry);
  const items: SubscriptionItemFacts[] = (subscription?.items?.data ?? []).map((it) => ({
    id: it.id,
    price: it.price.id,
    quantity: it.quantity ?? 1,
    currentPeriodEnd: it.current_period_end,
    monthlyAmount: monthly(it.price.unit_amount ?? null, it.price.recurring?.interval ?? null, it.price.recurring?.interval_count ?? 1),
  }));
  return {
    trigger: triggerOf(input), now, history, subscription, liveSubscriptions, schedule, customer, items, catalog,
    ...(foreign ? { foreignObject: { id: foreign.subscription.id, customer: idOf(foreign.subscription.customer) } } : {}),
  };
}
