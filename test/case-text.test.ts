// A NUL or a lone surrogate in a customer's name, an invoice's text or a support request does not stop its case: the
// case runs once, to the same decision, with U+FFFD where the character was (it used to fail five times and stop, so
// a dispute's evidence never reached a person).
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./support/stack.js";
import { insertEvent, listEvents } from "../engine/inbox/index.js";
import { listAudit } from "../store/audit.js";
import { getCase } from "../store/cases.js";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const HOSTILE_NAMES = [
  ["a NUL", "Grace\u0000 Hopper", "Grace\ufffd Hopper"],
  ["a lone surrogate", "Grace Hopper \ud83d", "Grace Hopper \ufffd"],
  ["both", "\u0000Grace\ude00", "\ufffdGrace\ufffd"],
] as const;

async function eventsOf(s: Stack) {
  return (await listEvents(s.db.pool, { limit: 500 })).map((e) => ({ id: e.id, status: e.status, attempts: e.attempts }));
}

describe("a dispute whose customer's name holds text PostgreSQL refuses", () => {
  it.each(HOSTILE_NAMES)("with %s: evidence is staged once and the approval reaches a person", async (_what, name, shown) => {
    const scenario = fixture("example_dispute_credit_not_processed.json");
    scenario.stripe.customers[0].name = name;
    stack = await startStack({ now: scenario.now, seed: scenario.stripe });
    const created = scenario.steps[0].event;
    stack.sim.applyEventObject(created);
    await stack.sim.webhooks.deliver(created);
    await stack.quiet();

    const events = await eventsOf(stack);
    expect(events.find((e) => e.id === created.id)).toMatchObject({ status: "done", attempts: 1 });
    expect(events.every((e) => e.status === "done" || e.status === "ignored")).toBe(true);
    const pending = (await stack.api("GET", "/approvals")).body.data;
    expect(pending).toHaveLength(1);
    expect(pending[0].action).toBe("submit_evidence");
    // The evidence went to Stripe once (submit=false), with the name as people can read it.
    const staged = stack.sim.log.writes().filter((w) => w.path === `/v1/disputes/${created.data.object.id}`);
    expect(staged).toHaveLength(1);
    expect(staged[0]!.params["evidence[customer_name]"]).toBe(shown);
    expect(JSON.stringify(pending[0].args)).toContain(shown);
  });
});

describe("a failed invoice whose customer's name and description hold a NUL", () => {
  it("is decided once, and the customer's email is in the outbox", async () => {
    const scenario = fixture("example_dunning_insufficient_funds_second_attempt.json");
    scenario.stripe.customers[0].name = "Ada\u0000 Lovelace";
    const event = scenario.steps[0].event;
    event.data.object.customer_name = "Ada\u0000 Lovelace";
    event.data.object.description = "Pro plan \ud800 renewal";
    stack = await startStack({ now: scenario.now, seed: scenario.stripe });
    stack.sim.applyEventObject(event);
    await stack.sim.webhooks.deliver(event);
    await stack.quiet();
    expect((await eventsOf(stack)).find((e) => e.id === event.id)).toMatchObject({ status: "done", attempts: 1 });
    const caseKey = `invoice:${event.data.object.id}`;
    const decision = (await listAudit(stack.db.pool, caseKey)).find((a) => a.kind === "decision");
    expect(scenario.expect.action_in).toContain(decision?.data.action);
    const mail = (await stack.api("GET", `/notifications?case=${encodeURIComponent(caseKey)}`)).body.data;
    expect(mail).toHaveLength(1);
    expect(mail[0].body).toContain("Hello Ada\ufffd Lovelace,");
  });
});

describe("a support request stored with a NUL in its customer and message", () => {
  it("runs to a decision instead of failing on every retry", async () => {
    // Past the HTTP API (which refuses control characters): a request already in the inbox, as before that check.
    stack = await startStack();
    await insertEvent(stack.db.pool, {
      id: "request:req_nul",
      type: "billops.support_request",
      caseKey: "request:req_nul",
      source: "request",
      payload: { id: "req_nul", customer: "cus_\u0000A", message: "please cancel\u0000 my plan \ud83d", created: 1796300000 },
    });
    stack.billops.worker!.wake();
    await stack.quiet();
    expect(await eventsOf(stack)).toEqual([{ id: "request:req_nul", status: "done", attempts: 1 }]);
    const row = await getCase(stack.db.pool, "request:req_nul");
    expect(row?.customer).toBe("cus_\ufffdA");
    expect((await listAudit(stack.db.pool, "request:req_nul")).length).toBeGreaterThan(0);
  });
});
