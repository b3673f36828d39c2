/**
 * Property-based fuzzing (fast-check, seeded, bounded by numRuns) of what a hostile or broken
 * client controls on the queue side: message bodies (bytes and content_encoding), payload text,
 * and the names of files in the local spool. Nothing may throw out of the decoder or the parser,
 * nothing valid may change on the way, and nothing may stay stuck in the spool.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  decodeBody,
  encodeMessage,
  LocalConsumer,
  LocalPublisher,
  Spool,
  UndecodableBody,
} from '../../src/queue/index.js';
import { type ParseFailureReason, parseSessionPayload } from '../../src/schema/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';
import { validPayload } from '../support/payload_arbitrary.js';

const REASONS: ParseFailureReason[] = [
  'invalid_json',
  'too_large',
  'too_deep',
  'unknown_schema_version',
  'schema_mismatch',
];

describe('fuzz: body decoder', () => {
  it('returns the exact text of valid UTF-8, else UndecodableBody with the bytes; never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 100 }).map((s) => new Uint8Array(Buffer.from(s))),
        ),
        fc.constantFrom('identity', 'gzip', 'gzip-raw', 'br', undefined),
        async (raw, encoding) => {
          const plain = Buffer.from(raw);
          const bytes = encoding === 'gzip' ? gzipSync(plain) : plain;
          const attrs: Record<string, string> =
            encoding === undefined ? {} : { content_encoding: encoding === 'gzip-raw' ? 'gzip' : encoding };
          try {
            const text = await decodeBody(bytes, attrs);
            expect(encoding === 'br').toBe(false);
            expect(Buffer.from(text).equals(plain)).toBe(true);
          } catch (err) {
            expect(err).toBeInstanceOf(UndecodableBody);
            const u = err as UndecodableBody;
            if (u.reason === 'invalid_utf8') expect(u.bytes.equals(plain)).toBe(true);
            else expect(u.bytes.equals(bytes)).toBe(true);
          }
        },
      ),
      { seed: 2001, numRuns: 400 },
    );
  });

  it('roundtrips every valid payload through encodeMessage and decodeBody, gzip and truncation included', async () => {
    await fc.assert(
      fc.asyncProperty(
        validPayload,
        fc.constantFrom(Infinity, 6000, 3000),
        fc.constantFrom('binary', 'base64'),
        async (p, maxBytes, wire) => {
          const enc = await encodeMessage(p, { maxBytes, wire: wire as 'binary' | 'base64' });
          if (!enc.ok) return; // too big even truncated: the publisher says so (never silent)
          const parsed = parseSessionPayload(await decodeBody(enc.message.bytes, enc.message.attributes));
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          if (enc.message.dropped.length === 0) expect(parsed.payload).toStrictEqual(p);
          else expect(parsed.payload.truncated?.dropped).toEqual(enc.message.dropped);
        },
      ),
      { seed: 2002, numRuns: 150 },
    );
  });
});

describe('fuzz: payload parser', () => {
  const check = (input: unknown) => {
    const r = parseSessionPayload(input);
    if (!r.ok) {
      expect(REASONS).toContain(r.reason);
      expect(r.error.length).toBeLessThan(2500);
    }
    return r;
  };

  it('never throws on any text, JSON value or nesting, and names a known reason', () => {
    const deep = fc
      .tuple(
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('[', '{"a":'),
        fc.constantFrom('schema_version', 'labels', 'turns', 'x'),
      )
      .map(([n, open, key]) => {
        const close = open === '[' ? ']' : '}';
        const nested = `${open.repeat(n)}1${close.repeat(n)}`;
        return JSON.stringify(samplePayload()).replace(`"${key}":`, `"${key}":${nested},"${key}_":`);
      });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.jsonValue(),
          fc.anything(),
          deep,
          fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 6 })).map(([at, junk]) => {
            const s = JSON.stringify(samplePayload());
            const i = at % s.length;
            return s.slice(0, i) + junk + s.slice(i + junk.length);
          }),
        ),
        (input) => {
          check(input);
        },
      ),
      { seed: 2003, numRuns: 600 },
    );
  });

  it('accepts every valid payload and returns it unchanged (unknown keys kept)', () => {
    fc.assert(
      fc.property(validPayload, (p) => {
        const r = check(JSON.stringify(p));
        expect(r.ok && r.payload).toStrictEqual(p);
      }),
      { seed: 2004, numRuns: 200 },
    );
  });

  it('refuses a NUL or a lone surrogate anywhere, naming where', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('\\u0000', '\\ud800', '\\udfff'),
        fc.constantFrom('session_id', 'room.name', 'labels key', 'agent.name'),
        (bad, where) => {
          const p = samplePayload({ labels: { campaign: 'q4' } });
          let text = JSON.stringify(p);
          if (where === 'session_id') text = text.replace('"sess_sample_0001"', `"s${bad}"`);
          if (where === 'room.name') text = text.replace('"demo-room"', `"r${bad}"`);
          if (where === 'labels key') text = text.replace('"campaign"', `"c${bad}"`);
          if (where === 'agent.name') text = text.replace('"signalroom-sales"', `"a${bad}"`);
          const r = check(text);
          expect(r.ok).toBe(false);
          expect(!r.ok && r.error).toMatch(
            where === 'labels key'
              ? /key "labels\.c/
              : new RegExp(`^payload does not match schema v1: ${where.replace('.', '\\.')}`),
          );
        },
      ),
      { seed: 2005, numRuns: 30 },
    );
  });
});

describe('fuzz: publisher and worker agree', () => {
  it('the publisher refuses, by name, what the worker would refuse or a copy would lose', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sr-fuzz-pub-'));
    const publisher = new LocalPublisher({ dir, logger: silentLogger, fsync: false });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            '"__proto__":{"a":1}',
            '"x":"a\\u0000b"',
            '"x":"\\udc00"',
            `"x":${'['.repeat(70)}${']'.repeat(70)}`,
          ),
          fc.constantFrom('top', 'agent', 'labels', 'tool arguments'),
          async (member, where) => {
            let text = JSON.stringify(samplePayload({ labels: { campaign: 'q4' } }));
            if (where === 'top') text = text.replace('{"schema_version"', `{${member},"schema_version"`);
            if (where === 'agent') text = text.replace('"agent":{', `"agent":{${member},`);
            if (where === 'labels') text = text.replace('"labels":{', `"labels":{${member},`);
            if (where === 'tool arguments') text = text.replace('"arguments":{', `"arguments":{${member},`);
            const worker = parseSessionPayload(text);
            const published = await publisher.publish(JSON.parse(text));
            expect(worker.ok, text.slice(0, 80)).toBe(false);
            expect(published.status).toBe('failed');
            expect(published.status === 'failed' && published.error).toMatch(
              /__proto__|NUL|surrogate|levels deep/,
            );
          },
        ),
        { seed: 2007, numRuns: 40 },
      );
      expect(await readdir(join(dir, 'ready')).catch(() => [])).toEqual([]);
    } finally {
      await publisher.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fuzz: spool file names', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sr-fuzz-spool-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // What a ready/ name can look like: the spool's own form, odd counts, dots, spaces, Unicode.
  const part = fc.oneof(
    fc.constantFrom('0', '1', '2', '-1', '1e3', '0x10', ' ', '', '1.5', '007', '99999999999999999999', 'NaN'),
    fc.string({ unit: 'grapheme', maxLength: 6 }).map((s) => s.replaceAll('/', '_').replaceAll('\0', '_')),
  );
  const name = fc
    .array(part, { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.'))
    .filter((n) => n !== '' && n !== '.' && n !== '..' && Buffer.byteLength(n) < 200);

  it('delivers or dead-letters every message under any ready/ name; nothing stays stuck, nothing crashes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        async (names, junk) => {
          const dir = join(root, `case${++run}`);
          const spool = new Spool(dir, { fsync: false });
          await spool.init();
          // A real spool file (one message), copied under each hostile name; or junk bytes.
          const good = await spool.write(
            { content_encoding: 'identity' },
            Buffer.from(JSON.stringify(samplePayload())),
          );
          const [written] = await readdir(join(dir, 'ready'));
          const content = await readFile(join(dir, 'ready', written as string));
          await rm(join(dir, 'ready', written as string));
          for (const [i, n] of names.entries())
            await writeFile(join(dir, 'ready', n), junk[i] ? Buffer.from('junk\n') : content);
          const consumer = new LocalConsumer({
            dir,
            logger: silentLogger,
            maxAttempts: 2,
            leaseMs: 2000,
            fsync: false,
            maxIdlePollMs: 10,
          });
          let handled = 0;
          const loop = consumer.run(async () => {
            handled++;
          });
          const deadline = Date.now() + 10_000;
          for (;;) {
            const [ready, leased] = await Promise.all([
              readdir(join(dir, 'ready')),
              readdir(join(dir, 'leased')),
            ]);
            if (ready.length === 0 && leased.length === 0) break;
            if (Date.now() > deadline)
              throw new Error(`stuck in the spool: ready ${ready.join('|')} leased ${leased.join('|')}`);
            await new Promise((r) => setTimeout(r, 10));
          }
          await consumer.stop();
          await loop; // resolves: the consumer never crashed
          const dead = (await readdir(join(dir, 'dead'))).filter((f) => f.endsWith('.reason.json')).length;
          expect(handled + dead, `names ${JSON.stringify(names)} (good id ${good})`).toBe(names.length);
        },
      ),
      { seed: 2006, numRuns: 25 },
    );
  });
});
