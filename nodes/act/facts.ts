// Facts the act node reads off a specialist's context (any domain's shape) to address customer messages.

type Obj = Record<string, any> | null | undefined;

function firstString(...vals: unknown[]): string | null {
  for (const v of vals) if (typeof v === "string" && v.length > 0) return v;
  return null;
}

export interface CustomerFacts {
  email: string | null;
  name: string | null;
  currency: string | null;
  hostedInvoiceUrl: string | null;
  invoiceNumber: string | null;
  amount: number | null;
  /** The customer's Stripe id and the invoice the message is about: a notification's fact key. */
  customerId: string | null;
  invoiceId: string | null;
}

const idOf = (v: unknown): string | null => (typeof v === "string" ? v : v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string" ? (v as { id: string }).id : null);

/** Looks in the usual places of Stripe objects a context may hold; missing facts stay null. */
export function customerFacts(context: unknown): CustomerFacts {
  const c = (context ?? {}) as Record<string, any>;
  const customer: Obj = c.customer;
  const invoice: Obj = c.invoice;
  const charge: Obj = c.charge;
  return {
    email: firstString(customer?.email, invoice?.customer_email, charge?.billing_details?.email, charge?.receipt_email),
    name: firstString(customer?.name, invoice?.customer_name, charge?.billing_details?.name),
    currency: firstString(invoice?.currency, charge?.currency, customer?.currency),
    hostedInvoiceUrl: firstString(invoice?.hosted_invoice_url),
    invoiceNumber: firstString(invoice?.number),
    amount: typeof invoice?.amount_remaining === "number" ? invoice.amount_remaining : typeof charge?.amount === "number" ? charge.amount : null,
    customerId: firstString(customer?.id, idOf(invoice?.customer), idOf(charge?.customer)),
    invoiceId: firstString(invoice?.id),
  };
}
