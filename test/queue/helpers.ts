/** Small helpers shared by the queue tests. */
import { randomBytes } from 'node:crypto';
import type { MessageHandler, QueueConsumer } from '../../src/queue/index.js';
import type { SessionPayload } from '../../src/schema/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Payloads with distinct session ids. */
export function payloads(n: number, prefix = 'sess'): SessionPayload[] {
  return Array.from({ length: n }, (_, i) => samplePayload({ session_id: `${prefix}_${i}` }));
}

/** A payload with a large transcript: repetitive text (gzips well) or random text (does not). */
export function bigPayload(
  sessionId: string,
  bytes: number,
  kind: 'compressible' | 'random',
): SessionPayload {
  const text =
    kind === 'random'
      ? randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64')
      : 'hello there. '.repeat(bytes / 13);
  return samplePayload({ session_id: sessionId, transcript: [{ role: 'user', text, at: null }] });
}

export function sessionIdOf(body: string): string {
  return (JSON.parse(body) as { session_id: string }).session_id;
}

/**
 * Wraps handlers so a test can see every delivery and catch one message being handled twice at
 * the same time (across consumers sharing the tracker).
 */
export function tracker() {
  const inFlight = new Set<string>();
  const handled = new Map<string, number>();
  const byConsumer = new Map<string, number>();
  let overlaps = 0;
  return {
    inFlight,
    handled,
    byConsumer,
    get overlaps() {
      return overlaps;
    },
    wrap(name: string, inner: MessageHandler = async () => {}, holdMs = 5): MessageHandler {
      return async (m, ctx) => {
        const id = sessionIdOf(m.body);
        if (inFlight.has(id)) overlaps += 1;
        inFlight.add(id);
        try {
          await new Promise((r) => setTimeout(r, holdMs));
          await inner(m, ctx);
          handled.set(id, (handled.get(id) ?? 0) + 1);
          byConsumer.set(name, (byConsumer.get(name) ?? 0) + 1);
        } finally {
          inFlight.delete(id);
        }
      };
    },
  };
}

/** Runs `consumer` until `done()` holds, then stops it. */
export async function consumeUntil(
  consumer: QueueConsumer,
  handler: MessageHandler,
  done: () => boolean,
  opts: { timeoutMs: number; concurrency?: number },
): Promise<void> {
  const run = consumer.run(handler, { concurrency: opts.concurrency ?? 4 });
  try {
    await waitFor(done, opts.timeoutMs, 'messages');
  } finally {
    await consumer.stop({ deadlineMs: 2000 });
    await run;
  }
}

/** Runs `consumer` until it has handled `count` messages; their session ids, in handling order. */
export async function consumeSessionIds(
  consumer: QueueConsumer,
  count: number,
  opts: { timeoutMs: number; concurrency?: number } = { timeoutMs: 5000 },
): Promise<string[]> {
  const seen: string[] = [];
  await consumeUntil(
    consumer,
    async (m) => void seen.push(sessionIdOf(m.body)),
    () => seen.length >= count,
    opts,
  );
  return seen;
}
