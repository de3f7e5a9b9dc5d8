// Stripe's error shapes and status codes: thrown by handlers, rendered by the router as Stripe's JSON.
export interface StripeErrorBody {
  type: "invalid_request_error" | "card_error" | "api_error" | "idempotency_error" | "rate_limit_error" | "authentication_error";
  code?: string | null;
  decline_code?: string | null;
  advice_code?: string | null;
  message: string;
  param?: string | null;
  doc_url?: string | null;
  [extra: string]: unknown;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

export function docUrl(code: string): string {
  return `https://docs.stripe.com/error-codes/${code.replace(/_/g, "-")}`;
}

export function invalidRequest(message: string, param?: string | null, code?: string | null): StripeApiError {
  return new StripeApiError(400, {
    type: "invalid_request_error",
    message,
    param: param ?? null,
    code: code ?? null,
    ...(code ? { doc_url: docUrl(code) } : {}),
  });
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");
}

const NOUNS: Record<string, string> = {
  cus: "customer",
  pm: "payment_method",
  prod: "product",
  price: "price",
  pi: "payment_intent",
  ch: "charge",
  in: "invoice",
  inpay: "invoice_payment",
  sub: "subscription",
  sub_sched: "subscription_schedule",
  re: "refund",
  dp: "dispute",
  issfr: "radar.early_fraud_warning",
  evt: "event",
};

export function noSuch(kind: string, id: string, param = "id"): StripeApiError {
  return new StripeApiError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    message: `No such ${NOUNS[kind] ?? kind}: '${id}'`,
    param,
    doc_url: docUrl("resource_missing"),
  });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return new StripeApiError(404, {
    type: "invalid_request_error",
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}
