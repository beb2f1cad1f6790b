import { decodeEvent, decodeInbound, encodeEvent, encodeInbound } from '../../lib/tracking/orange-sms.json-codec.js';
import type { OrangeSmsStoredEvent } from '../../lib/interfaces/orange-sms.event.interfaces.js';
import type { InboundSms } from '../../lib/interfaces/orange-sms.inbox.interfaces.js';

/** The records every notification writes are encoded with their dates as text first (speed): same JSON meaning. */
describe('encodeEvent / encodeInbound', () => {
  const at = new Date('2026-12-05T10:11:12.345Z');
  const receipt: OrangeSmsStoredEvent = {
    id: 'dr:m1:DeliveredToTerminal',
    kind: 'delivery-receipt',
    state: 'pending',
    attempts: 0,
    createdAt: at,
    leaseUntil: new Date(at.getTime() + 30_000),
    data: {
      messageId: 'm1',
      to: 'tel:+2250700000001',
      status: 'DeliveredToTerminal',
      callbackData: 'm1',
      receivedAt: at,
      raw: { deliveryInfoNotification: { callbackData: 'm1', when: at } },
      account: 'ci',
    },
  };
  const inbound: OrangeSmsStoredEvent = {
    id: 'mo:id:1',
    kind: 'inbound',
    state: 'failed',
    attempts: 3,
    lastError: 'boom',
    createdAt: at,
    data: { from: 'tel:+2250700000002', to: '+2250000', text: 'STOP', sentAt: at, receivedAt: at, raw: {} },
  };

  it.each([
    ['a receipt event', receipt],
    ['an inbound event (sentAt, no lease)', inbound],
  ])('%s: the same JSON as JSON.stringify, and decodes to the same event', (_, event) => {
    expect(JSON.parse(encodeEvent(event))).toEqual(JSON.parse(JSON.stringify(event)));
    expect(decodeEvent(encodeEvent(event))).toEqual(decodeEvent(JSON.stringify(event)));
    expect(decodeEvent(encodeEvent(event)).createdAt).toEqual(at);
  });

  it('an invalid date is written null, as JSON.stringify does, instead of throwing', () => {
    const event = { ...inbound, data: { ...inbound.data, sentAt: new Date(Number.NaN) } } as OrangeSmsStoredEvent;
    expect(JSON.parse(encodeEvent(event))).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('an inbound record: the same JSON, dates back on decode', () => {
    const message: InboundSms = {
      id: 'id:1',
      from: 'tel:+2250700000002',
      to: '+2250000',
      text: 'HELLO',
      keyword: 'HELLO',
      senderKind: 'number',
      sentAt: at,
      receivedAt: at,
      handled: true,
      handledAt: new Date(at.getTime() + 5),
    };
    expect(JSON.parse(encodeInbound(message))).toEqual(JSON.parse(JSON.stringify(message)));
    expect(decodeInbound(encodeInbound(message))).toEqual(message);
  });
});
