import { Injectable } from '@nestjs/common';
import { OrangeSmsAuthError } from '../errors/orange-sms.errors.js';
import { OrangeSmsTokenProvider } from '../auth/orange-sms.token-provider.js';
import { type OrangeSmsHttpRequest, type OrangeSmsHttpResponse, OrangeSmsTransport } from './orange-sms.transport.js';

export type OrangeSmsApiRequest = Omit<OrangeSmsHttpRequest, 'authorization'>;

/** Gateway code for an expired token (API reference §6.1). */
const EXPIRED_CREDENTIALS = 42;

/**
 * An authorised call to Orange: bearer token attached; when Orange says the token expired (401 code
 * 42, e.g. revoked early or clocks apart) the token is dropped and the call replayed once. A 401 is
 * an answer, so the replay cannot duplicate a send.
 */
@Injectable()
export class OrangeSmsApiClient {
  constructor(
    private readonly transport: OrangeSmsTransport,
    private readonly tokens: OrangeSmsTokenProvider,
  ) {}

  async call<T>(request: OrangeSmsApiRequest): Promise<OrangeSmsHttpResponse<T>> {
    const token = await this.tokens.getToken();
    try {
      return await this.transport.request<T>({ ...request, authorization: `Bearer ${token}` });
    } catch (error) {
      if (!(error instanceof OrangeSmsAuthError) || error.code !== EXPIRED_CREDENTIALS) throw error;
      this.tokens.invalidate(token);
      const fresh = await this.tokens.getToken();
      return this.transport.request<T>({ ...request, authorization: `Bearer ${fresh}` });
    }
  }
}
