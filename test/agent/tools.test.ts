import { describe, expect, it } from 'vitest';
import { BookingService, isValidEmail } from '../../src/agent/calendar/booking_service.js';
import { buildIcs, foldLine, icsEscape, parseIcsEvent } from '../../src/agent/calendar/ics.js';
import { LocalCalendar } from '../../src/agent/calendar/local_calendar.js';
import { isValidTimeZone, parseIsoInZone } from '../../src/agent/calendar/time_zone.js';
import { DEFAULT_WORKING_HOURS, parseDays } from '../../src/agent/calendar/working_hours.js';
import { CallbackStore } from '../../src/agent/callback/callback_store.js';
import { normalizePhone } from '../../src/agent/callback/phone.js';
import { loadKnowledgeBase, splitMarkdown } from '../../src/agent/knowledge/knowledge_base.js';
import { formatHits } from '../../src/agent/tools/index.js';
import { fixedNow, tempDir } from './helpers.js';

describe('knowledge base', () => {
  it('cuts Markdown into passages at ## headings', () => {
    const p = splitMarkdown(
      'x.md',
      '# Title\n\nIntro text.\n\n## First part\n\nAlpha.\n\n## Second\n\nBeta.\n',
    );
    expect(p.map((x) => [x.id, x.heading, x.text])).toEqual([
      ['x.md#title', 'Title', 'Intro text.'],
      ['x.md#first-part', 'First part', 'Alpha.'],
      ['x.md#second', 'Second', 'Beta.'],
    ]);
  });

  it('finds the bundled passages with their source and filters by category', async () => {
    const kb = await loadKnowledgeBase();
    expect(kb.categories).toEqual(['integrations', 'onboarding', 'pricing', 'security', 'templates']);
    expect(kb.search('HubSpot CRM')[0]?.id).toBe('integrations.md#crm-integrations');
    expect(kb.search('SOC 2 certification')[0]?.source).toBe('security.md');
    expect(kb.search('HIPAA BAA')[0]?.id).toBe('security.md#gdpr-and-hipaa');
    expect(kb.search('trial', { category: 'pricing' }).every((h) => h.category === 'pricing')).toBe(true);
  });

  it('treats no match as an answer, not an error', async () => {
    const kb = await loadKnowledgeBase();
    const hits = kb.search('zzqxv');
    expect(hits).toEqual([]);
    expect(formatHits('zzqxv', hits)).toMatch(/^No passage matched "zzqxv"/);
  });
});

describe('booking rules', () => {
  async function service() {
    const tmp = await tempDir();
    const calendar = new LocalCalendar({ dataDir: tmp.dir, now: fixedNow });
    return { svc: new BookingService({ calendar, workingHours: DEFAULT_WORKING_HOURS, now: fixedNow }), tmp };
  }
  const base = { name: 'Ana', email: 'ana@example.com', timezone: 'America/New_York' };

  it('validates email, time zone and ISO time', async () => {
    const { svc, tmp } = await service();
    expect((await svc.book({ ...base, email: 'ana@', time: '2026-11-24T10:00' })).status).toBe('rejected');
    const tz = await svc.book({ ...base, timezone: 'Mars/Olympus', time: '2026-11-24T10:00' });
    expect(tz.status === 'rejected' && tz.reason).toBe('invalid_timezone');
    const t = await svc.book({ ...base, time: 'next tuesday at ten' });
    expect(t.status === 'rejected' && t.reason).toBe('invalid_time');
    await tmp.cleanup();
  });

  it('rejects past times and times outside working hours, suggesting the next slot', async () => {
    const { svc, tmp } = await service();
    const past = await svc.book({ ...base, time: '2026-11-20T10:00' });
    expect(past.status === 'rejected' && past.reason).toBe('past');
    const late = await svc.book({ ...base, time: '2026-11-24T16:45' });
    expect(late.status === 'rejected' && late.reason).toBe('outside_hours');
    expect(late.status === 'rejected' && late.suggestion).toBe('2026-11-25T09:00');
    const saturday = await svc.book({ ...base, time: '2026-11-28T10:00' });
    expect(saturday.status === 'rejected' && saturday.suggestion).toBe('2026-11-30T09:00');
    // Offsets are absolute: 15:00Z is 10:00 in New York.
    expect((await svc.book({ ...base, time: '2026-11-24T15:00:00Z' })).status).toBe('booked');
    await tmp.cleanup();
  });

  it('parses wall time in a zone across DST and rejects impossible dates', () => {
    expect(parseIsoInZone('2026-07-01T10:00', 'America/New_York')?.toISOString()).toBe(
      '2026-07-01T14:00:00.000Z',
    );
    expect(parseIsoInZone('2026-01-15T10:00', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-01-15T09:00:00.000Z',
    );
    expect(parseIsoInZone('2026-02-30T10:00', 'UTC')).toBeNull();
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('EST5EDT-ish')).toBe(false);
    expect(isValidEmail('first.last+tag@sub.example.co.uk')).toBe(true);
    expect(isValidEmail('no spaces@example.com')).toBe(false);
    expect(parseDays('1-5')).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('ics', () => {
  it('escapes text, folds long lines at 75 octets, and round-trips', () => {
    expect(icsEscape('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
    const folded = foldLine(`DESCRIPTION:${'x'.repeat(200)}`);
    expect(folded.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const ics = buildIcs({
      uid: 'u1@x',
      start: new Date('2026-11-24T15:00:00Z'),
      end: new Date('2026-11-24T15:30:00Z'),
      summary: 'Demo, with comma',
      description: 'y'.repeat(120),
      organizer: { name: 'Sales', email: 's@x.co' },
      attendee: { name: 'Ana', email: 'a@x.co' },
    });
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    const ev = parseIcsEvent(ics);
    expect(ev['SUMMARY']).toBe('Demo\\, with comma');
    expect(ev['DESCRIPTION']).toBe('y'.repeat(120));
    expect(ev['UID']).toBe('u1@x');
  });
});

describe('callbacks', () => {
  it('normalises phone numbers loosely to E.164', () => {
    expect(normalizePhone('(415) 555-0100')).toEqual({ ok: true, e164: '+14155550100' });
    expect(normalizePhone('+44 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
    expect(normalizePhone('0049 30 1234567')).toEqual({ ok: true, e164: '+49301234567' });
    expect(normalizePhone('555-0100').ok).toBe(false);
    expect(normalizePhone('call me maybe').ok).toBe(false);
  });

  it('stores callback requests locally', async () => {
    const tmp = await tempDir();
    const store = new CallbackStore(tmp.dir);
    await store.add({ phone: '+14155550100', requestedTime: 'tomorrow 3pm', metadata: { session_id: 's' } });
    const all = await store.list();
    expect(all).toHaveLength(1);
    expect(all[0]?.phone).toBe('+14155550100');
    await tmp.cleanup();
  });
});
