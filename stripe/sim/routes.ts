// The route table's types: a handler gets the simulator and the parsed request, returns the response object.
import type { SimCore } from "./core.js";

export interface ApiRequest {
  method: string;
  path: string;
  /** Nested parameters (form body, or query string for GET). */
  params: Record<string, any>;
  /** Named path segments, e.g. `id` for /v1/customers/:id. */
  pathParams: Record<string, string>;
}

export type Handler = (sim: SimCore, req: ApiRequest) => Record<string, any>;

export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string;
  handler: Handler;
}

export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { ...route, regex: new RegExp(`^${pattern}$`), names };
}
