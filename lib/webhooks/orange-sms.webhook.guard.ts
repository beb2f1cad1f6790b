import { hash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import { ORANGE_SMS_WEBHOOK_SETTINGS } from '../orange-sms.constants.js';
import type { OrangeSmsWebhookOutcome } from '../interfaces/orange-sms.telemetry.interfaces.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { OrangeSmsConfigurationError, OrangeSmsUnknownAccountError } from '../errors/orange-sms.errors.js';
import { type OrangeSmsAccount, OrangeSmsAccounts } from '../accounts/orange-sms.accounts.js';
import { ORANGE_SMS_DEFAULT_ACCOUNT, type OrangeSmsWebhookSettings } from '../orange-sms.options.js';

/** What Express and Fastify requests have in common here. */
interface IncomingRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  query?: Record<string, unknown>;
  /** Express: the URL before any mount point or prefix was cut off. */
  originalUrl?: string;
  url?: string;
  body?: unknown;
  socket?: { remoteAddress?: string };
  raw?: { socket?: { remoteAddress?: string } };
}

/**
 * Orange does not sign callbacks, so the callback URL carries a secret: the `token` query parameter,
 * the `X-Orange-Sms-Token` header or the Basic-auth password. Compared in constant time against each
 * configured secret (two during a rotation). Secrets and tokens are never logged. The platform's body
 * parser runs before any guard (a broken JSON gets its 400, an over-limit body its 413, there);
 * then here, in order: declared size, then decoded size (413), source address when
 * `webhookAllowedIps` is set (403), secret (401); then the payload parser (400).
 */
@Injectable()
export class OrangeSmsWebhookGuard implements CanActivate {
  private readonly secretDigests: Buffer[];
  private readonly allowed?: BlockList;
  private readonly trustedHops: number;

  /** Digests of each account's secrets (the top-level ones are `secretDigests`). */
  private readonly accountDigests = new WeakMap<OrangeSmsAccount, Buffer[]>();

  constructor(
    @Inject(ORANGE_SMS_WEBHOOK_SETTINGS) private readonly settings: OrangeSmsWebhookSettings,
    private readonly telemetry: OrangeSmsTelemetry,
    private readonly accounts: OrangeSmsAccounts,
  ) {
    const missing: Array<{ field: string; reason: string }> = [];
    const reason =
      'required while the webhook controller is enabled (Orange does not sign callbacks); set webhookSecret, ' +
      'or webhooks: { enabled: false }, or webhookAllowUnauthenticated: true behind your own protection';
    if (!settings.allowUnauthenticated) {
      if (settings.secrets.length === 0) missing.push({ field: 'webhookSecret', reason });
      for (const account of accounts.configured()) {
        if (account.webhookSecrets.length === 0)
          missing.push({ field: `accounts.${account.name}.webhookSecret`, reason });
      }
    }
    if (missing.length > 0) throw new OrangeSmsConfigurationError(missing);
    this.secretDigests = settings.secrets.map(digest);
    this.trustedHops = settings.trustedProxyHops;
    if (settings.allowedIps.length > 0) {
      this.allowed = new BlockList();
      for (const entry of settings.allowedIps) {
        const [address, prefix] = entry.split('/') as [string, string | undefined];
        const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
        if (prefix === undefined) this.allowed.addAddress(address, family);
        else this.allowed.addSubnet(address, Number(prefix), family);
      }
    }
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.check(context);
    } catch (error) {
      const outcome: OrangeSmsWebhookOutcome =
        error instanceof PayloadTooLargeException
          ? 'too_large'
          : error instanceof ForbiddenException
            ? 'forbidden'
            : error instanceof NotFoundException
              ? 'unknown_account'
              : 'unauthorized';
      const route = /inbound$/i.test(context.getHandler().name) ? 'inbound' : 'delivery-receipts';
      this.telemetry.emit({ type: 'webhook', route, outcome });
      throw error;
    }
  }

  private async check(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingRequest>();
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > this.settings.maxBodyBytes) {
      throw new PayloadTooLargeException(`Webhook body over ${this.settings.maxBodyBytes} bytes`);
    }
    // A chunked or compressed body has no (true) Content-Length: bound what the parser produced. A
    // plain body's declared length is its real size (the parser checks it), so it is not measured again.
    const declaredIsReal = Number.isFinite(length) && request.headers['content-encoding'] === undefined;
    if (!declaredIsReal && parsedBodyBytes(request.body) > this.settings.maxBodyBytes) {
      throw new PayloadTooLargeException(`Webhook body over ${this.settings.maxBodyBytes} bytes`);
    }
    if (this.allowed) {
      const address = clientAddress(request, this.trustedHops);
      if (!address || !this.allowed.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) {
        throw new ForbiddenException('Webhook caller address not allowed');
      }
    }
    const digests = await this.secretsFor(request.params?.account);
    if (digests.length === 0) {
      if (this.settings.allowUnauthenticated) return true;
      // A resolved account without a secret: its routes stay closed (a static one fails at boot).
      throw new UnauthorizedException('This account has no webhook secret: its routes are closed');
    }
    const token = presentedToken(request);
    if (token === undefined)
      throw new UnauthorizedException(
        'Missing webhook token (token query parameter, X-Orange-Sms-Token header or Basic auth)',
      );
    const presented = digest(token);
    // Compare against every secret, not stopping at the first match, so timing says nothing.
    let matched = false;
    for (const secret of digests) matched = timingSafeEqual(secret, presented) || matched;
    if (!matched) throw new UnauthorizedException('Invalid webhook token');
    return true;
  }

  /** Whose secrets: the route's `:account` (an unknown one is 404), else the top-level ones. */
  private async secretsFor(name: string | undefined): Promise<Buffer[]> {
    if (name === undefined || name === ORANGE_SMS_DEFAULT_ACCOUNT) return this.secretDigests;
    let account: OrangeSmsAccount;
    try {
      account = await this.accounts.get(name);
    } catch (error) {
      // Never echo the name: it comes from the URL.
      if (error instanceof OrangeSmsUnknownAccountError)
        throw new NotFoundException('Not Found: no such Orange account');
      throw error;
    }
    let digests = this.accountDigests.get(account);
    if (!digests) {
      digests = account.webhookSecrets.map(digest);
      this.accountDigests.set(account, digests);
    }
    return digests;
  }
}

/** The caller's address: the socket's, or with `hops` trusted proxies, from `X-Forwarded-For`. */
function clientAddress(request: IncomingRequest, hops: number): string | undefined {
  let address = request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress;
  if (hops > 0) {
    const header = request.headers['x-forwarded-for'];
    const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    // Each trusted proxy appended the address it saw: the client is `hops` entries from the right.
    if (chain.length > 0) address = chain[Math.max(0, chain.length - hops)];
  }
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function presentedToken(request: IncomingRequest): string | undefined {
  const query = queryToken(request);
  if (query !== undefined && query !== '') return query;
  const header = request.headers['x-orange-sms-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^Basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator >= 0 && separator < decoded.length - 1) return decoded.slice(separator + 1);
  }
  return undefined;
}

/**
 * The `token` query parameter, read from the URL itself: whatever query parser the host chose (or
 * none: Express' `query parser` set to false), and without parsing the rest of the query.
 */
function queryToken(request: IncomingRequest): string | undefined {
  const url = request.originalUrl ?? request.url;
  if (url === undefined) {
    const parsed = request.query?.token;
    return typeof parsed === 'string' ? parsed : undefined;
  }
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end)).get('token') ?? undefined;
}

/** Size of the parsed body as compact JSON: a lower bound of its decoded bytes. */
function parsedBodyBytes(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Buffer.isBuffer(body)) return body.length;
  try {
    return Buffer.byteLength(JSON.stringify(body) ?? '');
  } catch {
    return 0;
  }
}

/** Fixed-length digests, so `timingSafeEqual` never sees different lengths. */
function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}
