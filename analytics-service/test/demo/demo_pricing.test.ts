import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeLogger } from '@livekit/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../../src/agent/knowledge/knowledge_base.js';
import { createLogger } from '../../../src/log.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { loadConversations } from '../../src/demo/conversations.js';
import { replayConversation } from '../../src/demo/replay.js';
import { demoPriceBook } from '../../src/demo/run_demo.js';
import { defaultPriceBook, parsePriceBook, priceSession } from '../../src/pricing/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('demo pricing', () => {
  let dir: string;
  let payload: SessionPayload;

  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'silent' });
    dir = await mkdtemp(join(tmpdir(), 'sr-demo-pricing-'));
    const [conversation] = await loadConversations(join(ROOT, 'analytics-service/demo/conversations'));
    if (!conversation) throw new Error('no bundled conversation');
    const r = await replayConversation(conversation, {
      publish: () => ({ status: 'ok' }),
      dataDir: dir,
      knowledge: await loadKnowledgeBase(),
      startAtMs: Date.parse('2026-11-20T15:00:00Z'),
      log: createLogger({ level: 'silent', name: 'demo-pricing-test' }),
    });
    payload = r.payload;
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports the LLM provider the real OpenAI plugin reports (its base URL host), not a renamed one', () => {
    const llm = payload.usage.by_model.filter((u) => u.type === 'llm_usage');
    expect(llm.map((u) => [u.provider.replace(/:\d+$/, ':<port>'), u.model])).toEqual([
      ['127.0.0.1:<port>', 'gpt-4.1-mini'],
    ]);
  });

  it('prices every usage row, the replayed LLM as OpenAI, under the demo price book', () => {
    const book = demoPriceBook();
    expect(parsePriceBook(book).ok).toBe(true);
    const cost = priceSession(payload, book);
    expect(cost.unpriced).toEqual([]);
    expect(cost.by_component.llm).toBeGreaterThan(0);
    expect(cost.lines.find((l) => l.kind === 'llm_input')?.unit_price_usd).toBe(0.4);
    // The bundled book does not price a local server as OpenAI.
    const bundled = priceSession(payload, defaultPriceBook()).unpriced;
    expect(bundled).toContainEqual(expect.stringMatching(/^127\.0\.0\.1:\d+\/gpt-4\.1-mini\/llm_input$/));
    for (const u of bundled) expect(u).toMatch(/^127\.0\.0\.1:\d+\/gpt-4\.1-mini\/llm_/);
  });
});
