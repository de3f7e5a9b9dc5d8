// The chaos suite's actors (bench/chaos.ts): Stripe sending signed webhooks, and people answering approvals.
import Stripe from "stripe";
import type { Sent } from "./chaos-world.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `senders` concurrent senders over `deliveries` in order; each delivery is retried until a 200, up to 30 times. */
export function startSenders(web: string, deliveries: Sent[], o: { senders: number; secret: string; timestamp: number }) {
  const stripe = new Stripe("sk_test_chaos", { telemetry: false });
  const unacknowledged: string[] = [];
  let next = 0;
  const sendOne = async (s: Sent) => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      try {
        const header = stripe.webhooks.generateTestHeaderString({ payload: s.payload, secret: o.secret, timestamp: o.timestamp });
        const res = await fetch(`${web}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body: s.payload, signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        /* the web process is busy or down: again, later */
      }
      await sleep(100 * attempt);
    }
    unacknowledged.push(s.id);
  };
  const done = Promise.all(
    Array.from({ length: o.senders }, async () => {
      while (next < deliveries.length) await sendOne(deliveries[next++]!);
    }),
  ).then(() => undefined);
  return { done, unacknowledged, sent: () => next };
}

/**
 * Accepts every pending approval through the web process, retrying an answer that failed for a passing reason. It
 * waits until `burst` approvals are pending and sends their answers all at once (people answering their queues
 * together: an answer storm on one web process, whose pool holds ten connections); after `flush()` it answers
 * whatever is pending.
 */
export function startApprover(web: string, token: string, o: { burst: number }) {
  const answers = { accepted: 0, conflicts: 0, errors: 0, timeouts: 0 };
  const answered = new Set<string>();
  let approving = true;
  let flushing = false;
  let storms = 0;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${web}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const pending = async (): Promise<{ id: string }[] | null> => {
    try {
      const res = await api("GET", "/approvals?status=pending&limit=500");
      return res.ok ? ((await res.json()) as { data: { id: string }[] }).data : null;
    } catch {
      answers.timeouts++;
      return null;
    }
  };
  const loop = (async () => {
    while (approving) {
      const todo = ((await pending()) ?? []).filter((a) => !answered.has(a.id));
      if (todo.length < o.burst && !flushing) {
        await sleep(200);
        continue;
      }
      if (todo.length >= o.burst) storms++;
      await Promise.all(
        todo.map(async (a) => {
          for (let attempt = 1; attempt <= 5; attempt++) {
            try {
              const res = await api("POST", `/approvals/${a.id}`, { type: "accept" });
              await res.arrayBuffer();
              if (res.ok || res.status === 409) {
                // 409: answered already (a retry of an answer that went through) or superseded by a newer event.
                res.ok ? answers.accepted++ : answers.conflicts++;
                answered.add(a.id);
                return;
              }
              answers.errors++;
            } catch {
              answers.timeouts++;
            }
            await sleep(200 * attempt);
          }
        }),
      );
      await sleep(300);
    }
  })();
  return {
    answers,
    /** Rounds that answered `burst` or more approvals at once. */
    storms: () => storms,
    /** From now on answer whatever is pending, however few. */
    flush(): void {
      flushing = true;
    },
    /** Every approval pending now has been answered (null: the web process did not say). */
    async allAnswered(): Promise<boolean | null> {
      const list = await pending();
      return list === null ? null : list.every((a) => answered.has(a.id));
    },
    /** Stops answering; answers still in flight (a web process that hangs) are left behind after 5 s. */
    async stop(): Promise<void> {
      approving = false;
      await Promise.race([loop, sleep(5000)]);
    },
  };
}
