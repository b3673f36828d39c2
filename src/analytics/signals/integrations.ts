/**
 * integration_needs: tool names and their aliases, with the mentions that say the prospect does
 * not use the tool ("we don't use Salesforce", "not on HubSpot anymore", "no longer using Dropbox",
 * "instead of Slack"). Moving between tools keeps both ("migrating off HubSpot to Salesforce").
 * "Box", "Teams" and "Dynamics" are also English words and are taken only as tool names.
 */
import type { IntegrationId } from '../../schema/session_payload.js';
import { NO_CONTEXT, type ReadContext, type Topic } from './context.js';
import { F_INTEGRATION, MAX_ALTERNATIVES } from './flags.js';
import { isNegatorAt } from './lexicon.js';
import { lazy, PhraseTable } from './phrases.js';
import { B_CAPITALIZED, B_POSSESSIVE, isBreak, type Toks } from './tokenizer.js';
import type { Alternative, Hit } from './types.js';

type Alias = { id: IntegrationId; ambiguous?: boolean };

const ALIASES: ReadonlyArray<readonly [string, Alias]> = [
  ...plain('salesforce', ['salesforce', 'sfdc', 'sales cloud', 'salesforce crm']),
  ...plain('hubspot', ['hubspot', 'hub spot', 'hubspot crm']),
  ...plain('pipedrive', ['pipedrive', 'pipe drive']),
  ...plain('zoho', ['zoho', 'zoho crm', 'zoho books']),
  ...plain('dynamics', [
    'microsoft dynamics',
    'ms dynamics',
    'dynamics 365',
    'dynamics crm',
    'dynamics nav',
    'dynamics gp',
    'microsoft dynamics 365',
    'd365',
  ]),
  ['dynamics', { id: 'dynamics', ambiguous: true }],
  // "he Slacks me": the tool's name as a verb says the prospect uses it.
  ...plain('slack', ['slack', 'slacks me', 'slacks us', 'slacked me', 'slacked us']),
  ...plain('teams', ['microsoft teams', 'ms teams', 'msteams']),
  ['teams', { id: 'teams', ambiguous: true }],
  ...plain('google_drive', ['google drive', 'gdrive', 'g drive', 'google docs', 'google doc']),
  ...plain('sharepoint', ['sharepoint', 'share point', 'onedrive', 'one drive', 'microsoft sharepoint']),
  ...plain('dropbox', ['dropbox', 'drop box']),
  ...plain('box', ['box.com', 'box com']),
  ['box', { id: 'box', ambiguous: true }],
  ...plain('docusign', ['docusign', 'docu sign']),
  ...plain('zapier', ['zapier']),
  ...plain('quickbooks', ['quickbooks', 'quick books', 'qbo', 'quickbooks online']),
  ...plain('xero', ['xero']),
  ...plain('netsuite', ['netsuite', 'net suite', 'oracle netsuite']),
  ...plain('clio', ['clio']),
  ...plain('api', ['api', 'apis', 'rest api', 'webhooks', 'webhook', 'open api']),
];

function plain(id: IntegrationId, phrases: string[]): Array<readonly [string, Alias]> {
  return phrases.map((p) => [p, { id }] as const);
}

/** An alias with its rule ids built once. */
type AliasRules = Alias & { rule: string; negatedRule: string };

export const integrationTable = lazy(
  () =>
    new PhraseTable<AliasRules>(
      ALIASES.map(([phrase, alias]) => [
        phrase,
        { ...alias, rule: `integration.${alias.id}`, negatedRule: `integration.${alias.id}.negated` },
      ]),
    ),
);

const DETERMINERS = new Set([
  'a',
  'an',
  'the',
  'this',
  'that',
  'each',
  'every',
  'one',
  'some',
  'any',
  'another',
  'per',
]);
const TOOL_CONTEXT_BEFORE = new Set([
  'in',
  'into',
  'to',
  'on',
  'with',
  'via',
  'use',
  'using',
  'uses',
  'used',
  'and',
  'or',
  'from',
  'through',
  'like',
  'plus',
  'also',
  'vs',
  'versus',
  'sync',
  'over',
]);
const TOOL_CONTEXT_AFTER = new Set([
  'account',
  'folder',
  'folders',
  'integration',
  'enterprise',
  'storage',
  'drive',
]);
const SINGULAR_VERBS = new Set([
  'is',
  'was',
  "isn't",
  'has',
  'holds',
  'stores',
  'keeps',
  'syncs',
  'integrates',
  'works',
  'handles',
]);
/** Words that end the scope of a negation looking backwards. */
const NEGATION_STOPS = new Set([
  'but',
  'to',
  'with',
  'into',
  'so',
  'though',
  'however',
  'except',
  'just',
  'only',
  'now',
]);

const USE_VERBS = new Set(['use', 'using', 'try', 'trying', 'set', 'setting', 'adopting', 'adopt']);
const MOVE_VERBS = new Set([
  'moved',
  'moving',
  'move',
  'switched',
  'switching',
  'switch',
  'migrated',
  'migrating',
  'migrate',
  'went',
  'going',
  'changed',
  'back',
]);
/** Subjects that open a clause; the negation of an earlier clause does not reach past them. */
const CLAUSE_SUBJECTS = new Set([
  'we',
  "we're",
  "we've",
  "we'd",
  "we'll",
  'i',
  "i'm",
  'im',
  "i've",
  "i'd",
  'they',
  "they're",
  "it's",
  'everything',
  "that's",
  "there's",
]);
/** "I don't think we use Salesforce": the negation reaches through a verb of belief. */
const BELIEF_VERBS = new Set(['think', 'believe', 'guess', 'suppose', 'know', 'say']);

export interface IntegrationHits {
  needs: Hit<IntegrationId>[];
  negated: Hit<IntegrationId>[];
  /** Mentions that are not the prospect's need, with why (another organisation's tool, the prospect's own API). */
  skipped?: Alternative<IntegrationId>[];
}

/** The ambiguous words and a bare "API" are less sure than a product name. */
const CONFIDENCE: Partial<Record<IntegrationId, number>> = {
  box: 0.75,
  teams: 0.8,
  dynamics: 0.75,
  api: 0.75,
};

/** One tool's mentions as token ranges: the first positive one and the last one. */
interface Mentions {
  id: IntegrationId;
  rule: string;
  negatedRule: string;
  firstFrom: number;
  firstTo: number;
  lastFrom: number;
  lastTo: number;
  lastNegated: boolean;
}

export function detectIntegrations(t: Toks, ctx: ReadContext = NO_CONTEXT): IntegrationHits {
  const topic = ctx.topic;
  const skipped: Alternative<IntegrationId>[] = [];
  // In order of each id's first mention; Hits are built at the end, one per id.
  const seen = new Map<IntegrationId, Mentions>();
  const tab = integrationTable();
  const flags = t.flags;
  const hot = t.hot;
  const hotN = t.hotN;
  // Tokens before `next` belong to the last tool name matched.
  let next = 0;
  for (let p = 0; p < hotN; p++) {
    const i = hot[p] as number;
    if (i < next || ((flags[i] as number) & F_INTEGRATION) === 0) continue;
    const to = tab.matchEnd(t, i);
    if (to < 0) continue;
    const alias = tab.matched as AliasRules;
    if (alias.ambiguous && !isToolName(t, i)) continue;
    const not = notANeed(t, i, to, alias.id, topic);
    if (not !== undefined) {
      next = to;
      if (skipped.length < MAX_ALTERNATIVES)
        skipped.push({ value: alias.id, span: [t.start[i] as number, t.end[to - 1] as number], reason: not });
      continue;
    }
    const negated = isNegated(t, i) || negatedAfter(t, to) || movedAwayFrom(t, i);
    let m = seen.get(alias.id);
    if (m === undefined) {
      m = {
        id: alias.id,
        rule: alias.rule,
        negatedRule: alias.negatedRule,
        firstFrom: -1,
        firstTo: -1,
        lastFrom: -1,
        lastTo: -1,
        lastNegated: false,
      };
      seen.set(alias.id, m);
    }
    if (!negated && m.firstFrom < 0) {
      m.firstFrom = i;
      m.firstTo = to;
    }
    m.lastFrom = i;
    m.lastTo = to;
    m.lastNegated = negated;
    next = to;
  }
  const needs: Hit<IntegrationId>[] = [];
  const negated: Hit<IntegrationId>[] = [];
  for (const m of seen.values()) {
    if (m.lastNegated) {
      const span: [number, number] = [t.start[m.lastFrom] as number, t.end[m.lastTo - 1] as number];
      negated.push({ value: m.id, span, rule: m.negatedRule });
    } else {
      const span: [number, number] = [t.start[m.firstFrom] as number, t.end[m.firstTo - 1] as number];
      needs.push({ value: m.id, span, rule: m.rule, confidence: CONFIDENCE[m.id] ?? 0.9 });
    }
  }
  needs.sort((a, b) => a.span[0] - b.span[0]);
  const out: IntegrationHits = { needs, negated };
  if (skipped.length > 0) out.skipped = skipped;
  return out;
}

/** "Box", "Teams", "Dynamics" as a product: "in Box", "Slack and Teams", "our Box account". */
function isToolName(t: Toks, i: number): boolean {
  const key = t.k(i);
  const prev = t.k(i - 1);
  const next = t.k(i + 1);
  if (TOOL_CONTEXT_AFTER.has(next)) return true;
  if (key === 'teams' && next === 'of') return false;
  // At the start of a clause a bare singular noun cannot be the common word:
  // "Box is where we keep contracts", "Teams is what we use" (but "teams are small").
  if (isBreak(t, i - 1)) return SINGULAR_VERBS.has(next);
  if (DETERMINERS.has(prev)) return false;
  if (t.has(i, B_CAPITALIZED)) return true;
  return TOOL_CONTEXT_BEFORE.has(prev) && !(key === 'box' && !t.has(i, B_POSSESSIVE) && prev === 'out');
}

function isNegated(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 6; m--) {
    const key = t.key[m] as string;
    if (key === 'to' && t.k(m - 1) === 'used') return true;
    if (key === 'sure' && t.k(m - 1) === 'not') return false;
    // "never got around to using DocuSign": "to" + a use verb stays in the negated clause,
    // unless the prospect is moving to the tool ("switched to using Box").
    if (key === 'to' && USE_VERBS.has(t.k(m + 1)) && !MOVE_VERBS.has(t.k(m - 1))) continue;
    // "No real-time API": a joined hyphen is inside a word, not a pause.
    if (t.isP(m, '-') && t.joined(m) && t.joined(m + 1)) continue;
    if (isBreak(t, m) || t.isP(m, ',') || t.isP(m, '-') || NEGATION_STOPS.has(key)) return false;
    // A new subject starts a new clause even without punctuation, as in transcripts:
    // "we don't use salesforce we use hubspot", "not on drive it's all sharepoint".
    if (CLAUSE_SUBJECTS.has(key) && !BELIEF_VERBS.has(t.k(m - 1))) return false;
    if (isNegatorAt(t, m)) return true;
    if (key === 'used' && t.k(m + 1) === 'to') return true;
  }
  return false;
}

/** Owners that are not the prospect: "our clients use Clio", "some departments use Dropbox". */
const THIRD = new Set(
  (
    'client clients customer customers competitor competitors partner partners departments parent they ' +
    "they're their carriers lenders shippers"
  ).split(' '),
);
const SELF = new Set(['we', "we're", "we've", "we'd", 'our', 'us', 'i', "i'm", "i'd", 'my', 'ours']);
/** Before a tool: the prospect only looked at it. */
const EVALUATED = new Set([
  'looked',
  'evaluated',
  'evaluating',
  'considered',
  'considering',
  'demoed',
  'demoing',
  'trialed',
  'trialing',
  'trialling',
  'compared',
  'comparing',
  'shortlisted',
  'vs',
  'versus',
]);
/** Verbs of connecting: "looking at connecting Slack" is a wish, not an evaluation of Slack. */
const CONNECT_VERBS = new Set(
  'connect connecting connected integrate integrating sync syncing hook hooking link linking push pushing pull pulling wire wiring plug plugging moving switching migrating'.split(
    ' ',
  ),
);
/** A tool as the subject of a comparison or an offer: "Zoho is cheaper", "HubSpot offers similar features". */
const COMPARE_AFTER = new Set(
  'cheaper pricier costlier more less better worse similar established expensive offers offer charges costs quoted undercuts beats'.split(
    ' ',
  ),
);
const CLAUSE_OPENERS = new Set(['and', 'but', 'while', 'whereas', 'though', 'although']);
/** Not a tool in use: "the Slack community", "the HubSpot conference". */
const COMMUNITY_AFTER = new Set(
  'community communities forum forums conference event events webinar webinars certification marketplace meetup summit academy blog podcast'.split(
    ' ',
  ),
);
/** "a client portal", "customer data": a noun modifier, not an owner. */
const MODIFIED_HEADS = new Set(
  (
    'portal portals data success service support records database onboarding experience facing communication ' +
    'communications files file list info information app site website emails messages intake management ' +
    'accounts contracts documents'
  ).split(' '),
);
const BUILT_ON = new Set(['built', 'hosted', 'based', 'running', 'runs', 'sits', 'lives']);
/** A third party's service on the prospect's tool: "they configured Pipedrive for us". */
const SERVICE_VERBS = new Set(
  'configure configured configuring set setup implement implemented implementing customize customized customise customised install installed maintain maintains maintained build built'.split(
    ' ',
  ),
);
/** The vendor states its own features: "you already support Slack", "you guys have Slack". */
const VENDOR_VERBS = new Set([
  'have',
  'has',
  'support',
  'supports',
  'offer',
  'offers',
  'integrate',
  'integrates',
  'connect',
  'connects',
]);
const API_WORK_AFTER = new Set(
  'integration integrations connection connections connector connectors sync syncs feed feeds'.split(' '),
);
/** After a tool: it belongs to a competitor ("HubSpot are moving into people ops"). */
const COMPETING = new Set(['moving', 'compete', 'competes', 'competing', 'competitor', 'competitors']);
/** "the API limits", "API version breaks", "an API outage": a property of some system, not a request for an API. */
const API_PROPERTY_AFTER = new Set(
  (
    'limit limits allocation allocations quota quotas footprint failure failures outage outages efficiency ' +
    'version versions breaks breakage errors downtime throttling cap caps consumption'
  ).split(' '),
);
/** "our API", "sell an API", "API calls": the prospect's own product, not a need. */
const OWN_API_BEFORE = new Set([
  'our',
  'its',
  'own',
  'their',
  'sell',
  'sells',
  'build',
  'builds',
  'offer',
  'offers',
]);
const OWN_API_AFTER = new Set([
  'calls',
  'call',
  'requests',
  'traffic',
  'product',
  'business',
  'usage',
  'handles',
]);

/** Why the mention in tokens `[from, to)` is not the prospect's need, or undefined when it may be one. */
function notANeed(t: Toks, from: number, to: number, id: IntegrationId, topic: Topic): string | undefined {
  // "Compliance Dynamics", "Box Hill Legal": the word is part of another name.
  if (to - from === 1 && (id === 'dynamics' || id === 'box' || id === 'teams')) {
    if (
      t.has(from - 1, B_CAPITALIZED) &&
      !TOOL_PREFIX.has(t.k(from - 1)) &&
      !TOOL_CONTEXT_BEFORE.has(t.k(from - 1))
    )
      return 'part of a name';
    if (t.has(to, B_CAPITALIZED) && !TOOL_CONTEXT_AFTER.has(t.k(to))) return 'part of a name';
  }
  if (COMMUNITY_AFTER.has(t.k(to))) return 'a community or event';
  // "our custom API integrations", "webhook integrations": integration work, not the prospect's product.
  if (id === 'api' && !API_WORK_AFTER.has(t.k(to))) {
    for (let m = from - 1; m >= 0 && m >= from - 3; m--) {
      if (isBreak(t, m)) break;
      if (OWN_API_BEFORE.has(t.key[m] as string)) return "the prospect's own product";
    }
    if (OWN_API_AFTER.has(t.k(to))) return "the prospect's own product";
    if (API_PROPERTY_AFTER.has(t.k(to))) return 'a property of a system, not a request';
  }
  // "your API", "your Slack integration": the product being evaluated, never a third party's;
  // "a portal built on SharePoint": the platform under something the prospect runs.
  let self =
    t.k(from - 1) === 'your' ||
    t.k(from - 2) === 'your' ||
    ((t.k(from - 1) === 'on' || t.k(from - 1) === 'in') && BUILT_ON.has(t.k(from - 2)));
  let connect = false;
  let service = false;
  let vendorVerb = false;
  for (let m = from - 1; m >= 0 && m >= from - 8; m--) {
    if (isBreak(t, m)) break;
    const k = t.key[m] as string;
    if (CONNECT_VERBS.has(k)) connect = true;
    if (SERVICE_VERBS.has(k)) service = true;
    if (VENDOR_VERBS.has(k)) vendorVerb = true;
    if (
      !connect &&
      m >= from - 5 &&
      (EVALUATED.has(k) || (k === 'at' && (t.k(m - 1) === 'looking' || t.k(m - 1) === 'look')))
    )
      return 'only evaluated';
    if (SELF.has(k)) {
      self = true;
      break;
    }
    if (k === 'you' && vendorVerb && !connect && vendorStatement(t, m, to)) return "the vendor's own feature";
    // "a client portal on SharePoint": the noun modifies another noun.
    if ((k === 'client' || k === 'customer') && MODIFIED_HEADS.has(t.k(m + 1))) continue;
    // "they configured Pipedrive for us": a service on the prospect's tool.
    if (!self && THIRD.has(k) && !(service && (k === 'they' || k === "they'd" || k === "they'll")))
      return 'another organisation';
  }
  if (!self && comparedSubject(t, from, to)) return 'compared, not used';
  if (againstVendor(t, from, to)) return 'a competitor of the vendor';
  for (let m = to; m < t.n && m < to + 5; m++) {
    if (isBreak(t, m)) break;
    const k = t.key[m] as string;
    if (COMPETING.has(k)) return 'another organisation';
    if (k === 'with' && (THIRD.has(t.k(m + 1)) || THIRD.has(t.k(m + 2)) || THIRD.has(t.k(m + 4))))
      return 'another organisation';
  }
  if (topic === 'third_party' && !self) return 'another organisation';
  return undefined;
}

/** "You already support Slack." (a statement) but not "Do you support Slack?" or "If you support Slack, …". */
function vendorStatement(t: Toks, you: number, to: number): boolean {
  const before = t.k(you - 1);
  if (before === 'if' || before === 'do' || before === 'can' || before === 'could' || before === 'does')
    return false;
  for (let m = to; m < t.n && m < to + 30; m++) if (isBreak(t, m)) return t.key[m] !== '?';
  return true;
}

/** "Pipedrive is cheaper, and Zoho looks more polished": the tool opens its clause and is compared. */
function comparedSubject(t: Toks, from: number, to: number): boolean {
  const prev = t.k(from - 1);
  if (!(isBreak(t, from - 1) || prev === ',' || CLAUSE_OPENERS.has(prev))) return false;
  for (let m = to; m < t.n && m < to + 3; m++) {
    if (isBreak(t, m) || t.key[m] === ',') return false;
    if (COMPARE_AFTER.has(t.key[m] as string)) return true;
  }
  return false;
}

const VENDOR_WORDS = new Set(['you', 'yours']);
const OR_WORDS = new Set(['and', 'or', 'vs', 'versus', 'against']);
const JOIN_WORDS = new Set(['talk', 'together', 'between', 'both', 'each', 'sync', 'syncs', 'integrated']);

/** A connecting word within eight tokens either side, in the sentence. */
function connectedNear(t: Toks, from: number, to: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 8; m--) {
    if (isBreak(t, m)) break;
    const k = t.key[m] as string;
    if (CONNECT_VERBS.has(k) || JOIN_WORDS.has(k)) return true;
  }
  for (let m = to; m < t.n && m < to + 8; m++) {
    if (isBreak(t, m)) break;
    const k = t.key[m] as string;
    if (CONNECT_VERBS.has(k) || JOIN_WORDS.has(k)) return true;
  }
  return false;
}

const COMPARATIVES = new Set(['more', 'less', 'better', 'worse', 'cheaper', 'fewer', 'bigger', 'stronger']);

/**
 * The tool is set against the vendor being evaluated: "yours and HubSpot", "down to you or Zoho",
 * "Zoho seems to have a lot more features, but your pricing is better". A competitor on the
 * shortlist, not a tool the prospect uses ("HubSpot and your app" stays: the two are to be connected).
 */
function againstVendor(t: Toks, from: number, to: number): boolean {
  const before = OR_WORDS.has(t.k(from - 1)) && VENDOR_WORDS.has(t.k(from - 2));
  const after = OR_WORDS.has(t.k(to)) && VENDOR_WORDS.has(t.k(to + 1));
  // "we need HubSpot and you to talk to each other": the two are to be connected, not compared.
  if (before || after) return !connectedNear(t, from, to);
  // The tool opens its clause, a comparative follows closely, and the vendor comes later in the sentence.
  const prev = t.k(from - 1);
  if (!(isBreak(t, from - 1) || prev === ',' || CLAUSE_OPENERS.has(prev))) return false;
  let m = to;
  for (; m < t.n && m < to + 6; m++) {
    if (isBreak(t, m)) return false;
    if (COMPARATIVES.has(t.key[m] as string)) break;
  }
  if (m >= t.n || m >= to + 6) return false;
  for (let k = m + 1; k < t.n && k < m + 16; k++) {
    if (isBreak(t, k)) return false;
    const w = t.key[k] as string;
    if (w === 'your' || VENDOR_WORDS.has(w)) return true;
  }
  return false;
}

const TOOL_PREFIX = new Set(['microsoft', 'ms', 'enterprise', 'our', 'in', 'on']);

/** "We tried Dropbox years ago but no longer use it", "We were on DocuSign until last month". */
const NEGATED_AFTER = new Set([
  'anymore',
  'until',
  'ago',
  'dropped',
  'ditched',
  'stopped',
  'cancelled',
  'canceled',
]);

function negatedAfter(t: Toks, to: number): boolean {
  for (let m = to; m < t.n && m < to + 10; m++) {
    if (isBreak(t, m)) return false;
    const k = t.key[m] as string;
    if (NEGATED_AFTER.has(k) || (k === 'longer' && t.k(m - 1) === 'no')) return true;
    // "Pipedrive is what we used before HubSpot": a past tool.
    if ((k === 'used' || k === 'had') && (t.k(m + 1) === 'before' || t.k(m + 1) === 'previously'))
      return true;
    // Another tool starts its own mention.
    if (((t.flags[m] as number) & F_INTEGRATION) !== 0 && integrationTable().matchEnd(t, m) >= 0)
      return false;
  }
  return false;
}

/** A finished move: "we switched from Clio to MyCase", "moved off HubSpot" (not "we're migrating off HubSpot"). */
const MOVED = new Set(['switched', 'moved', 'migrated', 'transitioned', 'went', 'changed']);

function movedAwayFrom(t: Toks, at: number): boolean {
  const prep = t.k(at - 1);
  if (prep !== 'from' && prep !== 'off') return false;
  for (let m = at - 2; m >= 0 && m >= at - 4; m--) {
    if (MOVED.has(t.key[m] as string)) return true;
    if (isBreak(t, m)) return false;
  }
  return false;
}
