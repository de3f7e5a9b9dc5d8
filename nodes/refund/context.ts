// Refund context: the charge in question (from a request, an early fraud warning or a refund event), its refunds and disputes, and duplicate candidates.
import type Stripe from "stripe";
import type { CaseHistory } from "../../domain/history.js";
import type { StripeReads } from "../../stripe/gateway/reads.js";
import { idOf, triggerOf, type SpecialistInput, type Trigger } from "../proposal.js";

export interface RefundContext {
  trigger: Trigger;
  now: number;
  history: CaseHistory;
  /** The charge the case is about, re-read (null: none found). */
  charge: Stripe.Charge | null;
  /** Minor units still refundable on `charge`: captured minus refunded (0 when failed or fully refunded). */
  refundable: number;
  refunds: Stripe.Refund[];
  disputes: Stripe.Dispute[];
  earlyFraudWarning: Stripe.Radar.EarlyFraudWarning | null;
  /** The refund a refund event is about (failure events), found by listing the charge's refunds. */
  refund: Stripe.Refund | null;
  customer: Stripe.Customer | null;
  /** The customer's other recent charges, newest first. */
  recentCharges: Stripe.Charge[];
  /** A charge the request named that belongs to another customer (then `charge` is null). */
  foreignCharge: string | null;
}

export function refundableAmount(c: Stripe.Charge | null): number {
  if (!c || c.status !== "succeeded" || !c.paid) return 0;
  return Math.max(0, (c.amount_captured ?? c.amount) - (c.amount_refunded ?? 0));
}

/** The duplicate rule in one place (policy and guard): the twin of a charge, and which of the two is the extra one. */
export function findDuplicate(
  charge: Stripe.Charge,
  others: Stripe.Charge[],
  windowHours: number,
): { original: Stripe.Charge; duplicate: Stripe.Charge } | null {
  const ok = (c: Stripe.Charge) => c.status === "succeeded" && c.paid && !c.refunded;
  if (!ok(charge)) return null;
  const twins = others
    .filter((o) => o.id !== charge.id && ok(o) && o.amount === charge.amount && o.currency === charge.currency)
    .filter((o) => idOf(o.customer) === idOf(charge.customer))
    .filter((o) => Math.abs(o.created - charge.created) <= windowHours * 3600)
    .sort((a, b) => Math.abs(a.created - charge.created) - Math.abs(b.created - charge.created));
  const twin = twins[0];
  if (!twin) return null;
  // Keep the first payment, refund the later one: that is what the customer sees as "charged twice".
  return twin.created <= charge.created ? { original: twin, duplicate: charge } : { original: charge, duplicate: twin };
}

async function resolveChargeId(reads: StripeReads, input: SpecialistInput): Promise<{ chargeId: string | null; efw: Stripe.Radar.EarlyFraudWarning | null; refundId: string | null }> {
  if (input.kind === "request") {
    const explicit = input.request.charge ?? input.classification.params.charge ?? null;
    if (explicit) return { chargeId: explicit, efw: null, refundId: null };
    // No charge named: the customer's most recent successful charge is what people mean by "refund me".
    const recent = await reads.listCharges({ customer: input.request.customer, limit: 20 });
    const c = recent.filter((x) => x.status === "succeeded").sort((a, b) => b.created - a.created)[0];
    return { chargeId: c?.id ?? null, efw: null, refundId: null };
  }
  const o = input.event.data.object;
  if (o.object === "radar.early_fraud_warning" || input.event.type.startsWith("radar.early_fraud_warning")) {
    // Re-read the warning: `actionable` flips to false once the charge is refunded or disputed.
    const efw = o.id ? await reads.getEarlyFraudWarning(o.id) : null;
    return { chargeId: idOf(efw?.charge ?? null) ?? idOf(o.charge as string | null), efw, refundId: null };
  }
  if (o.object === "refund") return { chargeId: idOf(o.charge as string | null), efw: null, refundId: o.id ?? null };
  if (o.object === "charge") return { chargeId: o.id ?? null, efw: null, refundId: null };
  return { chargeId: typeof o.charge === "string" ? o.charge : null, efw: null, refundId: null };
}

export async function gatherRefundContext(
  reads: StripeReads,
  input: SpecialistInput,
  history: CaseHistory,
  now: number,
): Promise<RefundContext> {
  const { chargeId, efw, refundId } = await resolveChargeId(reads, input);
  let charge = chargeId ? await reads.getCharge(chargeId) : null;
  // A charge id can come from customer text: one that belongs to someone else is treated as not found.
  const foreignCharge = charge && input.kind === "request" && idOf(charge.customer) !== input.request.customer ? charge.id : null;
  if (foreignCharge) charge = null;
  const [refunds, disputes] = charge
    ? await Promise.all([reads.listRefunds({ charge: charge.id }), reads.listDisputes({ charge: charge.id })])
    : [[], []];
  const customerId = idOf(charge?.customer ?? null) ?? (input.kind === "request" ? input.request.customer : null);
  const [customer, recent] = customerId
    ? await Promise.all([reads.getCustomer(customerId), reads.listCharges({ customer: customerId, limit: 20 })])
    : [null, []];
  const recentCharges = recent.filter((c) => c.id !== charge?.id).sort((a, b) => b.created - a.created);
  return {
    trigger: triggerOf(input),
    now,
    history,
    charge,
    refundable: refundableAmount(charge),
    refunds,
    disputes,
    earlyFraudWarning: efw,
    refund: refundId ? (refunds.find((r) => r.id === refundId) ?? null) : null,
    customer,
    recentCharges,
    foreignCharge,
  };
}

/** A dispute that still binds the charge (lost/won ones are history, but a lost one means the money is already gone). */
export function openDisputes(ctx: Pick<RefundContext, "disputes">): Stripe.Dispute[] {
  return ctx.disputes.filter((d) => d.status !== "won" && d.status !== "warning_closed" && d.status !== "prevented");
}
