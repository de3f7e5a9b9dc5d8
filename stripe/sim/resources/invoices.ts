// Invoices (retrieve, list, update, pay, void, finalize, mark_uncollectible) and invoice payments (retrieve, list).
import { bool } from "../form.js";
import { change, emit, getTyped, listResponse, mergeMetadata, type Filter } from "../core.js";
import { finalizeInvoice, payInvoice } from "../billing.js";
import { invalidRequest } from "../errors.js";
import { int } from "../form.js";
import type { Route } from "../routes.js";

const STATUSES = ["draft", "open", "paid", "uncollectible", "void"];

export const invoiceRoutes: Route[] = [
  { method: "GET", path: "/v1/invoices/:id", handler: (sim, { pathParams }) => getTyped(sim, "invoice", pathParams.id, "invoice") },
  {
    method: "GET",
    path: "/v1/invoices",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      if (params.status !== undefined) {
        if (!STATUSES.includes(params.status)) throw invalidRequest(`Invalid status: must be one of ${STATUSES.join(", ")}`, "status");
        extra.push((o) => o.status === params.status);
      }
      if (params.subscription) extra.push((o) => o.parent?.subscription_details?.subscription === params.subscription);
      if (params.collection_method) extra.push((o) => o.collection_method === params.collection_method);
      return listResponse(sim, "invoice", "/v1/invoices", params, { customer: "customer" }, extra);
    },
  },
  {
    method: "POST",
    path: "/v1/invoices/:id",
    handler: (sim, { pathParams, params }) => {
      const inv = getTyped(sim, "invoice", pathParams.id, "invoice");
      if (inv.status === "void" || inv.status === "paid") {
        const onlyMetadata = Object.keys(params).every((k) => k === "metadata" || k === "expand");
        if (!onlyMetadata) throw invalidRequest(`You can only update metadata of a ${inv.status} invoice.`, null, "invoice_not_editable");
      }
      if (params.default_payment_method) getTyped(sim, "payment_method", params.default_payment_method, "default_payment_method");
      const previous = change(inv, {
        metadata: params.metadata !== undefined ? mergeMetadata(inv.metadata, params.metadata) : undefined,
        description: params.description === "" ? null : params.description,
        footer: params.footer === "" ? null : params.footer,
        auto_advance: bool(params.auto_advance),
        default_payment_method: params.default_payment_method === "" ? null : params.default_payment_method,
        due_date: params.due_date === "" ? null : int(params.due_date),
      });
      if (previous.auto_advance !== undefined && inv.auto_advance === false) inv.next_payment_attempt = null;
      sim.store.put(inv);
      if (Object.keys(previous).length) emit(sim, "invoice.updated", inv, previous);
      return inv;
    },
  },
  {
    method: "POST",
    path: "/v1/invoices/:id/pay",
    handler: (sim, { pathParams, params }) => payInvoice(sim, getTyped(sim, "invoice", pathParams.id, "invoice"), params),
  },
  {
    method: "POST",
    path: "/v1/invoices/:id/finalize",
    handler: (sim, { pathParams, params }) => {
      const inv = getTyped(sim, "invoice", pathParams.id, "invoice");
      if (inv.status !== "draft") throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", null, "invoice_not_editable");
      if (params.auto_advance !== undefined) inv.auto_advance = bool(params.auto_advance);
      finalizeInvoice(sim, inv);
      return inv;
    },
  },
  {
    method: "POST",
    path: "/v1/invoices/:id/void",
    handler: (sim, { pathParams }) => {
      const inv = getTyped(sim, "invoice", pathParams.id, "invoice");
      if (inv.status !== "open" && inv.status !== "uncollectible") {
        throw invalidRequest(`You can only void an open or uncollectible invoice; this one is ${inv.status}.`, null, "invoice_not_open");
      }
      const now = sim.now();
      const previous = change(inv, {
        status: "void",
        next_payment_attempt: null,
        status_transitions: { ...inv.status_transitions, voided_at: now },
      });
      sim.store.put(inv);
      for (const p of sim.store.page("invoice_payment", { limit: 100, filter: (x) => x.invoice === inv.id && x.status === "open" }).data) {
        Object.assign(p, { status: "canceled", status_transitions: { ...p.status_transitions, canceled_at: now } });
        sim.store.put(p);
      }
      emit(sim, "invoice.voided", inv, previous);
      return inv;
    },
  },
  {
    method: "POST",
    path: "/v1/invoices/:id/mark_uncollectible",
    handler: (sim, { pathParams }) => {
      const inv = getTyped(sim, "invoice", pathParams.id, "invoice");
      if (inv.status !== "open") throw invalidRequest(`You can only mark an open invoice as uncollectible; this one is ${inv.status}.`, null, "invoice_not_open");
      const previous = change(inv, {
        status: "uncollectible",
        next_payment_attempt: null,
        status_transitions: { ...inv.status_transitions, marked_uncollectible_at: sim.now() },
      });
      sim.store.put(inv);
      emit(sim, "invoice.marked_uncollectible", inv, previous);
      return inv;
    },
  },
  {
    method: "GET",
    path: "/v1/invoices/:id/lines",
    handler: (sim, { pathParams }) => {
      const inv = getTyped(sim, "invoice", pathParams.id, "invoice");
      return inv.lines;
    },
  },
  {
    method: "GET",
    path: "/v1/invoice_payments/:id",
    handler: (sim, { pathParams }) => getTyped(sim, "invoice_payment", pathParams.id, "invoice_payment"),
  },
  {
    method: "GET",
    path: "/v1/invoice_payments",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      if (params.status) extra.push((o) => o.status === params.status);
      const payment = params.payment;
      if (payment && typeof payment === "object") {
        if (payment.payment_intent) extra.push((o) => o.payment?.payment_intent === payment.payment_intent);
        if (payment.charge) extra.push((o) => o.payment?.charge === payment.charge);
      }
      return listResponse(sim, "invoice_payment", "/v1/invoice_payments", params, { invoice: "invoice" }, extra);
    },
  },
];
