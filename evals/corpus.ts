// A labelled corpus of support messages (`*.corpus.json`): its format, and each message as a scenario the runner can
// run. A message's scenario passes when billops wrote to Stripe by itself nothing but what its label allows.
import { z } from "zod";
import { ACTIONS } from "../domain/actions.js";

/** The scenario shapes a corpus produces (a subset of evals/scenario.ts's, which imports this module). */
export interface WriteMatch {
  method?: "POST" | "DELETE";
  path: string;
  body?: Record<string, string | number | boolean>;
}
export interface CorpusScenario {
  id: string;
  description: string;
  now: number;
  stripe: Record<string, Record<string, unknown>[]>;
  steps: { request: { id: string; customer: string; message: string; charge?: string; subscription?: string } }[];
  expect: { writes: { exclude: WriteMatch[] } };
}

const ALL_ACTIONS = [...new Set(Object.values(ACTIONS).flat())] as [string, ...string[]];
export const OUTCOMES = ["automatic", "person", "record"] as const;

export const CorpusMessageSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, "lower-case letters, digits and dashes"),
  world: z.string().min(1),
  /** ISO 639-1 of the message. */
  lang: z.string().min(2).max(3),
  /** What kind of message it is (cancel, negation, question, multi, other_language, not_billing, …): for the figures. */
  kind: z.string().min(1),
  /** `holdout`: written and labelled after the rules were tuned on the rest, and reported apart. */
  set: z.enum(["tuning", "holdout"]).optional(),
  text: z.string().min(1),
  /** Every ask in the message, as a person reads it (nodes/supervisor/understanding's names). */
  intents: z.array(z.string()),
  target: z.record(z.string(), z.unknown()).optional(),
  /** What the support tool attached to the request (a charge or subscription of the world's customer). */
  attached: z.strictObject({ charge: z.string().optional(), subscription: z.string().optional() }).optional(),
  /** The right outcome under the rules decider. */
  outcome: z.enum(OUTCOMES),
  /** For `automatic`: the action billops may take by itself. */
  action: z.enum(ALL_ACTIONS).optional(),
});

export const CorpusSchema = z
  .strictObject({
    corpus: z.string().min(1),
    description: z.string().optional(),
    now: z.number().int().positive(),
    /** The customer every message comes from (each world has it). */
    customer: z.string().min(1),
    worlds: z.record(z.string(), z.record(z.string(), z.array(z.looseObject({ id: z.string() })))),
    messages: z.array(CorpusMessageSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    for (const [i, m] of c.messages.entries()) {
      if (ids.has(m.id)) ctx.addIssue({ code: "custom", path: ["messages", i, "id"], message: `"${m.id}" appears twice` });
      ids.add(m.id);
      if (!c.worlds[m.world]) ctx.addIssue({ code: "custom", path: ["messages", i, "world"], message: `no world "${m.world}" (have ${Object.keys(c.worlds).join(", ")})` });
      if (m.outcome === "automatic" && !m.action) ctx.addIssue({ code: "custom", path: ["messages", i, "action"], message: "an automatic outcome names its action" });
    }
  });

export type Corpus = z.infer<typeof CorpusSchema>;
export type CorpusMessage = z.infer<typeof CorpusMessageSchema>;

const SUB = "^/v1/subscriptions/[^/]+$";
/** The Stripe writes each kind of action makes, as the simulator's request log shows them. */
const WRITES: Record<string, WriteMatch[]> = {
  cancel_at_period_end: [{ method: "POST", path: SUB, body: { cancel_at_period_end: "true" } }],
  cancel_immediately: [{ method: "DELETE", path: "^/v1/subscriptions/" }, { method: "POST", path: "^/v1/invoices/[^/]+/(void|mark_uncollectible)$" }],
  upgrade: ["always_invoice", "create_prorations", "none"].map((p) => ({ method: "POST" as const, path: SUB, body: { proration_behavior: p } })),
  downgrade: [{ method: "POST", path: "^/v1/subscription_schedules" }],
  pause_collection: ["void", "keep_as_draft", "mark_uncollectible"].map((b) => ({ method: "POST" as const, path: SUB, body: { "pause_collection[behavior]": b } })),
  refund: [{ method: "POST", path: "^/v1/refunds" }],
  retry_immediately: [{ method: "POST", path: "^/v1/invoices/[^/]+/pay$" }],
  dispute: [{ method: "POST", path: "^/v1/disputes/" }],
};
const GROUP_OF: Record<string, string> = { refund_full: "refund", refund_partial: "refund", stage_evidence: "dispute", submit_evidence: "dispute", accept_dispute: "dispute" };

/** Every Stripe write billops could make by itself except those of `allowed` (none for person and record). */
export function forbiddenWrites(allowed: string | null): WriteMatch[] {
  const keep = allowed ? (GROUP_OF[allowed] ?? allowed) : null;
  return Object.entries(WRITES).flatMap(([group, matches]) => (group === keep ? [] : matches));
}

/** The request a message is sent as; `own` renames the world's ids (a test that runs every message in one world). */
export function requestOf(c: Corpus, m: CorpusMessage, own: (id: string) => string = (id) => id): { id: string; customer: string; message: string; charge?: string; subscription?: string } {
  return {
    id: `req_${m.id.replace(/-/g, "_")}`,
    customer: own(c.customer),
    message: m.text,
    ...(m.attached?.charge ? { charge: own(m.attached.charge) } : {}),
    ...(m.attached?.subscription ? { subscription: own(m.attached.subscription) } : {}),
  };
}

/** One scenario per message: its world, its request, and no Stripe write other than what the label allows. */
export function corpusScenarios(c: Corpus): CorpusScenario[] {
  return c.messages.map((m) => ({
    id: `corpus/${m.id}`,
    description: `${m.kind} (${m.lang}): ${m.text.slice(0, 120)} → ${m.outcome}${m.action ? ` ${m.action}` : ""}`,
    now: c.now,
    stripe: structuredClone(c.worlds[m.world]!),
    steps: [{ request: requestOf(c, m) }],
    // Only a wrong write fails a message: one the rules hand to a person instead of doing (or recording) it is a
    // miss the test suite counts (test/corpus.test.ts), not a wrong action.
    expect: { writes: { exclude: forbiddenWrites(m.outcome === "automatic" ? m.action! : null) } },
  }));
}
