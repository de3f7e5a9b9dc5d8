// Links from a case to its objects where an operator can look at them: Stripe's Dashboard (test or live, as the API
// key's mode), or the simulator's object store when billops runs offline.

export type DashboardTarget = { kind: "stripe"; livemode: boolean } | { kind: "simulator"; baseUrl: string };

// The Dashboard's page per object id prefix (charges and PaymentIntents both open on the payment's page).
const PAGES: [RegExp, string][] = [
  [/^(ch|py|pi)_/, "payments"],
  [/^in_/, "invoices"],
  [/^sub_sched_/, "subscription_schedules"],
  [/^sub_/, "subscriptions"],
  [/^(re|pyr)_/, "refunds"],
  [/^(dp|du)_/, "disputes"],
  [/^cus_/, "customers"],
  [/^evt_/, "events"],
  [/^price_/, "prices"],
  [/^prod_/, "products"],
  [/^req_/, "logs"],
];

const STRIPE_ID = /^[a-z]+(?:_[a-z]+)*_[A-Za-z0-9]+$/;

/** The page of a Stripe object (or of an API request, `req_…`), or null for something that is not a Stripe id. */
export function dashboardUrl(target: DashboardTarget, id: string | null | undefined): string | null {
  if (typeof id !== "string" || !STRIPE_ID.test(id)) return null;
  if (target.kind === "simulator") {
    // The simulator keeps no page per request; its objects answer at /_sim/objects/:id.
    return id.startsWith("req_") ? null : `${target.baseUrl.replace(/\/$/, "")}/_sim/objects/${encodeURIComponent(id)}`;
  }
  const base = `https://dashboard.stripe.com${target.livemode ? "" : "/test"}`;
  const page = PAGES.find(([re]) => re.test(id))?.[1];
  return page ? `${base}/${page}/${encodeURIComponent(id)}` : `${base}/search?query=${encodeURIComponent(id)}`;
}

/** What the link opens, for its label: "Stripe Dashboard (test)", "simulator". */
export function dashboardLabel(target: DashboardTarget): string {
  return target.kind === "simulator" ? "simulator" : `Stripe Dashboard (${target.livemode ? "live" : "test"})`;
}
