import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments } from '../../lib/sending/orange-sms.segments.js';

describe('countSegments', () => {
  it.each([
    ['', 'GSM-7', 1, 0],
    ['a'.repeat(160), 'GSM-7', 1, 160],
    ['a'.repeat(161), 'GSM-7', 2, 161],
    ['a'.repeat(306), 'GSM-7', 2, 306],
    ['a'.repeat(307), 'GSM-7', 3, 307],
    ['€'.repeat(80), 'GSM-7', 1, 160], // extension characters count twice
    ['€'.repeat(81), 'GSM-7', 2, 162],
    ['[]'.repeat(40), 'GSM-7', 1, 160],
    ['é'.repeat(160), 'GSM-7', 1, 160], // é is in the GSM-7 basic set
    ['ç'.repeat(70), 'UCS-2', 1, 70],
    ['ç'.repeat(71), 'UCS-2', 2, 71],
    ['ç'.repeat(134), 'UCS-2', 2, 134],
    ['ç'.repeat(135), 'UCS-2', 3, 135],
    ['😀'.repeat(35), 'UCS-2', 1, 35],
  ])('%#: %s', (text, encoding, segments, characters) => {
    expect(countSegments(text)).toEqual({ encoding, segments, characters });
  });

  it('the plain-ASCII fast path agrees with the library on every length up to 1,000', () => {
    const alphabet = 'Your code is 4821. Call +225 01 02 03 04! (ok?) "quoted" #tag @home 50% & more_\n';
    for (let length = 1; length <= 1000; length++) {
      const text = alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length);
      const library = new SegmentedMessage(text, 'auto');
      expect(countSegments(text)).toEqual({
        encoding: library.encodingName,
        segments: library.segmentsCount,
        characters: library.numberOfCharacters,
      });
    }
  });
});

describe('countSegments agrees with the library beyond ASCII', () => {
  // A seeded generator, so a failure is reproducible.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const alphabets = {
    french: 'Bonjour, votre colis est arrivé à Abidjan. Ça coûte 500 F — merci ! éèàùçôœ',
    gsmExtension: 'Prix: 10€ [promo] {code} ~ ^ | \\ ok',
    arabic: 'رمز التحقق الخاص بك هو ٤٨٢١',
    cyrillic: 'Ваш код подтверждения 4821',
    greekInGsm: 'ΔΦΓΛΩΠΨΣΘΞ',
    emoji: 'Merci 🙏 à bientôt 😀👍🏽',
    combining: 'e\u0301a\u0300o\u0302',
  };
  it.each(Object.entries(alphabets))(
    "%s: 600 random texts give the library's encoding, segments and length",
    (_name, alphabet) => {
      const chars = [...alphabet];
      for (let i = 0; i < 600; i++) {
        const length = 1 + Math.floor(random() * 400);
        const text = Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');
        const library = new SegmentedMessage(text, 'auto');
        expect(countSegments(text)).toEqual({
          encoding: library.encodingName,
          segments: library.segmentsCount,
          characters: library.numberOfCharacters,
        });
      }
    },
  );
});
