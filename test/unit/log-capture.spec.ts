import { findLeaks } from '../support/log-capture.js';

describe('the log leak check used after every spec file', () => {
  it('flags secrets, bearer tokens, Basic credentials and full phone numbers', () => {
    const token = 'eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhcHAtMTIzNCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    expect(
      findLeaks(
        [
          'log: webhook secret is my-secret-0123456789',
          `debug: Authorization: Bearer ${token}`,
          'debug: Basic ZW11bGF0b3ItY2xpZW50LWlkOnNlY3JldA==',
          'warn: SMS to +2250700000089 failed',
          'warn: SMS to 2250700000089 failed',
        ],
        ['my-secret-0123456789'],
      ),
    ).toHaveLength(5);
  });

  it('lets masked numbers, message ids and ordinary text through', () => {
    expect(
      findLeaks(
        [
          'debug: SMS 81e4296d-ed39-473a-ab3f-d290bfe5d3ef submitted to +22507******89 (1 segment(s))',
          'log: Orange SMS webhooks: POST /orange-sms/webhooks/delivery-receipts',
          'log: Balance: 999 units left',
        ],
        ['my-secret-0123456789'],
      ),
    ).toEqual([]);
  });
});
