/**
 * `npm run demo`: replays the bundled prospect conversations through the real agent, queue and
 * worker on embedded defaults (no keys, no servers), prints the scored leads and serves the
 * dashboard until Ctrl-C.
 *
 *   npm run demo                         every call over audio (voice loop), table of leads, then serve
 *                                        http://127.0.0.1:8787/dashboard
 *   npm run demo -- --text               the fast text path: prospect lines typed, no audio
 *   npm run demo -- --no-serve --json    one JSON object per scored session on stdout, then exit
 *   options: --port N (default 8787; a free port if taken), --data-dir DIR (default .data/demo),
 *            --concurrency N (text conversations replayed at once, default 6),
 *            --voice-concurrency N (voice calls at once, default 22: all of them)
 *   env:     ANALYTICS_API_TOKEN (optional) protects the API and dashboard; without it the server
 *            binds to 127.0.0.1 only.
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ignoreTtsAbortRejections } from '../../../src/agent/unhandled_rejections.js';
import { createLogger } from '../../../src/log.js';
import { DEFAULT_SLAS } from '../analysis/index.js';
import { type RunningApiServer, startApiServer } from '../api/index.js';
import type { WorkerHandle } from '../pipeline/index.js';
import { loadConversations } from './conversations.js';
import { provisionEspeak } from './provision.js';
import { jsonLine, leadsTable } from './report.js';
import { DEFAULT_VOICE_CONCURRENCY, runDemo, voiceSummary } from './run_demo.js';

const CONVERSATIONS_DIR = resolve(fileURLToPath(new URL('../../demo/conversations', import.meta.url)));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'no-serve': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      port: { type: 'string', default: '8787' },
      'data-dir': { type: 'string', default: '.data/demo' },
      concurrency: { type: 'string', default: '6' },
      text: { type: 'boolean', default: false },
      'voice-concurrency': { type: 'string' },
    },
  });
  const port = Number(values.port);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--port must be 0…65535');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be ≥ 1');
  const token = process.env.ANALYTICS_API_TOKEN || undefined;
  const json = values.json;
  const serve = !values['no-serve'];
  // agents-js adds abort listeners per speech and tool call; several calls at once pass Node's warning limit.
  EventEmitter.defaultMaxListeners = 512;
  ignoreTtsAbortRejections();

  const log = createLogger({ level: json ? 'silent' : 'error', name: 'signalroom-demo' });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`SignalRoom demo on Node ${process.version}`);
  const conversations = await loadConversations(CONVERSATIONS_DIR);
  const started = Date.now();
  let mode: 'voice' | 'text' = values.text ? 'text' : 'voice';
  if (mode === 'voice') {
    const p = provisionEspeak(say);
    if (!p.ok) {
      say(`${p.message}\nRunning the TEXT demo instead (no audio).`);
      mode = 'text';
    }
  }
  if (mode === 'voice') {
    say(
      `SignalRoom demo: ${conversations.length} conversations OVER AUDIO, ${values['voice-concurrency'] ?? DEFAULT_VOICE_CONCURRENCY} at a time. Each prospect is a simulated ` +
        'caller speaking into the real voice loop in real time.\n' +
        '  SCRIPTED: the prospect lines and their transcripts (a scripted transcriber behind a local Deepgram ' +
        'stand-in), and the LLM replies (a local OpenAI-compatible server replays the scripted agent turns).\n' +
        '  REAL: the audio both ways (espeak-ng speech, prospect and agent in different voices), Silero VAD, the ' +
        'Deepgram STT and OpenAI TTS plugins over their real protocols, turn taking, barge-ins, every timing, ' +
        'the analytics plugin, the queue, the worker, pricing and the warehouse.',
    );
  } else {
    say(
      `SignalRoom demo (text): ${conversations.length} REPLAYED conversations. Each one runs through the real agent ` +
        '(voice.AgentSession, its tools, the analytics plugin) with the real OpenAI plugin pointed at a local ' +
        'server that replays the scripted agent turns: no live model, no live callers, no audio. LLM latency is ' +
        "the replay server's simulated delay.",
    );
  }
  say(
    'The post-call analysis (summary, custom fields, success, signals) is REPLAYED too: recorded answers for ' +
      "these calls from a local OpenAI-compatible server, checked like a live model's (quotes not in the " +
      "prospect's words are discarded). Sentiment is computed locally (VADER).",
  );
  // Served, the API and dashboard start with the worker, before the first call: the live panel
  // shows the voice calls while they run, and the leads appear as they are scored.
  let server: RunningApiServer | undefined;
  const startServer = async (worker: WorkerHandle) => {
    const apiOpts = {
      warehouse: worker.warehouse,
      token,
      log,
      metrics: worker.metrics.registry,
      slas: DEFAULT_SLAS,
      alerts: worker.ops.alerts,
      live: worker.ops.live,
      errorThresholds: worker.ops.errorThresholds,
    };
    try {
      server = await startApiServer({ ...apiOpts, port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      server = await startApiServer({ ...apiOpts, port: 0 });
    }
    say(
      `Dashboard: ${server.url}/dashboard${token ? '?token=<ANALYTICS_API_TOKEN>  (once; it is then kept in a cookie)' : ''}` +
        (mode === 'voice' ? '   (open it now: the calls in progress show in its live panel)' : ''),
    );
  };
  const run = await runDemo({
    conversations,
    ...(serve ? { onWorkerStarted: startServer } : {}),
    dataDir: values['data-dir'],
    log,
    concurrency,
    mode,
    ...(values['voice-concurrency'] ? { voiceConcurrency: Number(values['voice-concurrency']) } : {}),
    startAtMs: Math.floor(started / 60_000) * 60_000,
    onProgress: (p) => {
      if (p.kind === 'replayed') {
        say(
          `  [${String(p.done).padStart(2)}/${p.total}] ${mode === 'voice' ? 'called  ' : 'replayed'} ${p.conversation.id.padEnd(32)} ${p.outcome.padEnd(18)} (${p.llmRequests} LLM requests${p.callMs ? `, ${(p.callMs / 1000).toFixed(1)} s call` : ''})${p.deadlineExceeded ? ' HUNG UP AT ITS DEADLINE' : ''}`,
        );
      } else {
        say(`  worker: ${p.done}/${p.total} scored, priced and written to the warehouse`);
      }
    },
  });
  say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Warehouse: ${run.warehousePath}`);
  // Judge the replayed calls against the alert rules now rather than at the next 30 s tick.
  await run.worker.ops.alerts?.evaluate();

  if (run.voice) say(voiceSummary(run.voice));
  if (json) {
    for (const l of run.leads) {
      const v = run.voice?.get(l.session_id);
      const voice = v
        ? {
            turns: v.turns,
            turns_with_all_components: v.turns_with_all_components,
            interrupted_turns: v.interrupted_turns,
            perceived_latency_p50_ms: v.perceived_latency_p50_ms,
            perceived_latency_p95_ms: v.perceived_latency_p95_ms,
          }
        : undefined;
      process.stdout.write(`${jsonLine(l, voice)}\n`);
    }
  } else {
    process.stdout.write(`\n${leadsTable(run.leads)}\n\n`);
  }
  if (!serve) {
    const stopAt = Date.now();
    await run.worker.stop({ deadlineMs: 5000 });
    say(`Worker stopped in ${Date.now() - stopAt} ms.`);
    return 0;
  }

  if (!server) throw new Error('the API server did not start');
  say(`Dashboard: ${server.url}/dashboard${token ? '?token=<ANALYTICS_API_TOKEN>' : ''}`);
  say(`API:       ${server.url}/api/leads   ${server.url}/api/aggregates?hours=24   ${server.url}/metrics`);
  say(`Ops:       ${server.url}/api/alerts   ${server.url}/api/errors   ${server.url}/api/live`);
  if (!token) say('ANALYTICS_API_TOKEN is not set: no auth, listening on 127.0.0.1 only.');
  say('Serving until Ctrl-C.');
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  say('Stopping…');
  await server.close();
  await run.worker.stop({ deadlineMs: 5000 });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
