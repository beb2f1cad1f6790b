/**
 * Secret masking for everything the emulator shows to people (CLI banner, web inbox). Masking
 * happens before anything leaves the process, so a secret never reaches the browser at all.
 */

/** `emul****cret`: enough to recognise a secret, never enough to use it. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 4)}****${secret.slice(-4)}`;
}

/** Names of query parameters, form fields and JSON keys whose value is a credential. */
const SECRET_NAME = /(secret|token|password|passwd|key|assertion|signature|credential|authorization)/i;

/** A `name=value` pair in a query string or form body whose name looks secret. */
const SECRET_PAIR =
  /(^|[?&;\s"'])([\w.-]*(?:secret|token|password|passwd|key|assertion|signature|credential)[\w.-]*=)([^&#\s"'<>]*)/gi;

/** Credentials written inline; 16+ characters so that "Basic plan" in an SMS stays readable. */
const INLINE_CREDENTIAL = /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{16,})/gi;

/** Masks `token=…`-like query values and inline Bearer/Basic credentials in free text. */
export function maskText(text: string): string {
  return text
    .replace(SECRET_PAIR, (_m, lead: string, name: string, value: string) => `${lead}${name}${maskSecret(value)}`)
    .replace(
      INLINE_CREDENTIAL,
      (_m, scheme: string, space: string, value: string) => `${scheme}${space}${maskSecret(value)}`,
    );
}

/** An Authorization value: the scheme stays readable, the credential does not. */
export function maskAuthorization(value: string): string {
  const match = /^(\S+)(\s+)(.*)$/s.exec(value.trim());
  if (!match) return maskSecret(value);
  const [, scheme = '', space = ' ', credential = ''] = match;
  if (/^basic$/i.test(scheme)) {
    // Shows which client id was used (the usual cause of a 401), never its secret.
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && /^[\x20-\x7e]+$/.test(decoded))
      return `${scheme}${space}${maskSecret(credential)} (${decoded.slice(0, colon)}:${maskSecret(decoded.slice(colon + 1))})`;
  }
  return `${scheme}${space}${maskSecret(credential)}`;
}

const AUTHORIZATION_HEADERS = new Set(['authorization', 'proxy-authorization']);
const SECRET_HEADERS = /^(cookie|set-cookie)$|secret|token|key|auth|signature|credential/i;

export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (AUTHORIZATION_HEADERS.has(name.toLowerCase())) masked[name] = maskAuthorization(value);
    else if (SECRET_HEADERS.test(name)) masked[name] = maskSecret(value);
    else masked[name] = maskText(value);
  }
  return masked;
}

/** Deep copy with secret-named values masked and every string scrubbed (notify URLs carry `?token=`). */
export function maskJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskJson(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_NAME.test(key) && (typeof item === 'string' || typeof item === 'number')
        ? maskSecret(String(item))
        : maskJson(item, depth + 1);
  }
  return copy;
}

/** A request or response body as text, masked whether it is JSON, a form or anything else. */
export function maskBody(body: string, maxChars: number): string {
  let text: string;
  try {
    text = JSON.stringify(maskJson(JSON.parse(body)), null, 2);
  } catch {
    text = maskText(body);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)` : text;
}
