// One row per event type: the routing table is the contract between ingest, the supervisor and the specialists.
import { describe, expect, it } from "vitest";
import { routeEvent } from "./routing.js";

const rows: Array<[string, Record<string, unknown>, string, string | null]> = [
  ["invoice.payment_failed", { id: "in_1" }, "dunning", "invoice:in_1"],
  ["invoice.paid", { id: "in_1" }, "dunning", "invoice:in_1"],
  ["invoice.finalized", { id: "in_2" }, "dunning", "invoice:in_2"],
  ["customer.subscription.updated", { id: "sub_1" }, "subscription", "subscription:sub_1"],
  ["customer.subscription.deleted", { id: "sub_1" }, "subscription", "subscription:sub_1"],
  ["charge.dispute.created", { id: "dp_1", charge: "ch_1" }, "dispute", "dispute:dp_1"],
  ["charge.dispute.closed", { id: "dp_1" }, "dispute", "dispute:dp_1"],
  ["radar.early_fraud_warning.created", { id: "issfr_1", charge: "ch_9" }, "refund", "charge:ch_9"],
  ["radar.early_fraud_warning.created", { id: "issfr_1", charge: { id: "ch_8" } }, "refund", "charge:ch_8"],
  ["refund.failed", { id: "re_1", charge: "ch_2", status: "failed" }, "refund", "charge:ch_2"],
  ["charge.refund.updated", { id: "re_1", charge: "ch_3", status: "failed" }, "refund", "charge:ch_3"],
  ["charge.refund.updated", { id: "re_1", charge: "ch_3", status: "succeeded" }, "ignore", null],
  ["radar.early_fraud_warning.updated", { id: "issfr_1", charge: "ch_9" }, "ignore", null],
  ["customer.created", { id: "cus_1" }, "ignore", null],
  ["charge.succeeded", { id: "ch_1" }, "ignore", null],
  ["invoiceitem.created", { id: "ii_1" }, "ignore", null],
  ["payment_intent.payment_failed", { id: "pi_1" }, "ignore", null],
  // A routed type missing the id its case needs cannot be processed: recorded, ignored.
  ["invoice.paid", {}, "ignore", null],
];

describe("routeEvent", () => {
  it.each(rows)("%s %j → %s %s", (type, object, route, caseKey) => {
    expect(routeEvent({ type, data: { object } })).toEqual({ route, caseKey });
  });
});
