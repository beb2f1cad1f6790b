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

/** The app a token is bound to: every call made with it is that app's. */
export interface TokenOwner {
  account: string;
  appId: string;
  clientId: string;
}

interface IssuedToken extends TokenOwner {
  expiresAt: number;
  revoked: boolean;
}

export type BearerCheck = ({ ok: true } & TokenOwner) | { ok: false; body: GatewayErrorBody };

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private issued = 0;
  private readonly issuedByAccount = new Map<string, number>();

  /**
   * A JWT-looking opaque token like Orange's v3 ones (ES384 header, iss/sub/app_id/iat/exp/jti);
   * the signature is random bytes, clients must treat it as opaque anyway.
   */
  issue(credentials: ResolvedCredentials, account: string, ttlSeconds: number, issuer: string): string {
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
    this.tokens.set(token, {
      account,
      appId: credentials.appId,
      clientId: credentials.clientId,
      expiresAt: Date.now() + ttlSeconds * 1000,
      revoked: false,
    });
    this.issued += 1;
    this.issuedByAccount.set(account, (this.issuedByAccount.get(account) ?? 0) + 1);
    return token;
  }

  /** Tokens issued, to every app or to one. */
  issuedCount(account?: string): number {
    return account === undefined ? this.issued : (this.issuedByAccount.get(account) ?? 0);
  }

  /** Revokes every token, or one app's. */
  expireAll(account?: string): void {
    for (const token of this.tokens.values())
      if (account === undefined || token.account === account) token.revoked = true;
  }

  /** Zeroes the issued counts; tokens stay valid so a client's cached token survives a test reset. */
  resetCount(): void {
    this.issued = 0;
    this.issuedByAccount.clear();
  }

  check(authorization: string | undefined): BearerCheck {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, body: gatewayErrors.missingCredentials() };
    const token = this.tokens.get(match[1]);
    if (!token) return { ok: false, body: gatewayErrors.invalidCredentials() };
    if (token.revoked || Date.now() >= token.expiresAt) return { ok: false, body: gatewayErrors.expiredCredentials() };
    return { ok: true, account: token.account, appId: token.appId, clientId: token.clientId };
  }
}
