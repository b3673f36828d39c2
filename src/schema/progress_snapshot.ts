/**
 * The progress snapshot: a small message the plugin sends while a call runs (every few seconds,
 * and when the stage changes), so the worker can show calls in progress. Its own message kind on
 * the queue (attribute `kind=progress`); the final session payload is unchanged and still the only
 * record of a call. Snapshots are disposable: a lost one is replaced by the next, and the worker
 * forgets a call when its final payload lands or its snapshots stop.
 */
import { z } from 'zod';
import { ERROR_COMPONENTS, SIGNAL_NAMES, Stage } from './session_payload.js';

export const PROGRESS_VERSION = 1 as const;

const IsoTime = z.iso.datetime({ offset: true });
const Ms = z.number().nonnegative().nullable();

export const ProgressSnapshotV1 = z
  .object({
    kind: z.literal('progress'),
    version: z.literal(PROGRESS_VERSION),
    session_id: z.string().min(1).max(200),
    /** 1, 2, … per call: a late snapshot never replaces a newer one. */
    seq: z.number().int().positive(),
    /** When it was taken, and why (`interval`, `stage`: the stage changed, `start`). */
    at: IsoTime,
    reason: z.enum(['start', 'interval', 'stage']),
    started_at: IsoTime,
    agent: z.object({ name: z.string().min(1), version: z.string(), prompt_version: z.string() }).strict(),
    stage: Stage,
    turns: z.number().int().nonnegative(),
    user_messages: z.number().int().nonnegative(),
    /** Names of the qualification signals stated so far (values stay in the final payload). */
    signals: z.array(z.enum(SIGNAL_NAMES)),
    tool_calls: z.number().int().nonnegative(),
    latency: z
      .object({
        /** The last turn's end-to-end latency, and the median over the call so far. */
        e2e_last_ms: Ms,
        e2e_p50_ms: Ms,
        llm_ttft_last_ms: Ms,
      })
      .strict(),
    errors: z
      .object({
        total: z.number().int().nonnegative(),
        by_component: z.partialRecord(z.enum(ERROR_COMPONENTS), z.number().int().nonnegative()),
      })
      .strict(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type ProgressSnapshot = z.infer<typeof ProgressSnapshotV1>;

export type ParseProgressResult = { ok: true; snapshot: ProgressSnapshot } | { ok: false; error: string };

export function parseProgressSnapshot(raw: string | unknown): ParseProgressResult {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch (err) {
      return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
    }
  }
  const r = ProgressSnapshotV1.safeParse(data);
  if (r.success) return { ok: true, snapshot: r.data };
  const first = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: `progress snapshot does not match v1: ${first}` };
}
