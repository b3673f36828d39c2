/**
 * The product knowledge base: bundled Markdown files (`knowledge/*.md`) cut into passages at
 * their `##` headings and indexed with MiniSearch. The agent answers product questions only
 * from passages found here, and cites the passage's source.
 *
 * - document: one Markdown file; its category is the file name without `.md` (`pricing`, …).
 * - passage:  one `##` section of a document (the text before the first `##` is the intro).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';

export interface Passage {
  /** `pricing.md#starter-plan`. */
  id: string;
  /** File name, e.g. `pricing.md`. */
  source: string;
  category: string;
  /** Document title (the `#` heading). */
  title: string;
  /** Section heading (the `##` heading), or the title for the intro. */
  heading: string;
  text: string;
}

export interface KnowledgeHit extends Passage {
  score: number;
}

export interface KnowledgeBase {
  readonly categories: readonly string[];
  readonly passages: readonly Passage[];
  search(query: string, opts?: { category?: string; limit?: number }): KnowledgeHit[];
}

/** The `knowledge/` folder shipped at the repository root. */
export const DEFAULT_KNOWLEDGE_DIR = resolve(fileURLToPath(new URL('../../../knowledge', import.meta.url)));

/** Cuts one Markdown document into passages at its `##` headings. */
export function splitMarkdown(source: string, markdown: string): Passage[] {
  const category = basename(source, '.md');
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  let title = category;
  const sections: Array<{ heading: string; lines: string[] }> = [{ heading: '', lines: [] }];
  for (const line of lines) {
    const h1 = /^#\s+(.+)$/.exec(line);
    const h2 = /^#{2,3}\s+(.+)$/.exec(line);
    if (h1?.[1]) title = h1[1].trim();
    else if (h2?.[1]) sections.push({ heading: h2[1].trim(), lines: [] });
    else sections[sections.length - 1]?.lines.push(line);
  }
  const out: Passage[] = [];
  for (const s of sections) {
    const text = s.lines.join('\n').replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const heading = s.heading || title;
    out.push({ id: `${source}#${slug(heading)}`, source, category, title, heading, text });
  }
  return out;
}

export function createKnowledgeBase(passages: Passage[]): KnowledgeBase {
  const index = new MiniSearch<Passage>({
    fields: ['heading', 'text', 'title'],
    storeFields: ['id'],
    searchOptions: { boost: { heading: 3, title: 1.5 }, prefix: true, fuzzy: 0.2, combineWith: 'OR' },
  });
  index.addAll(passages);
  const byId = new Map(passages.map((p) => [p.id, p]));
  const categories = [...new Set(passages.map((p) => p.category))].sort();
  return {
    categories,
    passages,
    search(query, opts = {}) {
      const category = opts.category?.toLowerCase();
      const results = index.search(query, {
        filter: category ? (r) => byId.get(String(r.id))?.category === category : undefined,
      });
      const hits: KnowledgeHit[] = [];
      for (const r of results.slice(0, opts.limit ?? 3)) {
        const p = byId.get(String(r.id));
        if (p) hits.push({ ...p, score: r.score });
      }
      return hits;
    },
  };
}

/** Reads every `*.md` in `dir` (default: the bundled `knowledge/`) and indexes it. */
export async function loadKnowledgeBase(dir: string = DEFAULT_KNOWLEDGE_DIR): Promise<KnowledgeBase> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  const passages: Passage[] = [];
  for (const f of files) passages.push(...splitMarkdown(f, await readFile(join(dir, f), 'utf8')));
  return createKnowledgeBase(passages);
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
