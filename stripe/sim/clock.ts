// The simulator clock: like a Stripe test clock, it only moves when told to, and due transitions run as it passes them.

export interface Transitions {
  /** The earliest time at which something is due, or null. */
  nextDue(): number | null;
  /** Runs everything due at or before `at` (the clock reads `at` meanwhile). */
  runDue(at: number): void;
}

export class SimClock {
  private t: number;
  private moving = false;

  constructor(
    start: number,
    private readonly transitions: Transitions,
    private readonly afterMove: () => void,
  ) {
    this.t = Math.floor(start);
  }

  now(): number {
    return this.t;
  }

  async set(target: number): Promise<void> {
    target = Math.floor(target);
    if (!Number.isFinite(target)) throw new Error("clock.set needs a number of unix seconds");
    if (target < this.t) throw new Error(`the simulator clock cannot go back (now ${this.t}, asked ${target})`);
    if (this.moving) throw new Error("the simulator clock is already moving");
    this.moving = true;
    try {
      // Each due item runs at its own time so its events carry the right `created`; a cap stops runaway loops.
      for (let guard = 0; guard < 100_000; guard++) {
        const due = this.transitions.nextDue();
        if (due === null || due > target) break;
        this.t = Math.max(this.t, due);
        this.transitions.runDue(this.t);
      }
      this.t = target;
    } finally {
      this.moving = false;
      this.afterMove();
    }
  }

  advance(seconds: number): Promise<void> {
    if (!(seconds >= 0)) return Promise.reject(new Error("clock.advance needs seconds >= 0"));
    return this.set(this.t + seconds);
  }
}
