/**
 * Fitting a payload into a driver's size limit, and reading it back.
 * Order: plain JSON → gzip (`content_encoding=gzip`) → drop bulky optional fields one step at a
 * time (`payload.truncated.dropped` lists them) → give up with an error. Never silent.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ProgressSnapshot, SessionPayload } from '../schema/index.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const ATTR_SCHEMA_VERSION = 'schema_version';
export const ATTR_SESSION_ID = 'session_id';
export const ATTR_CONTENT_ENCODING = 'content_encoding';
export const ATTR_TRUNCATED = 'truncated';
/**
 * The message kind: absent (or `session`) for a final session payload, `progress` for a progress
 * snapshot of a call still running (`src/schema/progress_snapshot.ts`). Consumers route on it.
 */
export const ATTR_KIND = 'kind';
export const KIND_PROGRESS = 'progress';
/** Snapshots are small; one bigger than this is not sent (the next one will be). */
export const MAX_PROGRESS_BYTES = 16 * 1024;

/**
 * How a driver carries bytes: `binary` (Pub/Sub data, local files) as is; `base64` (SQS bodies are
 * text) so a gzipped body costs 4/3 of its size on the wire.
 */
export type WireFormat = 'binary' | 'base64';

export interface EncodedMessage {
  readonly sessionId: string;
  /** JSON, or gzip of JSON when `compressed`. */
  readonly bytes: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  readonly compressed: boolean;
  /** Names of the dropped fields; empty when nothing was dropped. */
  readonly dropped: readonly string[];
}

export type EncodeResult = { ok: true; message: EncodedMessage } | { ok: false; error: string };

/** Turns kept by the `turns.after_first_n` step. */
export const KEEP_FIRST_TURNS = 20;

type Step = { name: string; apply: (p: SessionPayload) => SessionPayload };

/** Bulky optional content, cheapest to lose first. Each step keeps the payload valid. */
const TRUNCATION_STEPS: readonly Step[] = [
  { name: 'transcript', apply: ({ transcript: _t, ...p }) => p },
  {
    name: 'turns.text',
    apply: (p) => ({ ...p, turns: p.turns.map(({ user_text: _u, agent_text: _a, ...t }) => t) }),
  },
  { name: 'unattributed_metrics', apply: (p) => ({ ...p, unattributed_metrics: [] }) },
  {
    name: 'tool_calls.arguments',
    apply: (p) => ({
      ...p,
      tool_calls: p.tool_calls.map((c) => ({ ...c, arguments: {}, output_summary: '' })),
    }),
  },
  {
    name: `turns.after_first_${KEEP_FIRST_TURNS}`,
    apply: (p) => ({ ...p, turns: p.turns.slice(0, KEEP_FIRST_TURNS) }),
  },
  { name: 'errors', apply: (p) => ({ ...p, errors: [] }) },
  { name: 'turns', apply: (p) => ({ ...p, turns: [] }) },
];

function attributeBytes(attrs: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(attrs)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 6;
  return n;
}

function wireBytes(bytes: number, wire: WireFormat, compressed: boolean): number {
  return wire === 'base64' && compressed ? Math.ceil(bytes / 3) * 4 : bytes;
}

/** Encodes `payload` to fit `maxBytes` (body plus attributes). `payload` must already be valid. */
export async function encodeMessage(
  payload: SessionPayload,
  opts: { maxBytes: number; wire: WireFormat },
): Promise<EncodeResult> {
  const baseAttrs = {
    [ATTR_SCHEMA_VERSION]: String(payload.schema_version),
    [ATTR_SESSION_ID]: payload.session_id,
  };
  // Room for `content_encoding=identity|gzip` and `truncated=true`.
  const budget = opts.maxBytes - attributeBytes(baseAttrs) - 64;
  let current = payload;
  const dropped: string[] = [];
  for (let step = 0; ; step++) {
    const json = Buffer.from(JSON.stringify(current));
    const attrs = dropped.length > 0 ? { ...baseAttrs, [ATTR_TRUNCATED]: 'true' } : baseAttrs;
    if (wireBytes(json.length, opts.wire, false) <= budget) {
      return {
        ok: true,
        message: message(payload, json, { ...attrs, [ATTR_CONTENT_ENCODING]: 'identity' }, false),
      };
    }
    const gz = await gzipAsync(json);
    if (wireBytes(gz.length, opts.wire, true) <= budget) {
      return { ok: true, message: message(payload, gz, { ...attrs, [ATTR_CONTENT_ENCODING]: 'gzip' }, true) };
    }
    const next = TRUNCATION_STEPS[step];
    if (next === undefined) {
      return {
        ok: false,
        error: `payload too large for the driver limit of ${opts.maxBytes} bytes even gzipped and without ${dropped.join(', ')}`,
      };
    }
    dropped.push(next.name);
    current = { ...next.apply(current), truncated: { dropped: [...dropped] } };
  }

  function message(
    p: SessionPayload,
    bytes: Buffer,
    attributes: Record<string, string>,
    compressed: boolean,
  ): EncodedMessage {
    return { sessionId: p.session_id, bytes, attributes, compressed, dropped: [...dropped] };
  }
}

/** Why a body could not be turned into text; `bytes` is the body as far as it could be decoded. */
export type UndecodableReason = 'invalid_utf8' | 'invalid_gzip' | 'too_large' | 'unknown_content_encoding';

/**
 * Most bytes a gzip body may inflate to (a few hundred KB is a long call); a gzip bomb stops here
 * instead of filling the worker's memory.
 */
export const MAX_DECODED_BODY_BYTES = 64 * 1024 * 1024;

/**
 * A body that is not text: the consumer dead-letters it with `reason` and keeps `bytes` (the raw
 * body, gunzipped when the gzip layer was sound) byte for byte.
 */
export class UndecodableBody extends Error {
  override readonly name = 'UndecodableBody';
  constructor(
    readonly reason: UndecodableReason,
    message: string,
    readonly bytes: Buffer,
  ) {
    super(message);
  }
}

// Strict: an invalid sequence is an error, never a U+FFFD (two bodies that differ only in
// invalid bytes would otherwise become the same text). A leading BOM is kept, as the bytes say.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The first byte where `bytes` stops being UTF-8 (at or just before the invalid sequence). */
function firstInvalidByte(bytes: Buffer): number {
  const lenient = Buffer.from(bytes.toString('utf8'));
  const n = Math.min(lenient.length, bytes.length);
  let i = 0;
  while (i < n && lenient[i] === bytes[i]) i++;
  return i;
}

/** The body's bytes as JSON text: strict UTF-8. Throws `UndecodableBody` when they are not. */
export function utf8Text(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new UndecodableBody(
      'invalid_utf8',
      `body is not valid UTF-8 (first invalid byte near offset ${firstInvalidByte(bytes)} of ${bytes.length})`,
      bytes,
    );
  }
}

/**
 * Decodes a message body to JSON text according to its `content_encoding` attribute. Throws
 * `UndecodableBody` (never another error) when it cannot: bad gzip, invalid UTF-8, unknown encoding.
 */
export async function decodeBody(
  bytes: Buffer,
  attributes: Readonly<Record<string, string>>,
): Promise<string> {
  const encoding = attributes[ATTR_CONTENT_ENCODING] ?? 'identity';
  if (encoding === 'identity') {
    if (bytes.length > MAX_DECODED_BODY_BYTES) {
      throw new UndecodableBody('too_large', `body is more than ${MAX_DECODED_BODY_BYTES} bytes`, bytes);
    }
    return utf8Text(bytes);
  }
  if (encoding === 'gzip') {
    let plain: Buffer;
    try {
      plain = await gunzipAsync(bytes, { maxOutputLength: MAX_DECODED_BODY_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UndecodableBody(
          'too_large',
          `gzip body inflates to more than ${MAX_DECODED_BODY_BYTES} bytes`,
          bytes,
        );
      }
      throw new UndecodableBody('invalid_gzip', `body is not valid gzip: ${(err as Error).message}`, bytes);
    }
    return utf8Text(plain);
  }
  throw new UndecodableBody(
    'unknown_content_encoding',
    `unknown content_encoding ${JSON.stringify(encoding).slice(0, 100)}`,
    bytes,
  );
}

/**
 * Encodes a progress snapshot as its own message kind. Its `sessionId` is unique per snapshot
 * (`<session_id>#progress#<seq>`), so FIFO queues never deduplicate it against the final payload.
 */
export function encodeProgress(snapshot: ProgressSnapshot): EncodeResult {
  const bytes = Buffer.from(JSON.stringify(snapshot));
  if (bytes.length > MAX_PROGRESS_BYTES) {
    return { ok: false, error: `progress snapshot of ${bytes.length} bytes is over ${MAX_PROGRESS_BYTES}` };
  }
  return {
    ok: true,
    message: {
      sessionId: `${snapshot.session_id}#progress#${snapshot.seq}`,
      bytes,
      attributes: {
        [ATTR_KIND]: KIND_PROGRESS,
        [ATTR_SESSION_ID]: snapshot.session_id,
        [ATTR_CONTENT_ENCODING]: 'identity',
      },
      compressed: false,
      dropped: [],
    },
  };
}
