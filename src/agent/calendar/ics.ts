/** Writes an RFC 5545 iCalendar invite (METHOD:REQUEST, one VEVENT). */

export interface IcsEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  createdAt?: Date;
  location?: string;
}

/** `20261124T150000Z`. */
export function icsDateTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Escapes TEXT values (RFC 5545 §3.3.11). */
export function icsEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), continuation lines start with a space. */
export function foldLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    const limit = parts.length === 0 ? 75 : 74;
    if (currentBytes + n > limit) {
      parts.push(current);
      current = '';
      currentBytes = 0;
    }
    current += ch;
    currentBytes += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const quoteParam = (s: string) => `"${s.replace(/"/g, "'")}"`;

export function buildIcs(ev: IcsEvent, prodId = '-//SignalRoom//Paperflow Sales Agent//EN'): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${prodId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${ev.uid}`,
    `DTSTAMP:${icsDateTime(ev.createdAt ?? new Date())}`,
    `DTSTART:${icsDateTime(ev.start)}`,
    `DTEND:${icsDateTime(ev.end)}`,
    `SUMMARY:${icsEscape(ev.summary)}`,
    ...(ev.description ? [`DESCRIPTION:${icsEscape(ev.description)}`] : []),
    ...(ev.location ? [`LOCATION:${icsEscape(ev.location)}`] : []),
    `ORGANIZER;CN=${quoteParam(ev.organizer.name)}:mailto:${ev.organizer.email}`,
    `ATTENDEE;CN=${quoteParam(ev.attendee.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${ev.attendee.email}`,
    'STATUS:CONFIRMED',
    'SEQUENCE:0',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** Minimal reader for tests and tools: unfolds lines and returns VEVENT properties by name. */
export function parseIcsEvent(text: string): Record<string, string> {
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const out: Record<string, string> = {};
  let inEvent = false;
  for (const line of unfolded.split('\r\n')) {
    if (line === 'BEGIN:VEVENT') inEvent = true;
    else if (line === 'END:VEVENT') inEvent = false;
    else if (inEvent) {
      const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      if (colon > 0) {
        const name = line.slice(0, colon).split(';')[0] ?? '';
        out[name] = line.slice(colon + 1);
      }
    }
  }
  return out;
}
