import { OrangeSmsConfigurationError } from '../../lib/errors/orange-sms.errors.js';
import { resolveOrangeSmsOptions } from '../../lib/orange-sms.options.js';

const base = { clientId: 'my-app', clientSecret: 's3cret-value', country: 'CIV' };

describe('orangeTimeZone (zone-less times from Orange)', () => {
  it('defaults to UTC, never the server zone', () => {
    expect(resolveOrangeSmsOptions(base).orangeTimeZone).toBe('UTC');
  });

  it('is set by orangeTimeZone, or by the deprecated legacyTimeZone alias', () => {
    expect(resolveOrangeSmsOptions({ ...base, orangeTimeZone: 'Africa/Douala' }).orangeTimeZone).toBe('Africa/Douala');
    const legacy = resolveOrangeSmsOptions({ ...base, legacyTimeZone: 'Europe/Paris' });
    expect([legacy.orangeTimeZone, legacy.legacyTimeZone]).toEqual(['Europe/Paris', 'Europe/Paris']);
  });

  it('names the bad field, and refuses two different zones', () => {
    const issues = (options: object) => {
      try {
        resolveOrangeSmsOptions({ ...base, ...options });
        return [];
      } catch (error) {
        return (error as OrangeSmsConfigurationError).issues.map((issue) => issue.field);
      }
    };
    expect(issues({ orangeTimeZone: 'Mars/Olympus' })).toEqual(['orangeTimeZone']);
    expect(issues({ legacyTimeZone: 'Mars/Olympus' })).toEqual(['legacyTimeZone']);
    expect(issues({ orangeTimeZone: 'UTC', legacyTimeZone: 'Europe/Paris' })).toEqual(['legacyTimeZone']);
    expect(issues({ orangeTimeZone: 'UTC', legacyTimeZone: 'UTC' })).toEqual([]);
  });
});
