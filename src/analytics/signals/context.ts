/**
 * Context (spec v2): the agent's last question gives a bare answer its meaning. The question is
 * sorted into one topic by a few patterns; the rules then read a bare number as a team size or a
 * volume, a bare horizon as the buying horizon, and third-party talk as not the prospect's own.
 * Context never adds a fact the message does not state.
 */
import { DOC_NOUNS, PERSON_NOUNS } from './lexicon.js';
import type { Turn } from './types.js';

export type Topic =
  /** No agent turn was given: a message is read on its own. */
  | 'none'
  | 'team'
  | 'volume'
  | 'timeline'
  /** When to meet, follow up or talk again: a horizon in the answer is not the buying horizon. */
  | 'meeting'
  | 'tools'
  /** The prospect's customers or competitors: their numbers and tools are not the prospect's. */
  | 'third_party'
  | 'other';

export interface ReadContext {
  topic: Topic;
  /** The period the question names ("in a typical month"), as a monthly factor; for bare volumes. */
  period: { num: number; den: number } | undefined;
}

export const NO_CONTEXT: ReadContext = Object.freeze({ topic: 'none', period: undefined }) as ReadContext;

/** Only the end of a long agent turn is read: the question is there. */
const QUESTION_TAIL_CHARS = 400;

const MEETING =
  /\b(follow[- ]?up|reconnect|meet(ing)?|call back|set up (a|another|some) (call|time|meeting)|schedul\w*|good time|calendar|send (you )?(some |a few )?times|talk (again|then)|next call|catch up|technical call)\b/;
const THIRD_PARTY =
  /\b(your|the) (biggest |largest |main |typical |top |key )?(customers?|clients?|competit\w*)\b|\bcompetit\w*|\bwho (else )?do you (see|compete)|how many (customers|clients)\b/;
// "when you say …", "when it comes to …" are not questions about time.
const TIMELINE =
  /\b(when(?! (you|we|they|i) (say|said|mention|mentioned|think|talk|talked|look|looked|describe|hear|heard)\b| it comes to\b)|timeline|timing|how soon|time ?frame|deadline|decide|decision|go[- ]live|kick-?off|up and running|in place|get started|start date|(need|want|like|plan|looking)( (it|this|that|the [a-z]+))? to start|start (immediately|right away|soon|now)|how (quickly|fast|soon) (do|would|could|can|will) you (need|want|like|get|start|have)|effective date)\b/;
const TEAM_PHRASES =
  /\bhow (big|large)\b|\bteam size\b|\bheadcount\b|\bwho (would|will|'d) (use|be using|log in)|\bhow many (of you|in |on |would use|people)/;
const VOLUME_PHRASES = /\bvolume\b|\bpaperwork\b|\bhow many (go out|come through|do you (send|sign|process))/;
const TOOLS =
  /\b(crm|tools?|systems?|software|erp|stack|integrat\w*|e-?signatures?|api|connect\w*|using (now|today)|are you using|are you on|do you use|which [a-z]+ are you on)\b/;
const PERIOD =
  /\b(?:a|per|each|every|in a (?:typical|given|normal|average|good|busy) )\s*(day|week|month|quarter|year)\b|\b(daily|weekly|monthly|quarterly|yearly|annually)\b/;

const FACTORS: Record<string, { num: number; den: number }> = {
  day: { num: 22, den: 1 },
  daily: { num: 22, den: 1 },
  week: { num: 433, den: 100 },
  weekly: { num: 433, den: 100 },
  month: { num: 1, den: 1 },
  monthly: { num: 1, den: 1 },
  quarter: { num: 1, den: 3 },
  quarterly: { num: 1, den: 3 },
  year: { num: 1, den: 12 },
  yearly: { num: 1, den: 12 },
  annually: { num: 1, den: 12 },
};

/** Reads the agent's last turn before the message. */
export function readContext(context: readonly Turn[] | undefined): ReadContext {
  if (context === undefined || context.length === 0) return NO_CONTEXT;
  let question: string | undefined;
  for (let i = context.length - 1; i >= 0; i--) {
    const turn = context[i];
    if (turn?.role === 'agent') {
      question = turn.text;
      break;
    }
  }
  if (question === undefined) return NO_CONTEXT;
  const q = question
    .slice(-QUESTION_TAIL_CHARS)
    .toLowerCase()
    .replace(/\u2019/g, "'");
  const topic = topicOf(q);
  if (topic !== 'volume') return { topic, period: undefined };
  const m = PERIOD.exec(q);
  return { topic, period: m === null ? undefined : FACTORS[(m[1] ?? m[2]) as string] };
}

function topicOf(q: string): Topic {
  if (MEETING.test(q)) return 'meeting';
  if (THIRD_PARTY.test(q)) return 'third_party';
  if (TIMELINE.test(q)) return 'timeline';
  if (TEAM_PHRASES.test(q)) return 'team';
  // Words only for the questions the phrases above did not settle.
  const words = q.match(/[a-z][a-z'-]*/g) ?? [];
  if (howManyOf(words, PERSON_NOUNS)) return 'team';
  if (VOLUME_PHRASES.test(q) || words.some((w) => DOC_NOUNS.has(w))) return 'volume';
  if (TOOLS.test(q)) return 'tools';
  return 'other';
}

/** "how many recruiters", "how many full-time staff": "how many" and a noun of the set within three words. */
function howManyOf(words: readonly string[], nouns: ReadonlySet<string>): boolean {
  for (let i = 0; i + 1 < words.length; i++) {
    if (words[i] !== 'how' || words[i + 1] !== 'many') continue;
    for (let j = i + 2; j < Math.min(words.length, i + 5); j++)
      if (nouns.has(words[j] as string)) return true;
  }
  return false;
}
