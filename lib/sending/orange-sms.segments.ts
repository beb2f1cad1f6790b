import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** SMS parts the text is split into; each one costs a unit. */
  segments: number;
  /** Encoded length: GSM-7 septets (extension characters such as € count twice) or UCS-2 code units. */
  characters: number;
}

// Printable ASCII that GSM-7 encodes in one septet (no [ \ ] ^ { | } ~ or backtick). Most OTPs and
// alerts are only this, and the rule is then plain arithmetic, so they skip the library's grapheme
// analysis (about 0.1 ms a call); everything else goes through the library.
const GSM7_BASIC_ASCII = /^[A-Za-z0-9 \n\r!"#$%&'()*+,\-./:;<=>?@_]*$/;

/** Encoding and SMS segment count of `text` (GSM 03.38: 160/153 septets, or 70/67 UCS-2 units). */
export function countSegments(text: string): SmsSegments {
  if (GSM7_BASIC_ASCII.test(text)) {
    const length = text.length;
    return { encoding: 'GSM-7', segments: length <= 160 ? 1 : Math.ceil(length / 153), characters: length };
  }
  const message = new SegmentedMessage(text, 'auto');
  return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.numberOfCharacters };
}
