/**
 * OAuth client-credentials side of the emulator: Basic header parsing, token issuing and the
 * Bearer check that answers Orange's gateway codes 40/41/42.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gatewayErrors, type GatewayErrorBody } from './orange-sms.emulator-errors.js';
import type { OrangeSmsEmulatorCredentials } from './orange-sms.emulator-types.js';

export interface ResolvedCredentials {
  clientId: string;
  clientSecret: string;
  appId: string;
}

export function resolveCredentials(input: OrangeSmsEmulatorCredentials): ResolvedCredentials {
  return {
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    // Stable per client id so tests can predict it across runs.
    appId: input.appId ?? createHash('sha256').update(`app:${input.clientId}`).digest('hex').slice(0, 24),
  };
}

export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
}

export type BasicParse =
  | { kind: 'absent' } // no header or another scheme
  | { kind: 'undecodable' }
  | { kind: 'decoded'; clientId: string; clientSecret: string };

export function parseBasic(header: string | undefined): BasicParse {
  const match = /^Basic\s+(\S*)\s*$/i.exec(header ?? '');
  if (!match) return { kind: 'absent' };
  const encoded = match[1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) return { kind: 'undecodable' };
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'undecodable' };
  return { kind: 'decoded', clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

interface IssuedToken {
  appId: string;
  expiresAt: number;
  revoked: boolean;
}

export type BearerCheck = { ok: true; appId: string } | { ok: false; body: GatewayErrorBody };

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private issued = 0;

  /**
   * A JWT-looking opaque token like Orange's v3 ones (ES384 header, iss/sub/app_id/iat/exp/jti);
   * the signature is random bytes, clients must treat it as opaque anyway.
   */
  issue(credentials: ResolvedCredentials, ttlSeconds: number, issuer: string): string {
    const iat = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES384', typ: 'JWT', kid: randomBytes(8).toString('hex') };
    const claims = {
      iss: issuer,
      sub: credentials.clientId,
      client_id: credentials.clientId,
      app_id: credentials.appId,
      app_name: 'orange-sms-emulator',
      iat,
      exp: iat + Math.ceil(ttlSeconds),
      jti: randomUUID(),
    };
    const token = [
      base64url(JSON.stringify(header)),
      base64url(JSON.stringify(claims)),
      base64url(randomBytes(96)),
    ].join('.');
    this.tokens.set(token, { appId: credentials.appId, expiresAt: Date.now() + ttlSeconds * 1000, revoked: false });
    this.issued += 1;
    return token;
  }

  issuedCount(): number {
    return this.issued;
  }

  expireAll(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Zeroes the issued count; tokens stay valid so a client's cached token survives a test reset. */
  resetCount(): void {
    this.issued = 0;
  }

  check(authorization: string | undefined): BearerCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, body: gatewayErrors.missingCredentials() };
    const token = this.tokens.get(match[1]);
    if (!token) return { ok: false, body: gatewayErrors.invalidCredentials() };
    if (token.revoked || Date.now() >= token.expiresAt) return { ok: false, body: gatewayErrors.expiredCredentials() };
    return { ok: true, appId: token.appId };
  }
}
