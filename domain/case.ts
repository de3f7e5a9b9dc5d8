// Case keys and their thread ids: one business object = one case = one LangGraph thread.
import { createHash } from "node:crypto";

export type CaseKind = "invoice" | "subscription" | "dispute" | "charge" | "request";

export interface CaseKey {
  kind: CaseKind;
  id: string;
}

/** A fixed namespace so every billops installation maps a case key to the same thread id. */
export const CASE_NAMESPACE = "6f1d3f9e-5c1a-4b8e-9a57-0b1110b5e001";

export function caseKeyString(key: CaseKey): string {
  return `${key.kind}:${key.id}`;
}

export function parseCaseKey(text: string): CaseKey {
  const i = text.indexOf(":");
  const kind = text.slice(0, i) as CaseKind;
  const id = text.slice(i + 1);
  if (i <= 0 || !id || !["invoice", "subscription", "dispute", "charge", "request"].includes(kind)) {
    throw new Error(`not a case key: ${JSON.stringify(text)}`);
  }
  return { kind, id };
}

/** RFC 4122 UUID version 5 (SHA-1, name-based): Agent Server and Agent Inbox expect UUID thread ids. */
export function uuidV5(name: string, namespace: string = CASE_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function threadIdFor(caseKey: string): string {
  return uuidV5(caseKey);
}
