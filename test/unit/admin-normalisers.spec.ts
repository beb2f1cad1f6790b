import {
  normaliseContracts,
  normaliseStatistics,
  parseOrangeDate,
} from '../../lib/stats/orange-sms.admin-normalisers.js';

describe('admin normalisers', () => {
  it('reads the recorded legacy contracts body (zone-less expires) in the given time zone', () => {
    const body = {
      partnerContracts: {
        partnerId: 'dev@example.com',
        contracts: [
          {
            service: 'SMS_OCB',
            contractDescription: 'x',
            serviceContracts: [
              {
                country: 'CMR',
                service: 'SMS_OCB',
                contractId: 'c-1',
                availableUnits: 99,
                expires: '2022-03-02T20:00:00',
                scDescription: '…',
              },
            ],
          },
        ],
      },
    };
    expect(normaliseContracts(body)[0]).toMatchObject({
      id: 'c-1',
      country: 'CMR',
      offer: 'SMS_OCB',
      availableUnits: 99,
      expiresAt: new Date('2022-03-02T20:00:00Z'),
    });
    expect(normaliseContracts(body, 'Europe/Paris')[0]!.expiresAt).toEqual(new Date('2022-03-02T19:00:00Z'));
  });

  it('reads the recorded current statistics body (appid null, nbEnforcements kept in raw)', () => {
    const entries = normaliseStatistics({
      partnerStatistics: {
        developerId: 'd',
        statistics: [
          {
            service: 'SMS_OCB',
            serviceStatistics: [
              { country: 'CIV', countryStatistics: [{ appid: null, usage: 47, nbEnforcements: 38 }] },
            ],
          },
        ],
      },
    });
    expect(entries).toEqual([
      { country: 'CIV', appId: null, offer: 'SMS_OCB', usage: 47, raw: { appid: null, usage: 47, nbEnforcements: 38 } },
    ]);
  });

  it('rejects a body in neither format', () => {
    expect(() => normaliseContracts({ hello: 1 })).toThrow('neither the current nor the legacy format');
  });

  it.each([
    ['2023-09-25T23:59:59.000Z', 'UTC', '2023-09-25T23:59:59.000Z'],
    ['2022-03-02T20:00:00', 'UTC', '2022-03-02T20:00:00.000Z'],
    ['2022-07-02T20:00:00', 'Europe/Paris', '2022-07-02T18:00:00.000Z'],
    ['2022-03-02T20:00:00', 'Africa/Abidjan', '2022-03-02T20:00:00.000Z'],
    ['2022-03-02T20:00:00+01:00', 'Africa/Abidjan', '2022-03-02T19:00:00.000Z'],
  ])('parseOrangeDate(%s, %s) → %s', (value, zone, expected) => {
    expect(parseOrangeDate(value, zone)!.toISOString()).toBe(expected);
  });
});
