import { OrangeSmsConfigurationError } from '../../lib/errors/orange-sms.errors.js';
import { resolveOrangeSmsOptions } from '../../lib/orange-sms.options.js';
import { suggestCountry } from '../../lib/addresses/orange-sms.countries.js';
import { messageIdOf } from '../../lib/sending/orange-sms.service.js';

const credentials = { clientId: 'app', clientSecret: 'secret-value-123' };

describe('defaultCountry option', () => {
  it('defaults to country, else the country of senderAddress, else none', () => {
    expect(resolveOrangeSmsOptions({ ...credentials, country: 'CMR' }).defaultCountry).toBe('CMR');
    expect(resolveOrangeSmsOptions({ ...credentials, senderAddress: 'tel:+2210000' }).defaultCountry).toBe('SEN');
    expect(resolveOrangeSmsOptions({ ...credentials, senderAddress: 'tel:+330000' }).defaultCountry).toBeUndefined();
    expect(
      resolveOrangeSmsOptions({ ...credentials, senderAddress: 'tel:+2250000', defaultCountry: 'sen' }).defaultCountry,
    ).toBe('SEN');
  });

  it('a typo in country or defaultCountry suggests the nearest code, without echoing the secret', () => {
    const messageOf = (options: object) => {
      try {
        resolveOrangeSmsOptions({ ...credentials, ...options });
      } catch (error) {
        expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
        return (error as Error).message;
      }
      throw new Error('expected a configuration error');
    };
    expect(messageOf({ country: 'CVI' })).toMatch(/country: unknown Orange SMS country \(did you mean CIV\?\)/);
    expect(messageOf({ country: 'CI' })).toContain('did you mean CIV?');
    expect(messageOf({ senderAddress: 'tel:+2250000', defaultCountry: 'SEM' })).toMatch(
      /defaultCountry: unknown Orange SMS country \(did you mean SEN\?\)/,
    );
    expect(messageOf({ country: 'CVI' })).not.toContain(credentials.clientSecret);
  });
});

describe('suggestCountry', () => {
  it.each([
    ['civ', 'CIV'],
    ['CIB', 'CIV'],
    ['CMA', 'CMR'],
    ['Senegal', 'SEN'],
    ['ML', 'MLI'],
    ['XYZ', undefined],
  ])('%s → %s', (typed, expected) => {
    expect(suggestCountry(typed)).toBe(expected);
  });
});

describe('messageIdOf (201 answers)', () => {
  it('decodes the last segment, keeps it as received when it is not valid percent-encoding', () => {
    expect(messageIdOf('https://api.orange.com/smsmessaging/v1/outbound/tel%3A%2B2250000/requests/abc%2Fd')).toBe(
      'abc/d',
    );
    expect(messageIdOf('http://x/requests/ab%E0%A4%A')).toBe('ab%E0%A4%A');
    expect(messageIdOf('http://x/requests/id-1/')).toBe('id-1');
    expect(messageIdOf('')).toBeUndefined();
  });
});
