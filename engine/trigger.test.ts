// What a case thread keeps of the event that triggered a run: ids only for Stripe events, the body for requests.
import { expect, it } from "vitest";
import { eventObjectReference, triggerOf } from "./case-service.js";
import type { InboxEvent } from "./inbox/index.js";

const inbox = (o: Partial<InboxEvent>): InboxEvent => ({ id: "evt_1", seq: "1", type: "invoice.payment_failed", caseKey: "invoice:in_1", source: "stripe", status: "running", attempts: 1, echo: false, payload: {}, ...o }) as InboxEvent;

it("keeps the ids of a Stripe event's object, expanded ones as ids, and nothing else", () => {
  const invoice = { id: "in_1", object: "invoice", status: "open", customer: { id: "cus_1", object: "customer", email: "a@b.c" }, subscription: "sub_1", amount_due: 2900, lines: { data: [{ id: "il_1" }] }, metadata: { note: "x" } };
  const t = triggerOf(inbox({ payload: { id: "evt_1", created: 1700000000, data: { object: invoice } } }), 0);
  expect(t).toEqual({ eventId: "evt_1", type: "invoice.payment_failed", source: "stripe", echo: false, created: 1700000000, object: { id: "in_1", object: "invoice", status: "open", customer: "cus_1", subscription: "sub_1" } });
  expect(eventObjectReference({ id: "du_1", object: "dispute", charge: null, payment_intent: "pi_1", evidence: { x: 1 } })).toEqual({ id: "du_1", object: "dispute", charge: null, payment_intent: "pi_1" });
  expect(eventObjectReference(undefined)).toEqual({});
});

it("keeps a support request's whole body: it is the case's own data, not a copy of Stripe's", () => {
  const body = { id: "req_1", customer: "cus_1", message: "I was charged twice", charge: "ch_1" };
  const t = triggerOf(inbox({ id: "req_1", type: "billops.support_request", source: "request", payload: body }), 42);
  expect(t).toMatchObject({ eventId: "req_1", source: "request", created: 42, object: body });
});
