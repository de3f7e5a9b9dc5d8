// The clock of a process that talks to a Stripe-compatible endpoint: a billops simulator keeps its own clock (it moves
// only when told, like a Stripe test clock), so every process reads that one; anything else runs on the wall clock.
import { systemClock, type Clock } from "../domain/clock.js";
import type { Logger } from "../telemetry/log.js";

/** How often the simulator's clock is read again: its clock jumps when a test or a person advances it. */
const REFRESH_MS = 1000;

export interface EndpointClock extends Clock {
  /** "simulator" when the endpoint answered /_sim/clock, else "system". */
  source: "simulator" | "system";
  stop(): void;
}

async function simulatorNow(base: string): Promise<number | null> {
  try {
    const res = await fetch(new URL("/_sim/clock", base), { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    const body = (await res.json()) as { now?: unknown };
    return typeof body.now === "number" && Number.isFinite(body.now) ? body.now : null;
  } catch {
    return null;
  }
}

/**
 * The simulator's clock as an offset from the wall clock, refreshed every second; the wall clock when the endpoint
 * is not a billops simulator (stripe-mock, a proxy to Stripe). Webhook signatures are checked against this clock,
 * so web and worker processes agree with the simulator that signs them.
 */
export async function endpointClock(base: string, logger: Logger): Promise<EndpointClock> {
  const first = await simulatorNow(base);
  if (first === null) return { now: systemClock.now, source: "system", stop: () => undefined };
  let offset = first - Date.now() / 1000;
  const timer = setInterval(() => {
    void simulatorNow(base).then((t) => {
      if (t === null) logger.warn({ base }, "the simulator's clock did not answer; keeping the last offset");
      else offset = t - Date.now() / 1000;
    });
  }, REFRESH_MS);
  timer.unref();
  return { now: () => Math.floor(Date.now() / 1000 + offset), source: "simulator", stop: () => clearInterval(timer) };
}
