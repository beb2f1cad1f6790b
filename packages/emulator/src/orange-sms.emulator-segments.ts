/**
 * Segment count used to charge contract units. Orange documents only "160 characters per SMS";
 * the emulator applies the GSM 03.38 rule (GSM-7 160/153, otherwise UCS-2 70/67), which is enough
 * to make long and non-Latin texts cost more than one unit. The client library has its own counter.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension table characters cost two septets (escape + char). */
const GSM7_EXTENSION = '^{}\\[~]|€\f';

const basic = new Set(GSM7_BASIC);
const extension = new Set(GSM7_EXTENSION);

export function countSegments(text: string): number {
  let septets = 0;
  let gsm7 = true;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else {
      gsm7 = false;
      break;
    }
  }
  if (gsm7) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  // UCS-2 counts UTF-16 code units: an emoji takes two.
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
