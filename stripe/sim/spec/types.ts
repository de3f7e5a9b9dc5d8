// The shape of stripe-api.json: Stripe's endpoints and objects as stripe-node's types declare them.

/** What one request parameter accepts (several kinds when the SDK's type is a union). */
export interface ParamSchema {
  string?: boolean;
  number?: boolean;
  boolean?: boolean;
  /** The only strings it takes (Stripe's enums). */
  enum?: string[];
  /** `""` (or null) unsets it: Stripe's Emptyable. */
  emptyable?: boolean;
  /** A hash with these keys. */
  object?: Record<string, ParamSchema>;
  /** A hash of any keys (metadata). */
  map?: boolean;
  /** A list of these. */
  array?: ParamSchema;
  any?: boolean;
}

export interface FieldShape {
  kinds: string[];
  /** Object types the field may hold (`[]` prefix: a list of them). */
  refs?: string[];
  optional?: boolean;
}

export interface ObjectShape {
  fields: Record<string, FieldShape>;
}

export interface StripeApiSpec {
  sdk: string;
  /** Keyed by `METHOD /v1/path/:/…` (path parameters unnamed). */
  endpoints: Record<string, { sdk: string; params: ParamSchema; returns: string | null }>;
  objects: Record<string, ObjectShape>;
}

/** stripe-api.json: what the simulator reads at run time. */
export interface RuntimeSpec {
  sdk: string;
  endpoints: Record<string, { params: ParamSchema; returns: string | null }>;
  /** Per object type, the fields that hold other objects; `expandable` when Stripe sends an id there unless expanded. */
  objects: Record<string, Record<string, { expandable: boolean; refs: string[] }>>;
}
