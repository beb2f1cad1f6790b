import {
  contractState,
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

  it('the recorded EXPIRED contract with 169 units left is expired; an ACTIVE past its date is too', () => {
    const now = new Date('2023-09-26T10:00:00Z');
    const [expired, active, overdue, suspended] = normaliseContracts(
      [
        { id: 'e', country: 'CIV', availableUnits: 169, status: 'EXPIRED', expirationDate: '2023-09-25T23:59:59.000Z' },
        { id: 'a', country: 'CIV', availableUnits: 10, status: 'ACTIVE', expirationDate: '2023-10-25T23:59:59.000Z' },
        { id: 'o', country: 'CIV', availableUnits: 10, status: 'ACTIVE', expirationDate: '2023-09-26T09:00:00.000Z' },
        { id: 's', country: 'CIV', availableUnits: 10, status: 'SUSPENDED' },
      ],
      'UTC',
      now,
    );
    expect([expired!.state, active!.state, overdue!.state, suspended!.state]).toEqual([
      'expired',
      'active',
      'expired',
      'inactive',
    ]);
    expect(contractState(undefined, undefined, now)).toBe('active');
  });

  it('a zone-less date in another format is not read in the server zone', () => {
    expect(parseOrangeDate('03/02/2022 20:00', 'UTC')).toBeUndefined();
    expect(parseOrangeDate('Wed, 02 Mar 2022 20:00:00 GMT', 'Africa/Douala')!.toISOString()).toBe(
      '2022-03-02T20:00:00.000Z',
    );
  });
});
