import { describe, expect, it } from 'vitest';
import { redactText } from '../../src/analytics/pii.js';
import { summarise } from '../../src/analytics/tool_calls.js';

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
