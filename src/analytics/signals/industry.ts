/**
 * industry: the prospect's own industry. Cues carry a weight (3 for an identity like "law firm",
 * 2 for a strong noun like "clinic", 1 for a hint like "patients"); a cue introduced by the
 * prospect ("we're a …", "I run a …", "our …") gets a bonus, and a cue naming the prospect's
 * customers ("we sell to hospitals", "software for schools", "our clients are banks") is ignored.
 */
import type { IndustryId } from '../../schema/session_payload.js';
import { NO_CONTEXT, type ReadContext } from './context.js';
import { F_INDUSTRY, F_PRODUCT } from './flags.js';
import { type Cue, industryTable } from './industry_cues.js';
import { audienceNear, DOC_NOUNS, FUNCTION_WORDS, PERSON_NOUNS } from './lexicon.js';
import { isNumberWord } from './numbers.js';
import { matchPeriod } from './periods.js';
import {
  B_CAPITALIZED,
  B_DASH,
  B_POSSESSIVE,
  isBreak,
  K_NUM,
  K_PUNCT,
  K_WORD,
  type Toks,
} from './tokenizer.js';
import type { Hit } from './types.js';

const SELF = new Set(["we're", 'we', 'were', 'i', "i'm", "we've", "i've", 'our', 'us', 'my', 'ours', 'im']);
const CUSTOMER_MARKERS = new Set([
  'serve',
  'serves',
  'serving',
  'served',
  'clients',
  'client',
  'customers',
  'customer',
  'target',
  'targeting',
  'targets',
  'vendor',
  'supplier',
  'supply',
  'supplies',
  'help',
  'helps',
  'helping',
]);
const WORK_VERBS = new Set(['work', 'works', 'working', 'worked']);
/** "we sell to hospitals" names customers; "we sell insurance" names what the prospect does. */
const SELL_WORDS = new Set(['sell', 'sells', 'selling', 'sold']);
/** "we work with dentists", "we partner with banks": customers or partners, not the prospect. */
const WITH_VERBS = new Set([
  'work',
  'works',
  'working',
  'partner',
  'partners',
  'partnering',
  'partnered',
  'teamed',
  'collaborate',
  'collaborated',
  'deal',
  'deals',
  'dealing',
  'dealt',
]);
/** "we're onboarding three hospitals", "we support forty dental practices": whom the prospect serves. */
const SERVE_VERBS = new Set([
  'onboard',
  'onboards',
  'onboarding',
  'onboarded',
  'serve',
  'serves',
  'serving',
  'support',
  'supports',
  'supporting',
]);
const MUNICIPAL_BODIES = new Set([
  'government',
  'agency',
  'utility',
  'utilities',
  'department',
  'office',
  'offices',
  'district',
  'authority',
  'council',
  'court',
  'clerk',
  'employees',
  'staff',
  'workers',
]);
/** Words right before a verb that make it one: its subject, an auxiliary or an adverb. */
const VERB_LEAD = new Set([
  'we',
  'i',
  "we're",
  "i'm",
  'are',
  'am',
  'also',
  'mostly',
  'now',
  'currently',
  'still',
  'to',
  'will',
  "we'll",
  'already',
]);
/**
 * Cues that also name a department or a task: "our accounting is in QuickBooks", "we use Xero
 * for bookkeeping", "our insurance covers it". After these words they are not the industry.
 */
const FUNCTION_CUES = new Set([
  'accounting',
  'bookkeeping',
  'insurance',
  'shipping',
  'warehouse',
  'recruiting',
  'recruitment',
  'litigation',
  'lending',
  'banking',
  'staffing',
  'logistics',
  'construction',
  'manufacturing',
  'underwriting',
]);
/** "the construction business", "our insurance company": the cue is an identity after all. */
const IDENTITY_AFTER = new Set([
  'business',
  'businesses',
  'industry',
  'sector',
  'space',
  'field',
  'company',
  'companies',
  'firm',
  'firms',
  'agency',
  'provider',
  'group',
  'side',
]);
const PRODUCT_WORDS = new Set([
  'software',
  'app',
  'apps',
  'platform',
  'tool',
  'tools',
  'product',
  'products',
  'solution',
  'solutions',
  'system',
  'systems',
  'services',
  'service',
  'saas',
  'recruitment',
  'recruiting',
  'staffing',
  'marketing',
]);
const STORE_QUALIFIERS = new Set([
  'our',
  'retail',
  'physical',
  'grocery',
  'convenience',
  'clothing',
  'department',
]);

/** The best-scoring industry cue that describes the prospect. */
export function detectIndustry(t: Toks, ctx: ReadContext = NO_CONTEXT): Hit<IndustryId> | undefined {
  let best: Hit<IndustryId> | undefined;
  let bestScore = 0;
  const product = productSelfDescription(t);
  if (product !== undefined) {
    best = product;
    bestScore = PRODUCT_SCORE;
  }
  const tab = industryTable();
  const flags = t.flags;
  const hot = t.hot;
  const hotN = t.hotN;
  // Tokens before `next` belong to the last cue matched.
  let next = 0;
  for (let p = 0; p < hotN; p++) {
    const i = hot[p] as number;
    if (i < next || ((flags[i] as number) & F_INDUSTRY) === 0) continue;
    const to = tab.matchEnd(t, i);
    if (to < 0) continue;
    next = to;
    const cue = tab.matched as Cue;
    if (cue.id === 'none') continue;
    if (customerContext(t, i)) continue;
    // "the municipal requirement", "municipal bonds": an adjective names the prospect only on an organisation.
    if (to - i === 1 && t.k(i) === 'municipal' && !MUNICIPAL_BODIES.has(t.k(to))) continue;
    if (counterpart(t, i, to)) continue;
    if (personalHistory(t, i) || relativeOther(t, i, to) || nearbyOther(t, i, to)) continue;
    if ((EMPLOYMENT_STATUS.has(t.k(i - 1)) && peopleCue(t, to)) || insideRelative(t, i)) continue;
    // "a nonprofit clinic", "a healthcare staffing agency": the head noun (the last cue) is the identity.
    if (((flags[to] as number) & F_INDUSTRY) !== 0 && headCueAt(t, to)) continue;
    if (to - i === 1 && FUNCTION_CUES.has(t.k(i)) && !functionAsIdentity(t, i, to)) continue;
    if (notSelfDescription(t, i, to)) continue;
    const self = selfContext(t, i);
    if (!self && (ctx.topic === 'third_party' || (marketPhrase(t, i) && !ownSector(t, i, to)))) continue;
    if (compoundModifier(t, to) || (!self && (generalTalk(t, i, to) || othersPossessive(t, i, to)))) continue;
    // A plural product ("steel components", "custom forgings") names what the prospect makes, not counterparts.
    if (
      pluralCue(t, to - 1) &&
      !PRODUCT_CUES.has(t.k(i)) &&
      !countBefore(t, i) &&
      (!self || withBefore(t, i))
    )
      continue;
    // "No Excuses Machining", "the Midwest Freight case study": a cue inside a capitalised name.
    if (!self && insideName(t, i)) continue;
    // "additive machining tolerances", "carrier margins": a process or role word modifying another noun.
    if (
      MODIFIER_CUES.has(t.k(to - 1)) &&
      compoundHead(t, to) &&
      !IDENTITY_AFTER.has(t.k(to)) &&
      !ACTIVITY_NOUNS.has(t.k(to))
    )
      continue;
    // "one search firm CEO", "a law firm partner": a person at another organisation.
    if (!self && ROLE_AFTER.has(t.k(to))) continue;
    // "How many law firms have you worked with?": a question about the vendor's customers.
    if (t.k(i - 1) === 'many' && t.k(i - 2) === 'how') continue;
    // "we place around 40 teachers a month": people counted per period are a flow handled, not staff
    // ("40 patients a day" names whom a clinic serves; "1,000 loans a quarter" is not people).
    if (PERSON_NOUNS.has(t.k(to - 1)) && pluralCue(t, to - 1) && matchPeriod(t, to) !== undefined) continue;
    // "we invited 200 attorneys to the webinar", "our list of engineers": an audience, not staff.
    if (PERSON_NOUNS.has(t.k(to - 1)) && audienceNear(t, i, to)) continue;
    if (aspiration(t, i)) continue;
    if (cue.weight === 1 && !self) continue;
    if (cue.needsSelf && !self && !(i > 0 && (t.k(i - 1) === 'the' || t.k(i - 1) === 'our'))) {
      continue;
    }
    if (!cueAllowed(t, i, to, cue)) continue;
    const score = cue.weight + (self ? 2 : 0);
    if (score > bestScore) {
      bestScore = score;
      // "a healthcare analytics company", "health tech": the sector is the market, the company is technology.
      const id = TECH_AFTER.has(t.k(to)) ? 'technology' : cue.id;
      const span: [number, number] = [t.start[i] as number, t.end[to - 1] as number];
      best = {
        value: id,
        span,
        rule: `industry.${id}`,
        confidence: self ? 0.9 : cue.weight >= 3 ? 0.8 : 0.7,
      };
    }
  }
  return best;
}

/** Cue words that end in "s" but are not plurals. */
const NOT_PLURAL = new Set([
  'logistics',
  'orthodontics',
  'analytics',
  'services',
  'sales',
  'physics',
  'pharmaceuticals',
]);
/** Words that make a plural cue a count of the prospect's own: "62 attorneys", "a dozen clinics", "our lawyers". */
const COUNT_WORDS = new Set([
  'dozen',
  'dozens',
  'couple',
  'few',
  'several',
  'many',
  'our',
  'my',
  'hundreds',
  'handful',
  'both',
  'all',
]);
/** Verbs of general statements: "Law firms are hierarchical", "B2B e-commerce is big for us". */
const COPULAS = new Set([
  'is',
  'are',
  "isn't",
  "aren't",
  'was',
  'were',
  'has',
  'have',
  'handle',
  'handles',
  'tend',
  'need',
]);

const TECH_AFTER = new Set([
  'analytics',
  'software',
  'tech',
  'technology',
  'saas',
  'it',
  'ai',
  'data',
  'platform',
]);
const DISCOURSE = new Set([
  'just',
  'that',
  'so',
  'and',
  'but',
  'because',
  'like',
  'honestly',
  'yeah',
  'well',
  'i',
  'mean',
  'b2b',
  'b2c',
]);

function pluralCue(t: Toks, last: number): boolean {
  const k = t.key[last] as string;
  return k.length > 3 && k.endsWith('s') && !k.endsWith('ss') && !NOT_PLURAL.has(k);
}

/** "62 attorneys", "two clinics", "a dozen paralegals", "our lawyers": the prospect's own people or sites. */
function countBefore(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 3; m--) {
    if (isBreak(t, m)) return false;
    if (t.kind[m] === K_NUM || isNumberWord(t.k(m)) || COUNT_WORDS.has(t.k(m))) return true;
  }
  return false;
}

const COUNTERPART_PREPS = new Set([
  'with',
  'on',
  'to',
  'for',
  'from',
  'into',
  'at',
  'toward',
  'towards',
  'about',
  'than',
  'like',
]);

/** "we've done really well with regional banks", "lost focus on larger banks": a plural after a preposition names counterparts. */
function withBefore(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 3; m--) {
    if (isBreak(t, m)) return false;
    if (COUNTERPART_PREPS.has(t.k(m))) return true;
  }
  return false;
}

const SECTOR_NOUNS = new Set(['sector', 'industry']);
const OWN_SECTOR_BEFORE = new Set(
  "enterprise company business firm organization organisation startup operate we're i'm are am".split(' '),
);
/** "a 500-person enterprise in the healthcare sector", "we're in the retail industry": where the prospect is, not whom it sells to. */
function ownSector(t: Toks, at: number, to: number): boolean {
  if (!SECTOR_NOUNS.has(t.k(to))) return false;
  const inAt = t.k(at - 1) === 'in' ? at - 1 : t.k(at - 1) === 'the' && t.k(at - 2) === 'in' ? at - 2 : -1;
  return inAt > 0 && OWN_SECTOR_BEFORE.has(t.k(inAt - 1));
}

/** "in healthcare", "in the government space", "into retail", "across banking": a market, not an identity. */
function marketPhrase(t: Toks, at: number): boolean {
  const prev = t.k(at - 1);
  if (prev === 'in' || prev === 'into' || prev === 'across') return true;
  const prev2 = t.k(at - 2);
  return prev === 'the' && (prev2 === 'in' || prev2 === 'into' || prev2 === 'across');
}

/**
 * A cue that opens its clause as the subject of a general statement ("B2B e-commerce is big for
 * us", "Law firms are hierarchical"), or a compound modifier ("government-wide"): talk about a
 * sector, not the prospect's description of itself.
 */
function generalTalk(t: Toks, from: number, to: number): boolean {
  if (!COPULAS.has(t.k(to))) return false;
  for (let m = from - 1; m >= from - 4; m--) {
    if (m < 0 || isBreak(t, m) || t.isP(m, ',')) return true;
    // "Just that home health is huge": discourse words may open the statement.
    if (m < from - 2 && !DISCOURSE.has(t.k(m))) return false;
    if (!DISCOURSE.has(t.k(m)) && m < from - 1) return false;
  }
  return false;
}

/** "government-wide vehicles", "healthcare-focused": the cue qualifies another word. */
function compoundModifier(t: Toks, to: number): boolean {
  return (
    t.isP(to, '-') && t.joined(to) && !t.has(to, B_DASH) && t.kind[to + 1] === K_WORD && t.joined(to + 1)
  );
}

/** "The bank's entire operation", "a hospital's budget": another organisation's (not "our clinic's"). */
function othersPossessive(t: Toks, from: number, to: number): boolean {
  return t.has(to - 1, B_POSSESSIVE) && t.k(from - 1) !== 'our' && t.k(from - 1) !== 'my';
}

/** "neither of us want to be landlords": a role the prospect does not have. */
function aspiration(t: Toks, at: number): boolean {
  if (t.k(at - 1) !== 'be' && t.k(at - 2) !== 'be') return false;
  for (let m = at - 2; m >= 0 && m >= at - 5; m--) {
    const k = t.k(m);
    if (k === 'want' || k === 'wants' || k === 'wanna' || k === 'become' || k === 'like') return true;
  }
  return false;
}

/** "a foundation" of an organisation kind; "our pricing foundation", "a solid foundation" are a base. */
const FOUNDATION_BEFORE = new Set(
  'a an our my family private charitable philanthropic community public nonprofit non-profit small local national independent corporate operating grantmaking the'.split(
    ' ',
  ),
);
const PERSONAL = new Set(['my', 'his', 'her']);
const LIKE_SUBJECTS = new Set(['i', 'we', 'would', 'really', "i'd", "we'd", 'you', "you'd", 'they', 'also']);

/** "not regulated like fintech", "unlike a hospital", "a bit like a law firm would": a comparison, not the prospect. */
function comparison(t: Toks, from: number): boolean {
  let m = from - 1;
  if (ARTICLES.has(t.k(m))) m--;
  const k = t.k(m);
  if (k === 'unlike') return true;
  return k === 'like' && !LIKE_SUBJECTS.has(t.k(m - 1)) && !t.k(m - 1).endsWith("'d");
}

function cueAllowed(t: Toks, from: number, to: number, cue: Cue): boolean {
  const first = t.k(from);
  if (comparison(t, from)) return false;
  if (to - from === 1 && first === 'foundation') {
    if (!FOUNDATION_BEFORE.has(t.k(from - 1))) return false;
    if (t.k(from - 1) === 'the' && (t.k(to) === 'of' || t.k(to) === 'for')) return false;
  }
  // "my college education", "my education was in music": the speaker's schooling, not the organisation.
  if (t.k(to - 1) === 'education' && (PERSONAL.has(t.k(from - 1)) || PERSONAL.has(t.k(from - 2))))
    return false;
  // "Medical robotics, for one", "dental imaging": an adjective on a product or market, unless the
  // prospect says it of itself ("we're a medical device maker") or the head is an organisation.
  if (to - from === 1 && (first === 'medical' || first === 'dental')) {
    const head = t.k(to);
    if (t.kind[to] === K_WORD && !FUNCTION_WORDS.has(head) && !ADJECTIVE_ORG_HEADS.has(head))
      return selfContext(t, from);
  }
  // "a boutique search firm", "a boutique agency": a kind of firm, not a shop.
  if (first === 'boutique' && BOUTIQUE_OF.has(t.k(to))) return false;
  // "plant-based", "a county fair" stay; "stores" must be shops, not the verb ("it stores files").
  if (first === 'plant' || first === 'plants') return !(t.isP(to, '-') && t.joined(to));
  // "we're remodeling our office": the verb, not the trade.
  if (VERB_CUES.has(first)) return !OBJECT_DETERMINERS.has(t.k(to));
  if (first === 'stores') {
    const prev = t.k(from - 1);
    return t.kind[from - 1] === K_NUM || isNumberWord(prev) || STORE_QUALIFIERS.has(prev);
  }
  if (first === 'city' || first === 'county') {
    const prev = t.k(from - 1);
    return prev === 'the' || prev === 'our' || prev === 'a' || t.k(to) === 'of' || t.k(to) === 'agency';
  }
  return cue.weight > 0;
}

const VERB_CUES = new Set(['remodeling', 'remodelling', 'roofing', 'staffing', 'recruiting', 'building']);
const OBJECT_DETERMINERS = new Set([
  'our',
  'my',
  'the',
  'a',
  'an',
  'this',
  'that',
  'their',
  'his',
  'her',
  'your',
  'it',
]);

/** "we're a", "I run a dental clinic", "our clinic": the prospect speaks of itself. */
function selfContext(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 6; m--) {
    if (isBreak(t, m)) return false;
    if (SELF.has(t.key[m] as string)) return true;
  }
  return false;
}

/**
 * "we sell to hospitals", "software for schools", "our customers are banks"; a list after the
 * marker runs on across commas ("our clients are mostly banks, a couple of insurers, a few hospitals").
 */
function customerContext(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 16; m--) {
    if (isBreak(t, m)) return false;
    const key = t.key[m] as string;
    if (SELF.has(key)) return false;
    if (CUSTOMER_MARKERS.has(key)) return true;
    if (SELL_WORDS.has(key)) {
      for (let k = m + 1; k < at; k++) if (t.k(k) === 'to' || t.k(k) === 'into') return true;
    }
    if (key === 'with' && WITH_VERBS.has(t.k(m - 1))) return true;
    if (SERVE_VERBS.has(key) && VERB_LEAD.has(t.k(m - 1))) return true;
    if ((key === 'for' || key === 'to') && m >= 1 && PRODUCT_WORDS.has(t.k(m - 1))) return true;
    if (key === 'for' && m >= 2 && PRODUCT_WORDS.has(t.k(m - 2))) return true;
    // "consulting for mid-size manufacturers": a plural after "for" names whom the prospect serves.
    if (key === 'for' && !WORK_VERBS.has(t.k(m - 1)) && (t.key[at] as string).endsWith('s')) return true;
  }
  return false;
}

/**
 * "accounting for the review", "Deltek for project accounting", "our insurance covers it": a
 * department or a verb. Counts only as "an accounting firm", "the staffing business", "we do
 * accounting", "we're in logistics".
 */
function functionAsIdentity(t: Toks, from: number, to: number): boolean {
  if (IDENTITY_AFTER.has(t.k(to))) return true;
  // "our manufacturing processes", "our manufacturing facility": a site or process of the prospect's own.
  if (t.k(from) === 'manufacturing' && MANUFACTURING_AFTER.has(t.k(to)) && selfContext(t, from)) return true;
  if (activity(t, from, to)) return true;
  // "a manufacturing and technology company": both sectors share the head noun.
  if ((t.k(to) === 'and' || t.k(to) === '&') && IDENTITY_AFTER.has(t.k(to + 2))) return true;
  const prev = t.k(from - 1);
  if (prev === 'do' || prev === 'does' || prev === 'an' || prev === 'a') return true;
  if (t.k(to) === 'for' || t.k(to) === 'on') return false;
  // "I lead underwriting", "we're in logistics" (not "our accounting", "for bookkeeping").
  return SUBJECTS.has(t.k(from - 2)) && !NOT_VERB_BEFORE.has(prev);
}

const MANUFACTURING_AFTER = new Set(
  'process processes facility facilities floor operation operations capacity line lines site sites plant plants'.split(
    ' ',
  ),
);
/** Heads that make "medical"/"dental" an organisation: "medical office", "dental group". */
const ADJECTIVE_ORG_HEADS = new Set(
  'practice practices office offices group groups center centre centers centres clinic clinics company companies firm firms provider providers field industry sector space business businesses facility facilities staff team organization organisation network'.split(
    ' ',
  ),
);
/** Kinds of firm a "boutique" can be (not a shop): "a boutique search firm", "a boutique agency". */
const BOUTIQUE_OF = new Set(
  'firm agency consultancy consulting search investment law hotel hotels bank advisory studio fitness design marketing recruiting'.split(
    ' ',
  ),
);

/** First words of cues that name products, whose plural is not a set of counterparts. */
const PRODUCT_CUES = new Set([
  'castings',
  'forgings',
  'stampings',
  'machined',
  'metal',
  'steel',
  'precision',
]);
/** Last words of cues that also modify a following noun: "machining tolerances", "carrier margins". */
const MODIFIER_CUES = new Set([
  'machining',
  'molding',
  'moulding',
  'casting',
  'metal',
  'carrier',
  'fabrication',
]);
/** People at an organisation: "a search firm CEO", "the hospital's owner". */
const ROLE_AFTER = new Set(
  'ceo cfo coo cto founder founders owner owners president partner partners executive executives exec execs director directors vp'.split(
    ' ',
  ),
);

/**
 * The cue starts with a capital inside a capitalised name: the word before is capitalised too and
 * does not open the sentence ("the Midwest Freight case study", "No Excuses Machining").
 */
function insideName(t: Toks, at: number): boolean {
  if (!t.has(at, B_CAPITALIZED) || !t.has(at - 1, B_CAPITALIZED)) return false;
  const before = at - 2;
  return before >= 0 && !isBreak(t, before) && t.kind[before] !== K_PUNCT;
}

const SUBJECTS = new Set(['i', 'we', "we're", "i'm"]);
const NOT_VERB_BEFORE = new Set([
  'for',
  'our',
  'the',
  'my',
  'your',
  'their',
  'its',
  'use',
  'using',
  'with',
  'on',
]);

/** Words after a cue that make it a description of something else: "higher ed projects", "the nonprofit edition". */
const NOT_SELF_AFTER = new Set([
  'procurement',
  'segment',
  'segments',
  'project',
  'projects',
  'client',
  'clients',
  'customer',
  'customers',
  'brands',
  'edition',
  'cloud',
  'vertical',
  'verticals',
  'market',
  'markets',
  'deals',
  'accounts',
  'partner',
  'partners',
]);
/** Before "a …": the prospect describes itself ("we're a", "I run a", "as a") rather than another organisation. */
const SELF_BEFORE_ARTICLE = new Set(
  "we're are i'm am as is were was run runs own owns operate operates manage manages at for with im".split(
    ' ',
  ),
);

/** Words that make "a … cue" a count or a group of the prospect's own: "a dozen attorneys", "a couple of paralegals". */
const NOT_ARTICLE_RUN = new Set([
  'the',
  'our',
  'dozen',
  'couple',
  'few',
  'handful',
  'of',
  'team',
  'group',
  'lot',
  'bunch',
]);

/** "onboarding a big retailer", "a hospital project", "mid-size manufacturers" after "for": not the prospect. */
function notSelfDescription(t: Toks, from: number, to: number): boolean {
  if (NOT_SELF_AFTER.has(t.k(to)) && !activity(t, from, to)) return true;
  // "medical authorizations", "legal documents": an adjective of a document, not an identity.
  if (DOC_NOUNS.has(t.k(to))) return true;
  for (let m = from - 1; m >= 0 && m >= from - 3; m--) {
    const k = t.key[m] as string;
    if (k === 'a' || k === 'an') {
      // "my sister-in-law is a lawyer", "he's an attorney": one person's job, not the company's.
      // "we're basically a …", "we're technically a …": adverbs between the verb and the article.
      let v = m - 1;
      while (v > 0 && v >= m - 3 && (t.k(v).endsWith('ly') || HEDGES.has(t.k(v)))) v--;
      const verb = t.k(v);
      if (
        (verb === 'is' || verb === 'was' || verb === "he's" || verb === "she's") &&
        PERSON_JOB.has(t.k(from))
      )
        return true;
      return !SELF_BEFORE_ARTICLE.has(verb);
    }
    if (isBreak(t, m) || t.kind[m] !== K_WORD || SELF.has(k) || NOT_ARTICLE_RUN.has(k)) return false;
  }
  return false;
}

/** A self-description names the prospect's product: "we build cloud-based modeling software", "we sell an API". */
export const PRODUCT_NOUN_KEYS = ['software', 'saas', 'platform', 'app', 'apps', 'api', 'apis', 'sdk'];
const MAKE_VERBS = new Set([
  'build',
  'builds',
  'building',
  'make',
  'makes',
  'develop',
  'develops',
  'sell',
  'sells',
  'offer',
  'offers',
  'provide',
  'provides',
  'license',
  'licenses',
  'built',
  'selling',
  'offering',
  'providing',
  'developing',
  'making',
  'licensing',
]);
/** Who can be the maker in "we're a small outfit offering software": the prospect or its company. */
const MAKERS = new Set([
  'we',
  'i',
  "we've",
  "we're",
  "i'm",
  'company',
  'firm',
  'business',
  'outfit',
  'startup',
]);
const PRODUCT_SCORE = 5;
const PRODUCT_WINDOW = 8;

function productSelfDescription(t: Toks): Hit<IndustryId> | undefined {
  const flags = t.flags;
  for (let p = 0; p < t.hotN; p++) {
    const i = t.hot[p] as number;
    if (((flags[i] as number) & F_PRODUCT) === 0) continue;
    let verb = -1;
    for (let m = i - 1; m >= 0 && m >= i - PRODUCT_WINDOW; m--) {
      if (isBreak(t, m)) break;
      const k = t.key[m] as string;
      if (verb < 0 && MAKE_VERBS.has(k)) verb = m;
      else if (verb >= 0 && MAKERS.has(k)) {
        if (t.k(verb - 1) !== "don't" && t.k(verb - 1) !== 'not') {
          return {
            value: 'technology',
            span: [t.start[m] as number, t.end[i] as number],
            rule: 'industry.technology.product',
            confidence: 0.85,
          };
        }
        break;
      }
    }
  }
  return undefined;
}

/** Verbs of the prospect's own line of work: "we do commercial construction projects", "our crews handle roofing jobs". */
const ACTIVITY_VERBS = new Set(
  'do does doing did handle handles handling build builds building deliver delivers delivering specialize specializes specializing focus focuses perform performs'.split(
    ' ',
  ),
);
const ACTIVITY_NOUNS = new Set(['projects', 'jobs', 'work', 'services', 'contracts', 'mostly', 'primarily']);

/**
 * The cue names the prospect's activity: a line-of-work verb before it with no article between
 * (generic work, not one client's project: "doing commercial construction projects" vs "doing a
 * hospital project"), and after it a work noun or the end of the clause.
 */
function activity(t: Toks, from: number, to: number): boolean {
  const after = t.k(to);
  if (!ACTIVITY_NOUNS.has(after) && !isBreak(t, to) && after !== ',') return false;
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    const k = t.key[m] as string;
    if (isBreak(t, m) || k === 'a' || k === 'an' || k === 'the' || k === 'this' || k === 'that') return false;
    if (ACTIVITY_VERBS.has(k)) return selfContext(t, m + 1) || SELF.has(t.k(m - 1));
  }
  return false;
}

/** Singular providers a prospect has rather than is: "to our bank", "with our lawyer". */
const PROVIDERS = new Set(['bank', 'lender', 'insurer', 'carrier']);
/** One person a prospect retains: "our lawyer", "my accountant" (plural "our lawyers" are staff). */
const PERSON_PROVIDERS = new Set(
  'lawyer attorney accountant bookkeeper recruiter contractor builder architect broker realtor landlord adviser advisor manager banker'.split(
    ' ',
  ),
);
/** Prepositions whose object is a counterpart: "calls from the hospital", "a referral from a law firm". */
const COUNTERPART_OBJECT_PREPS = new Set(['from', 'to', 'with', 'at', 'by', 'via', 'through', 'for']);
/** Before such a preposition, the prospect places itself: "I work at a hospital", "I'm with a law firm". */
const PLACING = new Set([
  ...WORK_VERBS,
  "i'm",
  "we're",
  'am',
  'are',
  'is',
  'be',
  'been',
  'job',
  'employed',
  'based',
]);
/** Verbs whose object is a thing or a counterpart: "get bank earnings", "know some charity", "hire contractors". */
const OBJECT_VERBS = new Set(
  (
    'get gets got getting receive received call called calling contact contacted email emailed pay paid visit ' +
    'visited know knew find found recommend recommended choose chose pick picked hire hired hiring bring brought ' +
    'pull pulled engage engaged outsource outsourced use used using'
  ).split(' '),
);
const ARTICLES = new Set(['a', 'an', 'the']);
const HEDGES = new Set([
  'basically',
  'actually',
  'really',
  'just',
  'kind',
  'sort',
  'of',
  'essentially',
  'still',
  'also',
]);
/** "the pharmacy down the street", "the law firm next door": a nearby organisation, not the prospect. */
const NEARBY = new Set(['down', 'across', 'next', 'nearby', 'around', 'up']);
const NEARBY_AFTER = new Set(['street', 'road', 'town', 'door', 'corner', 'hall', 'block', 'way']);

function nearbyOther(t: Toks, from: number, to: number): boolean {
  // "the pharmacy down the street", "the big regional hospital up the road".
  let d = from - 1;
  while (
    d >= 0 &&
    d >= from - 3 &&
    t.kind[d] === K_WORD &&
    t.key[d] !== 'the' &&
    !SELF.has(t.key[d] as string)
  )
    d--;
  if (t.k(d) !== 'the') return false;
  for (let m = to; m < t.n && m <= to + 2; m++) {
    if (!NEARBY.has(t.k(m))) continue;
    for (let j = m + 1; j <= m + 3; j++) if (NEARBY_AFTER.has(t.k(j)) || t.k(j) === 'by') return true;
    return t.k(m) === 'nearby';
  }
  return false;
}

const GENERIC_HEADS = new Set([
  'brokerage',
  'carrier',
  'plant',
  'plants',
  'stores',
  'foundation',
  'district',
  'fleet',
]);

/** A real cue (not a "none" phrase) starts at token `at`. */
function headCueAt(t: Toks, at: number): boolean {
  const tab = industryTable();
  const end = tab.matchEnd(t, at);
  // "freight brokerage", "insurance carrier": a generic head takes its kind from the word before.
  if (end === at + 1 && GENERIC_HEADS.has(t.k(at))) return false;
  return end > at && (tab.matched as Cue).id !== 'none';
}
/** The speaker's own history: "my background is in banking", "I spent ten years at a credit union". */
const HISTORY = new Set(['background', 'career', 'spent', 'previously', 'formerly', 'former', 'resume']);

function personalHistory(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 20; m--) {
    if (isBreak(t, m)) return false;
    const k = t.key[m] as string;
    if (HISTORY.has(k)) return true;
    // "Before this I ran …", "prior to joining", "before joining here".
    if ((k === 'before' || k === 'prior') && BEFORE_NOW.has(t.k(m + 1) === 'to' ? t.k(m + 2) : t.k(m + 1)))
      return true;
  }
  return false;
}
const BEFORE_NOW = new Set(['this', 'joining', 'here', 'that', 'starting', 'founding']);

/** "independent contractors", "1099 contractors": an employment status, not the trade. */
const EMPLOYMENT_STATUS = new Set([
  'independent',
  'freelance',
  '1099',
  'outside',
  'external',
  'temporary',
  'temp',
]);

/** The cue names people ("contractors", "lawyers"), not an organisation ("an independent insurance agency"). */
function peopleCue(t: Toks, to: number): boolean {
  const last = t.k(to - 1);
  return (
    PERSON_NOUNS.has(last) || last === 'contractor' || last === 'contractors' || last === 'subcontractors'
  );
}

/** "a form that the county uses", "a portal which the hospital runs": inside a relative clause about another thing. */
const NOT_RELATIVE_HEAD = new Set(
  'is was are were think thought said says know mean guess so because believe feel sure just fact problem issue thing reason'.split(
    ' ',
  ),
);

function insideRelative(t: Toks, from: number): boolean {
  const det = t.k(from - 1) === 'the' ? from - 2 : from - 1;
  const rel = t.k(det);
  if (rel !== 'that' && rel !== 'which') return false;
  return t.kind[det - 1] === K_WORD && !NOT_RELATIVE_HEAD.has(t.k(det - 1));
}

const RELATIVE_SUBJECTS = new Set(['my', 'our', 'his', 'her', 'their', 'i', 'we', 'they', 'you', 'your']);
/** Verbs after "the school I …" that make it the speaker's own: "the school I run", "the firm we founded". */
const OWN_VERBS = new Set(
  'run runs ran own owns owned manage manages lead leads founded started work operate operates am are is'.split(
    ' ',
  ),
);

/**
 * "The school my kids go to", "the bank we use", "the hospital systems we sell to": a definite cue
 * followed by a clause with another subject names an organisation by someone's relation to it
 * (not "the school I run", "the firm we founded").
 */
function relativeOther(t: Toks, from: number, cueTo: number): boolean {
  if (t.k(from - 1) !== 'the') return false;
  // "the hospital systems we sell to": the cue's head noun may come first.
  let to = cueTo;
  if (!RELATIVE_SUBJECTS.has(t.k(to)) && t.kind[to] === K_WORD) to++;
  if (!RELATIVE_SUBJECTS.has(t.k(to))) return false;
  for (let m = to + 1; m < t.n && m <= to + 3; m++) {
    if (isBreak(t, m)) return false;
    if (OWN_VERBS.has(t.key[m] as string)) return false;
    if (t.kind[m] === K_WORD && !RELATIVE_SUBJECTS.has(t.key[m] as string)) {
      // The first verb-like word after the subject (after a possessive's noun: "my kids go").
      const prevPossessive = ['my', 'our', 'his', 'her', 'their', 'your'].includes(t.k(m - 1));
      if (!prevPossessive) return true;
    }
  }
  return false;
}
const SERVED_HINTS = new Set(['patients', 'patient', 'students']);
/** Words between such a verb and its object: "bring in outside contractors", "get like bank earnings". */
const OBJECT_FILL = new Set(
  'in on a an the some any another other like extra additional outside external more new local temporary freelance few'.split(
    ' ',
  ),
);

/**
 * A cue noun in another role: the object of a verb of getting, hiring or knowing ("we had to
 * bring in additional contractors", "do you know some NGO") unless counted as the prospect's own
 * ("we hired 6 attorneys"); the object of a preposition that names a counterpart ("calls from the
 * hospital", "straight to our bank"), unless the prospect places itself there ("I work at a
 * hospital", "I'm with a law firm"); "for" + a singular cue without a work verb ("our biggest
 * quarter for hospital system buying cycles").
 */
const SUBJECT_PRONOUNS = new Set(['i', "i'm", 'im', 'we', "we're", "i've", "we've"]);

function subjectBefore(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 7; m--) {
    if (isBreak(t, m) || t.key[m] === ',') return false;
    if (SUBJECT_PRONOUNS.has(t.key[m] as string)) return true;
  }
  return false;
}

/** The cue is followed by another content word: "hospital system buying cycles". */
function compoundHead(t: Toks, to: number): boolean {
  return t.kind[to] === K_WORD && !FUNCTION_WORDS.has(t.key[to] as string) && !isBreak(t, to);
}

/** One person's job: "is a lawyer", "was a nurse". */
const PERSON_JOB = new Set(
  'lawyer attorney paralegal nurse doctor dentist physician pharmacist accountant bookkeeper realtor contractor builder architect recruiter teacher banker lender'.split(
    ' ',
  ),
);
/** "The county sends us permits", "the hospital called me": an organisation acting on the prospect. */
const TO_PROSPECT = new Set(['us', 'me']);

function actsOnProspect(t: Toks, to: number): boolean {
  for (let m = to + 1; m < t.n && m <= to + 2; m++) if (TO_PROSPECT.has(t.k(m))) return t.kind[to] === K_WORD;
  return false;
}

/** Sites a prospect shows visitors: "we invite them to the plant", "bring buyers onto the shop floor". */
const OWN_SITES = new Set(['plant', 'factory', 'shop', 'production']);
const HOST_VERBS = new Set([
  'invite',
  'invites',
  'invited',
  'bring',
  'brings',
  'host',
  'hosts',
  'tour',
  'show',
]);

function hostedAtOwnSite(t: Toks, from: number): boolean {
  if (!OWN_SITES.has(t.k(from)) || (t.k(from - 1) !== 'the' && t.k(from - 1) !== 'our')) return false;
  for (let m = from - 2; m >= 0 && m >= from - 6; m--) {
    if (isBreak(t, m)) return false;
    if (HOST_VERBS.has(t.key[m] as string)) return true;
  }
  return false;
}

function counterpart(t: Toks, from: number, _to: number): boolean {
  if (hostedAtOwnSite(t, from)) return false;
  if (!selfContext(t, from) && actsOnProspect(t, _to)) return true;
  let m = from - 1;
  let possessive = false;
  while (
    m >= 0 &&
    m >= from - 4 &&
    (OBJECT_FILL.has(t.key[m] as string) ||
      t.key[m] === 'our' ||
      t.key[m] === 'my' ||
      t.key[m] === 'your' ||
      t.key[m] === 'their')
  ) {
    if (t.key[m] === 'our' || t.key[m] === 'my' || t.key[m] === 'your' || t.key[m] === 'their')
      possessive = true;
    m--;
  }
  // "our lawyer reviews every lease": one person the prospect retains, not its staff or identity.
  // One adjective after an article: "at a big bank", "from the local hospital".
  if (m === from - 1 && m > 0 && t.kind[m] === K_WORD && ARTICLES.has(t.k(m - 1))) {
    m -= 2;
    while (m >= 0 && m >= from - 5 && OBJECT_FILL.has(t.key[m] as string)) m--;
  }
  // "our investment adviser": the cue's head word names the provider.
  if (possessive && (PERSON_PROVIDERS.has(t.k(from)) || PERSON_PROVIDERS.has(t.k(_to - 1)))) return true;
  if (m < 0 || isBreak(t, m)) return false;
  const k = t.key[m] as string;
  // "we get patients from referrals", "we call students weekly": the people served name the prospect.
  if (OBJECT_VERBS.has(k)) return !possessive && !countBefore(t, from) && !SERVED_HINTS.has(t.k(from));
  if (COUNTERPART_OBJECT_PREPS.has(k)) {
    // "I work at a hospital" (not "our CFO used to work at a bank": someone's past employer).
    const before = t.k(m - 1);
    if (WORK_VERBS.has(before) && t.k(m - 2) === 'to' && t.k(m - 3) === 'used') return true;
    if (WORK_VERBS.has(before) && !subjectBefore(t, m)) return true;
    if (PLACING.has(before) || SELF.has(before)) return false;
    // "I run sales ops at a staffing agency", "I'm the purchasing manager for the City": the
    // speaker (a subject pronoun, not "our") places itself at the organisation.
    if ((k === 'at' || k === 'for' || k === 'with') && subjectBefore(t, m)) return false;
    // "to our bank": a provider the prospect has. "for our clinic" keeps its owner.
    if (possessive) return (PROVIDERS.has(t.k(from)) || PERSON_PROVIDERS.has(t.k(from))) && k !== 'for';
    // "AppFolio for property management" names the prospect's work; "our biggest quarter for
    // hospital system buying cycles" uses the cue as a modifier of another noun.
    if (k === 'for') return !pluralCue(t, from) && compoundHead(t, _to);
    return true;
  }
  return false;
}
