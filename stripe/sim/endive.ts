// The nested fields API version 2026-10-28.endive always sends (as stripe-node 23's types declare them), filled into
// every stored object: sub-objects a seed, a scenario event or an older code path left short get Stripe's defaults,
// and fields Stripe leaves out (a null advice_code, a list's total_count) are left out. Kept by spec/shapes.test.ts.
import type { StripeObject } from "./types.js";

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Adds the keys of `template` that `target` lacks; never overwrites what is there. */
function fill(target: unknown, template: Obj): void {
  if (!isObj(target)) return;
  for (const [k, v] of Object.entries(template)) if (target[k] === undefined) target[k] = typeof v === "function" ? v(target) : structuredClone(v);
}

const ADDRESS = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
const BILLING_DETAILS = { address: ADDRESS, email: null, name: null, phone: null, tax_id: null };

/** The same card number always has the same fingerprint, as in Stripe (per account). */
export const cardFingerprint = (brand: string, last4: string) => `sim${brand}${last4}`.replace(/[^A-Za-z0-9]/g, "").padEnd(16, "0").slice(0, 16);

function cardDetails(now: number): Obj {
  return {
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
    country: "US",
    display_brand: (c: Obj) => c.brand ?? "visa",
    exp_month: 12,
    exp_year: new Date(now * 1000).getUTCFullYear() + 3,
    fingerprint: (c: Obj) => cardFingerprint(c.brand ?? "visa", c.last4 ?? "4242"),
    funding: "credit",
    generated_from: null,
    networks: (c: Obj) => ({ available: [c.brand ?? "visa"], preferred: null }),
    regulated_status: "unregulated",
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

function paymentMethod(pm: Obj, now: number): void {
  fill(pm, { customer_account: null, billing_details: BILLING_DETAILS });
  fill(pm.billing_details, BILLING_DETAILS);
  if (pm.type === "card" || pm.card) fill(pm.card, cardDetails(now));
}

function charge(ch: Obj, now: number): void {
  fill(ch.billing_details, BILLING_DETAILS);
  fill(ch.outcome, { network_advice_code: null, network_decline_code: null });
  const card = ch.payment_method_details?.card;
  if (isObj(card)) {
    fill(card, {
      amount_authorized: (c: Obj) => (ch.status === "succeeded" ? ch.amount : null),
      authorization_code: null,
      checks: null,
      country: "US",
      electronic_commerce_indicator: null,
      exp_month: 12,
      exp_year: new Date(now * 1000).getUTCFullYear() + 3,
      fingerprint: (c: Obj) => cardFingerprint(c.brand ?? "visa", c.last4 ?? "4242"),
      funding: "credit",
      installments: null,
      mandate: null,
      network: (c: Obj) => c.brand ?? "visa",
      network_transaction_id: null,
      regulated_status: "unregulated",
      three_d_secure: null,
      transaction_link_id: null,
      wallet: null,
    });
  }
}

function paymentIntent(pi: Obj, now: number): void {
  fill(pi, { allowed_payment_method_types: null, managed_payments: null, payment_record: null });
  const err = pi.last_payment_error;
  if (isObj(err)) {
    for (const k of ["advice_code", "decline_code", "param", "doc_url", "network_advice_code", "network_decline_code"]) if (err[k] === null) delete err[k];
    if (isObj(err.payment_method)) paymentMethod(err.payment_method, now);
  }
}

function price(p: Obj, now: number): void {
  fill(p, {
    billing_scheme: "per_unit",
    created: now,
    custom_unit_amount: null,
    livemode: false,
    metadata: {},
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    unit_amount_decimal: (x: Obj) => (x.unit_amount == null ? null : String(x.unit_amount)),
  });
  fill(p.recurring, { meter: null, trial_period_days: null });
}

/** Stripe's list objects carry object, data, has_more and url; stripe-node's types have no total_count. */
function list(l: unknown, url: string): void {
  if (!isObj(l)) return;
  delete l.total_count;
  fill(l, { object: "list", has_more: false, url });
}

function subscription(sub: Obj, now: number): void {
  fill(sub.invoice_settings, { custom_fields: null, description: null, footer: null });
  fill(sub.cancellation_details, { feedback_option: null });
  fill(sub.trial_settings?.end_behavior, { billing_cycle_anchor: null });
  list(sub.items, `/v1/subscription_items?subscription=${sub.id}`);
  for (const item of sub.items?.data ?? []) {
    if (isObj(item.price)) price(item.price, now);
    fill(item.plan, { created: item.price?.created ?? now });
  }
}

function invoiceLine(line: Obj, invoice: Obj | null): void {
  fill(line, {
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoice?.id ?? null,
    livemode: false,
    metadata: {},
    parent: null,
    pretax_credit_amounts: [],
    quantity_decimal: (l: Obj) => String(l.quantity ?? 1),
    subscription: (l: Obj) => l.parent?.subscription_item_details?.subscription ?? (typeof invoice?.parent?.subscription_details?.subscription === "string" ? invoice.parent.subscription_details.subscription : null),
    subtotal: (l: Obj) => l.amount ?? 0,
    taxes: [],
  });
  fill(line.pricing, { unit_amount_decimal: null });
}

function invoice(inv: Obj): void {
  list(inv.lines, `/v1/invoices/${inv.id}/lines`);
  for (const line of inv.lines?.data ?? []) invoiceLine(line, inv);
}

function dispute(dp: Obj): void {
  const details = dp.evidence_details;
  if (isObj(details)) {
    fill(details, { submission_method: (d: Obj) => ((d.submission_count ?? 0) > 0 ? "manual" : "not_submitted") });
    // Evidence submitted through the API is a manual submission in Stripe's words.
    if ((details.submission_count ?? 0) > 0 && details.submission_method === "not_submitted") details.submission_method = "manual";
  }
  fill(dp.payment_method_details?.card, { network: (c: Obj) => c.brand ?? "visa" });
}

function subscriptionSchedule(s: Obj): void {
  fill(s.default_settings?.invoice_settings, { custom_fields: null, description: null, footer: null });
  for (const ph of s.phases ?? []) {
    if (ph.automatic_tax === null) ph.automatic_tax = { disabled_reason: null, enabled: false, liability: null };
    fill(ph.invoice_settings, { account_tax_ids: null, days_until_due: null, issuer: null });
  }
}

const COMPLETE: Record<string, (o: Obj, now: number) => void> = {
  payment_method: paymentMethod,
  charge,
  payment_intent: paymentIntent,
  price,
  subscription,
  invoice: (o) => invoice(o),
  line_item: (o) => invoiceLine(o, null),
  dispute: (o) => dispute(o),
  subscription_schedule: (o) => subscriptionSchedule(o),
};

/** Completes `obj` in place to the endive shape of its type; returns it. */
export function completeShape(obj: StripeObject, now: number): StripeObject {
  COMPLETE[(obj as Obj).object]?.(obj as Obj, now);
  return obj;
}
