/**
 * OrangeSmsEmulator: a real HTTP server on loopback that answers like api.orange.com's SMS API
 * (token, send, DR subscriptions, admin) and plays Orange's side of the callbacks (delivery
 * receipts, inbound SMS). Every wire format follows shared/orange-sms-api.md. It imports nothing
 * from the client side of the package and uses only Node built-ins.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { contractsBody, purchaseOrdersBody, statisticsBody, type AdminFilters } from './orange-sms.emulator-admin.js';
import { appsFrom, nonNegative, positive, type DrSubscription, type EmulatedApp } from './orange-sms.emulator-apps.js';
import {
  callbackResult,
  deliveryReceiptPayload,
  deliveryStatusMayFollow,
  inboundHeaders,
  inboundPayload,
  subscriberAddress,
  postCallback,
} from './orange-sms.emulator-callbacks.js';
import { gatewayErrors, oauthErrors, smsErrors } from './orange-sms.emulator-errors.js';
import {
  newRequestId,
  parseTarget,
  readBody,
  reply,
  writeReply,
  type Reply,
  type RequestTarget,
} from './orange-sms.emulator-http.js';
import { EmulatorInbox, isInboxRoute } from './orange-sms.emulator-inbox.js';
import { countSegments } from './orange-sms.emulator-segments.js';
import { parseJson, validSender, validateSend, validateSubscription } from './orange-sms.emulator-send.js';
import { parseBasic, TokenStore, type TokenOwner } from './orange-sms.emulator-tokens.js';
import {
  DEFAULT_EMULATOR_ACCOUNT,
  type CallbackResult,
  type DeliverOptions,
  type EmulatedCallback,
  type EmulatedRequestKind,
  type EmulatedSms,
  type FailNextOptions,
  type InboundSmsInput,
  type OrangeDeliveryStatus,
  type OrangeSmsEmulatorAccount,
  type OrangeSmsEmulatorAdminFormat,
  type OrangeSmsEmulatorCredentials,
  type OrangeSmsEmulatorOptions,
  type RecordedRequest,
} from './orange-sms.emulator-types.js';

/** Recorded header of the token endpoint's 401 answers (§12, invalid_credentials.yml). */
const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Authorization Required"' };

/** Recipient reported by `deliver()` for an id the emulator never saw (reference 3.3 example). */
const UNKNOWN_RECIPIENT = 'tel:+2250700000000';

interface Settings {
  port: number;
  host: string;
  deliveryDelayMs: number;
  autoDeliveryStatus: OrangeDeliveryStatus | null;
  tokenTtlSeconds: number;
  expiresInAs: 'string' | 'number';
  maxBodyBytes: number;
  inbox: boolean;
}

interface QueuedFault {
  mode: 'respond' | 'reset' | 'hang';
  match: EmulatedRequestKind | 'any';
  remaining: number;
  status: number;
  body: unknown;
  headers: Record<string, string> | undefined;
}

interface DeliveryJob {
  timer: NodeJS.Timeout | undefined;
  finish: () => void;
  done: Promise<void>;
}

function settingsFrom(options: OrangeSmsEmulatorOptions): Settings {
  return {
    port: nonNegative('port', options.port, 0),
    host: options.host ?? '127.0.0.1',
    deliveryDelayMs: nonNegative('deliveryDelayMs', options.deliveryDelayMs, 300),
    autoDeliveryStatus: options.autoDeliveryStatus === undefined ? 'DeliveredToTerminal' : options.autoDeliveryStatus,
    tokenTtlSeconds: positive('tokenTtlSeconds', options.tokenTtlSeconds) ?? 3600,
    expiresInAs: options.expiresInAs ?? 'number',
    maxBodyBytes: nonNegative('maxBodyBytes', options.maxBodyBytes, 1024 * 1024),
    inbox: options.inbox ?? true,
  };
}

function kindOf(segments: (string | undefined)[]): EmulatedRequestKind {
  const [a, b, c, , e] = segments;
  if (a === 'oauth' && (b === 'v2' || b === 'v3') && c === 'token') return 'token';
  if (a === 'sms' && b === 'admin') return 'admin';
  if (a === 'smsmessaging') {
    if (segments.includes('subscriptions')) return 'subscription';
    if (c === 'outbound' && e === 'requests') return 'send';
  }
  return 'other';
}

export class OrangeSmsEmulator {
  /** Accepted sends, in order. */
  readonly messages: EmulatedSms[] = [];
  /** Every request received, in order, with the status answered. */
  readonly requests: RecordedRequest[] = [];
  /** Every callback POSTed (delivery receipts and inbound SMS), successful or not. */
  readonly callbacks: EmulatedCallback[] = [];

  private readonly settings: Settings;
  private readonly server: Server;
  private readonly inbox: EmulatorInbox | undefined;
  private readonly tokens = new TokenStore();
  /** The Orange apps played: 'default' (top-level credentials) first, then `accounts`. */
  private readonly apps: EmulatedApp[];
  private readonly defaultApp: EmulatedApp;
  private adminFormat: OrangeSmsEmulatorAdminFormat;
  private faults: QueuedFault[] = [];
  private tokenRequestCount = 0;
  private readonly deliveryJobs = new Set<DeliveryJob>();
  /** Aborts in-flight callbacks when the emulator stops. */
  private readonly stopController = new AbortController();
  private boundPort = 0;
  private stopping: Promise<void> | undefined;

  /** Starts an emulator; resolves once it listens. */
  static async start(options: OrangeSmsEmulatorOptions = {}): Promise<OrangeSmsEmulator> {
    const emulator = new OrangeSmsEmulator(options);
    await emulator.listen();
    return emulator;
  }

  private constructor(options: OrangeSmsEmulatorOptions) {
    this.settings = settingsFrom(options);
    this.apps = appsFrom(options, {
      tokens: this.tokens,
      messages: this.messages,
      changed: () => this.inbox?.infoChanged(),
    });
    this.defaultApp = this.apps[0]!;
    this.inbox = this.settings.inbox ? this.createInbox() : undefined;
    this.adminFormat = options.adminFormat ?? 'current';
    // Handlers answer every expected case themselves; this only keeps a bug from crashing the host process.
    this.server = createServer((req, res) => void this.onRequest(req, res).catch(() => res.destroy()));
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.port, this.settings.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.boundPort = typeof address === 'object' && address ? address.port : this.settings.port;
        resolve();
      });
    });
  }

  /** Base URL, e.g. 'http://127.0.0.1:40123' (no trailing slash); use it as the client's baseUrl. */
  get url(): string {
    const host = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return `http://${host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The web inbox, e.g. 'http://127.0.0.1:40123/'; undefined with `inbox: false`. */
  get inboxUrl(): string | undefined {
    return this.inbox ? `${this.url}/` : undefined;
  }

  /**
   * Where the default app's automatic and `deliver()` delivery receipts go: its newest live DR
   * subscription's notify URL, else the URL set at start or through this property. A subscription
   * sits beside that URL, never in its place, so cancelling it brings the start URL back. Another
   * app's: `emulator.account(name).deliveryReceiptUrl`.
   */
  get deliveryReceiptUrl(): string | undefined {
    return this.defaultApp.deliveryReceiptUrl;
  }

  set deliveryReceiptUrl(url: string | undefined) {
    this.defaultApp.deliveryReceiptUrl = url;
  }

  /** Where `receive()` posts inbound SMS for the default app. */
  get inboundUrl(): string | undefined {
    return this.defaultApp.inboundUrl;
  }

  set inboundUrl(url: string | undefined) {
    this.defaultApp.inboundUrl = url;
  }

  /** The first (default) credential pair. */
  get credentials(): OrangeSmsEmulatorCredentials {
    return this.defaultApp.credentials;
  }

  /** 'Basic base64(id:secret)' of the default pair, like the portal's ready-made header. */
  get authorizationHeader(): string {
    return this.defaultApp.authorizationHeader;
  }

  /** Application id of the default pair (statistics `appid` / legacy `applicationId`). */
  get appId(): string {
    return this.defaultApp.appId;
  }

  /** Every app played: 'default' first, then `accounts` in their order. */
  get accounts(): OrangeSmsEmulatorAccount[] {
    return [...this.apps];
  }

  /** One app by name ('default' = the top-level credentials); throws for a name it does not play. */
  account(name: string): OrangeSmsEmulatorAccount {
    return this.app(name, 'account');
  }

  private app(name: string, caller: string): EmulatedApp {
    const app = this.apps.find((a) => a.name === name);
    if (!app)
      throw new Error(
        `OrangeSmsEmulator.${caller}: unknown account '${name}' (accounts: ${this.apps.map((a) => a.name).join(', ')})`,
      );
    return app;
  }

  /** Count of POST token requests, whatever their outcome. */
  tokenRequests(): number {
    return this.tokenRequestCount;
  }

  /** Count of tokens issued (200 answers of the token endpoint, reset mode included). */
  issuedTokens(): number {
    return this.tokens.issuedCount();
  }

  /** Every token issued so far now answers 401 code 42; new tokens work. */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  setAdminFormat(format: OrangeSmsEmulatorAdminFormat): void {
    this.adminFormat = format;
  }

  /**
   * Queues a fault. Each request takes the earliest queued fault whose `match` fits its kind
   * ('any' fits every request, token requests included), decrementing its count.
   */
  failNext(options: FailNextOptions): void {
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`failNext: count must be an integer >= 1, got ${count}`);
    const status = options.status ?? 503;
    if (!Number.isInteger(status) || status < 100 || status > 599)
      throw new RangeError(`failNext: invalid status ${status}`);
    const defaultBody = status === 429 ? gatewayErrors.tooManyRequests() : gatewayErrors.serviceUnavailable();
    this.faults.push({
      mode: options.mode ?? 'respond',
      match: options.match ?? 'any',
      remaining: count,
      status,
      body: options.body === undefined ? defaultBody : options.body,
      headers: options.headers ?? (status === 429 && options.body === undefined ? { 'Retry-After': '1' } : undefined),
    });
  }

  /**
   * POSTs a deliveryInfoNotification for a sent message (callbackData = its id unless given).
   * Rejects when there is no URL, or the id is unknown and no callbackData is given. A receiver
   * that cannot be reached gives status 0 and an 'error' entry in `callbacks`.
   */
  async deliver(
    id: string,
    status: OrangeDeliveryStatus = 'DeliveredToTerminal',
    opts: DeliverOptions = {},
  ): Promise<CallbackResult> {
    return callbackResult(await this.postReceipt(id, status, opts));
  }

  /** `deliver()` returning the recorded callback, for the inbox (which shows its error too). */
  private async postReceipt(id: string, status: OrangeDeliveryStatus, opts: DeliverOptions): Promise<EmulatedCallback> {
    const message = this.messages.find((m) => m.id === id);
    if (!message && opts.callbackData === undefined) {
      throw new Error(`OrangeSmsEmulator.deliver: unknown message id '${id}' (give callbackData to send it anyway)`);
    }
    // A receipt goes to the URL of the app that sent the message: never to another app's.
    const app = message
      ? this.app(message.account, 'deliver')
      : this.app(opts.account ?? DEFAULT_EMULATOR_ACCOUNT, 'deliver');
    const url = this.callbackUrl(app, 'deliver', 'deliveryReceiptUrl', opts.url ?? app.deliveryReceiptUrl);
    // Any receipt is posted (the network delivers late and repeated receipts too: a test needs them),
    // but the message itself never leaves DeliveredToTerminal.
    if (message && deliveryStatusMayFollow(message.deliveryStatus, status)) {
      message.deliveryStatus = status;
      this.inbox?.messageChanged(message);
    }
    const payload = deliveryReceiptPayload(
      message?.address ?? opts.address ?? UNKNOWN_RECIPIENT,
      status,
      opts.callbackData ?? id,
    );
    return postCallback(
      this.recordCallback,
      'delivery-receipt',
      app.name,
      url,
      payload,
      opts.headers,
      this.stopController.signal,
    );
  }

  /** POSTs an inboundSMSMessageNotification, as Orange does when a subscriber texts the application. */
  async receive(
    input: InboundSmsInput,
    opts: { url?: string; headers?: Record<string, string> } = {},
  ): Promise<CallbackResult> {
    return callbackResult(await this.postInbound(input, opts));
  }

  /** The URL a callback goes to, or an error naming the method, the app and the setting missing. */
  private callbackUrl(
    app: { name: string },
    method: 'deliver' | 'receive',
    setting: 'deliveryReceiptUrl' | 'inboundUrl',
    url: string | undefined,
  ): string {
    if (url) return url;
    throw new Error(
      app === this.defaultApp
        ? `OrangeSmsEmulator.${method}: no ${setting} set and no url given`
        : `OrangeSmsEmulator.${method}: account '${app.name}' has no ${setting} and no url was given`,
    );
  }

  private async postInbound(
    input: InboundSmsInput,
    opts: { url?: string; headers?: Record<string, string> },
  ): Promise<EmulatedCallback> {
    const app = this.app(input.account ?? DEFAULT_EMULATOR_ACCOUNT, 'receive');
    const url = this.callbackUrl(app, 'receive', 'inboundUrl', opts.url ?? app.inboundUrl);
    // The subscriber is kept beside the payload, so the inbox files an acr: inbound under its phone.
    const subscriber = subscriberAddress(input.from);
    const record = (callback: EmulatedCallback): void => {
      callback.subscriber = subscriber;
      this.recordCallback(callback);
    };
    return postCallback(
      record,
      'inbound',
      app.name,
      url,
      inboundPayload(input),
      { ...inboundHeaders(input), ...opts.headers },
      this.stopController.signal,
    );
  }

  private readonly recordCallback = (callback: EmulatedCallback): void => {
    this.callbacks.push(callback);
    this.inbox?.callbackRecorded(callback);
  };

  /** The inbox reads the emulator's state and acts through the same paths as the public API. */
  private createInbox(): EmulatorInbox {
    return new EmulatorInbox({
      messages: this.messages,
      requests: this.requests,
      callbacks: this.callbacks,
      info: () => ({
        url: this.url,
        clientId: this.defaultApp.credentials.clientId,
        clientSecret: this.defaultApp.credentials.clientSecret,
        deliveryReceiptUrl: this.deliveryReceiptUrl,
        inboundUrl: this.inboundUrl,
        tokenRequests: this.tokenRequestCount,
        issuedTokens: this.tokens.issuedCount(),
        units: this.defaultApp.account.contracts.map((c) => ({
          country: c.country.alpha3,
          available: c.availableUnits,
        })),
        autoDeliveryStatus: this.settings.autoDeliveryStatus,
        deliveryDelayMs: this.settings.deliveryDelayMs,
        accounts: this.apps.map((app) => ({
          name: app.name,
          clientId: app.credentials.clientId,
          clientSecret: app.credentials.clientSecret,
          appId: app.appId,
          deliveryReceiptUrl: app.deliveryReceiptUrl,
          inboundUrl: app.inboundUrl,
          tokenRequests: app.tokenRequestCount,
          issuedTokens: app.issuedTokens(),
          units: app.account.contracts.map((c) => ({ country: c.country.alpha3, available: c.availableUnits })),
        })),
      }),
      deliver: (id, status) => this.postReceipt(id, status, {}),
      receive: (input) => this.postInbound(input, {}),
      reset: () => this.reset(),
    });
  }

  /** Resolves when no automatic delivery receipt is pending or in flight. */
  async whenIdle(): Promise<void> {
    while (this.deliveryJobs.size > 0) {
      await Promise.all([...this.deliveryJobs].map((job) => job.done));
    }
  }

  /**
   * Back to fresh apps between tests: clears messages, requests, callbacks, faults, every app's
   * subscriptions and rate-limit window, pending automatic receipts and the token counters; every
   * app's contracts get their initial units again. Kept: options, callback URLs,
   * the admin format, and issued tokens (still valid, so an app under test keeps its cached token;
   * call `expireTokens()` to invalidate them).
   */
  reset(): void {
    this.cancelPendingDeliveries();
    this.messages.length = 0;
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.faults = [];
    this.tokenRequestCount = 0;
    this.tokens.resetCount();
    for (const app of this.apps) app.reset();
    this.inbox?.resetDone();
  }

  /** Closes the server and every open connection (keep-alive and hanging ones), cancels receipts. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.cancelPendingDeliveries();
      this.stopController.abort();
      this.inbox?.close();
      this.server.close(() => resolve());
      // Also ends hanging requests and keep-alive sockets, which close() alone would wait for.
      this.server.closeAllConnections();
    });
    return this.stopping;
  }

  // ---- request pipeline -------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = parseTarget(req.url ?? '/');
    // The inbox is not Orange: no record, no fault, no credentials.
    if (this.inbox && isInboxRoute(method, target.path)) return this.inbox.handle(req, res, target);
    const requestId = newRequestId();
    const kind = kindOf(target.segments);
    const { body, tooLarge, aborted } = await readBody(req, this.settings.maxBodyBytes);

    const record: RecordedRequest = {
      method,
      path: target.path,
      rawPath: target.rawPath,
      query: target.query,
      headers: { ...req.headers },
      body,
      status: 0,
      kind,
      requestId,
      at: new Date(),
    };
    const json = body === '' ? undefined : parseJson(body);
    if (json !== undefined) record.json = json;
    this.requests.push(record);
    if (kind === 'token' && method === 'POST') this.countTokenRequest(record, req.headers.authorization);
    this.inbox?.requestChanged(record);
    if (aborted) return;

    const send = (value: Reply, extra?: Record<string, string>): void => {
      record.status = value.status;
      writeReply(res, value, requestId, extra);
      this.inbox?.requestChanged(record);
    };

    if (tooLarge) {
      send(reply(413, gatewayErrors.payloadTooLarge(this.settings.maxBodyBytes)), { Connection: 'close' });
      return;
    }

    const fault = this.takeFault(kind);
    if (fault?.mode === 'hang') return; // recorded with status 0; stop() closes the socket
    if (fault?.mode === 'respond') {
      send(reply(fault.status, fault.body, fault.headers));
      return;
    }

    let answer: Reply;
    try {
      answer = this.route(method, target, req, body, record);
    } catch {
      answer = reply(500, gatewayErrors.internalError());
    }

    if (fault?.mode === 'reset') {
      // Processed (a send is accepted and recorded), but the client never gets the answer.
      record.status = 0;
      req.socket.resetAndDestroy();
      return;
    }
    send(answer);
  }

  private takeFault(kind: EmulatedRequestKind): QueuedFault | undefined {
    const index = this.faults.findIndex((f) => f.match === 'any' || f.match === kind);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Counted whatever the outcome, for the emulator and for the app whose client id the header names. */
  private countTokenRequest(record: RecordedRequest, authorization: string | undefined): void {
    this.tokenRequestCount += 1;
    const basic = parseBasic(authorization);
    if (basic.kind !== 'decoded') return;
    // A client id is not a secret (the inbox shows it too); it tells which app a refused login was for.
    record.clientId = basic.clientId;
    const app = this.apps.find((a) => a.hasClientId(basic.clientId));
    if (app) app.tokenRequestCount += 1;
  }

  private route(
    method: string,
    target: RequestTarget,
    req: IncomingMessage,
    body: string,
    record: RecordedRequest,
  ): Reply {
    const s = target.segments;
    const authorization = req.headers.authorization;
    // Every call past the token endpoint is the app's whose token it carries.
    const authorized = (handler: (app: EmulatedApp, owner: TokenOwner) => Reply): Reply => {
      const check = this.tokens.check(authorization);
      if (!check.ok) return reply(401, check.body);
      const { account, appId, clientId } = check;
      Object.assign(record, { account, appId, clientId });
      return handler(this.app(account, 'route'), { account, appId, clientId });
    };

    if (
      s.length === 3 &&
      s[0] === 'oauth' &&
      (s[1] === 'v3' || s[1] === 'v2') &&
      s[2] === 'token' &&
      method === 'POST'
    ) {
      return this.token(authorization, body, record);
    }

    if (s[0] === 'smsmessaging' && s[1] === 'v1' && s[2] === 'outbound') {
      if (s.length === 5 && method === 'POST' && s[4] === 'requests') {
        return authorized((app, owner) => this.send(app, owner, s[3], target.query, body));
      }
      if (s.length === 5 && method === 'POST' && s[4] === 'subscriptions') {
        return authorized((app) => this.createSubscription(app, s[3], body));
      }
      if (s.length === 5 && method === 'GET' && s[3] === 'subscriptions') {
        return authorized((app) => this.getSubscription(app, s[4]));
      }
      if (s.length === 6 && method === 'DELETE' && s[4] === 'subscriptions') {
        return authorized((app) => this.deleteSubscription(app, s[5]));
      }
    }

    if (s.length === 4 && s[0] === 'sms' && s[1] === 'admin' && s[2] === 'v1' && method === 'GET') {
      const filters: AdminFilters = {
        ...(target.query['country'] ? { country: target.query['country'].toUpperCase() } : {}),
        ...(target.query['appid'] ? { appid: target.query['appid'] } : {}),
      };
      // Each app sees its own contracts, usage and purchases.
      if (s[3] === 'contracts')
        return authorized((app) => reply(200, contractsBody(app.account, this.adminFormat, filters)));
      if (s[3] === 'statistics')
        return authorized((app) => reply(200, statisticsBody(app.account, this.adminFormat, filters)));
      if (s[3] === 'purchaseorders')
        return authorized((app) => reply(200, purchaseOrdersBody(app.account, this.adminFormat, filters)));
    }

    // Unknown path or method: the gateway's "resource not found", before any credential check.
    return reply(404, gatewayErrors.resourceNotFound());
  }

  // ---- token ------------------------------------------------------------------------------

  private token(authorization: string | undefined, body: string, record: RecordedRequest): Reply {
    const basic = parseBasic(authorization);
    // Orange's gateway challenges on every 401 of the token endpoint, a garbled Basic header included.
    if (basic.kind === 'undecodable') return reply(401, oauthErrors.undecodableBasic(), BASIC_CHALLENGE);
    let app: EmulatedApp | undefined;
    let credentials;
    if (basic.kind === 'decoded') {
      for (const candidate of this.apps) {
        credentials = candidate.pairFor(basic.clientId, basic.clientSecret);
        if (credentials) {
          app = candidate;
          break;
        }
      }
    }
    if (!app || !credentials) {
      return reply(401, oauthErrors.invalidClient(), BASIC_CHALLENGE);
    }
    Object.assign(record, { account: app.name, appId: credentials.appId, clientId: credentials.clientId });
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
      return reply(400, oauthErrors.unsupportedGrantType());
    }
    const ttl = this.settings.tokenTtlSeconds;
    const accessToken = this.tokens.issue(credentials, app.name, ttl, 'https://api.orange.com/oauth/v3');
    const expiresIn = this.settings.expiresInAs === 'number' ? ttl : String(ttl);
    // The recorded real body starts with a newline before the JSON.
    return reply(
      200,
      `\n${JSON.stringify({ token_type: 'Bearer', access_token: accessToken, expires_in: expiresIn })}`,
    );
  }

  // ---- send -------------------------------------------------------------------------------

  private send(
    app: EmulatedApp,
    owner: TokenOwner,
    pathSender: string | undefined,
    query: Record<string, string>,
    body: string,
  ): Reply {
    // Orange's rate is per app: each app has its own window.
    if (!app.withinRateLimit()) return reply(429, gatewayErrors.tooManyRequests(), { 'Retry-After': '1' });

    const checked = validateSend(validSender(pathSender), body, app.settings.approvedSenderNames);
    if (!checked.ok) return reply(checked.status, checked.body);
    const { address, senderAddress, senderName, senderNameAsSent, message } = checked.value;

    const segments = countSegments(message);
    const lookup = app.account.contractFor(address, segments);
    if ('refusal' in lookup) return reply(403, smsErrors.policy(lookup.refusal));

    const receivedAt = new Date();
    app.account.consume(lookup.contract, owner.appId, segments, receivedAt);
    const id = randomUUID();
    // Like Orange, the returned resourceURL carries the sender unencoded.
    const resourceUrl = `${this.url}/smsmessaging/v1/outbound/${senderAddress}/requests/${id}`;
    const sms: EmulatedSms = {
      id,
      account: app.name,
      appId: owner.appId,
      clientId: owner.clientId,
      address,
      senderAddress,
      ...(senderName !== undefined ? { senderName } : {}),
      text: message,
      onNet: query['resource_type_parameter_management'] === 'SMS_OCB2',
      resourceUrl,
      receivedAt,
      segments,
      country: lookup.contract.country.alpha3,
    };
    this.messages.push(sms);
    this.inbox?.messageChanged(sms);
    this.scheduleDelivery(sms, app);

    return reply(201, {
      outboundSMSMessageRequest: {
        address: [address],
        senderAddress,
        ...(senderName !== undefined ? { senderName: senderNameAsSent ?? senderName } : {}),
        outboundSMSTextMessage: { message },
        resourceURL: resourceUrl,
      },
    });
  }

  /** The automatic receipt uses the sending app's URL and the status current at send time. */
  private scheduleDelivery(sms: EmulatedSms, app: EmulatedApp): void {
    const status = this.settings.autoDeliveryStatus;
    const url = app.deliveryReceiptUrl;
    if (status === null || !url) return;
    let resolveDone!: () => void;
    const job: DeliveryJob = {
      timer: undefined,
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
      finish: () => {
        this.deliveryJobs.delete(job);
        resolveDone();
      },
    };
    job.timer = setTimeout(() => {
      job.timer = undefined;
      sms.deliveryStatus = status;
      this.inbox?.messageChanged(sms);
      const payload = deliveryReceiptPayload(sms.address, status, sms.id);
      void postCallback(
        this.recordCallback,
        'delivery-receipt',
        app.name,
        url,
        payload,
        undefined,
        this.stopController.signal,
      ).finally(job.finish);
    }, this.settings.deliveryDelayMs);
    job.timer.unref();
    this.deliveryJobs.add(job);
  }

  private cancelPendingDeliveries(): void {
    for (const job of this.deliveryJobs) {
      if (job.timer !== undefined) {
        clearTimeout(job.timer);
        job.finish();
      }
    }
  }

  // ---- DR subscriptions ---------------------------------------------------------------------

  private subscriptionBody(sub: DrSubscription): unknown {
    return {
      deliveryReceiptSubscription: {
        callbackReference: {
          notifyURL: sub.notifyURL,
          ...(sub.callbackData !== undefined ? { callbackData: sub.callbackData } : {}),
        },
        resourceURL: `${this.url}/smsmessaging/v1/outbound/${sub.senderAddress}/subscriptions/${sub.id}`,
      },
    };
  }

  /**
   * Receipts go to the notify URL while it lives (see `deliveryReceiptUrl`). The subscription's callbackData is stored and
   * echoed but receipts keep callbackData = message id, as in the current API.
   */
  private createSubscription(app: EmulatedApp, pathSender: string | undefined, body: string): Reply {
    const senderAddress = validSender(pathSender);
    if (!senderAddress) return reply(400, smsErrors.invalidInput('senderAddress'));
    const checked = validateSubscription(body);
    if (!checked.ok) return reply(checked.status, checked.body);
    // 24 hex characters, like the only known example id.
    const sub: DrSubscription = { id: randomUUID().replace(/-/g, '').slice(0, 24), senderAddress, ...checked.value };
    app.subscriptions.set(sub.id, sub);
    this.inbox?.infoChanged();
    return reply(201, this.subscriptionBody(sub));
  }

  /** Another app's subscription is not found: an app sees and cancels only its own. */
  private getSubscription(app: EmulatedApp, id: string | undefined): Reply {
    const sub = id === undefined ? undefined : app.subscriptions.get(id);
    return sub ? reply(200, this.subscriptionBody(sub)) : reply(404, smsErrors.invalidInput('subscriptionId'));
  }

  /** The sender in the DELETE path is not compared with the subscription's (lenient). */
  private deleteSubscription(app: EmulatedApp, id: string | undefined): Reply {
    const sub = id === undefined ? undefined : app.subscriptions.get(id);
    if (!sub) return reply(404, smsErrors.invalidInput('subscriptionId'));
    app.subscriptions.delete(sub.id);
    this.inbox?.infoChanged();
    return reply(204);
  }
}
