/** Whether `value` is an IANA time zone this runtime knows (`UTC`, `Africa/Abidjan`). */
export function isTimeZone(value: unknown): value is string {
  try {
    return typeof value === 'string' && new Intl.DateTimeFormat('en-US', { timeZone: value }) !== undefined;
  } catch {
    return false;
  }
}
