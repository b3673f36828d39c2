/**
 * The agent's entry point: `defineAgent` (prewarm + entry) and `cli.runApp`.
 *
 *   npm run dev                      worker against LIVEKIT_URL (development)
 *   npm start                        worker (production)
 *   npm run connect -- --room X      join one room directly
 *   npm run console                  text console, no LiveKit server (see console_main.ts)
 *   npm run download-files           fetch plugin model files
 *
 * Configuration is read here, once per process, and validated for the mode in use.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cli,
  defineAgent,
  type JobContext,
  type JobProcess,
  ServerOptions,
  type VAD,
  voice,
} from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { attachAnalytics } from '../analytics/index.js';
import { warmUpDetector } from '../analytics/signals/index.js';
import { createLogger } from '../log.js';
import {
  createOutboxPublisher,
  createPublisher,
  createSessionPublisher,
  loadQueueConfig,
  QueueConfigError,
} from '../queue/index.js';
import { AGENT_NAME, AGENT_VERSION } from './agent.js';
import { buildCalendar } from './calendar_factory.js';
import {
  type AgentConfig,
  AgentConfigError,
  type AgentMode,
  loadAgentConfig,
  modeFromArgv,
} from './config.js';
import { cutConsoleTranscripts, whenConsoleLeaves } from './console/console_audio.js';
import { PROMPT_VERSION } from './instructions.js';
import { createMaintenance } from './maintenance.js';
import { buildModels } from './models.js';
import { createSalesSession } from './session.js';
import { installRejectionPolicy } from './unhandled_rejections.js';

const ENTRY_FILE = fileURLToPath(import.meta.url);
const isCliProcess = process.argv[1] !== undefined && resolve(process.argv[1]) === ENTRY_FILE;
/** The CLI mode of this process; undefined in a job process forked by a worker. */
const cliMode = isCliProcess ? modeFromArgv(process.argv) : undefined;
const mode: AgentMode = cliMode ?? 'job';
/** How long a console agent lingers after its call's shutdown callbacks before it exits. */
const CONSOLE_EXIT_GRACE_MS = 2000;

let config: AgentConfig | undefined;
const getConfig = (): AgentConfig => {
  config ??= loadAgentConfig(process.env, mode);
  return config;
};
let rootLogger: ReturnType<typeof createLogger> | undefined;
const getLogger = () => {
  rootLogger ??= createLogger({ level: getConfig().logLevel, name: AGENT_NAME });
  return rootLogger;
};

interface ProcUserData {
  vad?: VAD;
}

async function prewarm(proc: JobProcess): Promise<void> {
  // The signal detector's first run costs tens of ms: pay it here, not in a call's first turn.
  warmUpDetector();
  if (getConfig().textOnly) return;
  (proc.userData as ProcUserData).vad = await silero.VAD.load();
}

async function entry(ctx: JobContext): Promise<void> {
  const cfg = getConfig();
  const log = getLogger().child({ component: 'agent_entry' });
  // A job process has agents-js's handler (which only logs at debug); the console runs in-process
  // without one, where Node's default would end the call at the first interrupted reply.
  installRejectionPolicy({ logger: log, rethrowOthers: mode === 'console' });
  const models = buildModels(cfg, (ctx.proc.userData as ProcUserData).vad);
  const sessionId = ctx.job.id;

  const queueConfig = loadQueueConfig(process.env);
  const queueLogger = getLogger().child({ component: 'queue' });
  const queuePublisher = createPublisher(queueConfig, { logger: queueLogger });
  const sessionPublisher = createSessionPublisher({
    publisher: queuePublisher,
    outbox: createOutboxPublisher(queueConfig, { logger: queueLogger }),
    deadlineMs: queueConfig.publishDeadlineMs,
    logger: queueLogger,
  });

  const sales = await createSalesSession({
    ...models,
    dataDir: cfg.dataDir,
    ...(cfg.knowledgeDir ? { knowledgeDir: cfg.knowledgeDir } : {}),
    calendar: buildCalendar(cfg),
    workingHours: cfg.workingHours,
    meetingMinutes: cfg.meetingMinutes,
    callbackCountryCode: cfg.callbackCountryCode,
    metadata: () => ({ session_id: sessionId, agent: AGENT_NAME, prompt_version: PROMPT_VERSION }),
    logger: getLogger(),
  });
  const { session, agent } = sales;

  const analytics = attachAnalytics(session, ctx, {
    agent: { name: AGENT_NAME, version: AGENT_VERSION, promptVersion: PROMPT_VERSION },
    sessionId,
    publish: async (payload) => {
      const outcome = await sessionPublisher.publish(payload);
      log.info({ sessionId, status: outcome.status, ms: outcome.ms }, 'session payload published');
      if (cfg.consolePayloadFile) await writeFile(cfg.consolePayloadFile, JSON.stringify(payload), 'utf8');
      return outcome;
    },
    pii: {
      mode: cfg.analytics.piiMode,
      transcripts: cfg.analytics.transcripts,
      ...(cfg.analytics.hashKey ? { hashKey: cfg.analytics.hashKey } : {}),
    },
    journal: { dir: cfg.analytics.journalDir },
    logger: getLogger(),
    labels: { mode },
    ...(cfg.analytics.progressIntervalMs > 0 && {
      progress: {
        intervalMs: cfg.analytics.progressIntervalMs,
        send: (snapshot, { signal }) => queuePublisher.publishProgress?.(snapshot, { signal }),
      },
    }),
  });

  // end_call (or any close) ends the job: the room is left and shutdown callbacks run.
  session.on(voice.AgentSessionEventTypes.Close, (ev) => {
    log.info({ sessionId, reason: ev.reason, endCall: sales.endCallReason() ?? null }, 'session closed');
    ctx.shutdown(String(ev.reason));
  });
  ctx.addShutdownCallback(async () => {
    try {
      await analytics.finalize(sales.endCallReason() ? 'agent_ended' : 'job_shutdown');
    } finally {
      // A console agent is its call's process, yet agents-js 1.9 leaves it running once the call
      // has ended (native handles keep the loop alive, and its CLI's SIGTERM handler only closes a
      // worker the console has not got). Without this, a console killed outright leaves the agent
      // behind, deaf to SIGTERM. The grace lets agents-js close the transport and flush its logs.
      if (mode === 'console') setTimeout(() => process.exit(0), CONSOLE_EXIT_GRACE_MS).unref();
    }
  });

  if (cfg.textOnly) {
    // The text console carries no audio: keep the pipeline from waiting on a speaker or a TTS.
    session.input.setAudioEnabled(false);
    session.output.setAudioEnabled(false);
    await session.start({ agent });
    whenConsoleLeaves(() => ctx.shutdown('console closed'));
    return;
  }
  if (cfg.mode === 'console') {
    // Console with audio: agents-js wires the console's TCP audio in and out; there is no room.
    // Interrupted replies keep only what was played (see console/cut_transcript.ts).
    const cut = cutConsoleTranscripts();
    await session.start({ agent });
    cut.afterStart(session);
    whenConsoleLeaves(() => ctx.shutdown('console closed'));
    return;
  }
  await session.start({ agent, room: ctx.room });
  await ctx.connect();
}

export default defineAgent({ prewarm, entry });

if (isCliProcess) {
  if (cliMode) {
    try {
      getConfig();
      if (cliMode !== 'download-files') loadQueueConfig(process.env);
    } catch (err) {
      if (err instanceof AgentConfigError || err instanceof QueueConfigError) {
        console.error(err.message);
        process.exit(1);
      }
      throw err;
    }
  }
  const c = cliMode ? getConfig() : undefined;
  if (c && cliMode !== 'download-files' && c.analytics.piiMode === 'hashed' && !c.analytics.hashKey) {
    getLogger().warn(
      "ANALYTICS_PII_MODE=hashed without PII_HASH_KEY: contact values leave the agent as unkeyed SHA-256 (the worker keys them on arrival; the queue, its dead letters and the journals hold them unkeyed). Set PII_HASH_KEY to the worker's key.",
    );
  }
  if (c && cliMode !== 'download-files') {
    // The long-lived process recovers journals of calls that died and drains the outbox.
    createMaintenance({
      queue: loadQueueConfig(process.env),
      journalDir: c.analytics.journalDir,
      logger: getLogger(),
    }).start();
  }
  cli.runApp(
    new ServerOptions({
      agent: ENTRY_FILE,
      ...(c?.livekit.agentName ? { agentName: c.livekit.agentName } : {}),
      ...(c?.livekit.url ? { wsURL: c.livekit.url } : {}),
      ...(c?.livekit.apiKey ? { apiKey: c.livekit.apiKey } : {}),
      ...(c?.livekit.apiSecret ? { apiSecret: c.livekit.apiSecret } : {}),
    }),
  );
}
