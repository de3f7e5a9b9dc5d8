// The rules classifier for free-text support requests: route, intent and parameters from the request understanding
// (./understanding); the text is data, never instructions.
import type { RequestClassification, SupportRequest } from "../proposal.js";
import { classificationOf, understandRequest, type Understanding } from "./understanding/index.js";

/** The request as the rules read it; `understanding` when the caller already has it (the supervisor does). */
export function classifyRequest(request: SupportRequest, understanding?: Understanding): RequestClassification {
  const u = understanding ?? understandRequest(request.message ?? "", { subscription: request.subscription, charge: request.charge });
  return { ...classificationOf(u, request), understanding: u };
}
