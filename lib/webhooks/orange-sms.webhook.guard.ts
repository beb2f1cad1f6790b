import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT, ORANGE_SMS_RESOLVED_OPTIONS } from '../orange-sms.constants.js';
import { OrangeSmsConfigurationError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import { ORANGE_SMS_WEBHOOKS_CONFIG, type OrangeSmsWebhooksConfig } from './orange-sms.webhook-config.js';

interface IncomingRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
}

/**
 * Orange does not sign callbacks, so the callback URL carries a secret: the `token` query parameter,
 * the `X-Orange-Sms-Token` header or the Basic-auth password. Compared in constant time against each
 * configured secret (two during a rotation). Secrets and tokens are never logged.
 */
@Injectable()
export class OrangeSmsWebhookGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);
  private readonly secretDigests: Buffer[];

  constructor(
    @Inject(ORANGE_SMS_RESOLVED_OPTIONS) options: OrangeSmsResolvedOptions,
    @Inject(ORANGE_SMS_WEBHOOKS_CONFIG) private readonly config: OrangeSmsWebhooksConfig,
  ) {
    if (options.webhookSecrets.length === 0 && !config.allowUnauthenticated) {
      throw new OrangeSmsConfigurationError([
        {
          field: 'webhookSecret',
          reason:
            'required while the webhook controller is enabled (Orange does not sign callbacks); set webhookSecret, ' +
            'or webhooks: { enabled: false }, or webhooks: { allowUnauthenticated: true } behind your own protection',
        },
      ]);
    }
    this.secretDigests = options.webhookSecrets.map(digest);
  }

  onModuleInit(): void {
    const base = `/${this.config.path}`;
    this.logger.log(`Orange SMS webhooks: POST ${base}/delivery-receipts and POST ${base}/inbound`);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.secretDigests.length === 0) return true;
    const token = presentedToken(context.switchToHttp().getRequest<IncomingRequest>());
    if (token === undefined)
      throw new UnauthorizedException(
        'Missing webhook token (token query parameter, X-Orange-Sms-Token header or Basic auth)',
      );
    const presented = digest(token);
    // Compare against every secret, not stopping at the first match, so timing says nothing.
    let matched = false;
    for (const secret of this.secretDigests) matched = timingSafeEqual(secret, presented) || matched;
    if (!matched) throw new UnauthorizedException('Invalid webhook token');
    return true;
  }
}

function presentedToken(request: IncomingRequest): string | undefined {
  const query = request.query?.token;
  if (typeof query === 'string' && query !== '') return query;
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

/** Fixed-length digests, so `timingSafeEqual` never sees different lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
