// Ownership: every Stripe object a decision touches must belong to the case's customer — the one who asked (a support
// request) or the owner of the object the event is about — read from the context the specialist re-read from Stripe.
import type Stripe from "stripe";
import type { Action } from "../../domain/actions.js";
import type { DunningContext } from "../dunning/context.js";
import type { DisputeContext } from "../dispute/context.js";
import type { RefundContext } from "../refund/context.js";
import type { SubscriptionContext } from "../subscription/context.js";
import { idOf, type Trigger } from "../proposal.js";

export type OwnershipInput =
  | { domain: "dunning"; context: DunningContext }
  | { domain: "refund"; context: RefundContext }
  | { domain: "dispute"; context: DisputeContext }
  | { domain: "subscription"; context: SubscriptionContext };

type Owned = { what: string; customer: string | null };

const owner = (v: string | Stripe.Customer | Stripe.DeletedCustomer | null | undefined) => idOf(v as string | { id: string } | null | undefined);

/** The case's customer: who asked, for a support request; else the owner of the object the case is about. */
function caseCustomer(input: OwnershipInput, trigger: Trigger): string | null {
  if (trigger.kind === "request") return trigger.customer ?? null;
  switch (input.domain) {
    case "refund":
      return owner(input.context.charge?.customer);
    case "dispute":
      return owner(input.context.charge?.customer);
    case "dunning":
      return owner(input.context.invoice?.customer);
    case "subscription":
      return owner(input.context.subscription?.customer);
  }
}

/** The objects `action` with `params` touches, with the customer Stripe says each belongs to. */
function touched(input: OwnershipInput, action: Action, p: Record<string, unknown>): Owned[] {
  switch (input.domain) {
    case "refund": {
      const ctx = input.context;
      if (action === "stop_future_charges") return [{ what: `customer ${String(p.customer)}`, customer: String(p.customer) }];
      const all = [ctx.charge, ...ctx.recentCharges].filter((c): c is Stripe.Charge => !!c);
      const target = all.find((c) => c.id === p.charge);
      return target ? [{ what: `charge ${target.id}`, customer: owner(target.customer) }] : [];
    }
    case "dispute": {
      const { dispute, charge } = input.context;
      const out: Owned[] = [];
      if (charge) out.push({ what: `charge ${charge.id} of dispute ${dispute?.id ?? "?"}`, customer: owner(charge.customer) });
      if (dispute && charge && idOf(dispute.charge) !== charge.id) out.push({ what: `dispute ${dispute.id} (on ${idOf(dispute.charge)}, not ${charge.id})`, customer: null });
      return out;
    }
    case "dunning": {
      const inv = input.context.invoice;
      return inv ? [{ what: `invoice ${inv.id}`, customer: owner(inv.customer) }] : [];
    }
    case "subscription": {
      const { subscription, schedule } = input.context;
      const out: Owned[] = [];
      if (subscription) out.push({ what: `subscription ${subscription.id}`, customer: owner(subscription.customer) });
      if (schedule) out.push({ what: `subscription schedule ${schedule.id}`, customer: owner(schedule.customer) });
      return out;
    }
  }
}

/** An object the request named that gathering set aside because it is someone else's. */
function setAside(input: OwnershipInput): Owned | null {
  if (input.domain === "refund") return input.context.foreignCharge ? { what: `charge ${input.context.foreignCharge}`, customer: null } : null;
  if (input.domain === "subscription" || input.domain === "dispute") {
    const f = input.context.foreignObject;
    return f ? { what: f.id, customer: f.customer } : null;
  }
  return null;
}

/** Reasons the decision touches something that is not the case customer's; empty when everything is theirs. */
export function ownershipProblems(input: OwnershipInput, trigger: Trigger | undefined, action: Action, params: Record<string, unknown>): string[] {
  if (!trigger) return [];
  const aside = setAside(input);
  const objects = [...touched(input, action, params), ...(aside && Object.values(params).includes(aside.what) ? [aside] : [])];
  if (!objects.length) return [];
  const customer = caseCustomer(input, trigger);
  // A request always has a customer; an event's object may have none (a guest charge): then only customer-less objects are its own.
  if (!customer && trigger.kind === "request") return [`the request names no customer, so ${objects.map((o) => o.what).join(", ")} cannot be checked`];
  return objects
    .filter((o) => o.customer !== customer)
    .map((o) => (o.customer ? `${o.what} belongs to customer ${o.customer}, not to the case's customer ${customer ?? "(none)"}` : `${o.what} is not the case's customer's (${customer})`));
}
