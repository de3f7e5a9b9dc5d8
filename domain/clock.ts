// The injected clock: billops reads time only from here, so evals, the simulator and replay control it.
export interface Clock {
  /** Unix seconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** A clock that only moves when told to (evals and tests); it may follow another clock, like the simulator's. */
export function manualClock(start: number): Clock & { set(t: number): void; advance(seconds: number): void } {
  let t = start;
  return {
    now: () => t,
    set: (v) => {
      t = v;
    },
    advance: (s) => {
      t += s;
    },
  };
}
