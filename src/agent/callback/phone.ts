/**
 * Loose phone validation with E.164-style normalisation: keeps digits, turns a leading `00`
 * into `+`, adds the default country code to national numbers of the default plan (NANP:
 * 10 digits), and accepts 8–15 digits after `+`.
 */
export type PhoneResult = { ok: true; e164: string } | { ok: false; error: string };

export function normalizePhone(raw: string, defaultCountryCode = '1'): PhoneResult {
  const text = raw.trim();
  if (!text) return { ok: false, error: 'the phone number is empty' };
  if (/[a-df-wyz]/i.test(text.replace(/\b(ext|x)\.?\s*\d+$/i, ''))) {
    return { ok: false, error: `"${raw}" contains letters; ask for the digits` };
  }
  const withoutExt = text.replace(/\s*(ext\.?|x)\s*\d+$/i, '');
  const plus = withoutExt.startsWith('+') || withoutExt.startsWith('00');
  let digits = withoutExt.replace(/\D/g, '');
  if (withoutExt.startsWith('00')) digits = digits.slice(2);
  if (!plus) {
    if (defaultCountryCode === '1' && digits.length === 11 && digits.startsWith('1')) {
      // already has the NANP country code
    } else if (defaultCountryCode === '1' && digits.length === 10) {
      digits = `1${digits}`;
    } else if (digits.length >= 8 && digits.length <= 11 && defaultCountryCode !== '1') {
      digits = `${defaultCountryCode}${digits.replace(/^0/, '')}`;
    } else {
      return {
        ok: false,
        error: `"${raw}" is not a complete number; ask for it with the country code, e.g. +1 415 555 0100`,
      };
    }
  }
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) {
    return { ok: false, error: `"${raw}" does not look like a phone number; ask them to repeat it` };
  }
  return { ok: true, e164: `+${digits}` };
}
