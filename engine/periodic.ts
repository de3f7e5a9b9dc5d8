// A pass that runs now and then again every interval after it finishes (never two at once), until stopped.
// The scheduler and the notification sender are both this loop around their own pass.
import type { Logger } from "../telemetry/log.js";

export interface Periodic {
  /** Runs a pass now (also while the loop waits); resolves when it is done. */
  tick(): Promise<void>;
  /** Stops the loop and waits for a pass in flight. */
  stop(): Promise<void>;
}

export function startPeriodic(pass: () => Promise<void>, opts: { intervalMs: number; logger: Logger; name: string }): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () =>
    pass().catch((err) => {
      opts.logger.error({ err }, `${opts.name} pass failed`);
    });
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, opts.intervalMs);
    });
  };
  loop();
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
