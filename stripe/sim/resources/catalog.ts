// Products and prices: create, retrieve, update, list (prices filter by product, active, type, lookup_keys).
import { bool } from "../form.js";
import { change, emit, getTyped, listResponse, mergeMetadata, oneOf, requireAmount, type Filter } from "../core.js";
import * as defaults from "../defaults.js";
import { invalidRequest } from "../errors.js";
import { asArray } from "../form.js";
import type { Route } from "../routes.js";

export const catalogRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/products",
    handler: (sim, { params }) => {
      if (!params.name) throw invalidRequest("Missing required param: name.", "name", "parameter_missing");
      const p = defaults.product(
        {
          ...(params.id ? { id: params.id } : {}),
          name: params.name,
          description: params.description ?? null,
          active: bool(params.active) ?? true,
          metadata: mergeMetadata({}, params.metadata),
        },
        sim.now(),
      );
      if (sim.store.get(p.id)) throw invalidRequest(`Product already exists.`, "id", "resource_already_exists");
      sim.store.put(p);
      emit(sim, "product.created", p);
      return p;
    },
  },
  { method: "GET", path: "/v1/products/:id", handler: (sim, { pathParams }) => getTyped(sim, "product", pathParams.id, "id") },
  {
    method: "POST",
    path: "/v1/products/:id",
    handler: (sim, { pathParams, params }) => {
      const p = getTyped(sim, "product", pathParams.id, "id");
      const previous = change(p, {
        name: params.name,
        description: params.description === "" ? null : params.description,
        active: bool(params.active),
        metadata: params.metadata !== undefined ? mergeMetadata(p.metadata, params.metadata) : undefined,
      });
      if (Object.keys(previous).length) {
        p.updated = sim.now();
        sim.store.put(p);
        emit(sim, "product.updated", p, previous);
      }
      return p;
    },
  },
  {
    method: "GET",
    path: "/v1/products",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      const active = bool(params.active);
      if (active !== undefined) extra.push((o) => o.active === active);
      return listResponse(sim, "product", "/v1/products", params, {}, extra);
    },
  },
  {
    method: "POST",
    path: "/v1/prices",
    handler: (sim, { params }) => {
      if (!params.currency) throw invalidRequest("Missing required param: currency.", "currency", "parameter_missing");
      let productId = params.product as string | undefined;
      if (!productId && params.product_data?.name) {
        const p = defaults.product({ name: params.product_data.name, metadata: mergeMetadata({}, params.product_data.metadata) }, sim.now());
        sim.store.put(p);
        emit(sim, "product.created", p);
        productId = p.id;
      }
      if (!productId) throw invalidRequest("Missing required param: product.", "product", "parameter_missing");
      getTyped(sim, "product", productId, "product");
      const unit = requireAmount(params, "unit_amount");
      const recurring = params.recurring
        ? {
            interval: oneOf(params.recurring, "interval", ["day", "week", "month", "year"] as const) ?? "month",
            interval_count: Number(params.recurring.interval_count ?? 1),
            usage_type: params.recurring.usage_type ?? "licensed",
          }
        : null;
      const price = defaults.price(
        {
          currency: String(params.currency).toLowerCase(),
          product: productId,
          unit_amount: unit,
          nickname: params.nickname ?? null,
          lookup_key: params.lookup_key ?? null,
          active: bool(params.active) ?? true,
          metadata: mergeMetadata({}, params.metadata),
          recurring,
        },
        sim.now(),
      );
      sim.store.put(price);
      emit(sim, "price.created", price);
      return price;
    },
  },
  { method: "GET", path: "/v1/prices/:id", handler: (sim, { pathParams }) => getTyped(sim, "price", pathParams.id, "price") },
  {
    method: "POST",
    path: "/v1/prices/:id",
    handler: (sim, { pathParams, params }) => {
      const p = getTyped(sim, "price", pathParams.id, "price");
      const previous = change(p, {
        active: bool(params.active),
        nickname: params.nickname === "" ? null : params.nickname,
        lookup_key: params.lookup_key === "" ? null : params.lookup_key,
        metadata: params.metadata !== undefined ? mergeMetadata(p.metadata, params.metadata) : undefined,
      });
      sim.store.put(p);
      if (Object.keys(previous).length) emit(sim, "price.updated", p, previous);
      return p;
    },
  },
  {
    method: "GET",
    path: "/v1/prices",
    handler: (sim, { params }) => {
      const extra: Filter[] = [];
      const active = bool(params.active);
      if (active !== undefined) extra.push((o) => o.active === active);
      if (params.type) extra.push((o) => o.type === params.type);
      if (params.currency) extra.push((o) => o.currency === params.currency);
      const keys = asArray(params.lookup_keys);
      if (keys.length) extra.push((o) => keys.includes(o.lookup_key));
      return listResponse(sim, "price", "/v1/prices", params, { product: "product" }, extra);
    },
  },
];
