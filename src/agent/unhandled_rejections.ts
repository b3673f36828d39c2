/**
 * What happens to a promise rejection nobody handled.
 *
 * `@livekit/agents-plugin-openai` 1.9's TTS treats only errors named `AbortError` as a cancelled
 * request; the OpenAI SDK names it `APIUserAbortError`. So every reply the caller interrupts while
 * its speech is still being synthesised leaves an unhandled rejection behind. What that does
 * depends on the process:
 * - a LiveKit job process: agents-js installs its own handler that logs every unhandled rejection
 *   at debug level, so the job survives, and real bugs are hidden with the harmless aborts;
 * - the console (agents-js runs it in-process, with no handler) and our demo and benchmark: Node's
 *   default ends the process on the first barge-in.
 * `installRejectionPolicy` sorts them: a TTS abort is counted and logged at debug; anything else is
 * logged at error with its reason and, where the process had no other handler, rethrown as Node
 * would (the process ends).
 */
import type { Logger } from 'pino';

export interface RejectionPolicyOptions {
  /** Where rejections are reported; defaults to `process`. */
  target?: NodeJS.EventEmitter;
  logger?: Pick<Logger, 'debug' | 'error'>;
  /** Rethrow any other rejection (Node's default). False in job processes, whose runner keeps them alive. */
  rethrowOthers: boolean;
  /** How a rethrow happens; tests replace it. */
  rethrow?: (reason: unknown) => void;
}

export interface RejectionPolicy {
  /** TTS aborts ignored so far. */
  ttsAborts(): number;
}

/** An OpenAI SDK abort: the TTS request of a reply that was interrupted. */
export function isTtsAbort(reason: unknown): boolean {
  return (
    reason instanceof Error &&
    (reason.name === 'APIUserAbortError' || reason.constructor.name === 'APIUserAbortError')
  );
}

const installed = new WeakMap<NodeJS.EventEmitter, RejectionPolicy>();

/** Installs the policy once per target; later calls return the first installation. */
export function installRejectionPolicy(options: RejectionPolicyOptions): RejectionPolicy {
  const target = options.target ?? process;
  const existing = installed.get(target);
  if (existing) return existing;
  let aborts = 0;
  const rethrow =
    options.rethrow ??
    ((reason: unknown) =>
      process.nextTick(() => {
        throw reason;
      }));
  target.on('unhandledRejection', (reason: unknown) => {
    if (isTtsAbort(reason)) {
      aborts++;
      options.logger?.debug(
        { ttsAborts: aborts },
        'interrupted TTS request aborted (agents-js openai plugin)',
      );
      return;
    }
    options.logger?.error(
      { err: reason instanceof Error ? reason : new Error(String(reason)) },
      'unhandled promise rejection',
    );
    if (options.rethrowOthers) rethrow(reason);
  });
  const policy = { ttsAborts: () => aborts };
  installed.set(target, policy);
  return policy;
}

/** The demo's and benchmark's form: aborts ignored, anything else ends the process as usual. */
export function ignoreTtsAbortRejections(): RejectionPolicy {
  return installRejectionPolicy({ rethrowOthers: true });
}
