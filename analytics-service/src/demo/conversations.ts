/**
 * The demo's bundled prospect conversations (`analytics-service/demo/conversations/*.json`).
 *
 * A conversation is a list of steps. The first step has no `user` line: it is the agent's
 * greeting. Every other step is one prospect line and the agent's scripted actions for it, in
 * order: `say` (text the model answers) or `tool` (a tool call the model makes; the real tool
 * runs). A `{ "disconnect": true }` step hangs up the participant at that point. A booking's
 * `time` is relative (`{ weekdays_ahead, hour_local }`) so it is always a future weekday in
 * working hours; it is resolved when the conversation is replayed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { OUTCOMES } from '../../../src/schema/index.js';

const RelativeTime = z.object({
  weekdays_ahead: z.number().int().min(1).max(20),
  hour_local: z.number().int().min(9).max(16),
});

const Action = z.union([
  z.object({ say: z.string().min(1) }).strict(),
  z
    .object({
      tool: z.string().min(1),
      args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), RelativeTime])),
    })
    .strict(),
]);
export type Action = z.infer<typeof Action>;

const Step = z.union([
  z.object({ user: z.string().min(1).optional(), agent: z.array(Action).min(1) }).strict(),
  z.object({ disconnect: z.literal(true) }).strict(),
]);
export type Step = z.infer<typeof Step>;

export const Conversation = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    summary: z.string(),
    expect: z.object({ outcome: z.enum(OUTCOMES) }).strict(),
    steps: z.array(Step).min(2),
  })
  .strict();
export type Conversation = z.infer<typeof Conversation>;

export type RelativeTime = z.infer<typeof RelativeTime>;

/** Reads and validates every `*.json` in `dir`, ordered by file name. */
export async function loadConversations(dir: string): Promise<Conversation[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const out: Conversation[] = [];
  for (const f of files) {
    const parsed = Conversation.safeParse(JSON.parse(await readFile(join(dir, f), 'utf8')));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new Error(`${f}: ${first?.path.join('.') ?? ''} ${first?.message ?? 'invalid conversation'}`);
    }
    out.push(parsed.data);
  }
  return out;
}

/** The prospect lines in order (the user turns that drive the session). */
export function userLines(c: Conversation): string[] {
  return c.steps.flatMap((s) => ('user' in s && s.user ? [s.user] : []));
}
