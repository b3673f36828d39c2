import { B_POSSESSIVE, isBreak, type Toks } from './tokenizer.js';

/**
 * Word lists shared by the rules: people nouns (team size), document nouns and verbs (monthly
 * volume), periods, function words and negators. Lowercase keys, possessive removed.
 */

/** Nouns that make a number a headcount: "40 people", "15 seats", "a dozen attorneys". */
export const PERSON_NOUNS: ReadonlySet<string> = new Set(
  (
    'people persons person folks employees employee staff staffers staffer members member users user seats seat ' +
    'licenses license licences licence logins reps rep representatives agents agent attorneys attorney lawyers lawyer ' +
    'paralegals paralegal associates partners accountants accountant bookkeepers advisors advisers brokers realtors ' +
    'recruiters recruiter nurses nurse doctors doctor physicians physician dentists dentist clinicians hygienists ' +
    'teachers teacher instructors professors faculty engineers engineer developers developer devs designers salespeople ' +
    'sellers workers worker drivers driver technicians techs consultants consultant analysts managers admins ' +
    'administrators coordinators specialists underwriters adjusters officers volunteers ftes fte colleagues coworkers ' +
    'teammates architects pharmacists therapists caseworkers clerks operators producers executives sdrs bdrs aes ' +
    'closers planners investigators auditors employees staffmembers heads crew secretaries assistants buyers ' +
    'researchers tutors dispatchers coordinators hygienists brokers bankers officers ftes pms estimators ' +
    'superintendents receptionists inspectors inspector appraisers appraiser surveyors installers installer ' +
    'caregivers aides trainers coaches stylists mechanics electricians plumbers carpenters painters movers ' +
    'cleaners cooks chefs cashiers tellers photographers editors writers programmers guy guys'
  ).split(' '),
);

/** Words of an audience or a list: people counted there are contacts, not staff (issue #21, fourth round). */
const AUDIENCE_WORDS: ReadonlySet<string> = new Set(
  (
    'list lists newsletter newsletters audience audiences webinar webinars attendees registrants subscribers ' +
    'followers invited invite invites mailing database contacts'
  ).split(' '),
);

/**
 * People counted in tokens `[from, to)` are an audience: "we email our list, about three thousand
 * engineers", "we invited 200 attorneys to the webinar". Reads at most eight tokens back and six
 * ahead, within the sentence.
 */
export function audienceNear(t: Toks, from: number, to: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 8; m--) {
    if (isBreak(t, m)) break;
    if (AUDIENCE_WORDS.has(t.key[m] as string)) return true;
  }
  for (let m = to; m < t.n && m < to + 6; m++) {
    if (isBreak(t, m)) break;
    if (AUDIENCE_WORDS.has(t.key[m] as string)) return true;
  }
  return false;
}

/** Groups that take "of N": "a team of 8", "a firm of 35", "staff of 30". */
export const GROUP_NOUNS: ReadonlySet<string> = new Set(
  (
    'team staff firm company practice group crew office department dept organization organisation org shop agency ' +
    'workforce headcount business outfit nonprofit clinic total'
  ).split(' '),
);

/** Words before a bare number that make it a headcount: "team is 8", "we're 40", "headcount is 120". */
export const HEADCOUNT_SUBJECTS: ReadonlySet<string> = new Set([
  'team',
  'headcount',
  'staff',
  'size',
  'workforce',
]);

/** Verbs before a headcount that make it something else: "we hired 10 people". */
export const NOT_HEADCOUNT_VERBS: ReadonlySet<string> = new Set(
  (
    'hire hired hiring hires add added adding lost lose losing laid fired onboard onboarded onboarding recruit ' +
    'recruited recruiting place placed placing serve serves served serving train trained training credential ' +
    'credentialed credentialing treat treated treating insure insured cover covered verify verified move moving'
  ).split(' '),
);

/** Documents the prospect produces or processes. */
export const DOC_NOUNS: ReadonlySet<string> = new Set(
  (
    'contracts contract agreements agreement proposals proposal quotes quote invoices invoice ndas nda forms form ' +
    'reports report letters letter leases lease policies policy docs doc documents document files file templates ' +
    'template statements statement applications application estimates estimate bids bid sows sow msas ' +
    'msa receipts receipt amendments amendment renewals renewal claims claim offers waivers waiver pdfs pdf ' +
    'paperwork packets packet filings filing briefs brief memos memo certificates certificate onboarding consents ' +
    'consent confirmations confirmation waivers authorizations authorization subcontracts subcontract plans ' +
    'retainers retainer'
  ).split(' '),
);

/** "orders" is a document only as "purchase orders", "change orders", "work orders", "order forms". */
export const ORDER_KINDS: ReadonlySet<string> = new Set(['purchase', 'change', 'work', 'sales', 'insertion']);

/** Verbs that say a bare rate is about documents: "we sign about 200 a month". */
export const DOC_VERBS: ReadonlySet<string> = new Set(
  (
    'send sends sending sent sign signs signing signed process processes processing processed draft drafts drafting ' +
    'drafted generate generates generating generated produce produces producing produced issue issues issuing ' +
    'issued write writes writing prepare prepares preparing execute executes executing create creates creating'
  ).split(' '),
);

/** Function words: they end the short run of modifiers allowed between a number and its noun. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but of to in on at for with by from per each every as is are was were be been it its that this ' +
    'these those which who we our us i you they them their my your me than then so if when while into onto about ' +
    'around over under through across not no nor just only also still all some any more less most ' +
    "we're we've i'm it's there's that's there here now"
  ).split(' '),
);

/** Nouns of time, money and measure: a number followed by one of these is not a count of people or documents. */
export const UNIT_NOUNS: ReadonlySet<string> = new Set(
  (
    'years year months month weeks week days day hours hour minutes minute seconds second quarters quarter percent ' +
    'dollars dollar bucks cents times time x offices office locations location sites site branches branch states ' +
    'countries cities miles km clients client customers customer patients patient students student accounts account ' +
    'pages page projects project cases case matters matter deals deal calls call emails email meetings meeting ' +
    'properties property units unit homes stores store products product items item'
  ).split(' '),
);

/** Words that turn a mention into its opposite: "we don't use", "no longer", "never", "instead of". */
export function isNegator(text: string): boolean {
  return NEGATORS.has(text) || text.endsWith("n't");
}

/** Token `i` is a negator (a possessive such as "nothing's" is not). */
export function isNegatorAt(t: Toks, i: number): boolean {
  return !t.has(i, B_POSSESSIVE) && isNegator(t.k(i));
}
const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'nor',
  'neither',
  'longer',
  'stopped',
  'quit',
  'ditched',
  'dropped',
  'dumped',
  'cancelled',
  'canceled',
  'abandoned',
  'rid',
  'instead',
  'rather',
  'replaced',
  'nothing',
  'cant',
  'dont',
  'doesnt',
  'arent',
  'isnt',
]);
