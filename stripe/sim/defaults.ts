// Stripe's defaults per object type: what an object created by the simulator, or a seed that leaves fields out, gets.
import { newId, randomToken } from "./ids.js";
import type { StripeObject } from "./types.js";

type Partial = Record<string, any>;

function merge(defaults: Partial, given: Partial, nested: string[] = []): Partial {
  const out: Partial = { ...defaults, ...given };
  for (const k of nested) {
    if (given[k] && typeof given[k] === "object" && !Array.isArray(given[k]) && defaults[k] && typeof defaults[k] === "object") {
      out[k] = { ...defaults[k], ...given[k] };
    }
  }
  return out;
}

const ADDRESS_NULL = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

export function customer(p: Partial, now: number): StripeObject {
  const id = p.id ?? newId("cus");
  return merge(
    {
      id,
      object: "customer",
      address: null,
      balance: 0,
      created: now,
      currency: null,
      default_source: null,
      delinquent: false,
      description: null,
      discount: null,
      email: null,
      invoice_prefix: randomToken(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: {},
      name: null,
      next_invoice_sequence: 1,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: "none",
      test_clock: null,
    },
    p,
    ["invoice_settings"],
  ) as StripeObject;
}

export function product(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("prod"),
      object: "product",
      active: true,
      created: now,
      default_price: null,
      description: null,
      images: [],
      livemode: false,
      marketing_features: [],
      metadata: {},
      name: p.name ?? "Product",
      package_dimensions: null,
      shippable: null,
      statement_descriptor: null,
      tax_code: null,
      tax_details: null,
      type: "service",
      unit_label: null,
      updated: p.created ?? now,
      url: null,
    },
    p,
  ) as StripeObject;
}

export function price(p: Partial, now: number): StripeObject {
  const recurring = p.recurring
    ? { interval: "month", interval_count: 1, meter: null, trial_period_days: null, usage_type: "licensed", ...p.recurring }
    : null;
  const out = merge(
    {
      id: p.id ?? newId("price"),
      object: "price",
      active: true,
      billing_scheme: "per_unit",
      created: now,
      currency: "usd",
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product: null,
      recurring,
      tax_behavior: "unspecified",
      tiers_mode: null,
      transform_quantity: null,
      type: recurring ? "recurring" : "one_time",
      unit_amount: null,
      unit_amount_decimal: p.unit_amount != null ? String(p.unit_amount) : null,
    },
    p,
  );
  if (recurring) out.recurring = recurring;
  return out as StripeObject;
}

export function paymentMethod(p: Partial, now: number): StripeObject {
  const card = p.card ?? {};
  const brand = card.brand ?? "visa";
  return merge(
    {
      id: p.id ?? newId("pm"),
      object: "payment_method",
      allow_redisplay: "unspecified",
      billing_details: { address: { ...ADDRESS_NULL }, email: null, name: null, phone: null, tax_id: null },
      card: {
        brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        display_brand: brand,
        exp_month: 12,
        exp_year: new Date(now * 1000).getUTCFullYear() + 3,
        fingerprint: randomToken(16),
        funding: "credit",
        generated_from: null,
        last4: "4242",
        networks: { available: [brand], preferred: null },
        regulated_status: "unregulated",
        three_d_secure_usage: { supported: true },
        wallet: null,
        ...card,
      },
      created: now,
      customer: null,
      customer_account: null,
      livemode: false,
      metadata: {},
      type: "card",
    },
    p,
    ["billing_details"],
  ) as StripeObject & { card: any };
}

export function paymentIntent(p: Partial, now: number): StripeObject {
  const id = p.id ?? newId("pi");
  return merge(
    {
      id,
      object: "payment_intent",
      amount: 0,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: "automatic_async",
      client_secret: `${id}_secret_${randomToken(24)}`,
      confirmation_method: "automatic",
      created: now,
      currency: "usd",
      customer: null,
      customer_account: null,
      description: null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: {},
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
      payment_method_types: ["card"],
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: "requires_payment_method",
      transfer_data: null,
      transfer_group: null,
    },
    p,
  ) as StripeObject;
}

export function charge(p: Partial, now: number): StripeObject {
  const id = p.id ?? newId("ch");
  return merge(
    {
      id,
      object: "charge",
      amount: 0,
      amount_captured: 0,
      amount_refunded: 0,
      application: null,
      application_fee: null,
      application_fee_amount: null,
      balance_transaction: null,
      billing_details: { address: { ...ADDRESS_NULL }, email: null, name: null, phone: null, tax_id: null },
      calculated_statement_descriptor: "BILLOPS SIM",
      captured: false,
      created: now,
      currency: "usd",
      customer: null,
      description: null,
      disputed: false,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      fraud_details: {},
      livemode: false,
      metadata: {},
      on_behalf_of: null,
      outcome: null,
      paid: false,
      payment_intent: null,
      payment_method: null,
      payment_method_details: null,
      radar_options: {},
      receipt_email: null,
      receipt_number: null,
      receipt_url: `https://pay.stripe.com/receipts/payment/${randomToken(40)}`,
      refunded: false,
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: "pending",
      transfer_data: null,
      transfer_group: null,
    },
    p,
  ) as StripeObject;
}

export function refund(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("re"),
      object: "refund",
      amount: 0,
      balance_transaction: null,
      charge: null,
      created: now,
      currency: "usd",
      customer: null,
      customer_account: null,
      destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
      metadata: {},
      payment_intent: null,
      payment_method: null,
      reason: null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: "succeeded",
      transfer_reversal: null,
    },
    p,
  ) as StripeObject;
}

export const EVIDENCE_FIELDS = [
  "access_activity_log",
  "billing_address",
  "cancellation_policy",
  "cancellation_policy_disclosure",
  "cancellation_rebuttal",
  "customer_communication",
  "customer_email_address",
  "customer_name",
  "customer_purchase_ip",
  "customer_signature",
  "duplicate_charge_documentation",
  "duplicate_charge_explanation",
  "duplicate_charge_id",
  "product_description",
  "receipt",
  "refund_policy",
  "refund_policy_disclosure",
  "refund_refusal_explanation",
  "service_date",
  "service_documentation",
  "shipping_address",
  "shipping_carrier",
  "shipping_date",
  "shipping_documentation",
  "shipping_tracking_number",
  "uncategorized_file",
  "uncategorized_text",
] as const;

export function dispute(p: Partial, now: number): StripeObject {
  const evidence: Partial = { enhanced_evidence: {} };
  for (const f of EVIDENCE_FIELDS) evidence[f] = null;
  return merge(
    {
      id: p.id ?? newId("dp"),
      object: "dispute",
      amount: 0,
      balance_transactions: [],
      charge: null,
      created: now,
      currency: "usd",
      enhanced_eligibility_types: [],
      evidence,
      evidence_details: { due_by: now + 7 * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0 },
      intended_submission_method: null,
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      network_reason_code: null,
      payment_intent: null,
      payment_method_details: { card: { brand: "visa", case_type: "chargeback", network_reason_code: null }, type: "card" },
      reason: "general",
      status: "needs_response",
    },
    p,
    ["evidence", "evidence_details"],
  ) as StripeObject;
}

export function earlyFraudWarning(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("issfr"),
      object: "radar.early_fraud_warning",
      actionable: true,
      charge: null,
      created: now,
      fraud_type: "made_with_stolen_card",
      livemode: false,
      payment_intent: null,
    },
    p,
  ) as StripeObject;
}

export function invoicePayment(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("inpay"),
      object: "invoice_payment",
      amount_paid: null,
      amount_requested: 0,
      created: now,
      currency: "usd",
      invoice: null,
      is_default: true,
      livemode: false,
      payment: { type: "payment_intent", payment_intent: null },
      status: "open",
      status_transitions: { canceled_at: null, paid_at: null },
    },
    p,
    ["status_transitions"],
  ) as StripeObject;
}

export function invoice(p: Partial, now: number): StripeObject {
  const id = p.id ?? newId("in");
  const amountDue = p.amount_due ?? p.total ?? 0;
  const amountPaid = p.amount_paid ?? 0;
  const lines = p.lines ?? { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` };
  return merge(
    {
      id,
      object: "invoice",
      account_country: "US",
      account_name: "billops simulator",
      account_tax_ids: null,
      amount_due: amountDue,
      amount_overpaid: 0,
      amount_paid: amountPaid,
      amount_remaining: Math.max(0, amountDue - amountPaid),
      amount_shipping: 0,
      application: null,
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
      automatically_finalizes_at: null,
      billing_reason: "manual",
      collection_method: "charge_automatically",
      confirmation_secret: null,
      created: now,
      currency: "usd",
      custom_fields: null,
      customer: null,
      customer_account: null,
      customer_address: null,
      customer_email: null,
      customer_name: null,
      customer_phone: null,
      customer_shipping: null,
      customer_tax_exempt: "none",
      customer_tax_ids: [],
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      due_date: null,
      effective_at: p.status_transitions?.finalized_at ?? null,
      ending_balance: 0,
      footer: null,
      from_invoice: null,
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_sim/${id}`,
      invoice_pdf: `https://pay.stripe.com/invoice/acct_sim/${id}/pdf`,
      issuer: { type: "self" },
      last_finalization_error: null,
      latest_revision: null,
      lines,
      livemode: false,
      metadata: {},
      next_payment_attempt: null,
      number: null,
      on_behalf_of: null,
      parent: null,
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      period_end: p.created ?? now,
      period_start: p.created ?? now,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0,
      receipt_number: null,
      rendering: null,
      shipping_cost: null,
      shipping_details: null,
      starting_balance: 0,
      statement_descriptor: null,
      status: "draft",
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: amountDue,
      subtotal_excluding_tax: amountDue,
      test_clock: null,
      total: amountDue,
      total_discount_amounts: [],
      total_excluding_tax: amountDue,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: null,
    },
    p,
    ["status_transitions"],
  ) as StripeObject;
}

export function subscriptionItem(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("si"),
      object: "subscription_item",
      billing_thresholds: null,
      created: now,
      current_period_end: now,
      current_period_start: now,
      current_trial: null,
      discounts: [],
      metadata: {},
      plan: null,
      price: null,
      quantity: 1,
      subscription: null,
      tax_rates: [],
    },
    p,
  ) as StripeObject;
}

export function subscription(p: Partial, now: number): StripeObject {
  const id = p.id ?? newId("sub");
  return merge(
    {
      id,
      object: "subscription",
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: p.start_date ?? p.created ?? now,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: { proration_discounts: "included" }, type: "flexible", updated_at: p.created ?? now },
      billing_schedules: [],
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: "charge_automatically",
      created: now,
      currency: "usd",
      customer: null,
      customer_account: null,
      days_until_due: null,
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, issuer: { type: "self" } },
      items: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      livemode: false,
      managed_payments: null,
      metadata: {},
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: p.created ?? now,
      status: "active",
      test_clock: null,
      transfer_data: null,
      trial_end: null,
      trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
      trial_start: null,
    },
    p,
  ) as StripeObject;
}

export function schedulePhase(p: Partial): Partial {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    automatic_tax: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: "usd",
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: null,
    invoice_settings: null,
    items: [],
    metadata: {},
    on_behalf_of: null,
    proration_behavior: "create_prorations",
    start_date: null,
    transfer_data: null,
    trial_end: null,
    ...p,
  };
}

export function subscriptionSchedule(p: Partial, now: number): StripeObject {
  return merge(
    {
      id: p.id ?? newId("sub_sched"),
      object: "subscription_schedule",
      application: null,
      billing_mode: { flexible: { proration_discounts: "included" }, type: "flexible", updated_at: now },
      canceled_at: null,
      completed_at: null,
      created: now,
      current_phase: null,
      customer: null,
      customer_account: null,
      default_settings: {
        application_fee_percent: null,
        automatic_tax: { disabled_reason: null, enabled: false, liability: null },
        billing_cycle_anchor: "automatic",
        billing_thresholds: null,
        collection_method: "charge_automatically",
        default_payment_method: null,
        description: null,
        invoice_settings: { account_tax_ids: null, days_until_due: null, issuer: { type: "self" } },
        on_behalf_of: null,
        transfer_data: null,
      },
      end_behavior: "release",
      livemode: false,
      metadata: {},
      pause_schedules: [],
      phases: [],
      released_at: null,
      released_subscription: null,
      status: "not_started",
      subscription: null,
      test_clock: null,
    },
    p,
  ) as StripeObject;
}
