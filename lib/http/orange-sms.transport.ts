import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import { ORANGE_SMS_HTTP_CONFIG } from '../orange-sms.constants.js';
import {
  OrangeSmsConnectionError,
  type OrangeSmsError,
  OrangeSmsOutcomeUnknownError,
  OrangeSmsTimeoutError,
} from '../errors/orange-sms.errors.js';
import type { OrangeSmsHttpConfig } from '../orange-sms.options.js';
import { mapOrangeErrorResponse, requestIdOf } from './orange-sms.error-mapper.js';

export interface OrangeSmsHttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, already encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  /** Complete `Authorization` header value. */
  authorization: string;
  /**
   * False for a request that must not be repeated once it may have reached Orange (a send): losing
   * the connection or the answer after writing it gives `OrangeSmsOutcomeUnknownError`.
   */
  idempotent: boolean;
}

export interface OrangeSmsHttpResponse<T = unknown> {
  status: number;
  data: T;
  requestId?: string;
}

/** Connection errors raised before a request could be written: always safe to repeat. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
]);

/** Every answer resolves; Orange's error bodies are mapped here rather than thrown by axios. */
const anyStatus = (): boolean => true;

/**
 * One HTTP exchange with Orange over the axios instance of `@nestjs/axios`, on keep-alive agents.
 * Every outcome is either a 2xx response or a typed `OrangeSmsError`; it never retries (that policy
 * lives one level up).
 */
@Injectable()
export class OrangeSmsTransport implements OnApplicationShutdown {
  // Idle sockets close after 4 s, before a typical server's 5 s keep-alive, so a request is rarely
  // written to a socket the server is closing (which would make a send's outcome unknown).
  private readonly httpAgent = new HttpAgent({ keepAlive: true, timeout: 4_000 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, timeout: 4_000 });

  private readonly secure: boolean;

  constructor(
    private readonly http: HttpService,
    @Inject(ORANGE_SMS_HTTP_CONFIG) private readonly options: OrangeSmsHttpConfig,
  ) {
    this.secure = options.baseUrl.startsWith('https:');
    isolateFromGlobalDefaults(http.axiosRef.defaults as unknown as Record<string, unknown>);
  }

  async request<T>(
    request: OrangeSmsHttpRequest,
    timeoutMs = this.options.timeoutMs,
  ): Promise<OrangeSmsHttpResponse<T>> {
    // Only the keys this request needs: axios merges every key with its defaults on each call.
    const headers: Record<string, string> = { Authorization: request.authorization, Accept: 'application/json' };
    const config: AxiosRequestConfig = {
      url: this.options.baseUrl + (request.path.startsWith('/') ? request.path : `/${request.path}`),
      method: request.method,
      headers,
      timeout: timeoutMs,
      maxRedirects: 0,
      validateStatus: anyStatus,
    };
    if (this.secure) config.httpsAgent = this.httpsAgent;
    else config.httpAgent = this.httpAgent;
    if (request.query !== undefined) config.params = request.query;
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      config.data = request.json;
    }
    if (request.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      config.data = new URLSearchParams(request.form).toString();
    }

    let response: AxiosResponse<T>;
    try {
      // The axios instance itself, not HttpService.request(): its Observable wrapper adds a
      // CancelToken per request, cancelled (an Error built) on every completion.
      response = await this.http.axiosRef.request<T>(config);
    } catch (error) {
      throw classifyNetworkError(error as AxiosError, request.idempotent, timeoutMs, config.url!);
    }
    const requestId = requestIdOf(response.headers as Record<string, unknown>);
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, data: response.data, requestId };
    }
    throw mapOrangeErrorResponse(response.status, response.data, response.headers as Record<string, unknown>);
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * Our axios instance is created by `HttpModule.register()`, so host interceptors on the global axios
 * never see our requests; `axios.create()` still copies the global defaults of that moment, so the
 * host's default headers, auth and params (which would carry or override Orange credentials) are
 * dropped here. Every header we send is set per request.
 */
function isolateFromGlobalDefaults(defaults: Record<string, unknown>): void {
  const headers = defaults.headers as Record<string, unknown> | undefined;
  if (headers) for (const key of Object.keys(headers)) headers[key] = {};
  for (const key of ['auth', 'baseURL', 'params', 'withCredentials']) delete defaults[key];
}

/** Where a request went, without its query string (which could hold a secret). */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the configured baseUrl';
  }
}

/** A timeout is `ECONNABORTED` from axios (`ETIMEDOUT` when raised by the socket itself). */
function classifyNetworkError(error: AxiosError, idempotent: boolean, timeoutMs: number, url: string): OrangeSmsError {
  const code = error.code ?? 'ERR_NETWORK';
  if (NOT_SENT_CODES.has(code)) return new OrangeSmsConnectionError(code, { cause: error, url: describeUrl(url) });
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new OrangeSmsTimeoutError(timeoutMs, !idempotent, { cause: error });
  }
  if (!idempotent) {
    return new OrangeSmsOutcomeUnknownError(`connection lost after the request was written (${code})`, {
      cause: error,
    });
  }
  return new OrangeSmsConnectionError(code, { cause: error, url: describeUrl(url) });
}
