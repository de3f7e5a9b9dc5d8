// Stripe's dispute reasons grouped by the evidence that answers them.
export type ReasonFamily =
  | "fraud"
  | "product_not_received"
  | "product_unacceptable"
  | "subscription_canceled"
  | "credit_not_processed"
  | "duplicate"
  | "general";

export const REASON_FAMILY: Readonly<Record<string, ReasonFamily>> = {
  fraudulent: "fraud",
  unrecognized: "fraud",
  product_not_received: "product_not_received",
  product_unacceptable: "product_unacceptable",
  subscription_canceled: "subscription_canceled",
  credit_not_processed: "credit_not_processed",
  duplicate: "duplicate",
  general: "general",
  customer_initiated: "general",
  debit_not_authorized: "fraud",
  incorrect_account_details: "general",
  insufficient_funds: "general",
  bank_cannot_process: "general",
  check_returned: "general",
  noncompliant: "general",
};

export function reasonFamily(reason: string): ReasonFamily {
  return REASON_FAMILY[reason] ?? "general";
}
