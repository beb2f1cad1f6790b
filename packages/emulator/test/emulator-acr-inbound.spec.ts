/**
 * The emulator's `acr:` inbound (API reference §12, the recorded Orange Cameroon shape) from
 * `receive()` and from the web inbox's endpoint, read by a real Nest app using OrangeSmsModule.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from '../src/index.js';
import { InboundSmsEvent, OnInboundSms } from 'nestjs-orange-sms';
import { startTestApp, type TestApp, waitFor } from '../../../test/support/test-app.js';

@Injectable()
class Inbox {
  events: InboundSmsEvent[] = [];
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    this.events.push(event);
  }
  byText(text: string): InboundSmsEvent | undefined {
    return this.events.find((e) => e.text === text);
  }
}

describe('emulator acr: inbound', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start();
    testApp = await startTestApp(emulator, { providers: [Inbox], options: { orangeTimeZone: 'Africa/Douala' } });
    inbox = testApp.app.get(Inbox);
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  it('receive({ anonymous }) posts the recorded shape: acr: sender, zone-less time, 24-hex id, top-level callbackData, no number', async () => {
    const result = await emulator.receive({
      from: '+2250700000001',
      to: '+2370000',
      text: 'STOP anon',
      anonymous: true,
      callbackData: 'cb-2022',
      dateTime: new Date('2022-06-11T11:33:14Z'),
      timeZone: 'Africa/Douala',
    });
    expect(result.status).toBe(200);
    const posted = emulator.callbacks.at(-1)!.body as {
      inboundSMSMessageNotification: { inboundSMSMessage: Record<string, string> };
      callbackData: string;
    };
    const message = posted.inboundSMSMessageNotification.inboundSMSMessage;
    expect(message).toMatchObject({
      senderAddress: 'acr:OrangeAPIToken',
      destinationAddress: '+2370000',
      dateTime: '2022-06-11T12:33:14',
    });
    expect(message.messageId).toMatch(/^[0-9a-f]{24}$/);
    expect(posted.callbackData).toBe('cb-2022');
    expect(JSON.stringify(posted)).not.toContain('0700000001');

    await waitFor(() => inbox.byText('STOP anon') !== undefined, 5_000, 'the anonymous inbound');
    const event = inbox.byText('STOP anon')!;
    expect(event).toMatchObject({
      from: 'acr:OrangeAPIToken',
      senderKind: 'anonymous',
      callbackData: 'cb-2022',
      messageId: message.messageId,
    });
    // The zone-less time, written in Douala's wall clock, read back in the module's orangeTimeZone.
    expect(event.sentAt?.toISOString()).toBe('2022-06-11T11:33:14.000Z');
  });

  it('receive({ anonymous, withNumberHeader }) adds x-orange-ise2 with the digits: the module takes the number', async () => {
    const result = await emulator.receive({
      from: 'tel:+2250700000002',
      to: '+2370000',
      text: 'BAL header',
      anonymous: true,
      withNumberHeader: true,
    });
    expect(result.status).toBe(200);
    await waitFor(() => inbox.byText('BAL header') !== undefined, 5_000, 'the inbound with the number header');
    expect(inbox.byText('BAL header')).toMatchObject({
      from: 'tel:+2250700000002',
      senderKind: 'number',
      senderReference: 'acr:OrangeAPIToken',
    });
    const message = (
      emulator.callbacks.at(-1)!.body as { inboundSMSMessageNotification: { inboundSMSMessage: { dateTime: string } } }
    ).inboundSMSMessageNotification.inboundSMSMessage;
    expect(message.dateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('without anonymous, receive() keeps the documented shape (tel: sender, UTC time) and callbackData stays optional', async () => {
    await emulator.receive({ from: '2250700000003', to: '+2370000', text: 'plain', callbackData: 'cb-plain' });
    const posted = emulator.callbacks.at(-1)!.body as {
      inboundSMSMessageNotification: { inboundSMSMessage: Record<string, string> };
      callbackData?: string;
    };
    expect(posted.inboundSMSMessageNotification.inboundSMSMessage.senderAddress).toBe('tel:+2250700000003');
    expect(posted.inboundSMSMessageNotification.inboundSMSMessage.dateTime).toMatch(/Z$/);
    expect(posted.callbackData).toBe('cb-plain');
    await waitFor(() => inbox.byText('plain') !== undefined, 5_000, 'the plain inbound');
    expect(inbox.byText('plain')).toMatchObject({ from: 'tel:+2250700000003', senderKind: 'number' });
  });

  it.each([
    [false, 'inbox anon', { from: 'acr:OrangeAPIToken', senderKind: 'anonymous' }],
    [true, 'inbox header', { from: 'tel:+2250700000004', senderKind: 'number', senderReference: 'acr:OrangeAPIToken' }],
  ])(
    "the inbox's endpoint with anonymous: true (number header %s) posts the acr: form",
    async (withNumberHeader, text, expected) => {
      const response = await fetch(`${emulator.url}/_inbox/inbound`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ from: '+2250700000004', to: '+2370000', text, anonymous: true, withNumberHeader }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { status: number }).status).toBe(200);
      await waitFor(() => inbox.byText(text) !== undefined, 5_000, 'the inbox inbound');
      expect(inbox.byText(text)).toMatchObject(expected);
      // The inbox files it under the phone that texted, and shows what the app saw as the sender.
      const state = (await (await fetch(`${emulator.url}/_inbox/state`)).json()) as {
        callbacks: Array<{ inbound: { from: string; sender: string; text: string } | null }>;
      };
      expect(state.callbacks.find((c) => c.inbound?.text === text)?.inbound).toMatchObject({
        from: 'tel:+2250700000004',
        sender: 'acr:OrangeAPIToken',
      });
    },
  );
});
