import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { KnowledgeBase, KnowledgeHit } from '../knowledge/knowledge_base.js';

export const SEARCH_KNOWLEDGE = 'search_knowledge';

/** Formats hits for the model: numbered passages, each with its source to cite. */
export function formatHits(query: string, hits: KnowledgeHit[]): string {
  if (hits.length === 0) {
    return `No passage matched "${query}". Say you don't have that information and offer to have a specialist follow up; do not guess.`;
  }
  return hits.map((h, i) => `[${i + 1}] source: ${h.id} (${h.title} › ${h.heading})\n${h.text}`).join('\n\n');
}

export function createSearchKnowledgeTool(knowledge: KnowledgeBase, opts: { limit?: number } = {}) {
  const categories = knowledge.categories.length > 0 ? knowledge.categories : ['general'];
  return llm.tool({
    name: SEARCH_KNOWLEDGE,
    description:
      'Search the Paperflow knowledge base (pricing, plans, integrations, security, templates, onboarding). ' +
      'Use it for every product question and answer only from the passages it returns, naming the source.',
    parameters: z.object({
      query: z
        .string()
        .min(1)
        .describe('What to look up, in a few keywords, e.g. "HubSpot integration" or "SOC 2"'),
      category: z
        .enum(categories as [string, ...string[]])
        .optional()
        .describe('Restrict the search to one area'),
    }),
    execute: async ({ query, category }) => {
      const hits = knowledge.search(query, { ...(category ? { category } : {}), limit: opts.limit ?? 3 });
      if (hits.length === 0 && category) {
        // A wrong category guess should not hide an answer that exists elsewhere.
        const anywhere = knowledge.search(query, { limit: opts.limit ?? 3 });
        if (anywhere.length > 0) return formatHits(query, anywhere);
      }
      return formatHits(query, hits);
    },
  });
}
