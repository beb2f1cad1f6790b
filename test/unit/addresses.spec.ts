import { maskPhoneNumber } from '../../lib/logging/orange-sms.mask.js';
import {
  normaliseRecipient,
  normaliseSenderAddress,
  validateSenderName,
} from '../../lib/addresses/orange-sms.addresses.js';
import { countryOfNumber, countrySenderAddress } from '../../lib/addresses/orange-sms.countries.js';
import { OrangeSmsValidationError } from '../../lib/errors/orange-sms.errors.js';

describe('normaliseRecipient', () => {
  it.each([
    ['+2250700000089', 'tel:+2250700000089'],
    ['2250700000089', 'tel:+2250700000089'],
    ['002250700000089', 'tel:+2250700000089'],
    ['tel:+2250700000089', 'tel:+2250700000089'],
    ['+225 07-00.00 (00) 89', 'tel:+2250700000089'],
    ['+237690000001', 'tel:+237690000001'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseRecipient(input)).toBe(expected);
  });

  it.each([['0700000089'], ['+22507000000'], ['hello'], [''], [42]])(
    'rejects %p naming the field, without the full number',
    (input) => {
      const error = (() => {
        try {
          normaliseRecipient(input);
        } catch (e) {
          return e;
        }
      })() as OrangeSmsValidationError;
      expect(error).toBeInstanceOf(OrangeSmsValidationError);
      expect(error.field).toBe('to');
      if (typeof input === 'string' && input.length > 8) expect(error.message).not.toContain(input.replace('+', ''));
    },
  );
});

describe('sender address and name', () => {
  it('accepts tel:+ and bare + forms', () => {
    expect(normaliseSenderAddress('tel:+2250000')).toBe('tel:+2250000');
    expect(normaliseSenderAddress('+2250000')).toBe('tel:+2250000');
    expect(() => normaliseSenderAddress('2250000')).toThrow(OrangeSmsValidationError);
  });
  it('allows at most 11 letters, digits or spaces', () => {
    expect(validateSenderName('ACME Shop 1')).toBe('ACME Shop 1');
    for (const bad of ['ACME Shop 12', 'Café', 'A-B', '', '   ']) {
      expect(() => validateSenderName(bad)).toThrow(OrangeSmsValidationError);
    }
  });
});

describe('countries', () => {
  it('maps alpha-3 to the country sender number and back', () => {
    expect(countrySenderAddress('CIV')).toBe('tel:+2250000');
    expect(countrySenderAddress('CMR')).toBe('tel:+2370000');
    expect(countryOfNumber('tel:+2250700000089')).toBe('CIV');
    expect(countryOfNumber('+33612345678')).toBeUndefined();
  });
});

describe('maskPhoneNumber', () => {
  it('keeps the country code, two digits and the last two', () => {
    expect(maskPhoneNumber('+2250700000089')).toBe('+22507******89');
    expect(maskPhoneNumber('tel:+237690000001')).toBe('+23769*****01');
    expect(maskPhoneNumber('+1234')).toBe('+****');
  });

  it("masks Orange's anonymous acr: reference alike, and drops anything that could break a log line", () => {
    expect(maskPhoneNumber('acr:OrangeAPIToken')).toBe('acr:Or**********en');
    expect(maskPhoneNumber('acr:ab\r\ncd')).toBe('acr:****');
  });
});

describe('national numbers', () => {
  it('reads 0700000001 (how every Ivorian writes it) in the default country', () => {
    expect(normaliseRecipient('0700000001', 'to', 'CIV')).toBe('tel:+2250700000001');
    expect(normaliseRecipient('07 00 00 00 89', 'to', 'CIV')).toBe('tel:+2250700000089');
  });

  it('reads a national number without trunk prefix in a country that has none (Senegal)', () => {
    expect(normaliseRecipient('77 123 45 67', 'to', 'SEN')).toBe('tel:+221771234567');
  });

  it('still reads international forms first whatever the default country', () => {
    expect(normaliseRecipient('+237690000001', 'to', 'CIV')).toBe('tel:+237690000001');
    expect(normaliseRecipient('2250700000089', 'to', 'SEN')).toBe('tel:+2250700000089');
  });

  it('without a country, says to add the country code; numbers stay masked', () => {
    const error = (() => {
      try {
        normaliseRecipient('0700000001');
      } catch (caught) {
        return caught as OrangeSmsValidationError;
      }
    })();
    expect(error).toBeInstanceOf(OrangeSmsValidationError);
    expect(error!.field).toBe('to');
    expect(error!.reason).toContain('national format: add the country code (+225…)');
    expect(error!.message).not.toContain('0700000001');
  });

  it('a national number invalid in the default country names the country', () => {
    expect(() => normaliseRecipient('0100', 'to', 'CIV')).toThrow(OrangeSmsValidationError);
    expect(() => normaliseRecipient('0912345', 'to', 'CIV')).toThrow(/not a valid number of CIV \(\+225\)/);
  });
});

describe('maskPhoneNumber on anything a caller passes', () => {
  it('keeps digits only, so CR/LF or text never reach a log line', () => {
    const masked = maskPhoneNumber('+2250700\r\nFAKE LOG 000089');
    expect(masked).not.toMatch(/[\r\n]|FAKE/);
    expect(masked).toBe('+22507******89');
  });
});
