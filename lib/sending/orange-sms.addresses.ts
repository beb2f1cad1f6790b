import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/min';
import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { ORANGE_SMS_COUNTRIES, type OrangeSmsCountry } from './orange-sms.countries.js';

type PhoneNumbers = typeof import('libphonenumber-js/min');
let phoneNumbers: PhoneNumbers | undefined;

/**
 * libphonenumber-js, required on the first number to check rather than imported: its ES build is about
 * a hundred modules and its metadata, some 35 ms of an application's boot; its CommonJS build, loaded
 * synchronously on first use, costs about half that, once.
 */
function libphonenumber(): PhoneNumbers {
  return (phoneNumbers ??= createRequire(import.meta.url)('libphonenumber-js/min') as PhoneNumbers);
}

const SENDER_ADDRESS = /^tel:\+[1-9]\d{3,14}$/;
const SENDER_NAME = /^[A-Za-z0-9 ]{1,11}$/;

/**
 * Normalises a recipient to Orange's `tel:+<E.164>` form. Accepts `+225…`, `225…`, `00225…` and
 * `tel:+225…`; spaces, dots, dashes and brackets are ignored. A national number (`0700000001`, as
 * people write them) is read in `defaultCountry` (ISO alpha-3). Numbers are checked against the
 * country's numbering plan (libphonenumber's metadata: lengths and leading digits), so a digit too few is caught here
 * rather than by Orange after a unit is spent.
 */
export function normaliseRecipient(value: unknown, field = 'to', defaultCountry?: OrangeSmsCountry): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new OrangeSmsValidationError(field, 'a phone number is required');
  }
  const written = value
    .trim()
    .replace(/^tel:/i, '')
    .replace(/[\s().-]/g, '');
  const international = written.startsWith('+') || written.startsWith('00');
  // No country code starts with 0, so a single leading 0 is a national trunk prefix.
  const national = !international && /^0[1-9]/.test(written);
  let candidate = written;
  if (candidate.startsWith('00')) candidate = `+${candidate.slice(2)}`;
  if (!candidate.startsWith('+')) candidate = `+${candidate}`;
  if (!/^\+\d{6,15}$/.test(candidate)) {
    throw new OrangeSmsValidationError(field, 'expected an international number such as +2250700000000');
  }
  const { parsePhoneNumberFromString } = libphonenumber();
  // Already reduced to digits: nothing to extract from surrounding text.
  const parsed = national ? undefined : parsePhoneNumberFromString(candidate, { extract: false });
  if (parsed?.isValid()) return `tel:${parsed.number}`;
  if (!international) {
    if (defaultCountry === undefined) {
      if (national) {
        throw new OrangeSmsValidationError(
          field,
          `${maskPhoneNumber(written)} is in national format: add the country code (+225…) or set the defaultCountry option`,
        );
      }
    } else {
      const { alpha2, callingCode } = ORANGE_SMS_COUNTRIES[defaultCountry];
      const local = parsePhoneNumberFromString(written, { defaultCountry: alpha2 as CountryCode, extract: false });
      if (local?.isValid()) return `tel:${local.number}`;
      throw new OrangeSmsValidationError(
        field,
        `${maskPhoneNumber(written)} is not a valid number of ${defaultCountry} (+${callingCode}) nor an international one`,
      );
    }
  }
  throw new OrangeSmsValidationError(field, `${maskPhoneNumber(candidate)} is not a valid number for its country`);
}

/** Checks a sender address (`tel:+2250000`); also accepts `+2250000` and returns the `tel:` form. */
export function normaliseSenderAddress(value: unknown, field = 'senderAddress'): string {
  if (typeof value !== 'string') throw new OrangeSmsValidationError(field, 'expected a string such as tel:+2250000');
  const candidate = value.trim().startsWith('+') ? `tel:${value.trim()}` : value.trim();
  if (!SENDER_ADDRESS.test(candidate)) {
    throw new OrangeSmsValidationError(field, 'expected the form tel:+<digits>, such as tel:+2250000');
  }
  return candidate;
}

/** Orange accepts at most 11 letters, digits or spaces, and the name must be approved by Orange first. */
export function validateSenderName(value: unknown, field = 'senderName'): string {
  if (typeof value !== 'string' || !SENDER_NAME.test(value) || value.trim() === '') {
    throw new OrangeSmsValidationError(field, 'expected 1 to 11 letters, digits or spaces (no accents or symbols)');
  }
  return value;
}

/** `+2250700000089` → `+22507*****89`; keeps the country and two leading digits, and the last two. */
export function maskPhoneNumber(value: string): string {
  // Orange's anonymous reference (`acr:OrangeAPIToken`) stands for a subscriber too: masked alike.
  if (/^acr:/i.test(String(value))) return maskReference(String(value).slice(4));
  // Digits and + only: whatever else a caller passed (text, CR/LF) never reaches a log line.
  const raw = String(value)
    .replace(/^tel:/i, '')
    .replace(/[^\d+]/g, '');
  const digits = raw.replace(/^\+/, '');
  if (digits.length <= 6) return `${raw.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length)}`;
  const keepStart = Math.min(5, digits.length - 4);
  return `+${digits.slice(0, keepStart)}${'*'.repeat(digits.length - keepStart - 2)}${digits.slice(-2)}`;
}

/** `acr:OrangeAPIToken` → `acr:Or**********en`: letters and digits only, the middle hidden. */
function maskReference(reference: string): string {
  const kept = reference.replace(/[^A-Za-z0-9._-]/g, '');
  if (kept.length <= 6) return `acr:${'*'.repeat(kept.length)}`;
  return `acr:${kept.slice(0, 2)}${'*'.repeat(kept.length - 4)}${kept.slice(-2)}`;
}
