/**
 * The demo's post-call analysis model: a local OpenAI-compatible server (the same fake the tests
 * use) that replays recorded answers (`demo/analysis_replies.json`, written for the bundled
 * calls: scripted, not a live model). The worker's real analysis code calls it like any endpoint;
 * quotes are still checked, so the two paraphrased on purpose are discarded, and call 13's answer
 * is cut off on purpose (its analysis ends `invalid_json`).
 *
 * A request is matched to its call by the call's first prospect line in the transcript sent.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type ChatCompletionRequest,
  messageText,
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../../src/testing/openai_compatible_server.js';
import type { Conversation } from './conversations.js';
import { REPLAY_HOST } from './replay.js';

export const DEMO_ANALYSIS_MODEL = 'gpt-4o-mini';
const REPLIES = fileURLToPath(new URL('../../demo/analysis_replies.json', import.meta.url));

export interface AnalysisReplay {
  /** Worker variables that point the analysis at the replay server. */
  env: Record<string, string>;
  server: OpenAICompatibleServer;
  close(): Promise<void>;
}

function firstProspectLine(c: Conversation): string | undefined {
  for (const s of c.steps) if ('user' in s && s.user !== undefined) return s.user;
  return undefined;
}

export async function startAnalysisReplay(conversations: readonly Conversation[]): Promise<AnalysisReplay> {
  const recorded = JSON.parse(await readFile(REPLIES, 'utf8')) as { answers: Record<string, unknown> };
  const byFirstLine = conversations.flatMap((c) => {
    const line = firstProspectLine(c);
    return line ? [{ marker: `PROSPECT [0]: ${line}`, id: c.id }] : [];
  });
  const find = (req: ChatCompletionRequest) => {
    const text = req.messages.map(messageText).join('\n');
    return byFirstLine.find((m) => text.includes(m.marker))?.id;
  };
  const server = await startOpenAICompatibleServer({
    host: REPLAY_HOST,
    model: DEMO_ANALYSIS_MODEL,
    reply: (req) => {
      const id = find(req);
      const answer = id ? recorded.answers[id] : undefined;
      if (!answer) {
        // No recorded answer (call 13): an answer cut off mid-object, as a model hitting its token limit.
        return { content: '{"summary": "The line dropped while the prospect was describing', delayMs: 20 };
      }
      return { content: JSON.stringify(answer), delayMs: 20 };
    },
  });
  return {
    env: {
      ANALYSIS_MODEL: DEMO_ANALYSIS_MODEL,
      ANALYSIS_BASE_URL: server.baseURL,
      ANALYSIS_API_KEY: 'demo-replay',
      ANALYSIS_TIMEOUT_MS: '10000',
    },
    server,
    close: () => server.close(),
  };
}
