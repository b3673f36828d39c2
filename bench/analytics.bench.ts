/**
 * Analytics plugin benchmark: `npm run bench:analytics`, on the plugin compiled as `npm start` runs
 * the agent (scripts/build.mjs, into dist/); `npm exec -- tsx bench/analytics.bench.ts` runs it
 * through tsx's loader instead, whose kept function names cost every closure memory.
 * - metrics-event handling cost (µs/event, p50/p99), journal off and on;
 * - memory retained per 30-turn call without transcript (heap delta over 1,000 live sessions);
 * - payload size of a 30-turn call without transcript;
 * - the signal detector's own bench (`bench/signals_bench.ts`), when present.
 * Events go through the plugin's real handlers via an EventEmitter standing in for the session
 * (the plugin only subscribes to it), so the figures are the plugin's own cost.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type AgentMetrics, llm, type voice } from '@livekit/agents';
import { type AnalyticsHandle, attachAnalytics } from '../src/analytics/index.js';
import type { SessionPayload } from '../src/schema/index.js';
import { SALES_CALL_USER_LINES } from '../src/testing/index.js';

const TURNS = 30;
/** A 30-turn call: the scripted sales lines, then the small talk, questions and asides of a real call. */
const FILLER = [
  'Okay, that makes sense.',
  'How long does onboarding usually take?',
  'And what about security, are you SOC 2 compliant?',
  'We also sign everything in DocuSign, does that work?',
  'Hmm, let me think about that for a second.',
  'What would pricing look like for us?',
  'Can my assistant join the demo as well?',
  'Right, right. Go on.',
];
const BENCH_LINES = Array.from({ length: TURNS }, (_, i) =>
  i < SALES_CALL_USER_LINES.length ? (SALES_CALL_USER_LINES[i] ?? '') : (FILLER[i % FILLER.length] ?? ''),
);
const SESSIONS_FOR_MEMORY = 1000;
const TARGETS = { usPerEvent: 5, retainedKb: 16, payloadKb: 32 };

function getGc(): { gc: () => void; method: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return { gc: g, method: 'global.gc (node --expose-gc)' };
  setFlagsFromString('--expose-gc');
  const fromVm = runInNewContext('gc') as (() => void) | undefined;
  if (fromVm) return { gc: fromVm, method: "v8.setFlagsFromString('--expose-gc') + vm gc" };
  return { gc: () => {}, method: 'none (no gc available: figures are noisy)' };
}

const sessionStub = () => new EventEmitter() as unknown as voice.AgentSession;
const Ev = {
  item: 'conversation_item_added',
  tools: 'function_tools_executed',
  metrics: 'metrics_collected',
  speech: 'speech_created',
} as const;

function metricsFor(speechId: string, t: number): AgentMetrics[] {
  return [
    {
      type: 'eou_metrics',
      timestamp: t,
      endOfUtteranceDelayMs: 310,
      transcriptionDelayMs: 120,
      onUserTurnCompletedDelayMs: 1,
      lastSpeakingTimeMs: t - 400,
      speechId,
    },
    {
      type: 'llm_metrics',
      label: 'openai.LLM',
      requestId: `req_${speechId}`,
      timestamp: t + 900,
      durationMs: 900,
      ttftMs: 450,
      cancelled: false,
      completionTokens: 40,
      promptTokens: 1200,
      promptCachedTokens: 1024,
      totalTokens: 1240,
      tokensPerSecond: 44,
      speechId,
      metadata: { modelProvider: 'openai', modelName: 'gpt-4.1-mini' },
    },
    {
      type: 'tts_metrics',
      label: 'openai.TTS',
      requestId: `tts_${speechId}`,
      timestamp: t + 1500,
      ttfbMs: 210,
      durationMs: 600,
      audioDurationMs: 3100,
      cancelled: false,
      charactersCount: 118,
      streamed: true,
      speechId,
      metadata: { modelProvider: 'openai', modelName: 'gpt-4o-mini-tts' },
    },
    {
      type: 'stt_metrics',
      label: 'deepgram.STT',
      requestId: '',
      timestamp: t + 2000,
      durationMs: 0,
      audioDurationMs: 5000,
      streamed: true,
      metadata: { modelProvider: 'deepgram', modelName: 'nova-3' },
    },
    {
      type: 'vad_metrics',
      label: 'silero.VAD',
      timestamp: t + 2100,
      idleTimeMs: 800,
      inferenceDurationTotalMs: 12,
      inferenceCount: 31,
    },
  ];
}

/** Drives one 30-turn call through the plugin's handlers; `timeMetrics` collects µs per metrics event. */
function driveCall(session: voice.AgentSession, n: number, timeMetrics?: number[]): void {
  const emit = (name: string, ev: unknown) => (session as unknown as EventEmitter).emit(name, ev);
  const t0 = Date.parse('2026-11-21T10:00:00Z');
  for (let i = 0; i < TURNS; i++) {
    const t = t0 + i * 8000;
    const text = BENCH_LINES[i] ?? '';
    emit(Ev.item, {
      type: 'conversation_item_added',
      item: llm.ChatMessage.create({ role: 'user', content: text }),
      createdAt: t,
    });
    const speechId = `SP_${n}_${i}`;
    let done: ((h: unknown) => void) | undefined;
    const handle = {
      id: speechId,
      interrupted: i % 10 === 9,
      addDoneCallback: (cb: (h: unknown) => void) => (done = cb),
    };
    emit(Ev.speech, {
      type: 'speech_created',
      userInitiated: false,
      source: 'generate_reply',
      speechHandle: handle,
      createdAt: t,
    });
    if (i === 10 || i === 25) {
      const call = llm.FunctionCall.create({
        callId: `call_${i}`,
        name: i === 10 ? 'search_knowledge' : 'book_sales_meeting',
        args: JSON.stringify(
          i === 10 ? { query: 'pricing' } : { name: 'Maria Lopez', email: 'maria@x.io', time: 'tue 3pm' },
        ),
      });
      const out = llm.FunctionCallOutput.create({
        callId: `call_${i}`,
        output: '"ok: done, see you then"',
        isError: false,
      });
      emit(Ev.tools, {
        type: 'function_tools_executed',
        functionCalls: [call],
        functionCallOutputs: [out],
        createdAt: t,
      });
    }
    for (const m of metricsFor(speechId, t)) {
      const ev = { type: 'metrics_collected', metrics: m, createdAt: t };
      if (timeMetrics) {
        const s = process.hrtime.bigint();
        emit(Ev.metrics, ev);
        timeMetrics.push(Number(process.hrtime.bigint() - s) / 1000);
      } else emit(Ev.metrics, ev);
    }
    emit(Ev.item, {
      type: 'conversation_item_added',
      item: llm.ChatMessage.create({ role: 'assistant', content: 'Thanks, that helps. Tell me more.' }),
      createdAt: t,
    });
    done?.(handle);
  }
}

const attach = (session: voice.AgentSession, i: number, journalDir?: string): AnalyticsHandle =>
  attachAnalytics(session, undefined, {
    agent: { name: 'bench', version: '0', promptVersion: 'p' },
    sessionId: `bench_${i}`,
    publish: () => undefined,
    ...(journalDir ? { journal: { dir: journalDir, flushIntervalMs: 200 } } : {}),
  });

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function benchEvents(journalDir?: string) {
  // Warm-up (JIT tiers settle, as in a worker that has already handled calls).
  for (let i = 0; i < 1000; i++) {
    const s = sessionStub();
    attach(s, i);
    driveCall(s, i);
  }
  const samples: number[] = [];
  const handles: AnalyticsHandle[] = [];
  for (let i = 0; i < 300; i++) {
    const s = sessionStub();
    handles.push(attach(s, i, journalDir));
    driveCall(s, i, samples);
  }
  await Promise.all(handles.map((h) => h.finalize('user_initiated')));
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99), n: samples.length };
}

function benchMemory(gc: () => void) {
  const keep: { s: voice.AgentSession; h: AnalyticsHandle }[] = [];
  for (let i = 0; i < 50; i++) {
    const s = sessionStub();
    attach(s, i);
    driveCall(s, i); // warm-up
  }
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < SESSIONS_FOR_MEMORY; i++) {
    const s = sessionStub();
    keep.push({ s, h: attach(s, i) });
    driveCall(s, i);
  }
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  // The stand-in session (an EventEmitter with the plugin's listeners) is not the plugin's memory.
  const stubs: voice.AgentSession[] = [];
  gc();
  const stubBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < SESSIONS_FOR_MEMORY; i++) stubs.push(sessionStub());
  gc();
  const stubKb = (process.memoryUsage().heapUsed - stubBefore) / SESSIONS_FOR_MEMORY / 1024;
  const perSessionKb = (after - before) / SESSIONS_FOR_MEMORY / 1024 - stubKb;
  return { perSessionKb, stubKb, kept: keep.length + stubs.length };
}

async function payloadBytes(): Promise<{ bytes: number; payload: SessionPayload }> {
  const s = sessionStub();
  const h = attach(s, 0);
  driveCall(s, 0);
  const payload = await h.finalize('user_initiated');
  return { bytes: Buffer.byteLength(JSON.stringify(payload)), payload };
}

async function main() {
  const { gc, method } = getGc();
  const plain = await benchEvents();
  const dir = await mkdtemp(join(tmpdir(), 'sr-bench-journal-'));
  let journaled: Awaited<ReturnType<typeof benchEvents>>;
  try {
    journaled = await benchEvents(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const mem = benchMemory(gc);
  const { bytes, payload } = await payloadBytes();

  const row = (name: string, value: string, target: string, ok: boolean) =>
    console.log(`  ${name.padEnd(44)}${value.padStart(12)}${target.padStart(12)}  ${ok ? 'ok' : 'OVER'}`);
  const how = import.meta.url.includes('/dist/bench/')
    ? 'compiled (dist/), as npm start runs it'
    : 'through tsx';
  console.log(`analytics plugin ${how}, ${TURNS}-turn calls (5 metrics events per turn), transcript off`);
  console.log(`  ${'figure'.padEnd(44)}${'value'.padStart(12)}${'target'.padStart(12)}`);
  row(
    'metrics event p50 (µs), journal off',
    plain.p50.toFixed(2),
    `≤ ${TARGETS.usPerEvent}`,
    plain.p50 <= TARGETS.usPerEvent,
  );
  row(
    'metrics event p99 (µs), journal off',
    plain.p99.toFixed(2),
    `≤ ${TARGETS.usPerEvent}`,
    plain.p99 <= TARGETS.usPerEvent,
  );
  row(
    'metrics event p50 (µs), journal on',
    journaled.p50.toFixed(2),
    `≤ ${TARGETS.usPerEvent}`,
    journaled.p50 <= TARGETS.usPerEvent,
  );
  row(
    'metrics event p99 (µs), journal on',
    journaled.p99.toFixed(2),
    `≤ ${TARGETS.usPerEvent}`,
    journaled.p99 <= TARGETS.usPerEvent,
  );
  row(
    `retained per session (KB, ${SESSIONS_FOR_MEMORY} live)`,
    mem.perSessionKb.toFixed(2),
    `≤ ${TARGETS.retainedKb}`,
    mem.perSessionKb <= TARGETS.retainedKb,
  );
  row(
    'payload JSON (KB)',
    (bytes / 1024).toFixed(2),
    `≤ ${TARGETS.payloadKb}`,
    bytes / 1024 <= TARGETS.payloadKb,
  );
  console.log(
    `  (retained = heap delta / ${SESSIONS_FOR_MEMORY} sessions minus the stand-in session's own ${mem.stubKb.toFixed(2)} KB)`,
  );
  console.log(
    `  (${plain.n} + ${journaled.n} timed events; gc: ${method}; payload: ${payload.turns.length} turns, ${payload.unattributed_metrics.length} unattributed rows, ${payload.tool_calls.length} tool calls)`,
  );

  // Beside this file: signals_bench.ts, or signals_bench.js in the compiled copy (dist/bench/).
  const signalsBench = join(import.meta.dirname, `signals_bench${extname(import.meta.filename)}`);
  if (existsSync(signalsBench)) {
    const mod = (await import(signalsBench)) as { runSignalsBench?: () => Promise<unknown> };
    if (mod.runSignalsBench) {
      console.log('');
      await mod.runSignalsBench();
    }
  } else {
    console.log('signals bench: bench/signals_bench.ts not present, skipped');
  }
}

await main();
