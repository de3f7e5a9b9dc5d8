// Dunning policy table: one row per decline code / situation, run through gather (over fixture Stripe data) and the pure policy.
import { describe, expect, it } from "vitest";
import type { CaseHistory } from "../../domain/history.js";
import { parsePolicyConfig, type PolicyConfigInput } from "../../domain/policy-config.js";
import * as f from "../fixtures.js";
import { DECLINE_CATEGORY, NEVER_RETRY, SMART_RETRIES_NON_RETRYABLE, classifyDecline } from "./decline-codes.js";
import { gatherDunningContext } from "./context.js";
import { decideDunning } from "./policy.js";
import { guard } from "../guard/guard.js";

const { NOW, DAY } = f;

interface Setup {
  decline?: f.DeclineSpec;
  invoice?: Record<string, unknown>;
  card?: Record<string, unknown>;
  history?: Partial<CaseHistory>;
  eventType?: string;
  customerCreated?: number;
  paid?: number;
  config?: PolicyConfigInput;
  /** The invoice's subscription: its status (default past_due), or null for an invoice without one. */
  subscription?: Record<string, unknown> | null;
  /** More charges of the customer (other invoices' declines on the same card). */
  charges?: ReturnType<typeof f.chargeObj>[];
  request?: string;
}

async function run(s: Setup) {
  const { paymentIntent, charge } = f.declinedAttempt(s.decline ?? { decline_code: "insufficient_funds", advice_code: "try_again_later" });
  const world: f.World = {
    customers: [f.customer({ created: s.customerCreated ?? NOW - 400 * DAY })],
    payment_methods: [f.paymentMethod({ card: s.card })],
    invoices: [f.invoice(s.invoice)],
    invoice_payments: [f.invoicePayment()],
    payment_intents: [paymentIntent],
    charges: [charge, ...(s.charges ?? []), ...f.paidHistory(s.paid ?? 7)],
    subscriptions: s.subscription === null ? [] : [f.subscription({ status: "past_due", ...(s.subscription ?? {}) } as never)],
  };
  if (s.subscription === null) world.invoices = [f.invoice({ ...s.invoice, parent: null } as never)];
  const input = s.request
    ? f.request(s.request, { route: "dunning", intent: "retry_payment", params: {} })
    : f.event(s.eventType ?? "invoice.payment_failed", { id: "in_A", object: "invoice", status: "open" });
  const ctx = await gatherDunningContext(f.memoryReads(world), input as never, f.history(s.history), NOW);
  return { ctx, decision: decideDunning(ctx, parsePolicyConfig(s.config ?? {})) };
}

describe("decline classification", () => {
  it.each([
    ["processing_error", undefined, undefined, "transient"],
    ["card_declined", "issuer_not_available", undefined, "transient"],
    ["card_declined", "try_again_later", undefined, "transient"],
    ["card_declined", "reenter_transaction", undefined, "transient"],
    ["card_declined", "insufficient_funds", "try_again_later", "soft"],
    ["card_declined", "generic_decline", undefined, "soft"],
    ["card_declined", "do_not_honor", undefined, "soft"],
    ["card_declined", "card_velocity_exceeded", undefined, "soft"],
    ["card_declined", "withdrawal_count_limit_exceeded", undefined, "soft"],
    ["expired_card", undefined, undefined, "customer_action"],
    ["incorrect_number", undefined, undefined, "customer_action"],
    ["incorrect_cvc", undefined, undefined, "customer_action"],
    ["invalid_expiry_year", undefined, undefined, "customer_action"],
    ["authentication_required", undefined, undefined, "customer_action"],
    ["card_declined", "generic_decline", "confirm_card_data", "customer_action"],
    ["card_declined", "do_not_honor", "new_account_information_available", "customer_action"],
    ["card_declined", "lost_card", undefined, "fraud"],
    ["card_declined", "stolen_card", undefined, "fraud"],
    ["card_declined", "pickup_card", undefined, "fraud"],
    ["card_declined", "fraudulent", undefined, "fraud"],
    ["card_declined", "security_violation", undefined, "fraud"],
    ["card_declined", "merchant_blacklist", undefined, "fraud"],
    ["card_declined", "restricted_card", undefined, "fraud"],
    ["card_declined", "invalid_account", undefined, "hard"],
    ["card_declined", "card_not_supported", undefined, "hard"],
    ["card_declined", "insufficient_funds", "do_not_try_again", "hard"],
    ["card_declined", "mystery_code_2031", undefined, "unknown"],
    ["card_declined", "mystery_code_2031", "try_again_later", "soft"],
    ["card_declined", "do_not_try_again", undefined, "hard"],
    ["do_not_try_again", undefined, undefined, "hard"],
  ])("%s / %s / advice %s → %s", (code, declineCode, adviceCode, category) => {
    const c = classifyDecline({ code, declineCode: declineCode ?? null, adviceCode: adviceCode ?? null, riskLevel: "normal", outcomeType: "issuer_declined", networkStatus: "declined_by_network" });
    expect(c.category).toBe(category);
  });

  it("Radar highest risk or a block outranks a soft code", () => {
    const base = { code: "card_declined", declineCode: "insufficient_funds", adviceCode: null, networkStatus: null };
    expect(classifyDecline({ ...base, riskLevel: "highest", outcomeType: "issuer_declined" }).category).toBe("fraud");
    expect(classifyDecline({ ...base, riskLevel: "normal", outcomeType: "blocked" }).category).toBe("fraud");
  });

  it("every code Stripe's Smart Retries does not retry is never retried by billops either", () => {
    for (const code of SMART_RETRIES_NON_RETRYABLE) {
      const c = code === "highest_risk_level"
        ? classifyDecline({ code: "card_declined", declineCode: "generic_decline", adviceCode: null, riskLevel: "highest", outcomeType: "issuer_declined", networkStatus: null })
        : classifyDecline({ code: "card_declined", declineCode: code, adviceCode: null, riskLevel: "normal", outcomeType: "issuer_declined", networkStatus: null });
      expect(NEVER_RETRY.has(c.category) || c.category === "customer_action", `${code} → ${c.category}`).toBe(true);
    }
  });

  const net = (declineCode: string, o: { mac?: string; ndc?: string; network?: string; advice?: string } = {}) =>
    classifyDecline({ code: "card_declined", declineCode, adviceCode: o.advice ?? null, riskLevel: "normal", outcomeType: "issuer_declined", networkStatus: "declined_by_network", networkAdviceCode: o.mac ?? null, networkDeclineCode: o.ndc ?? null, network: o.network ?? "mastercard" });
  it.each([
    ["do_not_honor", { mac: "03" }, "hard", undefined],
    ["insufficient_funds", { mac: "03" }, "hard", undefined],
    ["try_again_later", { mac: "21" }, "hard", undefined],
    ["generic_decline", { mac: "3" }, "hard", undefined],
    ["generic_decline", { mac: "01" }, "customer_action", undefined],
    ["try_again_later", { mac: "24" }, "transient", 3600],
    ["insufficient_funds", { mac: "25" }, "soft", DAY],
    ["do_not_honor", { mac: "26" }, "soft", 2 * DAY],
    ["generic_decline", { mac: "27" }, "soft", 4 * DAY],
    ["generic_decline", { mac: "28" }, "soft", 6 * DAY],
    ["generic_decline", { mac: "29" }, "soft", 8 * DAY],
    ["mystery_code_2031", { mac: "30" }, "soft", 10 * DAY],
    ["generic_decline", { mac: "02" }, "soft", undefined],
    ["generic_decline", { ndc: "14", network: "visa" }, "hard", undefined],
    ["generic_decline", { ndc: "R1", network: "visa" }, "hard", undefined],
    ["generic_decline", { ndc: "51", network: "visa" }, "soft", undefined],
    ["generic_decline", { ndc: "14", network: "mastercard" }, "soft", undefined],
    ["stolen_card", { mac: "24" }, "fraud", undefined],
  ] as const)("network codes: %s with %o → %s (retry after %s s)", (code, o, category, after) => {
    const c = net(code, o);
    expect(c.category).toBe(category);
    expect(c.retryAfter).toBe(after);
  });

  it("every table entry is a known category", () => {
    for (const v of Object.values(DECLINE_CATEGORY)) expect(["transient", "soft", "customer_action", "hard", "fraud"]).toContain(v);
  });
});

describe("decideDunning: a row per decline code on a mid-dunning attempt", () => {
  const rows: [string, f.DeclineSpec, string, Record<string, unknown>?][] = [
    ["processing_error → retry now", { code: "processing_error" }, "retry_immediately", { invoice: "in_A" }],
    ["issuer_not_available → retry now", { decline_code: "issuer_not_available" }, "retry_immediately"],
    ["try_again_later → retry now", { decline_code: "try_again_later" }, "retry_immediately"],
    ["reenter_transaction → retry now", { decline_code: "reenter_transaction" }, "retry_immediately"],
    ["insufficient_funds → retry in 2 days, before Stripe", { decline_code: "insufficient_funds", advice_code: "try_again_later" }, "schedule_retry", { invoice: "in_A", retry_at: NOW + 2 * DAY }],
    ["generic_decline → retry in a day", { decline_code: "generic_decline" }, "schedule_retry", { retry_at: NOW + DAY }],
    ["do_not_honor → retry in a day", { decline_code: "do_not_honor" }, "schedule_retry", { retry_at: NOW + DAY }],
    ["card_velocity_exceeded → retry in a day", { decline_code: "card_velocity_exceeded" }, "schedule_retry", { retry_at: NOW + DAY }],
    ["withdrawal_count_limit_exceeded → retry in a day", { decline_code: "withdrawal_count_limit_exceeded" }, "schedule_retry"],
    ["expired_card → ask for a new card", { code: "expired_card" }, "notify_customer", { template: "update_payment_method", hosted_invoice_url: "https://invoice.stripe.com/i/acct_test/in_A" }],
    ["incorrect_number → ask for a new card", { code: "incorrect_number" }, "notify_customer", { template: "update_payment_method" }],
    ["incorrect_cvc → ask for a new card", { code: "incorrect_cvc" }, "notify_customer", { template: "update_payment_method" }],
    ["invalid_expiry_month → ask for a new card", { code: "invalid_expiry_month" }, "notify_customer", { template: "update_payment_method" }],
    ["authentication_required → authenticate on the invoice page", { code: "authentication_required" }, "notify_customer", { template: "authentication_required" }],
    ["confirm_card_data advice → customer", { decline_code: "generic_decline", advice_code: "confirm_card_data" }, "notify_customer", { template: "update_payment_method" }],
    ["new_account_information_available → customer", { decline_code: "new_account_information_available" }, "notify_customer", { template: "update_payment_method" }],
    ["invalid_account → never retry, ask for another card", { decline_code: "invalid_account" }, "notify_customer", { template: "update_payment_method" }],
    ["card_not_supported → never retry", { decline_code: "card_not_supported" }, "notify_customer"],
    ["do_not_try_again advice → never retry", { decline_code: "generic_decline", advice_code: "do_not_try_again" }, "notify_customer"],
    ["lost_card → escalate", { decline_code: "lost_card" }, "escalate_to_support"],
    ["stolen_card → escalate", { decline_code: "stolen_card" }, "escalate_to_support"],
    ["pickup_card → escalate", { decline_code: "pickup_card" }, "escalate_to_support"],
    ["fraudulent → escalate", { decline_code: "fraudulent" }, "escalate_to_support"],
    ["security_violation → escalate", { decline_code: "security_violation" }, "escalate_to_support"],
    ["merchant_blacklist → escalate", { decline_code: "merchant_blacklist" }, "escalate_to_support"],
    ["restricted_card → escalate", { decline_code: "restricted_card" }, "escalate_to_support"],
    ["Radar risk highest on a soft code → escalate", { decline_code: "insufficient_funds", risk_level: "highest" }, "escalate_to_support"],
  ];
  it.each(rows)("%s", async (_name, decline, action, params) => {
    const { decision } = await run({ decline });
    expect(decision.action).toBe(action);
    if (params) expect(decision.params).toMatchObject(params);
    expect(decision.ambiguous).toBeUndefined();
    // The rules must never propose what the guard refuses: a downgrade here is a policy bug.
    const { ctx } = await run({ decline });
    expect(guard({ domain: "dunning", decision, context: ctx, config: parsePolicyConfig({}) }).verdict).toBe("ok");
  });

  it("an unknown decline code still gets a retry, but flagged for a model", async () => {
    const { decision } = await run({ decline: { decline_code: "mystery_code_2031" } });
    expect(decision.action).toBe("schedule_retry");
    expect(decision.ambiguous).toMatch(/mystery_code_2031/);
    expect(decision.confidence).toBeLessThan(1);
  });
});

describe("decideDunning: situations", () => {
  it("the shared example (insufficient_funds, second attempt) schedules a retry, never pays now", async () => {
    const { decision } = await run({ invoice: { attempt_count: 2, next_payment_attempt: 1796559200 } });
    expect(["schedule_retry", "notify_customer"]).toContain(decision.action);
    expect(decision.action).not.toBe("retry_immediately");
  });

  it("a retry lands at least 6 h before Stripe's next attempt", async () => {
    const { decision } = await run({ invoice: { next_payment_attempt: NOW + DAY } });
    expect(decision).toMatchObject({ action: "schedule_retry", params: { retry_at: NOW + DAY - 6 * 3600 } });
  });

  it("Stripe retries within 7 h: tell the customer instead of stacking an attempt", async () => {
    const { decision } = await run({ invoice: { next_payment_attempt: NOW + 6.5 * 3600 } });
    expect(decision).toMatchObject({ action: "notify_customer", params: { template: "payment_failed" } });
  });

  it("transient after our own immediate retry failed → back off to a scheduled retry", async () => {
    const { decision } = await run({ decline: { code: "processing_error" }, history: { decisions: [{ action: "retry_immediately", at: NOW - 60, source: "rules" }], billopsRetries: 1 } });
    expect(decision).toMatchObject({ action: "schedule_retry", params: { retry_at: NOW + 3600 } });
  });

  it("our own retry cap reached → notify, no retry", async () => {
    const { decision } = await run({ decline: { code: "processing_error" }, history: { billopsRetries: 3 } });
    expect(decision).toMatchObject({ action: "notify_customer", params: { template: "payment_failed" } });
  });

  it("Mastercard's 10-attempt limit reached → no retry", async () => {
    const { decision } = await run({ card: { brand: "mastercard" }, invoice: { attempt_count: 10 } });
    expect(decision.action).toBe("notify_customer");
    const visa = await run({ card: { brand: "visa" }, invoice: { attempt_count: 10 } });
    expect(visa.decision.action).toBe("schedule_retry");
  });

  it("card expired by date turns a generic decline into a customer action", async () => {
    const { decision } = await run({ decline: { decline_code: "generic_decline" }, card: { exp_month: 1, exp_year: 2026 } });
    expect(decision).toMatchObject({ action: "notify_customer", params: { template: "update_payment_method" } });
  });

  it("invoice.payment_action_required → authentication template", async () => {
    const { decision } = await run({ eventType: "invoice.payment_action_required", decline: { decline_code: "generic_decline" } });
    expect(decision).toMatchObject({ action: "notify_customer", params: { template: "authentication_required" } });
  });

  it("customer already asked to update the card → wait, don't spam", async () => {
    const { decision } = await run({ decline: { code: "expired_card" }, history: { notificationsSent: ["update_payment_method"] } });
    expect(decision.action).toBe("no_action");
  });

  describe("final attempt (next_payment_attempt null)", () => {
    const final = { next_payment_attempt: null, attempt_count: 4 };
    it("good long-time customer → grace period", async () => {
      const { decision } = await run({ invoice: final });
      expect(decision).toMatchObject({ action: "apply_grace_period", params: { invoice: "in_A", grace_days: 7, retry_at: NOW + 7 * DAY } });
    });
    it("grace_days comes from config", async () => {
      const { decision } = await run({ invoice: final, config: { grace_days: 3 } });
      expect(decision.params).toMatchObject({ grace_days: 3, retry_at: NOW + 3 * DAY });
    });
    it("new customer → notify", async () => {
      const { decision } = await run({ invoice: final, customerCreated: NOW - 30 * DAY, paid: 1 });
      expect(decision).toMatchObject({ action: "notify_customer", params: { template: "update_payment_method" } });
    });
    it("few paid invoices → notify", async () => {
      const { decision } = await run({ invoice: final, paid: 2 });
      expect(decision.action).toBe("notify_customer");
    });
    it("grace already given once → notify", async () => {
      const { decision } = await run({ invoice: final, history: { decisions: [{ action: "apply_grace_period", at: NOW - 7 * DAY, source: "rules" }] } });
      expect(decision.action).toBe("notify_customer");
    });
    it("large amount → escalate", async () => {
      const { decision } = await run({ invoice: { ...final, amount_due: 250000, amount_remaining: 250000 } });
      expect(decision.action).toBe("escalate_to_support");
    });
    it("hard decline is never a grace period", async () => {
      const { decision } = await run({ invoice: final, decline: { decline_code: "invalid_account" } });
      expect(decision.action).toBe("notify_customer");
    });
  });

  describe("the re-read invoice decides, not the event", () => {
    it.each([
      ["paid", { status: "paid", amount_paid: 2900, amount_remaining: 0 }, "close_recovered"],
      ["void", { status: "void" }, "no_action"],
      ["void with nothing remaining (not a payment)", { status: "void", amount_remaining: 0 }, "no_action"],
      ["uncollectible with nothing remaining", { status: "uncollectible", amount_remaining: 0 }, "no_action"],
      ["uncollectible", { status: "uncollectible" }, "no_action"],
      ["draft", { status: "draft" }, "no_action"],
    ])("payment_failed arrives but the invoice is %s → %s", async (_s, inv, action) => {
      const { decision } = await run({ invoice: inv });
      expect(decision.action).toBe(action);
    });

    it("invoice.paid closes the case as recovered", async () => {
      const { decision } = await run({ eventType: "invoice.paid", invoice: { status: "paid", amount_paid: 2900, amount_remaining: 0 } });
      expect(decision).toMatchObject({ action: "close_recovered", params: { invoice: "in_A" } });
    });

    it("other invoice events are recorded, not acted on", async () => {
      const { decision } = await run({ eventType: "invoice.finalized" });
      expect(decision.action).toBe("no_action");
    });
  });

  describe("a scheduled retry (billops.retry_invoice) is due: re-read, then pay, tell or escalate", () => {
    const job = "billops.retry_invoice";
    const scheduled = { decisions: [{ action: "schedule_retry", at: NOW - DAY, source: "rules" }], notificationsSent: ["retry_scheduled"] };
    const paid = { status: "paid", amount_paid: 2900, amount_remaining: 0 };
    const rows: [string, Setup, string, Record<string, unknown>?][] = [
      ["paid meanwhile → close_recovered", { invoice: paid, history: scheduled }, "close_recovered", { invoice: "in_A" }],
      ["open, insufficient_funds, budget left → retry now", { history: scheduled }, "retry_immediately", { invoice: "in_A" }],
      ["open, transient after an earlier immediate retry → retry now (the job is the back-off)", { decline: { code: "processing_error" }, history: { ...scheduled, billopsRetries: 1 } }, "retry_immediately"],
      ["end of a grace period on the final attempt → retry now", { invoice: { next_payment_attempt: null, attempt_count: 4 }, history: { decisions: [{ action: "apply_grace_period", at: NOW - 7 * DAY, source: "rules" }], notificationsSent: ["grace_period_granted"] } }, "retry_immediately"],
      ["unknown code, budget left → retry now", { decline: { decline_code: "mystery_code_2031" }, history: scheduled }, "retry_immediately"],
      ["our retry cap reached → tell the customer", { history: { ...scheduled, billopsRetries: 3 } }, "notify_customer", { template: "payment_failed" }],
      ["cap reached and already told → escalate", { history: { ...scheduled, billopsRetries: 3, notificationsSent: ["payment_failed"] } }, "escalate_to_support"],
      ["card expired since → ask for a new card", { decline: { decline_code: "generic_decline" }, card: { exp_month: 1, exp_year: 2026 }, history: scheduled }, "notify_customer", { template: "update_payment_method" }],
      ["customer action already asked → escalate", { decline: { code: "expired_card" }, history: { ...scheduled, notificationsSent: ["update_payment_method"] } }, "escalate_to_support"],
      ["hard decline → never retried", { decline: { decline_code: "invalid_account" }, history: scheduled }, "notify_customer", { template: "update_payment_method" }],
      ["fraud signal → escalate", { decline: { decline_code: "stolen_card" }, history: scheduled }, "escalate_to_support"],
      ["void meanwhile → nothing", { invoice: { status: "void" }, history: scheduled }, "no_action"],
    ];
    it.each(rows)("%s", async (_name, setup, action, params) => {
      const { ctx, decision } = await run({ ...setup, eventType: job });
      expect(decision.action).toBe(action);
      if (params) expect(decision.params).toMatchObject(params);
      expect(guard({ domain: "dunning", decision, context: ctx, config: parsePolicyConfig({}) }).verdict).toBe("ok");
    });
  });

  describe("the subscription decides whether anything is collected", () => {
    const final = { next_payment_attempt: null, attempt_count: 4 };
    const rows: [string, Setup, string, Record<string, unknown>?][] = [
      ["final attempt, canceled → tell once, no grace", { invoice: final, subscription: { status: "canceled", canceled_at: NOW - 60 } }, "notify_customer", { template: "payment_failed" }],
      ["final attempt, canceled, already told → nothing", { invoice: final, subscription: { status: "canceled" }, history: { notificationsSent: ["payment_failed"] } }, "no_action"],
      ["final attempt, canceled, large → a person", { invoice: { ...final, amount_due: 250000, amount_remaining: 250000 }, subscription: { status: "canceled" } }, "escalate_to_support"],
      ["mid-dunning, canceled → no retry scheduled", { subscription: { status: "canceled" } }, "notify_customer", { template: "payment_failed" }],
      ["transient, canceled → no retry now", { decline: { code: "processing_error" }, subscription: { status: "canceled" } }, "notify_customer"],
      ["incomplete_expired → nothing, never pay", { invoice: final, subscription: { status: "incomplete_expired" } }, "no_action"],
      ["unpaid, good customer → no grace, hosted link", { invoice: final, subscription: { status: "unpaid" } }, "notify_customer", { template: "update_payment_method" }],
      ["incomplete → no retry of our own", { decline: { code: "processing_error" }, subscription: { status: "incomplete" } }, "notify_customer", { template: "update_payment_method" }],
      ["incomplete, 3DS → authenticate", { decline: { code: "authentication_required" }, subscription: { status: "incomplete" } }, "notify_customer", { template: "authentication_required" }],
      ["paused → no grace", { invoice: final, subscription: { status: "paused" } }, "notify_customer"],
      ["past_due, good customer → grace", { invoice: final, subscription: { status: "past_due" } }, "apply_grace_period"],
      ["active, good customer → grace", { invoice: final, subscription: { status: "active" } }, "apply_grace_period"],
      ["past_due, collection paused by the merchant (void) → no grace over it", { invoice: final, subscription: { status: "past_due", pause_collection: { behavior: "void", resumes_at: null } } as never }, "notify_customer"],
      ["active, collection paused until a date (keep_as_draft) → no grace over it", { invoice: final, subscription: { status: "active", pause_collection: { behavior: "keep_as_draft", resumes_at: NOW + 30 * DAY } } as never }, "notify_customer"],
      ["no subscription on the invoice → no grace to give", { invoice: final, subscription: null }, "notify_customer", { template: "update_payment_method" }],
      ["due grace retry, canceled meanwhile → a person, no pay", { eventType: "billops.retry_invoice", invoice: final, subscription: { status: "canceled" }, history: { decisions: [{ action: "apply_grace_period", at: NOW - 7 * DAY, source: "rules" }], notificationsSent: ["grace_period_granted"] } }, "escalate_to_support"],
      ["due retry, unpaid meanwhile → a person", { eventType: "billops.retry_invoice", subscription: { status: "unpaid" }, history: { decisions: [{ action: "schedule_retry", at: NOW - DAY, source: "rules" }] } }, "escalate_to_support"],
      ["customer asks to retry on a canceled subscription → hosted link, no pay", { request: "I added funds, please try my card again", subscription: { status: "canceled" } }, "notify_customer"],
      ["paid meanwhile on a canceled subscription → recovered", { eventType: "invoice.paid", invoice: { status: "paid", amount_paid: 2900, amount_remaining: 0 }, subscription: { status: "canceled" } }, "close_recovered"],
    ];
    it.each(rows)("%s", async (_name, setup, action, params) => {
      const { ctx, decision } = await run(setup);
      expect(decision.action).toBe(action);
      if (params) expect(decision.params).toMatchObject(params);
      expect(guard({ domain: "dunning", decision, context: ctx, config: parsePolicyConfig({}) }).verdict).not.toBe("downgraded");
    });
  });

  describe("network advice timing and per-card limits", () => {
    const recent = NOW - 600;
    it.each([
      ["MAC 24 on a transient decline → an hour from now (after the network's hour), not now", { decline_code: "try_again_later", network_advice_code: "24", created: recent }, {}, "schedule_retry", NOW + 3600],
      ["MAC 27 on insufficient_funds → 4 days, later than the usual 2", { decline_code: "insufficient_funds", network_advice_code: "27", created: recent }, { next_payment_attempt: NOW + 7 * DAY }, "schedule_retry", recent + 4 * DAY],
      ["MAC 30 while Stripe retries in 3 days → no early retry", { decline_code: "generic_decline", network_advice_code: "30", created: recent }, {}, "notify_customer", null],
      ["MAC 03 → never", { decline_code: "do_not_honor", network_advice_code: "03", created: recent }, {}, "notify_customer", null],
      ["MAC 21 → never", { decline_code: "try_again_later", network_advice_code: "21", created: recent }, {}, "notify_customer", null],
    ] as const)("%s", async (_name, decline, invoice, action, retryAt) => {
      const { ctx, decision } = await run({ decline: { ...decline }, invoice: { ...invoice }, card: { brand: "mastercard" } });
      expect(decision.action).toBe(action);
      if (retryAt) expect(decision.params.retry_at).toBe(retryAt);
      expect(guard({ domain: "dunning", decision, context: ctx, config: parsePolicyConfig({}) }).verdict).toBe("ok");
    });

    const declinesOnCard = (n: number, startAgo: number, step = DAY) =>
      Array.from({ length: n }, (_, i) => f.chargeObj({ id: `ch_other_${i}`, status: "failed", paid: false, captured: false, amount_captured: 0, payment_intent: "pi_other", payment_method: "pm_A", created: NOW - startAgo - i * step }));
    it.each([
      ["9 declines of another invoice on this Mastercard in 30 days → limit 10 reached", "mastercard", declinesOnCard(9, 2 * DAY), {}, "notify_customer"],
      ["the same 9 declines on a Visa (limit 15) → retry", "visa", declinesOnCard(9, 2 * DAY), {}, "schedule_retry"],
      ["9 declines older than 30 days → they no longer count", "mastercard", declinesOnCard(9, 31 * DAY), {}, "schedule_retry"],
      ["configured Mastercard 30-day limit of 20 → retry", "mastercard", declinesOnCard(9, 2 * DAY), { network_retry_limits: { mastercard: 20 } }, "schedule_retry"],
      ["3 declines in the last 24 h against a 24-hour limit of 3 → no retry", "visa", declinesOnCard(3, 600, 3600), { network_retry_limits_24h: { default: 3 } }, "notify_customer"],
      ["2 declines in the last 24 h against a 24-hour limit of 3 → retry", "visa", declinesOnCard(2, 600, 3600), { network_retry_limits_24h: { default: 3 } }, "schedule_retry"],
    ] as const)("%s", async (_name, brand, charges, config, action) => {
      const { ctx, decision } = await run({ card: { brand }, charges: [...charges], config: config as PolicyConfigInput, invoice: { attempt_count: 1 } });
      expect(decision.action).toBe(action);
      expect(ctx.cardAttempts.last30d).toBeGreaterThanOrEqual(1);
    });
  });

  describe("dunning.retries: smart_retries leaves soft declines to Stripe", () => {
    const smart = { dunning: { retries: "smart_retries" } } as const;
    it.each([
      ["insufficient_funds → tell the customer, no schedule", { decline_code: "insufficient_funds" }, {}, {}, "notify_customer"],
      ["processing_error → no immediate retry", { code: "processing_error" }, {}, {}, "notify_customer"],
      ["already told → wait for Stripe", { decline_code: "generic_decline" }, {}, { notificationsSent: ["payment_failed"] }, "no_action"],
      ["final attempt: Stripe is done, grace still applies", { decline_code: "generic_decline" }, { next_payment_attempt: null, attempt_count: 4 }, {}, "apply_grace_period"],
      ["hard decline: as always", { decline_code: "invalid_account" }, {}, {}, "notify_customer"],
    ] as const)("%s", async (_name, decline, invoice, history, action) => {
      const { ctx, decision } = await run({ decline: { ...decline }, invoice: { ...invoice }, history: { ...history } as Partial<CaseHistory>, config: smart });
      expect(decision.action).toBe(action);
      expect(guard({ domain: "dunning", decision, context: ctx, config: parsePolicyConfig(smart) }).verdict).toBe("ok");
    });
  });

  describe("a recovery settles once", () => {
    const paid = { status: "paid", amount_paid: 2900, amount_remaining: 0 };
    const recovered = { decisions: [{ action: "schedule_retry", at: NOW - DAY, source: "rules" }, { action: "close_recovered", at: NOW - 60, source: "rules" }] };
    it.each(["invoice.paid", "invoice.payment_succeeded", "billops.retry_invoice", "invoice.payment_failed"])("%s after close_recovered → no_action (already recovered)", async (eventType) => {
      const { decision } = await run({ eventType, invoice: paid, history: recovered });
      expect(decision.action).toBe("no_action");
      expect(decision.params.reason).toMatch(/already recovered/);
    });
    it("invoice.paid after failures nobody recorded (attempt_count 3) → close_recovered", async () => {
      const { decision } = await run({ eventType: "invoice.paid", invoice: { ...paid, attempt_count: 3 } });
      expect(decision.action).toBe("close_recovered");
    });
    it("an invoice paid on its first attempt was never in dunning → no_action", async () => {
      const { decision } = await run({ eventType: "invoice.paid", invoice: { ...paid, attempt_count: 1 } });
      expect(decision).toMatchObject({ action: "no_action", params: { reason: expect.stringMatching(/first attempt/) } });
    });
  });

  it("gather re-reads the invoice and follows invoice_payments to the decline", async () => {
    const { ctx } = await run({});
    expect(ctx.invoice?.status).toBe("open");
    expect(ctx.signals).toMatchObject({ code: "card_declined", declineCode: "insufficient_funds", adviceCode: "try_again_later", riskLevel: "normal" });
    expect(ctx.subscription?.id).toBe("sub_A");
    expect(ctx.card).toMatchObject({ brand: "visa", expired: false });
    expect(ctx.paidInvoices).toBe(7);
    expect(ctx.tenureDays).toBe(400);
  });

  it("missing invoice → escalate", async () => {
    const ctx = await gatherDunningContext(f.memoryReads({}), f.event("invoice.payment_failed", { id: "in_gone", object: "invoice" }), f.history(), NOW);
    expect(decideDunning(ctx, parsePolicyConfig({})).action).toBe("escalate_to_support");
  });
});
