import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/min';
import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { ORANGE_SMS_COUNTRIES, type OrangeSmsCountry } from './orange-sms.countries.js';
import { maskPhoneNumber } from '../logging/orange-sms.mask.js';

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
