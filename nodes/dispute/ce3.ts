// Visa Compelling Evidence 3.0: for a Visa fraud dispute, two prior undisputed payments on the same card 120–365 days
// before it, matching the disputed payment on Visa's identifiers — found in Stripe's charges, never assumed.
// Rules: https://docs.stripe.com/disputes/api/visa-ce3 (qualifying disputes, main and secondary evidence elements).
import type Stripe from "stripe";
import type { PolicyConfig } from "../../domain/policy-config.js";
import { formatDate } from "../../domain/dates.js";
import { idOf } from "../proposal.js";
import { CE3_WINDOW_DAYS, type DisputeContext } from "./context.js";
import { reasonFamily } from "./reasons.js";

export { CE3_WINDOW_DAYS };

type Identifier = "customer_purchase_ip" | "customer_device_fingerprint" | "customer_device_id" | "customer_account_id" | "customer_email_address" | "shipping_address";

/** Where a charge carries each identifier: Stripe's own fields, or the metadata keys an integration writes at checkout. */
const METADATA_KEYS: Record<Exclude<Identifier, "customer_email_address" | "shipping_address">, string[]> = {
  customer_purchase_ip: ["customer_purchase_ip", "ip_address", "client_ip", "ip"],
  customer_device_fingerprint: ["customer_device_fingerprint", "device_fingerprint"],
  customer_device_id: ["customer_device_id", "device_id"],
  customer_account_id: ["customer_account_id", "account_id", "user_id"],
};
/** Stripe's minimum lengths: a shorter value is not a device identifier Visa accepts. */
const MIN_LENGTH: Partial<Record<Identifier, number>> = { customer_device_fingerprint: 20, customer_device_id: 15 };

export interface Ce3Address {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postal_code: string;
  country: string;
}
export interface Ce3Transaction {
  customer_purchase_ip?: string;
  customer_device_fingerprint?: string;
  customer_device_id?: string;
  customer_account_id?: string;
  customer_email_address?: string;
  product_description?: string;
  shipping_address?: Ce3Address;
}
export interface VisaCe3Evidence {
  disputed_transaction: Ce3Transaction & { merchandise_or_services: "merchandise" | "services" };
  prior_undisputed_transactions: (Ce3Transaction & { charge: string })[];
}

export interface Ce3Assessment {
  /** A Visa card and a fraud-family dispute (or Stripe lists the dispute as CE 3.0 eligible). */
  applies: boolean;
  qualified: boolean;
  /** Why it does not apply or does not qualify, for the person deciding. */
  why: string;
  /** Undisputed payments on the same card in the window (ids, newest first). */
  candidates: string[];
  /** The identifiers the disputed payment and both chosen priors share. */
  matched: Identifier[];
  evidence?: VisaCe3Evidence;
  /** Where each part came from: `stripe:ch_…metadata.ip_address`, `billops:policy.merchant_policies.service_description`. */
  sources: string[];
}

interface Read {
  value?: string | Ce3Address;
  source?: string;
}

function identifier(c: Stripe.Charge, id: Identifier): Read {
  if (id === "customer_email_address") {
    const e = c.billing_details?.email ?? c.receipt_email;
    return e ? { value: e.toLowerCase(), source: `stripe:${c.id}.${c.billing_details?.email ? "billing_details.email" : "receipt_email"}` } : {};
  }
  if (id === "shipping_address") {
    const a = c.shipping?.address;
    if (!a?.line1 || !a.city || !a.postal_code || !a.country || !a.state) return {};
    return { value: { line1: a.line1, ...(a.line2 ? { line2: a.line2 } : {}), city: a.city, state: a.state, postal_code: a.postal_code, country: a.country }, source: `stripe:${c.id}.shipping.address` };
  }
  for (const key of METADATA_KEYS[id]) {
    const v = c.metadata?.[key]?.trim();
    if (v && v.length >= (MIN_LENGTH[id] ?? 1)) return { value: v, source: `stripe:${c.id}.metadata.${key}` };
  }
  return {};
}

const same = (a: Read, b: Read) => a.value !== undefined && b.value !== undefined && JSON.stringify(a.value) === JSON.stringify(b.value);
const IDENTIFIERS: Identifier[] = ["customer_purchase_ip", "customer_device_fingerprint", "customer_device_id", "customer_account_id", "customer_email_address", "shipping_address"];

/** Visa's rule: two main elements, or one main and one secondary; a device fingerprint and a device id are one element. */
export function matchQualifies(matched: Iterable<Identifier>): boolean {
  const m = new Set(matched);
  const device = m.has("customer_device_fingerprint") || m.has("customer_device_id");
  const main = [m.has("customer_purchase_ip"), device, m.has("customer_account_id")].filter(Boolean).length;
  const secondary = [m.has("shipping_address"), m.has("customer_email_address")].filter(Boolean).length;
  return main >= 2 || (main >= 1 && secondary >= 1);
}

function sameCard(a: Stripe.Charge, b: Stripe.Charge): boolean {
  const fa = a.payment_method_details?.card?.fingerprint;
  const fb = b.payment_method_details?.card?.fingerprint;
  if (fa && fb) return fa === fb;
  // Without fingerprints, the same stored payment method is the same credential.
  const pa = idOf(a.payment_method as string | null);
  return pa != null && pa === idOf(b.payment_method as string | null);
}

/**
 * Visa's rule for the two prior payments: undisputed AND no fraud reported on them (Stripe: "no fraud activity has been
 * reported"). A charge the customer or Stripe marked fraudulent (`fraud_details`) is out, whether or not it became a dispute.
 */
function reportedAsFraud(p: Stripe.Charge): boolean {
  return p.fraud_details?.user_report === "fraudulent" || p.fraud_details?.stripe_report === "fraudulent";
}

function describe(c: Stripe.Charge, config: PolicyConfig): Read {
  if (c.description?.trim()) return { value: c.description.trim(), source: `stripe:${c.id}.description` };
  const s = config.merchant_policies.service_description;
  return s ? { value: s, source: "billops:policy.merchant_policies.service_description" } : {};
}

export function assessCe3(ctx: DisputeContext, config: PolicyConfig): Ce3Assessment {
  const d = ctx.dispute;
  const c = ctx.charge;
  const none = (why: string, applies = false, candidates: string[] = []): Ce3Assessment => ({ applies, qualified: false, why, candidates, matched: [], sources: [] });
  if (!d || !c) return none("no disputed charge");
  const brand = c.payment_method_details?.card?.brand ?? (d as { payment_method_details?: { card?: { brand?: string } } }).payment_method_details?.card?.brand;
  const eligible = (d as { enhanced_eligibility_types?: string[] }).enhanced_eligibility_types?.includes("visa_compelling_evidence_3") ?? false;
  const code = (d as { payment_method_details?: { card?: { network_reason_code?: string | null } } }).payment_method_details?.card?.network_reason_code ?? d.network_reason_code ?? null;
  if (!eligible) {
    if (reasonFamily(d.reason) !== "fraud") return none(`reason ${d.reason} is not a fraud dispute`);
    if (brand !== "visa") return none(`the card is ${brand ?? "not a card"}, not Visa`);
    if (code && code !== "10.4") return none(`Visa reason code ${code}, not 10.4`);
  }

  const lo = c.created - CE3_WINDOW_DAYS.max * 86400;
  const hi = c.created - CE3_WINDOW_DAYS.min * 86400;
  const candidates = ctx.cardHistory.filter(
    (p) => p.id !== c.id && p.status === "succeeded" && p.paid && !p.disputed && !reportedAsFraud(p) && (p.amount_captured ?? p.amount) > 0 && p.created >= lo && p.created <= hi && sameCard(c, p),
  );
  const ids = candidates.map((p) => p.id);
  const window = `${formatDate(lo)} – ${formatDate(hi)}`;
  if (candidates.length < 2) return none(`${candidates.length} undisputed payment${candidates.length === 1 ? "" : "s"} on this card between ${window} (Visa needs 2)`, true, ids);

  const kind: Read = c.shipping?.address
    ? { value: "merchandise", source: `stripe:${c.id}.shipping` }
    : config.merchant_policies.merchandise_or_services
      ? { value: config.merchant_policies.merchandise_or_services, source: "billops:policy.merchant_policies.merchandise_or_services" }
      : {};
  if (!kind.value) return none("merchandise or services is not known (no shipping on the charge, merchant_policies.merchandise_or_services unset)", true, ids);
  const ownDesc = describe(c, config);
  if (!ownDesc.value) return none(`charge ${c.id} has no description and merchant_policies.service_description is unset`, true, ids);

  const mine = Object.fromEntries(IDENTIFIERS.map((k) => [k, identifier(c, k)])) as Record<Identifier, Read>;
  // Each candidate's shared identifiers; the first pair (newest first) whose common identifiers satisfy Visa's rule wins.
  const shared = candidates.map((p) => ({ p, desc: describe(p, config), match: IDENTIFIERS.filter((k) => same(mine[k], identifier(p, k))) }));
  const usable = shared.filter((x) => x.desc.value);
  let best: { pair: typeof usable; matched: Identifier[] } | null = null;
  for (let i = 0; i < usable.length && !best; i++) {
    for (let j = i + 1; j < usable.length && !best; j++) {
      const matched = usable[i]!.match.filter((k) => usable[j]!.match.includes(k));
      if (matchQualifies(matched)) best = { pair: [usable[i]!, usable[j]!], matched };
    }
  }
  if (!best) {
    const known = IDENTIFIERS.filter((k) => mine[k].value !== undefined);
    return none(
      usable.length < 2
        ? "prior payments on this card carry no description and merchant_policies.service_description is unset"
        : `no two prior payments share an IP, device or account id with the disputed one (known on ${c.id}: ${known.join(", ") || "none"})`,
      true,
      ids,
    );
  }
  const pick = (r: Read) => r.value;
  const tx = (ch: Stripe.Charge, desc: Read): Ce3Transaction => {
    const t: Ce3Transaction = {};
    for (const k of best!.matched) (t as Record<string, unknown>)[k] = pick(identifier(ch, k));
    if (desc.value) t.product_description = desc.value as string;
    return t;
  };
  const sources = [
    kind.source!,
    ownDesc.source!,
    ...best.matched.map((k) => mine[k].source!),
    ...best.pair.flatMap((x) => [`stripe:${x.p.id}`, x.desc.source!, ...best!.matched.map((k) => identifier(x.p, k).source!)]),
  ];
  return {
    applies: true,
    qualified: true,
    why: `${best.pair.map((x) => `${x.p.id} (${formatDate(x.p.created)})`).join(" and ")} on the same card match on ${best.matched.join(", ")}`,
    candidates: ids,
    matched: best.matched,
    evidence: {
      disputed_transaction: { ...tx(c, ownDesc), merchandise_or_services: kind.value as "merchandise" | "services" },
      prior_undisputed_transactions: best.pair.map((x) => ({ charge: x.p.id, ...tx(x.p, x.desc) })),
    },
    sources: [...new Set(sources)],
  };
}
