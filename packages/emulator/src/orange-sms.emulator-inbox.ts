/**
 * The emulator's web inbox (Mailpit for SMS): GET / serves the page, /_inbox/… its JSON and
 * Server-Sent Events. These routes are a local dev tool, not Orange calls: they need no
 * credentials, are never recorded in `emulator.requests`, and faults never apply to them.
 * Every secret is masked here, before it can reach the browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deliveryStatusMayFollow } from './orange-sms.emulator-callbacks.js';
import { readBody, type RequestTarget } from './orange-sms.emulator-http.js';
import type {
  InboxAccountView,
  InboxActionOutcome,
  InboxCallbackView,
  InboxInfoView,
  InboxMessageView,
  InboxRequestView,
  InboxSnapshot,
} from './inbox/inbox-views.js';
import { INBOX_CONTENT_SECURITY_POLICY, INBOX_HTML } from './orange-sms.emulator-inbox-page.js';
import { maskBody, maskHeaders, maskSecret, maskText } from './orange-sms.emulator-mask.js';
import type {
  EmulatedCallback,
  EmulatedSms,
  InboundSmsInput,
  OrangeDeliveryStatus,
  RecordedRequest,
} from './orange-sms.emulator-types.js';

/** What the emulator lets the inbox read and do; raw values, masked by the inbox. */
export interface InboxHost {
  readonly messages: readonly EmulatedSms[];
  readonly requests: readonly RecordedRequest[];
  readonly callbacks: readonly EmulatedCallback[];
  info(): InboxHostInfo;
  /** Same path as `emulator.deliver(id, status)`. */
  deliver(id: string, status: OrangeDeliveryStatus): Promise<EmulatedCallback>;
  /** Same path as `emulator.receive(input)`. */
  receive(input: InboundSmsInput): Promise<EmulatedCallback>;
  reset(): void;
}

export interface InboxHostAccountInfo {
  name: string;
  clientId: string;
  clientSecret: string;
  appId: string;
  deliveryReceiptUrl: string | undefined;
  inboundUrl: string | undefined;
  tokenRequests: number;
  issuedTokens: number;
  units: { country: string; available: number }[];
}

export interface InboxHostInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  deliveryReceiptUrl: string | undefined;
  inboundUrl: string | undefined;
  tokenRequests: number;
  issuedTokens: number;
  units: { country: string; available: number }[];
  autoDeliveryStatus: OrangeDeliveryStatus | null;
  deliveryDelayMs: number;
  accounts: InboxHostAccountInfo[];
}

const STATUSES: readonly OrangeDeliveryStatus[] = [
  'DeliveredToTerminal',
  'DeliveredToNetwork',
  'MessageWaiting',
  'DeliveryUncertain',
  'DeliveryImpossible',
];

/** What a snapshot carries; the page keeps the same caps, so a long bench cannot bloat a tab. */
const MAX_MESSAGES = 1000;
const MAX_REQUESTS = 300;
const MAX_CALLBACKS = 1000;
const MAX_BODY_CHARS = 4000;
const MAX_INBOX_BODY_BYTES = 64 * 1024;
/** A tab that stops reading (frozen, backgrounded) is dropped; EventSource reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Comment lines keep idle proxies and the browser from closing the stream. */
const PING_MS = 15_000;

/** True for the paths the inbox owns; everything else goes through the Orange pipeline. */
export function isInboxRoute(method: string, path: string): boolean {
  if (path === '/') return method === 'GET' || method === 'HEAD';
  return path === '/_inbox' || path.startsWith('/_inbox/');
}

function iso(date: Date): string {
  return date.toISOString();
}

function messageView(sms: EmulatedSms): InboxMessageView {
  return {
    id: sms.id,
    account: sms.account,
    clientId: sms.clientId,
    to: sms.address,
    from: sms.senderAddress,
    senderName: sms.senderName ?? null,
    text: sms.text,
    segments: sms.segments,
    onNet: sms.onNet,
    country: sms.country,
    at: iso(sms.receivedAt),
    status: sms.deliveryStatus ?? null,
  };
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export class EmulatorInbox {
  private readonly clients = new Set<ServerResponse>();
  private readonly seqs = new WeakMap<object, number>();
  private nextSeq = 1;
  private ping: NodeJS.Timeout | undefined;

  constructor(private readonly host: InboxHost) {}

  // ---- change notifications from the emulator (cheap no-ops while no page is open) ----------

  messageChanged(sms: EmulatedSms): void {
    if (this.clients.size > 0) this.broadcast('sms', messageView(sms));
  }

  requestChanged(record: RecordedRequest): void {
    if (this.clients.size === 0) return;
    this.broadcast('request', this.requestView(record));
    // Token counters and units move with answered requests.
    if (record.status !== 0) this.broadcast('info', this.infoView());
  }

  callbackRecorded(callback: EmulatedCallback): void {
    if (this.clients.size > 0) this.broadcast('callback', this.callbackView(callback));
  }

  infoChanged(): void {
    if (this.clients.size > 0) this.broadcast('info', this.infoView());
  }

  /** After `emulator.reset()`: every page starts over from the (now empty) state. */
  resetDone(): void {
    if (this.clients.size > 0) this.broadcast('snapshot', this.snapshot());
  }

  close(): void {
    if (this.ping) clearInterval(this.ping);
    this.ping = undefined;
    for (const client of this.clients) client.destroy();
    this.clients.clear();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse, target: RequestTarget): Promise<void> {
    const method = req.method ?? 'GET';
    const s = target.segments;
    if (target.path === '/') return this.page(res);
    if (method === 'GET' && s.length === 2 && s[1] === 'state') return this.json(res, 200, this.snapshot());
    if (method === 'GET' && s.length === 2 && s[1] === 'events') return this.events(req, res);
    if (method === 'POST' && s.length === 4 && s[1] === 'messages' && s[3] === 'deliver')
      return this.post(req, res, (body) => this.deliver(s[2], body));
    if (method === 'POST' && s.length === 2 && s[1] === 'inbound')
      return this.post(req, res, (body) => this.inbound(body));
    if (method === 'POST' && s.length === 2 && s[1] === 'reset')
      return this.post(req, res, async () => {
        this.host.reset();
        return [200, { ok: true }];
      });
    return this.json(res, 404, { error: `No inbox route ${method} ${target.path}` });
  }

  private page(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(INBOX_HTML)),
      'Content-Security-Policy': INBOX_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(INBOX_HTML);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(payload)),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(payload);
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    req.socket.setNoDelay(true);
    const drop = (): void => {
      this.clients.delete(res);
      if (this.clients.size === 0 && this.ping) {
        clearInterval(this.ping);
        this.ping = undefined;
      }
    };
    res.on('close', drop);
    this.write(res, 'snapshot', this.snapshot());
    if (!this.ping) {
      this.ping = setInterval(() => {
        for (const client of this.clients) client.write(': ping\n\n');
      }, PING_MS);
      this.ping.unref();
    }
  }

  private write(client: ServerResponse, event: string, data: unknown): void {
    if (client.writableLength > MAX_BUFFERED_BYTES) {
      client.destroy();
      return;
    }
    // JSON.stringify never emits a raw CR or LF, so one data line is always enough.
    client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(event: string, data: unknown): void {
    for (const client of this.clients) this.write(client, event, data);
  }

  /**
   * Actions are POST + application/json only, and a browser Origin must be this server: a web
   * page elsewhere cannot make a cross-site form or no-cors request that passes both.
   */
  private async post(
    req: IncomingMessage,
    res: ServerResponse,
    action: (body: unknown) => Promise<[number, unknown]>,
  ): Promise<void> {
    const { body, tooLarge, aborted } = await readBody(req, MAX_INBOX_BODY_BYTES);
    if (aborted) return;
    if (tooLarge) return this.json(res, 413, { error: 'Request body too large' });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
      return this.json(res, 415, { error: 'Content-Type must be application/json' });
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host))
      return this.json(res, 403, { error: 'Cross-origin inbox requests are refused' });
    let parsed: unknown = {};
    if (body !== '') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return this.json(res, 400, { error: 'Body is not JSON' });
      }
    }
    const [status, answer] = await action(parsed);
    this.json(res, status, answer);
  }

  private async deliver(id: string | undefined, body: unknown): Promise<[number, unknown]> {
    const status = field(body, 'status') ?? 'DeliveredToTerminal';
    if (!STATUSES.includes(status as OrangeDeliveryStatus))
      return [400, { error: `status must be one of ${STATUSES.join(', ')}` }];
    if (id === undefined || !this.host.messages.some((m) => m.id === id))
      return [404, { error: `Unknown message id '${id ?? ''}'` }];
    const previous = this.host.messages.find((m) => m.id === id)?.deliveryStatus;
    if (!deliveryStatusMayFollow(previous, status as OrangeDeliveryStatus))
      return [409, { error: 'This message was DeliveredToTerminal: no other status can follow it' }];
    // The receipt goes to the URL of the app that sent the message.
    const account = this.host.messages.find((m) => m.id === id)?.account;
    const app = this.host.info().accounts.find((a) => a.name === account);
    if (!app?.deliveryReceiptUrl)
      return [
        409,
        {
          error:
            account === undefined || account === 'default'
              ? 'No delivery receipt URL: set emulator.deliveryReceiptUrl, start the CLI with --delivery-receipt-url, or create a DR subscription'
              : `No delivery receipt URL for account ${account}: set it in its options or create a DR subscription with its token`,
        },
      ];
    return [200, this.outcome(await this.host.deliver(id, status as OrangeDeliveryStatus))];
  }

  private async inbound(body: unknown): Promise<[number, unknown]> {
    const from = text(field(body, 'from'))?.replace(/[\s().-]/g, '');
    const to = text(field(body, 'to'))?.trim();
    const message = text(field(body, 'text'));
    if (!from || !/^(tel:)?\+?\d{6,15}$/.test(from))
      return [400, { error: 'from must be a phone number, e.g. +2250700000001' }];
    if (!to || !/^[\w+:.-]{1,40}$/.test(to)) return [400, { error: 'to must be the short code or number of the app' }];
    if (!message || message.length > 2000) return [400, { error: 'text must hold 1 to 2000 characters' }];
    const accountField = field(body, 'account');
    const account =
      accountField === undefined || accountField === null || accountField === '' ? 'default' : accountField;
    const app = this.host.info().accounts.find((a) => a.name === account);
    if (!app) return [400, { error: 'account must be the name of an account the emulator plays' }];
    if (!app.inboundUrl)
      return [
        409,
        {
          error:
            account === 'default'
              ? 'No inbound URL: set emulator.inboundUrl or start the CLI with --inbound-url'
              : `No inbound URL for account ${app.name}: set its inboundUrl`,
        },
      ];
    // `anonymous`: Orange's recorded acr: shape; `withNumberHeader`: the number in x-orange-ise2 beside it.
    const anonymous = field(body, 'anonymous') === true;
    const withNumberHeader = anonymous && field(body, 'withNumberHeader') === true;
    const input = {
      from,
      to,
      text: message,
      account: app.name,
      ...(anonymous ? { anonymous, withNumberHeader } : {}),
    };
    return [200, this.outcome(await this.host.receive(input))];
  }

  private outcome(callback: EmulatedCallback): InboxActionOutcome {
    return {
      status: callback.status,
      body: maskBody(callback.responseBody, 500),
      ...(callback.error ? { error: maskText(callback.error) } : {}),
    };
  }

  // ---- views (masked) -------------------------------------------------------------------------

  private seqOf(value: object): number {
    let seq = this.seqs.get(value);
    if (seq === undefined) {
      seq = this.nextSeq++;
      this.seqs.set(value, seq);
    }
    return seq;
  }

  private infoView(): InboxInfoView {
    const info = this.host.info();
    return {
      url: info.url,
      clientId: info.clientId,
      clientSecret: maskSecret(info.clientSecret),
      deliveryReceiptUrl: info.deliveryReceiptUrl ? maskText(info.deliveryReceiptUrl) : null,
      inboundUrl: info.inboundUrl ? maskText(info.inboundUrl) : null,
      tokenRequests: info.tokenRequests,
      issuedTokens: info.issuedTokens,
      units: info.units,
      autoDeliveryStatus: info.autoDeliveryStatus,
      deliveryDelayMs: info.deliveryDelayMs,
      accounts: info.accounts.map((a): InboxAccountView => ({
        name: a.name,
        clientId: a.clientId,
        clientSecret: maskSecret(a.clientSecret),
        appId: a.appId,
        deliveryReceiptUrl: a.deliveryReceiptUrl ? maskText(a.deliveryReceiptUrl) : null,
        inboundUrl: a.inboundUrl ? maskText(a.inboundUrl) : null,
        tokenRequests: a.tokenRequests,
        issuedTokens: a.issuedTokens,
        units: a.units,
      })),
    };
  }

  private requestView(record: RecordedRequest): InboxRequestView {
    const query = record.rawPath.indexOf('?');
    return {
      seq: this.seqOf(record),
      account: record.account ?? null,
      method: record.method,
      // Decoded for reading ('tel:+2250000' rather than 'tel%3A%2B2250000'); the raw form is in the details.
      path: maskText(record.path + (query < 0 ? '' : record.rawPath.slice(query))),
      rawPath: maskText(record.rawPath),
      kind: record.kind,
      status: record.status,
      at: iso(record.at),
      requestId: record.requestId,
      headers: maskHeaders(record.headers),
      body: maskBody(record.body, MAX_BODY_CHARS),
    };
  }

  private callbackView(callback: EmulatedCallback): InboxCallbackView {
    const receipt = field(callback.body, 'deliveryInfoNotification');
    const inbound = field(callback.body, 'inboundSMSMessageNotification', 'inboundSMSMessage');
    return {
      seq: this.seqOf(callback),
      account: callback.account,
      kind: callback.kind,
      url: maskText(callback.url),
      status: callback.status,
      error: callback.error ? maskText(callback.error) : null,
      at: iso(callback.at),
      payload: maskBody(JSON.stringify(callback.body), MAX_BODY_CHARS),
      response: maskBody(callback.responseBody, MAX_BODY_CHARS),
      receipt:
        callback.kind === 'delivery-receipt'
          ? {
              id: text(field(receipt, 'callbackData')),
              status: text(field(receipt, 'deliveryInfo', 'deliveryStatus')),
              address: text(field(receipt, 'deliveryInfo', 'address')),
            }
          : null,
      inbound:
        callback.kind === 'inbound'
          ? {
              from: callback.subscriber ?? text(field(inbound, 'senderAddress')),
              // What the app saw as the sender: differs from `from` for an acr: inbound.
              sender: text(field(inbound, 'senderAddress')),
              to: text(field(inbound, 'destinationAddress')),
              text: text(field(inbound, 'message')),
            }
          : null,
    };
  }

  private snapshot(): InboxSnapshot {
    return {
      info: this.infoView(),
      messages: this.host.messages.slice(-MAX_MESSAGES).map(messageView),
      requests: this.host.requests.slice(-MAX_REQUESTS).map((r) => this.requestView(r)),
      callbacks: this.host.callbacks.slice(-MAX_CALLBACKS).map((c) => this.callbackView(c)),
      limits: { messages: MAX_MESSAGES, requests: MAX_REQUESTS, callbacks: MAX_CALLBACKS },
    };
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
