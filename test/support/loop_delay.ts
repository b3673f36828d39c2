/**
 * How late this process's timers ran while a test measured something against a deadline. A
 * deadline is kept by a timer; on a loaded machine the timer (and whatever follows it) runs as
 * late as the event loop is delayed, so a bound "within the deadline" is `deadlineMs` plus the
 * delay measured over the same span, not a hand-picked slack.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelayWatch {
  /** Stops watching; resolves with the longest interval seen (ms, the sampling period included). */
  stop(): Promise<number>;
}

export function watchLoopDelay(resolutionMs = 10): LoopDelayWatch {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  return {
    async stop() {
      // One more sample, so a delay at the very end is recorded too.
      await new Promise((r) => setTimeout(r, resolutionMs * 2));
      h.disable();
      return h.max / 1e6;
    },
  };
}
