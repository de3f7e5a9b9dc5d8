// A plan catalog and n active subscriptions of one customer (`cus_<prefix>`, `sub_<prefix>_<i>`): what the pipeline
// and replay benches run their events on, and tests that need plain subscriptions.
export const NOW = 1796300000;

export function subscriptionSeed(n: number, prefix: string) {
  const price = { id: "price_basic_m", object: "price", active: true, currency: "usd", product: "prod_basic", nickname: "Basic", type: "recurring", unit_amount: 2900, recurring: { interval: "month", interval_count: 1 }, lookup_key: "basic" };
  return {
    customers: [{ id: `cus_${prefix}`, object: "customer", email: `${prefix}@example.com`, name: prefix, created: NOW - 400 * 86400 }],
    products: [{ id: "prod_basic", object: "product", name: "Basic", active: true }],
    prices: [price],
    subscriptions: Array.from({ length: n }, (_, i) => ({
      id: `sub_${prefix}_${i}`, object: "subscription", customer: `cus_${prefix}`, status: "active", currency: "usd", created: NOW - 100 * 86400,
      items: { object: "list", data: [{ id: `si_${prefix}_${i}`, object: "subscription_item", subscription: `sub_${prefix}_${i}`, quantity: 1, current_period_start: NOW - 86400, current_period_end: NOW + 29 * 86400, price }] },
    })),
  };
}
