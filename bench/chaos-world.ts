// The chaos suite's world and event stream (bench/chaos.ts): refund and subscription cases seeded in the simulator,
// two signed-webhook events per case, some newest first, some delivered twice; seeded, so a run can be repeated.
export const NOW = 1796300000;

/** mulberry32: a small seeded PRNG, so a run can be repeated event for event. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Refund cases (a charge with an early fraud warning: a small one refunded automatically, a Stripe write; one above
 * the auto-refund limit, every `approvalEvery`-th, waits for a person, who accepts through the web process) and
 * subscription cases (decisions, no write).
 */
export function world(refundCases: number, subscriptionCases: number, approvalEvery: number) {
  const price = { id: "price_basic_m", object: "price", active: true, currency: "usd", product: "prod_basic", nickname: "Basic", type: "recurring", unit_amount: 2900, recurring: { interval: "month", interval_count: 1 }, lookup_key: "basic" };
  const customers: any[] = [];
  const paymentMethods: any[] = [];
  const paymentIntents: any[] = [];
  const charges: any[] = [];
  const warnings: any[] = [];
  for (let i = 0; i < refundCases; i++) {
    const cus = `cus_chaos${i}`;
    customers.push({ id: cus, object: "customer", email: `c${i}@example.com`, name: `Chaos ${i}`, created: NOW - 400 * 86400, currency: "usd", metadata: {} });
    paymentMethods.push({ id: `pm_chaos${i}`, object: "payment_method", type: "card", customer: cus, card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2030, country: "US", funding: "credit" }, created: NOW - 400 * 86400, metadata: {} });
    const amount = chargeAmount(i, approvalEvery);
    paymentIntents.push({ id: `pi_chaos${i}`, object: "payment_intent", amount, amount_received: amount, currency: "usd", customer: cus, status: "succeeded", created: NOW - 86400, latest_charge: `ch_chaos${i}`, payment_method: `pm_chaos${i}`, metadata: {} });
    charges.push({ id: `ch_chaos${i}`, object: "charge", amount, amount_captured: amount, amount_refunded: 0, captured: true, currency: "usd", customer: cus, paid: true, refunded: false, disputed: false, status: "succeeded", created: NOW - 86400, description: `Order ${i}`, metadata: {}, payment_intent: `pi_chaos${i}`, payment_method: `pm_chaos${i}` });
    warnings.push({ id: `issfr_chaos${i}`, object: "radar.early_fraud_warning", actionable: true, charge: `ch_chaos${i}`, created: NOW - 60, fraud_type: "made_with_stolen_card", livemode: false, payment_intent: `pi_chaos${i}` });
  }
  customers.push({ id: "cus_chaos_subs", object: "customer", email: "subs@example.com", name: "Subscriber", created: NOW - 400 * 86400 });
  const subscriptions = Array.from({ length: subscriptionCases }, (_, i) => ({
    id: `sub_chaos${i}`, object: "subscription", customer: "cus_chaos_subs", status: "active", currency: "usd", created: NOW - 100 * 86400,
    items: { object: "list", data: [{ id: `si_chaos${i}`, object: "subscription_item", subscription: `sub_chaos${i}`, quantity: 1, current_period_start: NOW - 86400, current_period_end: NOW + 29 * 86400, price }] },
  }));
  return {
    now: NOW,
    stripe: {
      customers,
      products: [{ id: "prod_basic", object: "product", name: "Basic", active: true }],
      prices: [price],
      payment_methods: paymentMethods,
      payment_intents: paymentIntents,
      charges,
      early_fraud_warnings: warnings,
      subscriptions,
    },
  };
}

/** $90 (above the $50 auto-refund limit: a person approves) for every `every`-th case, else $15 (refunded alone). */
export const chargeAmount = (i: number, every: number) => (every > 0 && i % every === every - 1 ? 9000 : 1500);

export interface Sent {
  id: string;
  caseKey: string;
  payload: string;
}

/** Two events per case, the second created a second later; `swap`: the later one is delivered first. */
export function streamOf(refundCases: number, subscriptionCases: number, seed: World["stripe"], rand: () => number, duplicateRate: number) {
  const pairs: Sent[][] = [];
  const event = (id: string, type: string, object: unknown, created: number) =>
    JSON.stringify({ id, object: "event", api_version: "2026-10-28.endive", created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } });
  for (let i = 0; i < refundCases; i++) {
    const w = seed.early_fraud_warnings[i];
    pairs.push([0, 1].map((k) => ({ id: `evt_chaos_efw${i}_${k}`, caseKey: `charge:ch_chaos${i}`, payload: event(`evt_chaos_efw${i}_${k}`, "radar.early_fraud_warning.created", w, NOW - 30 + k) })));
  }
  for (let i = 0; i < subscriptionCases; i++) {
    const s = seed.subscriptions[i];
    pairs.push([0, 1].map((k) => ({ id: `evt_chaos_sub${i}_${k}`, caseKey: `subscription:sub_chaos${i}`, payload: event(`evt_chaos_sub${i}_${k}`, "customer.subscription.updated", s, NOW - 30 + k) })));
  }
  // Cases interleave at random; within a case, a third of the pairs arrive newest first.
  let outOfOrder = 0;
  const queues = pairs.map((p) => {
    if (rand() < 1 / 3) {
      outOfOrder++;
      return [p[1]!, p[0]!];
    }
    return [...p];
  });
  const order: Sent[] = [];
  const live = queues.map((_, i) => i);
  while (live.length) {
    const j = Math.floor(rand() * live.length);
    const q = queues[live[j]!]!;
    order.push(q.shift()!);
    if (q.length === 0) live.splice(j, 1);
  }
  // Duplicates: a copy somewhere after the original (Stripe retries later; sometimes right away).
  let duplicates = 0;
  const deliveries = [...order];
  for (let i = 0; i < order.length; i++) {
    if (rand() >= duplicateRate) continue;
    duplicates++;
    const at = Math.min(deliveries.length, i + 1 + Math.floor(rand() * (rand() < 0.3 ? 2 : order.length / 4)));
    deliveries.splice(at, 0, order[i]!);
  }
  return { distinct: order, deliveries, duplicates, outOfOrder };
}
export type World = ReturnType<typeof world>;
export type Stream = ReturnType<typeof streamOf>;
