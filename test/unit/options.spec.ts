import { OrangeSmsConfigurationError } from '../../lib/errors/orange-sms.errors.js';
import { resolveOrangeSmsOptions } from '../../lib/orange-sms.options.js';

function badFields(options: Parameters<typeof resolveOrangeSmsOptions>[0]): string[] {
  try {
    resolveOrangeSmsOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
    return (error as OrangeSmsConfigurationError).issues.map((issue) => issue.field).sort();
  }
  throw new Error('expected a configuration error');
}

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

  it('names every bad field in one error, whatever checks it: nested, numeric, thrown or recorded', () => {
    expect(
      badFields({
        clientId: '',
        country: 'XYZ',
        timeoutMs: -1,
        retry: { maxAttempts: 1.5 },
        webhookTrustProxy: -2,
        orangeTimeZone: 'Mars/Olympus',
        // The deprecated queue option: every bad setting, not the first one only.
        queue: { enabled: true, concurrency: 0, attempts: 2.5, keepFailed: { count: -1 }, name: 'a:b' },
      }),
    ).toEqual(
      [
        'clientSecret',
        'country',
        'orangeTimeZone',
        'queue',
        'queue.attempts',
        'queue.concurrency',
        'queue.keepFailed.count',
        'queue.name',
        'retry.maxAttempts',
        'timeoutMs',
        'clientId',
        'webhookTrustProxy',
      ].sort(),
    );
  });
});
