/**
 * The environment console tests start the agent with: a key the local servers accept, and every
 * place the agent writes (its data, the queue spool and outbox, the call journals) under `dir`.
 */
import { join } from 'node:path';

export type AgentEnv = Record<string, string | undefined>;

export function consoleAgentEnv(dir: string, over: AgentEnv = {}): AgentEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    OPENAI_API_KEY: 'test-key',
    AGENT_DATA_DIR: join(dir, 'agent'),
    QUEUE_SPOOL_DIR: join(dir, 'spool'),
    QUEUE_OUTBOX_DIR: join(dir, 'outbox'),
    ANALYTICS_JOURNAL_DIR: join(dir, 'journal'),
    ...over,
  };
}

/** The same with audio: the LLM at `llmBaseURL`, STT and TTS on the local speech server. */
export function voiceAgentEnv(
  dir: string,
  servers: {
    llmBaseURL: string;
    speech: { openaiBaseUrl: string; deepgramBaseUrl: string };
    deepgramKey: string;
  },
  over: AgentEnv = {},
): AgentEnv {
  return consoleAgentEnv(dir, {
    OPENAI_BASE_URL: servers.llmBaseURL,
    TTS_BASE_URL: servers.speech.openaiBaseUrl,
    DEEPGRAM_API_KEY: servers.deepgramKey,
    DEEPGRAM_BASE_URL: servers.speech.deepgramBaseUrl,
    LLM_MODEL: 'fake-model',
    ...over,
  });
}
