/**
 * CSV per RFC 4180: fields holding a comma, quote, CR or LF are quoted, quotes doubled, rows end
 * in CRLF. Arrays and objects are written as JSON. A text field starting with `=`, `+`, `-`, `@`,
 * tab or CR gets a leading `'` so spreadsheets do not run it as a formula (numbers are left alone).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : '';
  else if (typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
  else if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'object') s = JSON.stringify(v);
  else {
    s = String(v);
    if (FORMULA_START.test(s)) s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
