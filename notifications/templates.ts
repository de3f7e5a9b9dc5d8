// Customer and operations message templates, rendered into the outbox by the act node.
import { formatMoney } from "../domain/money.js";
import { formatDate } from "../domain/dates.js";

export type CustomerTemplate =
  | "update_payment_method"
  | "authentication_required"
  | "payment_failed"
  | "retry_scheduled"
  | "grace_period_granted"
  | "refund_issued"
  | "cancellation_confirmed"
  | "plan_changed";

export type OpsTemplate = "ops_escalation" | "ops_approval_overdue" | "ops_refund_failed";

export type Template = CustomerTemplate | OpsTemplate;

export function isCustomerTemplate(t: string): boolean {
  return !t.startsWith("ops_");
}

export interface TemplateVars {
  customerName?: string | null;
  amount?: number | null;
  currency?: string | null;
  hostedInvoiceUrl?: string | null;
  invoiceNumber?: string | null;
  retryAt?: number | null;
  graceDays?: number | null;
  periodEnd?: number | null;
  planName?: string | null;
  caseKey?: string;
  reason?: string | null;
  action?: string | null;
}

/** An amount for a customer's eyes, in the charge's own currency (domain/money.ts knows its minor units). */
export function amountText(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount == null || !currency) return "the amount due";
  return formatMoney(amount, currency);
}

function day(t: number | null | undefined): string {
  return t ? formatDate(t) : "soon";
}

export function render(template: Template, v: TemplateVars): { subject: string; body: string } {
  const hello = `Hello${v.customerName ? ` ${v.customerName}` : ""},`;
  const money = amountText(v.amount, v.currency);
  const link = v.hostedInvoiceUrl ? `\n\nPay or update your card here: ${v.hostedInvoiceUrl}` : "";
  switch (template) {
    case "update_payment_method":
      return {
        subject: "Please update your payment method",
        body: `${hello}\n\nWe could not collect ${money}${v.invoiceNumber ? ` for invoice ${v.invoiceNumber}` : ""}. Please update your payment method.${link}`,
      };
    case "authentication_required":
      return {
        subject: "Your bank asks you to confirm a payment",
        body: `${hello}\n\nYour bank needs you to confirm the payment of ${money}. It takes a minute.${link}`,
      };
    case "payment_failed":
      return { subject: "Your payment did not go through", body: `${hello}\n\nYour payment of ${money} was declined.${link}` };
    case "retry_scheduled":
      return {
        subject: "We will try your payment again",
        body: `${hello}\n\nYour payment of ${money} did not go through. We will try again on ${day(v.retryAt)}; you can also pay now.${link}`,
      };
    case "grace_period_granted":
      return {
        subject: "Extra time to pay",
        body: `${hello}\n\nYour payment of ${money} did not go through. As a valued customer you keep full access for ${v.graceDays ?? 7} more days while you sort it out.${link}`,
      };
    case "refund_issued":
      return {
        subject: "Your refund is on its way",
        body: `${hello}\n\nWe refunded ${money}. It usually shows on your statement within 5-10 business days.`,
      };
    case "cancellation_confirmed":
      return {
        subject: "Your cancellation is confirmed",
        body: `${hello}\n\nYour subscription is canceled${v.periodEnd ? ` and ends on ${day(v.periodEnd)}` : ""}.`,
      };
    case "plan_changed":
      return {
        subject: "Your plan has changed",
        body: `${hello}\n\nYour plan changes to ${v.planName ?? "the new plan"}${v.periodEnd ? ` on ${day(v.periodEnd)}` : " now"}.`,
      };
    case "ops_escalation":
      return { subject: `[billops] ${v.caseKey} needs a person`, body: `Case ${v.caseKey}: ${v.reason ?? "escalated"}` };
    case "ops_approval_overdue":
      return {
        subject: `[billops] approval overdue on ${v.caseKey}`,
        body: `Case ${v.caseKey} waits for an answer on ${v.action ?? "an action"} past its deadline.`,
      };
    case "ops_refund_failed":
      return { subject: `[billops] refund failed on ${v.caseKey}`, body: `Refund of ${money} failed: ${v.reason ?? "unknown"}` };
  }
}
