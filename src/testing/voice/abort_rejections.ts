/**
 * `@livekit/agents-plugin-openai` 1.9's TTS treats only errors named `AbortError` as a cancelled
 * request; the OpenAI SDK names it `APIUserAbortError`, so a reply interrupted while its speech
 * is being synthesised leaves an unhandled rejection behind (Node then exits). The voice demo and
 * benchmark install this handler in `main`: it ignores exactly that error, counts it, and lets
 * every other rejection crash the process as usual.
 */
let installed = false;
let ignored = 0;

export function ignoreTtsAbortRejections(): { ignored: () => number } {
  if (!installed) {
    installed = true;
    process.on('unhandledRejection', (reason: unknown) => {
      if (
        reason instanceof Error &&
        (reason.name === 'APIUserAbortError' || reason.constructor.name === 'APIUserAbortError')
      ) {
        ignored++;
        return;
      }
      // Same as Node's default for an unhandled rejection.
      process.nextTick(() => {
        throw reason;
      });
    });
  }
  return { ignored: () => ignored };
}
