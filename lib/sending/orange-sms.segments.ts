import { createRequire } from 'node:module';
import type { SegmentedMessage as SegmentedMessageClass } from 'sms-segments-calculator';

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** SMS parts the text is split into; each one costs a unit. */
  segments: number;
  /** Encoded length: GSM-7 septets (extension characters such as € count twice) or UCS-2 code units. */
  characters: number;
}

// Printable ASCII that GSM-7 encodes in one septet (no [ \ ] ^ { | } ~ or backtick). Most OTPs and
// alerts are only this, and the rule is then plain arithmetic.
const GSM7_BASIC_ASCII = /^[A-Za-z0-9 \n\r!"#$%&'()*+,\-./:;<=>?@_]*$/;

/** GSM 03.38 default alphabet (one septet each; ESC left out) and its extension table (two septets). */
const GSM7_BASIC =
  '\n\r !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz' +
  '¡£¤¥§¿ÄÅÆÇÉÑÖØÜßàäåæèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ';
const GSM7_EXTENSION = '\f[\\]^{|}~€';
/** Septets per UTF-16 code unit, 0 when GSM-7 cannot encode it. */
const SEPTETS = new Uint8Array(0x20ad);
for (const char of GSM7_BASIC) SEPTETS[char.charCodeAt(0)] = 1;
for (const char of GSM7_EXTENSION) SEPTETS[char.charCodeAt(0)] = 2;

/**
 * Characters that may join their neighbour into one grapheme (combining marks, joiners, prepended
 * signs, Hangul jamo and syllables, and two characters older Unicode data treats as spacing marks),
 * or that are half of a surrogate pair. A text free of them has one grapheme per code unit, so UCS-2
 * segmenting is plain arithmetic; otherwise the library splits graphemes.
 */
const MAY_CLUSTER =
  /[\p{M}\u200C\u200D\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u0D4E\u0E33\u0EB3\u1100-\u11FF\u1CF2\u1CF3\uA960-\uA97F\uAC00-\uD7FF\uFF9E\uFF9F]/u;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Single-part capacity and per-part capacity once a 6-octet concatenation header is needed. */
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/**
 * Encoding and SMS segment count of `text` (GSM 03.38: 160/153 septets, or 70/67 UCS-2 units), the
 * same answer as `sms-segments-calculator`. Texts GSM-7 can encode, and UCS-2 texts whose every code
 * unit is its own grapheme (French, Arabic without diacritics, Cyrillic …), are counted here in
 * well under a microsecond; the rest (emoji, combining marks …) go through the library's grapheme
 * analysis (about 0.1 ms a call), loaded on first need.
 */
export function countSegments(text: string): SmsSegments {
  if (GSM7_BASIC_ASCII.test(text)) {
    const length = text.length;
    return {
      encoding: 'GSM-7',
      segments: length <= GSM7_SINGLE ? 1 : Math.ceil(length / GSM7_PART),
      characters: length,
    };
  }
  return countGsm7(text) ?? countSimpleUcs2(text) ?? countWithLibrary(text);
}

function countGsm7(text: string): SmsSegments | undefined {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const size = code < SEPTETS.length ? SEPTETS[code]! : 0;
    if (size === 0) return undefined;
    septets += size;
  }
  if (septets <= GSM7_SINGLE) return { encoding: 'GSM-7', segments: 1, characters: septets };
  // An extension character (escape + code) is never split between two parts.
  let segments = 1;
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    const size = SEPTETS[text.charCodeAt(i)]!;
    if (used + size > GSM7_PART) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return { encoding: 'GSM-7', segments, characters: septets };
}

function countSimpleUcs2(text: string): SmsSegments | undefined {
  if (SURROGATE.test(text) || MAY_CLUSTER.test(text)) return undefined;
  const length = text.length;
  return { encoding: 'UCS-2', segments: length <= UCS2_SINGLE ? 1 : Math.ceil(length / UCS2_PART), characters: length };
}

let SegmentedMessage: typeof SegmentedMessageClass | undefined;

function countWithLibrary(text: string): SmsSegments {
  // A CommonJS package, required on first need: most applications never send a text that needs it.
  SegmentedMessage ??= (
    createRequire(import.meta.url)('sms-segments-calculator') as typeof import('sms-segments-calculator')
  ).SegmentedMessage;
  const message = new SegmentedMessage(text, 'auto');
  return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.numberOfCharacters };
}
