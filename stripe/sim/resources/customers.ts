// Customers: create, retrieve, update, delete, list, and a customer's payment methods.
import { change, emit, getTyped, listResponse, mergeMetadata, type SimCore } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest } from "../errors.js";
import type { Route } from "../routes.js";
import { attachPaymentMethod } from "./paymentMethods.js";

const FIELDS = ["email", "name", "description", "phone"] as const;

function customerOf(sim: SimCore, id: string) {
  if (sim.store.isDeleted(id)) return { id, object: "customer", deleted: true };
  return getTyped(sim, "customer", id, "id");
}

export const customerRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/customers",
    handler: (sim, { params }) => {
      const c = defaults.customer({}, sim.now());
      for (const f of FIELDS) if (params[f] !== undefined) c[f] = params[f] === "" ? null : params[f];
      c.metadata = mergeMetadata({}, params.metadata);
      if (params.address && typeof params.address === "object") c.address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null, ...params.address };
      sim.store.put(c);
      if (params.payment_method) attachPaymentMethod(sim, params.payment_method, c.id);
      const dpm = params.invoice_settings?.default_payment_method;
      if (dpm) {
        const pm = sim.store.get(dpm);
        if (!pm || pm.customer !== c.id) throw invalidRequest(`No such PaymentMethod: '${dpm}'`, "invoice_settings[default_payment_method]", "resource_missing");
        c.invoice_settings.default_payment_method = dpm;
      }
      emit(sim, "customer.created", c);
      return c;
    },
  },
  { method: "GET", path: "/v1/customers/:id", handler: (sim, { pathParams }) => customerOf(sim, pathParams.id!) },
  {
    method: "POST",
    path: "/v1/customers/:id",
    handler: (sim, { pathParams, params }) => {
      const c = getTyped(sim, "customer", pathParams.id, "id");
      const changes: Record<string, any> = {};
      for (const f of FIELDS) if (params[f] !== undefined) changes[f] = params[f] === "" ? null : params[f];
      if (params.metadata !== undefined) changes.metadata = mergeMetadata(c.metadata, params.metadata);
      if (params.invoice_settings && typeof params.invoice_settings === "object") {
        const dpm = params.invoice_settings.default_payment_method;
        if (dpm !== undefined && dpm !== "") {
          const pm = sim.store.get(dpm);
          if (!pm || pm.object !== "payment_method") throw invalidRequest(`No such PaymentMethod: '${dpm}'`, "invoice_settings[default_payment_method]", "resource_missing");
          if (pm.customer !== c.id) {
            throw invalidRequest(
              `The customer does not have a payment method with the ID ${dpm}. The payment method must be attached to the customer.`,
              "invoice_settings[default_payment_method]",
              "resource_missing",
            );
          }
        }
        changes.invoice_settings = { ...c.invoice_settings, ...(dpm !== undefined ? { default_payment_method: dpm === "" ? null : dpm } : {}) };
      }
      const previous = change(c, changes);
      sim.store.put(c);
      if (Object.keys(previous).length) emit(sim, "customer.updated", c, previous);
      return c;
    },
  },
  {
    method: "DELETE",
    path: "/v1/customers/:id",
    handler: (sim, { pathParams }) => {
      const c = getTyped(sim, "customer", pathParams.id, "id");
      sim.store.remove(c.id);
      emit(sim, "customer.deleted", c);
      return { id: c.id, object: "customer", deleted: true };
    },
  },
  {
    method: "GET",
    path: "/v1/customers",
    handler: (sim, { params }) => listResponse(sim, "customer", "/v1/customers", params, { email: "email" }),
  },
  {
    method: "GET",
    path: "/v1/customers/:id/payment_methods",
    handler: (sim, { pathParams, params }) => {
      getTyped(sim, "customer", pathParams.id, "customer");
      return listResponse(sim, "payment_method", `/v1/customers/${pathParams.id}/payment_methods`, { ...params, customer: pathParams.id }, {
        customer: "customer",
        type: "type",
      });
    },
  },
];
