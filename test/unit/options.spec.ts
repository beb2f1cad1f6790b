import { resolveOrangeSmsOptions } from '../../lib/orange-sms.options.js';

describe('resolveOrangeSmsOptions', () => {
  it('keys caches and Redis by the client id, or by a hash that holds nothing of the header', () => {
    expect(
      resolveOrangeSmsOptions({ clientId: 'my-app', clientSecret: 's3cret-value', country: 'CIV' }).credentialKey,
    ).toBe('my-app');
    const header = `Basic ${Buffer.from('my-app:s3cret-value-long-enough').toString('base64')}`;
    const key = resolveOrangeSmsOptions({ authorizationHeader: header, country: 'CIV' }).credentialKey;
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    const encoded = header.slice('Basic '.length);
    for (let i = 0; i + 4 <= encoded.length; i++) expect(key).not.toContain(encoded.slice(i, i + 4));
  });
});
