import { describe, expect, it } from 'vitest';
import { type RecordedEvent, SessionRecorder } from '../../src/analytics/index.js';
import { redactText } from '../../src/analytics/pii.js';
import { summarise } from '../../src/analytics/tool_calls.js';
import { SessionPayloadV1 } from '../../src/schema/index.js';

const BOOKING_ID = 'bk_20261124-1500-9f3fc624b601';

describe('redactText (contact details in free text)', () => {
  it.each([
    BOOKING_ID,
    `Booked ${BOOKING_ID} for 2026-11-24T15:00:00.000Z`,
    'bk_3f2a9c1e-5d4b-4e8f-9a7b-112233445566',
    '9f3fc624-b601-4c2e-8a1d-123456789012',
    'on 2026-11-24 at 15:00, or 2026-11-25 15:00-15:30',
    'on 24.11.2026 or 11/24/2026 or 2026/11/24',
    '2026-11-24T15:00:00+01:00',
    'order #123-456-789 and invoice INV-2026-004512',
    'order ORD_555-010-9999 and ref A-555-010-9999',
    'order 12345678 and account 5550109999',
    'revenue 1234567.89, version v10.2.3, 1,234,567 documents',
    'meeting_id=cal-20261124-150000',
  ])('keeps %s', (text) => {
    expect(redactText('hashed', text)).toBe(text);
  });

  it.each([
    ['call +1 555-010-9999 please', 'call [phone] please'],
    ['call (555) 010-9999.', 'call [phone].'],
    ['call +1 (555) 010-9999, thanks', 'call [phone], thanks'],
    ['call 555.010.9999', 'call [phone]'],
    ['call 555-010-9999 or 555 010 8888', 'call [phone] or [phone]'],
    ['numbers 555-010-9999 555-010-8888', 'numbers [phone] [phone]'],
    ['UK +44 20 7946 0958 or 020 7946 0958', 'UK [phone] or [phone]'],
    ['DE +4915112345678', 'DE [phone]'],
    ['FR 01 23 45 67 89', 'FR [phone]'],
    ['phone:555-010-9999', 'phone:[phone]'],
    ['(555-010-9999) or (+1 555 010 8888)', '([phone]) or ([phone])'],
    ['call me on 555-010-9999 at 2026-11-24 15:00', 'call me on [phone] at 2026-11-24 15:00'],
    ['{"phone":"+1 555-010-9999"}', '{"phone":"[phone]"}'],
  ])('masks the phone in %s', (text, masked) => {
    expect(redactText('hashed', text)).toBe(masked);
    expect(redactText('none', text)).toBe(masked);
  });

  it('masks emails, phones and nothing else in a booking confirmation', () => {
    const text = `Booked ${BOOKING_ID} for 2026-11-24T15:00:00Z; invite sent to maria.lopez+demo@example.co.uk, SMS to +1 555-010-9999`;
    expect(redactText('hashed', text)).toBe(
      `Booked ${BOOKING_ID} for 2026-11-24T15:00:00Z; invite sent to [email], SMS to [phone]`,
    );
    expect(redactText('full', text)).toBe(text);
  });

  it('leaves a tool output summary readable (booking id and time intact)', () => {
    const output = JSON.stringify(
      `Booked ${BOOKING_ID} for Tue 24 Nov 2026, 15:00 (Europe/Berlin); confirmation sent to m@x.io`,
    );
    expect(summarise(output, 'hashed')).toBe(
      `Booked ${BOOKING_ID} for Tue 24 Nov 2026, 15:00 (Europe/Berlin); confirmation sent to [email]`,
    );
  });
});

describe('transcript text under the PII policy', () => {
  const T0 = Date.parse('2026-11-21T10:00:00.000Z');
  const USER = 'Reach me at maria@example.com or +1 555-010-9999, we are 12 people';
  const AGENT = 'Thanks, I will send the invite to maria@example.com and text 555-010-9999.';
  // A (contrived) evidence span that covers part of the phone number and the team size.
  const teamAt = USER.indexOf('12 people');
  const phoneAt = USER.indexOf('555-010');

  function build(pii: 'full' | 'hashed' | 'none') {
    const r = new SessionRecorder({
      sessionId: 's',
      agent: { name: 'a', version: '1', prompt_version: 'p' },
      startedAt: T0,
      pii,
      transcripts: true,
    });
    const events: RecordedEvent[] = [
      { k: 'speech', at: T0 + 10, id: 'SP_1', source: 'generate_reply' },
      {
        k: 'user',
        at: T0 + 100,
        det: {
          team_size: { value: 12, span: [teamAt, teamAt + '12 people'.length], rule: 'team_size.people' },
          industry: { value: 'legal', span: [phoneAt, teamAt + 2], rule: 'contrived' },
        },
        text: USER,
      },
      { k: 'assistant', at: T0 + 200, text: AGENT, turn_id: 'SP_1' },
    ];
    for (const e of events) r.apply(e);
    return r.build({ endedAt: T0 + 1000, endReason: 'user_initiated' });
  }

  it.each(['hashed', 'none'] as const)(
    'masks emails and phones in transcript, turn text and excerpts (%s)',
    (pii) => {
      const p = build(pii);
      expect(SessionPayloadV1.safeParse(p).success).toBe(true);
      expect(p.transcript?.map((l) => l.text)).toEqual([
        'Reach me at [email] or [phone], we are 12 people',
        'Thanks, I will send the invite to [email] and text [phone].',
      ]);
      expect(p.turns[0]?.agent_text).toBe('Thanks, I will send the invite to [email] and text [phone].');
      expect(p.signals.team_size?.evidence[0]).toMatchObject({
        span: [teamAt, teamAt + 9],
        excerpt: '12 people',
      });
      // The span still indexes the message as said; its excerpt masks the part of the phone it covers.
      expect(p.signals.industry?.evidence[0]?.excerpt).toBe('[phone], we are 12');
      expect(JSON.stringify(p)).not.toMatch(/maria@|555-010/);
    },
  );

  it('keeps the text as said under full', () => {
    const p = build('full');
    expect(p.transcript?.map((l) => l.text)).toEqual([USER, AGENT]);
    expect(p.turns[0]?.agent_text).toBe(AGENT);
    expect(p.signals.industry?.evidence[0]?.excerpt).toBe(USER.slice(phoneAt, teamAt + 2));
  });
});
