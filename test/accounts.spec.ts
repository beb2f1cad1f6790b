/**
 * Several Orange accounts in one application, against an emulator playing several Orange apps (each
 * its own credentials, tokens and rate window): each send reaches its own app with its own sender and
 * token; pacing is per account; each account's webhook routes take only its own secret and tag what
 * they take; a STOP to one account does not silence another; accounts resolved at run time are
 * resolved once; reports count per account. Real app over HTTP, real listeners.
 */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  type DeliveryReceiptEvent,
  type InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  OrangeSmsConfigurationError,
  OrangeSmsModule,
  OrangeSmsService,
  OrangeSmsStatsService,
  OrangeSmsUnknownAccountError,
  type OrangeSmsAccountOptions,
  type SmsFailedEvent,
  OnSmsFailed,
} from '../lib/index.js';
import { maxInWindow } from './support/windows.js';
import { emulatorOptions, startTestApp, type TestApp, waitFor } from './support/test-app.js';

const CIV_SECRET = 'civ-webhook-secret-0123456789';
const SEN_SECRET = 'sen-webhook-secret-0123456789';

@Injectable()
class Seen {
  static receipts: DeliveryReceiptEvent[] = [];
  static inbound: InboundSmsEvent[] = [];
  static failed: SmsFailedEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    Seen.receipts.push(event);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    Seen.inbound.push(event);
  }
  @OnSmsFailed()
  onFailed(event: SmsFailedEvent) {
    Seen.failed.push(event);
  }
}

describe('several Orange accounts in one application', () => {
  let emulator: OrangeSmsEmulator;
  let app: TestApp;
  const resolved: string[] = [];
  let tenantSecret = 'tenant-1-secret';

  const accounts: Record<string, OrangeSmsAccountOptions> = {
    civ: {
      clientId: 'civ-client',
      clientSecret: 'civ-secret',
      country: 'CIV',
      senderName: 'BankCI',
      webhookSecret: CIV_SECRET,
    },
    sen: { clientId: 'sen-client', clientSecret: 'sen-secret', country: 'SEN', webhookSecret: SEN_SECRET },
  };

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({
      autoDeliveryStatus: null,
      countries: ['CIV', 'SEN', 'CMR'],
      approvedSenderNames: ['BankCI'],
      accounts: {
        civ: { clientId: 'civ-client', clientSecret: 'civ-secret' },
        sen: { clientId: 'sen-client', clientSecret: 'sen-secret' },
        'tenant-1': { clientId: 'tenant-1', clientSecret: 'tenant-1-secret' },
      },
    });
    app = await startTestApp(emulator, {
      providers: [Seen],
      options: {
        ...emulatorOptions(emulator),
        rateLimit: { perSecond: 5 },
        accounts,
        resolveAccount: async (name) => {
          resolved.push(name);
          await new Promise((resolve) => setTimeout(resolve, 20));
          return name === 'tenant-1'
            ? {
                clientId: 'tenant-1',
                clientSecret: tenantSecret,
                country: 'CMR',
                webhookSecret: 'tenant-1-webhook-secret-0123',
              }
            : undefined;
        },
      },
    });
    for (const name of ['civ', 'sen'] as const) {
      const secret = name === 'civ' ? CIV_SECRET : SEN_SECRET;
      emulator.account(name).deliveryReceiptUrl =
        `${app.url}/orange-sms/webhooks/accounts/${name}/delivery-receipts?token=${secret}`;
      emulator.account(name).inboundUrl = `${app.url}/orange-sms/webhooks/accounts/${name}/inbound?token=${secret}`;
    }
  }, 30_000);
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });
  beforeEach(() => {
    Seen.receipts = [];
    Seen.inbound = [];
    Seen.failed = [];
  });

  it('each send reaches its own Orange app with its own sender and token, never another account’s credentials', async () => {
    const sms = app.app.get(OrangeSmsService);
    const [fromDefault, fromCiv, fromSen] = await Promise.all([
      sms.send({ to: '+2250700000001', text: 'default' }),
      sms.send({ to: '+2250700000002', text: 'civ', account: 'civ' }),
      sms.send({ to: '+221770000003', text: 'sen', account: 'sen' }),
    ]);
    expect([fromDefault.account, fromCiv.account, fromSen.account]).toEqual(['default', 'civ', 'sen']);
    const received = new Map(emulator.messages.map((message) => [message.id, message]));
    expect(received.get(fromDefault.id)).toMatchObject({ account: 'default' });
    expect(received.get(fromCiv.id)).toMatchObject({ account: 'civ', clientId: 'civ-client', senderName: 'BankCI' });
    expect(received.get(fromSen.id)).toMatchObject({
      account: 'sen',
      clientId: 'sen-client',
      senderAddress: 'tel:+2210000',
    });
    // Every request that reached Orange as an account carried that account's credentials only.
    for (const request of emulator.requests.filter((each) => each.account === 'civ' || each.account === 'sen')) {
      expect(request.clientId).toBe(`${request.account}-client`);
    }
    expect(emulator.account('civ').tokenRequests()).toBe(1);
    expect(emulator.account('sen').tokenRequests()).toBe(1);
    // The tracked message knows its account.
    expect((await sms.getMessage(fromSen.id))?.account).toBe('sen');
  });

  it('an unknown account is a typed error naming it, before any request; SmsFailed carries the account', async () => {
    const sms = app.app.get(OrangeSmsService);
    const before = emulator.requests.length;
    const error = await sms.send({ to: '+2250700000001', text: 'x', account: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrangeSmsUnknownAccountError);
    expect(error).toMatchObject({ field: 'account', account: 'nope' });
    await expect(sms.send({ to: '+2250700000001', text: 'x', account: 42 as unknown as string })).rejects.toMatchObject(
      {
        field: 'account',
      },
    );
    expect(emulator.requests.length).toBe(before);
    await waitFor(() => Seen.failed.length >= 1, 2_000, 'SmsFailed');
    expect(Seen.failed[0]).toMatchObject({ account: 'nope' });
  });

  it('pacing is per account: two accounts at R each go side by side, neither ever above R in a second', async () => {
    const sms = app.app.get(OrangeSmsService);
    const start = emulator.messages.length;
    await Promise.all(
      ['civ', 'sen'].flatMap((account) =>
        Array.from({ length: 8 }, (_, i) =>
          sms.send({ to: account === 'civ' ? '+2250700000010' : '+221770000010', text: `p${i}`, account }),
        ),
      ),
    );
    const sent = emulator.messages.slice(start);
    const at = (account: string) =>
      sent.filter((message) => message.account === account).map((message) => message.receivedAt.getTime());
    expect(at('civ')).toHaveLength(8);
    expect(at('sen')).toHaveLength(8);
    expect(maxInWindow(at('civ'))).toBeLessThanOrEqual(5);
    expect(maxInWindow(at('sen'))).toBeLessThanOrEqual(5);
    // Two buckets, not one shared: together they went above one account's rate in some second.
    expect(maxInWindow(sent.map((message) => message.receivedAt.getTime()))).toBeGreaterThan(5);
    // Side by side, not one after the other: each account's first send came before the other's last.
    const order = sent.map((message) => message.account);
    expect(order.indexOf('sen')).toBeLessThan(order.lastIndexOf('civ'));
    expect(order.indexOf('civ')).toBeLessThan(order.lastIndexOf('sen'));
  });

  it("receipts and inbound SMS on an account's routes take only its secret and carry its name; a STOP silences that account only", async () => {
    const sms = app.app.get(OrangeSmsService);
    const sent = await sms.send({ to: '+2250700000020', text: 'hello', account: 'civ' });
    await emulator.deliver(sent.id, 'DeliveredToTerminal');
    await waitFor(() => Seen.receipts.length >= 1, 5_000, 'the receipt');
    expect(Seen.receipts[0]).toMatchObject({
      messageId: sent.id,
      account: 'civ',
      message: { status: 'delivered', account: 'civ' },
    });

    const post = (path: string, token: string, body: unknown) =>
      fetch(`${app.url}/orange-sms/webhooks/${path}?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const receipt = {
      deliveryInfoNotification: {
        callbackData: sent.id,
        deliveryInfo: { address: 'tel:+2250700000020', deliveryStatus: 'DeliveredToNetwork' },
      },
    };
    // Another account's secret, or the top-level one, opens nothing here; an unknown account is 404.
    expect((await post('accounts/civ/delivery-receipts', SEN_SECRET, receipt)).status).toBe(401);
    expect((await post('accounts/civ/delivery-receipts', 'test-webhook-secret-0123456789', receipt)).status).toBe(401);
    expect((await post('accounts/sen/delivery-receipts', CIV_SECRET, receipt)).status).toBe(401);
    const unknown = await post('accounts/ghost/delivery-receipts', CIV_SECRET, receipt);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain('ghost');

    // STOP to the civ account's number.
    await emulator.receive({ from: '+2250700000030', to: '+2250000', text: 'STOP', account: 'civ' });
    await waitFor(() => Seen.inbound.length >= 1, 5_000, 'the STOP');
    expect(Seen.inbound[0]).toMatchObject({ from: 'tel:+2250700000030', keyword: 'STOP', account: 'civ' });
    await expect(sms.send({ to: '+2250700000030', text: 'promo', account: 'civ' })).rejects.toMatchObject({
      name: 'OrangeSmsOptedOutError',
    });
    // Other accounts may still text that number.
    await expect(sms.send({ to: '+2250700000030', text: 'bank', account: 'sen' })).resolves.toMatchObject({
      account: 'sen',
    });
    await expect(sms.send({ to: '+2250700000030', text: 'otp' })).resolves.toMatchObject({ account: 'default' });

    // reply() answers from the account the SMS came to.
    await emulator.receive({ from: '+221770000040', to: '+2210000', text: 'BAL', account: 'sen' });
    await waitFor(() => Seen.inbound.some((event) => event.keyword === 'BAL'), 5_000, 'the BAL');
    const bal = Seen.inbound.find((event) => event.keyword === 'BAL')!;
    expect(bal.account).toBe('sen');
    const answer = await bal.reply('Your balance is 0');
    expect(answer.account).toBe('sen');
    expect(emulator.messages.find((message) => message.id === answer.id)).toMatchObject({ account: 'sen' });
  });

  it('an account resolved at run time is resolved once for concurrent first uses, again after forgetAccount', async () => {
    const sms = app.app.get(OrangeSmsService);
    resolved.length = 0;
    const sent = await Promise.all(
      Array.from({ length: 4 }, (_, i) => sms.send({ to: '+237690000001', text: `t${i}`, account: 'tenant-1' })),
    );
    expect(resolved).toEqual(['tenant-1']);
    expect(sent.every((each) => each.account === 'tenant-1')).toBe(true);
    expect(emulator.account('tenant-1').tokenRequests()).toBe(1);
    await sms.send({ to: '+237690000001', text: 'again', account: 'tenant-1' });
    expect(resolved).toEqual(['tenant-1']);

    // Unknown to the resolver: the typed error, nothing sent; asked again only after forgetAccount.
    for (let i = 0; i < 3; i++) {
      await expect(sms.send({ to: '+237690000001', text: 'x', account: 'tenant-9' })).rejects.toBeInstanceOf(
        OrangeSmsUnknownAccountError,
      );
    }
    expect(resolved.filter((name) => name === 'tenant-9')).toHaveLength(1);
    sms.forgetAccount('tenant-9');
    await expect(sms.send({ to: '+237690000001', text: 'x', account: 'tenant-9' })).rejects.toBeInstanceOf(
      OrangeSmsUnknownAccountError,
    );
    expect(resolved.filter((name) => name === 'tenant-9')).toHaveLength(2);

    // New credentials in the database: forgotten, resolved again, and checked at first use.
    tenantSecret = '';
    sms.forgetAccount('tenant-1');
    const error = await sms.send({ to: '+237690000001', text: 'x', account: 'tenant-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
    expect((error as OrangeSmsConfigurationError).message).toContain('accounts.tenant-1.clientSecret');
    tenantSecret = 'tenant-1-secret';
    sms.forgetAccount('tenant-1');
    await expect(sms.send({ to: '+237690000001', text: 'back', account: 'tenant-1' })).resolves.toMatchObject({
      account: 'tenant-1',
    });
  });

  it("balance, usage, purchase orders and receipt subscriptions use the account's own token", async () => {
    const stats = app.app.get(OrangeSmsStatsService);
    const sms = app.app.get(OrangeSmsService);
    const before = emulator.requests.length;
    await stats.getBalance({ account: 'civ' });
    await stats.getUsage({ account: 'sen' });
    await stats.getPurchaseOrders({ account: 'civ' });
    const subscription = await sms.subscribeDeliveryReceipts({
      notifyUrl: `${app.url}/orange-sms/webhooks/accounts/sen/delivery-receipts`,
      account: 'sen',
    });
    expect(subscription.senderAddress).toBe('tel:+2210000');
    await sms.cancelDeliveryReceiptSubscription(subscription.id, undefined, 'sen');
    const calls = emulator.requests
      .slice(before)
      .filter((request) => !request.path.includes('/oauth/'))
      .map((request) => `${request.method} ${request.path.split('?')[0]} ${request.account}`);
    expect(calls).toEqual([
      'GET /sms/admin/v1/contracts civ',
      'GET /sms/admin/v1/statistics sen',
      'GET /sms/admin/v1/purchaseorders civ',
      expect.stringMatching(/^POST \/smsmessaging\/v1\/outbound\/.*\/subscriptions sen$/),
      expect.stringMatching(/^DELETE \/smsmessaging\/v1\/outbound\/.*\/subscriptions\/.* sen$/),
    ]);
    await expect(stats.getBalance({ account: 'ghost' })).rejects.toBeInstanceOf(OrangeSmsUnknownAccountError);
  });

  it('reports and delivery statistics count per account', async () => {
    const stats = app.app.get(OrangeSmsStatsService);
    const since = new Date(Date.now() - 3_600_000);
    const until = new Date(Date.now() + 60_000);
    const sms = app.app.get(OrangeSmsService);
    const all = await sms.listMessages({ limit: Infinity });
    const expected = (account: string) => all.filter((message) => (message.account ?? 'default') === account).length;
    const report = await stats.getReport({ since, until, interval: 'month', groupBy: 'account' });
    const sent = Object.fromEntries(report.rows.map((row) => [row.group, row.sent]));
    expect(sent).toEqual({
      default: expected('default'),
      civ: expected('civ'),
      sen: expected('sen'),
      'tenant-1': expected('tenant-1'),
    });
    const civ = await stats.getDeliveryStats({ since, until, account: 'civ' });
    expect(civ.total).toBe(expected('civ'));
    expect(civ.byStatus.delivered).toBe(1);
    await expect(stats.getReport({ since, until, interval: 'day', account: 'Bad Name' })).rejects.toMatchObject({
      field: 'account',
    });
  });
});

describe('account options are checked like the others', () => {
  it('at boot, every bad field named accounts.<name>.<field>, never a secret', async () => {
    const emulator = await OrangeSmsEmulator.start();
    try {
      const error = await startTestApp(emulator, {
        options: {
          ...emulatorOptions(emulator),
          accounts: {
            acme: { clientId: 'acme', clientSecret: '', country: 'XYZ', webhookSecret: 'short' },
            'Not A Name': { clientId: 'x', clientSecret: 'y', country: 'CIV' },
            quiet: { clientId: 'q', clientSecret: 'super-secret-value', country: 'CIV' },
          },
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
      const fields = (error as OrangeSmsConfigurationError).issues.map((issue) => issue.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'accounts.acme.clientSecret',
          'accounts.acme.country',
          'accounts.acme.webhookSecret',
          'accounts.Not A Name',
        ]),
      );
      expect((error as Error).message).not.toContain('super-secret-value');
    } finally {
      await emulator.stop();
    }
  });

  it('with webhooks on, an account without a webhookSecret fails the boot (fail closed, as the default)', async () => {
    const emulator = await OrangeSmsEmulator.start();
    try {
      const error = await startTestApp(emulator, {
        options: {
          ...emulatorOptions(emulator),
          accounts: { quiet: { clientId: 'q', clientSecret: 's', country: 'CIV' } },
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
      expect((error as OrangeSmsConfigurationError).issues.map((issue) => issue.field)).toEqual([
        'accounts.quiet.webhookSecret',
      ]);
      // Sending only (no webhook controller): fine.
      const sendOnly = await startTestApp(emulator, {
        options: {
          ...emulatorOptions(emulator),
          accounts: { quiet: { clientId: 'q', clientSecret: 's', country: 'CIV' } },
        },
        extras: { webhooks: { enabled: false } },
        wireCallbacks: false,
      });
      await sendOnly.close();
    } finally {
      await emulator.stop();
    }
  });
});

@Injectable()
class TenantDirectory {
  static lookups = 0;
  async orangeApp(name: string): Promise<OrangeSmsAccountOptions | undefined> {
    TenantDirectory.lookups++;
    return name === 'school-1'
      ? {
          clientId: 'school-1',
          clientSecret: 'school-1-secret',
          country: 'CIV',
          webhookSecret: 'school-1-secret-0123456789',
        }
      : undefined;
  }
}

@Module({ providers: [TenantDirectory], exports: [TenantDirectory] })
class TenantDirectoryModule {}

describe('resolveAccount from forRootAsync, with an injected service', () => {
  it('resolves a tenant through the host service, once, and sends with its credentials', async () => {
    const emulator = await OrangeSmsEmulator.start({
      accounts: { 'school-1': { clientId: 'school-1', clientSecret: 'school-1-secret' } },
    });
    try {
      const app = await startTestApp(emulator, {
        orangeSms: OrangeSmsModule.forRootAsync({
          imports: [TenantDirectoryModule],
          inject: [TenantDirectory],
          useFactory: (tenants: TenantDirectory) => ({
            ...emulatorOptions(emulator),
            resolveAccount: (name: string) => tenants.orangeApp(name),
          }),
        }),
        wireCallbacks: false,
      });
      try {
        const sms = app.app.get(OrangeSmsService);
        const sent = await Promise.all(
          [1, 2, 3].map((i) => sms.send({ to: '+2250700000001', text: `${i}`, account: 'school-1' })),
        );
        expect(sent.map((each) => each.account)).toEqual(['school-1', 'school-1', 'school-1']);
        expect(TenantDirectory.lookups).toBe(1);
        expect(emulator.account('school-1').messages).toHaveLength(3);
      } finally {
        await app.close();
      }
    } finally {
      await emulator.stop();
    }
  });
});
