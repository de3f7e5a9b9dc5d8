// Disputes: evidence staged (submit=false) or submitted (Stripe's default), close (= accept, lost), the due date,
// test-mode outcomes ("winning_evidence"/"losing_evidence"), and early fraud warnings.
import { bool } from "../form.js";
import { change, emit, getTyped, listResponse, mergeMetadata, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest } from "../errors.js";
import type { Route } from "../routes.js";
import type { StripeObject } from "../types.js";

const RESPONDABLE = new Set(["needs_response", "warning_needs_response"]);
const CLOSED = new Set(["won", "lost", "warning_closed", "prevented"]);
/** How long after submission a test-mode dispute with winning/losing evidence is decided (sim seconds). */
export const TEST_DECISION_DELAY = 60;

export function createDispute(sim: SimCore, charge: StripeObject, opts: { reason: string; status: string; amount?: number }): StripeObject {
  const dp = defaults.dispute(
    {
      amount: opts.amount ?? charge.amount,
      charge: charge.id,
      currency: charge.currency,
      payment_intent: charge.payment_intent ?? null,
      reason: opts.reason,
      status: opts.status,
      payment_method_details: {
        card: { brand: charge.payment_method_details?.card?.brand ?? "visa", case_type: opts.status.startsWith("warning") ? "inquiry" : "chargeback", network_reason_code: null },
        type: "card",
      },
    },
    sim.now(),
  );
  sim.store.put(dp);
  charge.disputed = true;
  sim.store.put(charge);
  emit(sim, "charge.dispute.created", dp);
  return dp;
}

export function createEarlyFraudWarning(sim: SimCore, charge: StripeObject, fraudType = "made_with_stolen_card"): StripeObject {
  const w = defaults.earlyFraudWarning({ charge: charge.id, payment_intent: charge.payment_intent ?? null, fraud_type: fraudType }, sim.now());
  sim.store.put(w);
  emit(sim, "radar.early_fraud_warning.created", w);
  return w;
}

// Visa Compelling Evidence 3.0 as Stripe keeps it on the dispute (API 2026-10-28): every field present, null when unset.
const CE3_FIELDS = ["customer_account_id", "customer_device_fingerprint", "customer_device_id", "customer_email_address", "customer_purchase_ip", "product_description", "shipping_address"] as const;
const ADDRESS_FIELDS = ["city", "country", "line1", "line2", "postal_code", "state"] as const;

function ce3Transaction(given: Record<string, any> | undefined, param: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const k of CE3_FIELDS) {
    const v = given?.[k];
    if (k === "shipping_address") {
      if (v === undefined || v === "") out[k] = null;
      else if (typeof v !== "object") throw invalidRequest(`Invalid object`, `${param}[${k}]`);
      else out[k] = Object.fromEntries(ADDRESS_FIELDS.map((a) => [a, v[a] === undefined || v[a] === "" ? null : String(v[a])]));
    } else out[k] = v === undefined || v === "" ? null : String(v);
  }
  return out;
}

/** Visa's rule (two main identifiers, or one main and one secondary) over what the three transactions share. */
function ce3RequiredActions(ce3: Record<string, any>): string[] {
  const d = ce3.disputed_transaction ?? {};
  const priors: Record<string, any>[] = ce3.prior_undisputed_transactions ?? [];
  const actions: string[] = [];
  if (!d.merchandise_or_services) actions.push("missing_merchandise_or_services");
  if (!d.product_description) actions.push("missing_disputed_transaction_description");
  if (priors.length < 2) actions.push("missing_prior_undisputed_transactions");
  if (priors.some((p) => !p.product_description)) actions.push("missing_prior_undisputed_transaction_description");
  const shared = (k: string) => d[k] != null && priors.length >= 2 && priors.every((p) => JSON.stringify(p[k]) === JSON.stringify(d[k]));
  const main = [shared("customer_purchase_ip"), shared("customer_device_fingerprint") || shared("customer_device_id"), shared("customer_account_id")].filter(Boolean).length;
  const secondary = [shared("shipping_address"), shared("customer_email_address")].filter(Boolean).length;
  if (!(main >= 2 || (main >= 1 && secondary >= 1))) actions.push("missing_customer_identifiers");
  return actions;
}

/** `evidence[enhanced_evidence][visa_compelling_evidence_3]`: Stripe's shape, its charges checked, its eligibility computed. */
function applyEnhancedEvidence(sim: SimCore, dp: StripeObject, given: unknown): Record<string, any> {
  if (typeof given !== "object" || given === null) throw invalidRequest("Invalid object", "evidence[enhanced_evidence]");
  const out: Record<string, any> = { ...(dp.evidence?.enhanced_evidence ?? {}) };
  for (const [k, v] of Object.entries(given as Record<string, any>)) {
    const param = `evidence[enhanced_evidence][${k}]`;
    if (k !== "visa_compelling_evidence_3") throw invalidRequest(`Received unknown parameter: ${param}`, param);
    if (typeof v !== "object" || v === null) throw invalidRequest("Invalid object", param);
    for (const key of Object.keys(v)) {
      if (key !== "disputed_transaction" && key !== "prior_undisputed_transactions") throw invalidRequest(`Received unknown parameter: ${param}[${key}]`, `${param}[${key}]`);
    }
    const kind = v.disputed_transaction?.merchandise_or_services;
    if (kind !== undefined && kind !== "merchandise" && kind !== "services") {
      throw invalidRequest(`Invalid merchandise_or_services: must be one of merchandise or services`, `${param}[disputed_transaction][merchandise_or_services]`);
    }
    const priorsIn = v.prior_undisputed_transactions === undefined || v.prior_undisputed_transactions === "" ? [] : v.prior_undisputed_transactions;
    if (!Array.isArray(priorsIn)) throw invalidRequest("Invalid array", `${param}[prior_undisputed_transactions]`);
    if (priorsIn.length > 2) throw invalidRequest("Visa Compelling Evidence 3.0 takes exactly two prior undisputed transactions.", `${param}[prior_undisputed_transactions]`);
    const priors = priorsIn.map((p: Record<string, any>, i: number) => {
      const at = `${param}[prior_undisputed_transactions][${i}]`;
      if (!p?.charge) throw invalidRequest("Missing required param: charge.", `${at}[charge]`);
      const ch = sim.store.get(String(p.charge));
      if (!ch || ch.object !== "charge") throw invalidRequest(`No such charge: '${p.charge}'`, `${at}[charge]`);
      if (ch.disputed || ch.id === dp.charge) throw invalidRequest(`Charge ${p.charge} is disputed and cannot be a prior undisputed transaction.`, `${at}[charge]`);
      return { charge: ch.id, ...ce3Transaction(p, at) };
    });
    const disputed = { ...ce3Transaction(v.disputed_transaction, `${param}[disputed_transaction]`), merchandise_or_services: kind ?? null };
    out.visa_compelling_evidence_3 = { disputed_transaction: disputed, prior_undisputed_transactions: priors };
    const required = ce3RequiredActions(out.visa_compelling_evidence_3);
    dp.evidence_details = {
      ...dp.evidence_details,
      enhanced_eligibility: { ...(dp.evidence_details?.enhanced_eligibility ?? {}), visa_compelling_evidence_3: { required_actions: required, status: required.length ? "requires_action" : "qualified" } },
    };
  }
  return out;
}

function hasEvidence(evidence: Record<string, any>): boolean {
  return Object.entries(evidence).some(([k, v]) => k !== "enhanced_evidence" && v !== null && v !== "");
}

/** Submits a dispute's evidence: under review, and a test-mode decision scheduled when the text asks for one. */
export function submitEvidence(sim: SimCore, dp: StripeObject): void {
  dp.status = dp.status === "warning_needs_response" ? "warning_under_review" : "under_review";
  dp.evidence_details = { ...dp.evidence_details, submission_count: (dp.evidence_details?.submission_count ?? 0) + 1 };
  const text = String(dp.evidence?.uncategorized_text ?? "");
  if (text.includes("winning_evidence")) sim.disputeDecisions.set(dp.id, { at: sim.now() + TEST_DECISION_DELAY, status: "won" });
  else if (text.includes("losing_evidence")) sim.disputeDecisions.set(dp.id, { at: sim.now() + TEST_DECISION_DELAY, status: "lost" });
}

export function closeDispute(sim: SimCore, dp: StripeObject, status: "lost" | "won"): void {
  const final = dp.status.startsWith("warning") ? "warning_closed" : status;
  const previous = change(dp, { status: final });
  sim.store.put(dp);
  emit(sim, "charge.dispute.closed", dp, previous);
}

export const disputeRoutes: Route[] = [
  { method: "GET", path: "/v1/disputes/:id", handler: (sim, { pathParams }) => getTyped(sim, "dispute", pathParams.id, "dispute") },
  {
    method: "POST",
    path: "/v1/disputes/:id",
    handler: (sim, { pathParams, params }) => {
      const dp = getTyped(sim, "dispute", pathParams.id, "dispute");
      const touchesEvidence = params.evidence !== undefined || params.submit !== undefined;
      if (touchesEvidence && !RESPONDABLE.has(dp.status)) {
        throw invalidRequest(
          CLOSED.has(dp.status)
            ? `This dispute is already closed (${dp.status}); its evidence can no longer be changed.`
            : `This dispute's evidence was already submitted (status ${dp.status}) and can no longer be changed.`,
          "evidence",
        );
      }
      const before = structuredClone(dp);
      if (params.evidence !== undefined) {
        if (typeof params.evidence !== "object") throw invalidRequest("Invalid evidence: must be an object", "evidence");
        const evidence = { ...dp.evidence };
        for (const [k, v] of Object.entries(params.evidence as Record<string, any>)) {
          // A dispute seeded without `enhanced_evidence` still takes it: Stripe's disputes always have the object.
          if (!(k in evidence) && k !== "enhanced_evidence") throw invalidRequest(`Received unknown parameter: evidence[${k}]`, `evidence[${k}]`);
          evidence[k] = k === "enhanced_evidence" ? applyEnhancedEvidence(sim, dp, v) : v === "" ? null : v;
        }
        dp.evidence = evidence;
        dp.evidence_details = { ...dp.evidence_details, has_evidence: hasEvidence(evidence) };
      }
      if (params.metadata !== undefined) dp.metadata = mergeMetadata(dp.metadata, params.metadata);
      // Stripe submits unless told `submit=false`: staging must say so explicitly.
      const submit = touchesEvidence && (bool(params.submit) ?? true);
      if (submit) submitEvidence(sim, dp);
      sim.store.put(dp);
      const previous: Record<string, any> = {};
      for (const k of ["evidence", "evidence_details", "metadata", "status"]) {
        if (JSON.stringify(before[k]) !== JSON.stringify(dp[k])) previous[k] = before[k];
      }
      if (Object.keys(previous).length) emit(sim, "charge.dispute.updated", dp, previous);
      return dp;
    },
  },
  {
    method: "POST",
    path: "/v1/disputes/:id/close",
    handler: (sim, { pathParams }) => {
      const dp = getTyped(sim, "dispute", pathParams.id, "dispute");
      if (CLOSED.has(dp.status)) throw invalidRequest(`This dispute is already closed (${dp.status}).`, null);
      sim.disputeDecisions.delete(dp.id);
      closeDispute(sim, dp, "lost");
      return dp;
    },
  },
  {
    method: "GET",
    path: "/v1/disputes",
    handler: (sim, { params }) => listResponse(sim, "dispute", "/v1/disputes", params, { charge: "charge", payment_intent: "payment_intent" }),
  },
  {
    method: "GET",
    path: "/v1/radar/early_fraud_warnings/:id",
    handler: (sim, { pathParams }) => getTyped(sim, "radar.early_fraud_warning", pathParams.id, "early_fraud_warning"),
  },
  {
    method: "GET",
    path: "/v1/radar/early_fraud_warnings",
    handler: (sim, { params }) =>
      listResponse(sim, "radar.early_fraud_warning", "/v1/radar/early_fraud_warnings", params, { charge: "charge", payment_intent: "payment_intent" }),
  },
];
