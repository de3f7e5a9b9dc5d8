// A brake on guessing approver tokens: a client address that fails authentication (bearer, x-api-key or the inbox
// sign-in) too often in a window is refused, right or wrong, until the window ends. Kept in memory per web process:
// tokens are long and random, so the brake only has to make guessing slow, not count across a fleet.
export interface AuthThrottleOptions {
  /** Failures allowed per address and window (default 10). */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
  /** Addresses remembered at most (default 10,000): a flood of addresses cannot grow memory without bound. */
  maxAddresses?: number;
  now?: () => number;
}

export interface AuthThrottle {
  /** Seconds until this address may try again, or 0 when it may try now. */
  retryAfter(address: string): number;
  /**
   * Counts a failure. A success does not wipe the count: a client sharing an address with a guesser (one NAT, one
   * proxy) would otherwise reset the guesser's window every time it authenticates.
   */
  failed(address: string): void;
}

export function createAuthThrottle(o: AuthThrottleOptions = {}): AuthThrottle {
  const maxFailures = o.maxFailures ?? 10;
  const windowMs = o.windowMs ?? 15 * 60_000;
  const maxAddresses = o.maxAddresses ?? 10_000;
  const now = o.now ?? Date.now;
  // Insertion order is age order: the first entries are the oldest windows.
  const windows = new Map<string, { failures: number; endsAt: number }>();

  function live(address: string) {
    const w = windows.get(address);
    if (w && w.endsAt <= now()) {
      windows.delete(address);
      return undefined;
    }
    return w;
  }

  return {
    retryAfter(address) {
      const w = live(address);
      return w && w.failures >= maxFailures ? Math.max(1, Math.ceil((w.endsAt - now()) / 1000)) : 0;
    },
    failed(address) {
      const w = live(address);
      if (w) {
        w.failures++;
        return;
      }
      if (windows.size >= maxAddresses) {
        for (const [a, x] of windows) if (x.endsAt <= now()) windows.delete(a);
        // Still full: forget the oldest window rather than grow.
        if (windows.size >= maxAddresses) windows.delete(windows.keys().next().value!);
      }
      windows.set(address, { failures: 1, endsAt: now() + windowMs });
    },
  };
}
