import {
  parseDeliveryReceiptNotification,
  parseInboundSmsNotification,
} from '../../lib/webhooks/orange-sms.webhook-parsers.js';
import { OrangeSmsValidationError } from '../../lib/errors/orange-sms.errors.js';
import { keywordOf } from '../../lib/events/orange-sms.events.js';
import { safeLogText } from '../../lib/logging/orange-sms.safe-log-text.js';

const ID = '81e4296d-ed39-473a-ab3f-d290bfe5d3ef';

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrangeSmsValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('parseDeliveryReceiptNotification', () => {
  it("parses Orange's documented body", () => {
    expect(
      parseDeliveryReceiptNotification({
        deliveryInfoNotification: {
          deliveryInfo: { address: 'tel:+2250700000000', deliveryStatus: 'DeliveredToTerminal' },
          callbackData: ID,
        },
      }),
    ).toEqual([{ messageId: ID, to: 'tel:+2250700000000', status: 'DeliveredToTerminal' }]);
  });

  it('tolerates deliveryInfo as a list and an extra delivery level', () => {
    const parsed = parseDeliveryReceiptNotification({
      deliveryInfoNotification: {
        deliveryInfo: [
          { address: '+2250700000000', delivery: { deliveryStatus: 'MessageWaiting' } },
          { address: 'tel:+2250700000000', deliveryStatus: 'DeliveryImpossible' },
        ],
        callbackData: ID,
      },
    });
    expect(parsed.map((r) => r.status)).toEqual(['MessageWaiting', 'DeliveryImpossible']);
    expect(parsed[0]!.to).toBe('tel:+2250700000000');
  });

  it.each([
    [null, 'body'],
    [{}, 'deliveryInfoNotification'],
    [
      { deliveryInfoNotification: { deliveryInfo: { address: 'tel:+225', deliveryStatus: 'DeliveredToTerminal' } } },
      'deliveryInfoNotification.callbackData',
    ],
    [{ deliveryInfoNotification: { callbackData: ID } }, 'deliveryInfoNotification.deliveryInfo'],
    [
      {
        deliveryInfoNotification: {
          callbackData: ID,
          deliveryInfo: { address: 'tel:+2250700000000', deliveryStatus: 'Delivered' },
        },
      },
      'deliveryInfoNotification.deliveryInfo.deliveryStatus',
    ],
    [
      {
        deliveryInfoNotification: {
          callbackData: ID,
          deliveryInfo: { address: 'nobody', deliveryStatus: 'DeliveredToTerminal' },
        },
      },
      'deliveryInfoNotification.deliveryInfo.address',
    ],
  ])('%#: rejects a malformed body naming %s', (body, field) => {
    expect(fieldOf(() => parseDeliveryReceiptNotification(body))).toBe(field);
  });
});

describe('parseInboundSmsNotification', () => {
  it("parses Orange's documented body", () => {
    expect(
      parseInboundSmsNotification({
        inboundSMSMessageNotification: {
          inboundSMSMessage: {
            senderAddress: 'tel:+26771234567',
            destinationAddress: '+26716968',
            message: 'STOP',
            dateTime: '2014-04-15T07:40:13Z',
            messageId: 'mo-1',
          },
        },
      }),
    ).toEqual([
      {
        from: 'tel:+26771234567',
        senderKind: 'number',
        to: '+26716968',
        text: 'STOP',
        messageId: 'mo-1',
        sentAt: new Date('2014-04-15T07:40:13Z'),
      },
    ]);
  });

  it.each([
    [{ inboundSMSMessageNotification: {} }, 'inboundSMSMessageNotification.inboundSMSMessage'],
    [
      {
        inboundSMSMessageNotification: {
          inboundSMSMessage: { senderAddress: 'tel:+26771234567', destinationAddress: '+26716968' },
        },
      },
      'inboundSMSMessageNotification.inboundSMSMessage.message',
    ],
    [
      {
        inboundSMSMessageNotification: {
          inboundSMSMessage: {
            destinationAddress: '+26716968',
            message: 'hi',
            dateTime: 'yesterday',
            senderAddress: 'mailto:someone@example.com',
          },
        },
      },
      'inboundSMSMessageNotification.inboundSMSMessage.senderAddress',
    ],
  ])('%#: rejects a malformed body naming %s', (body, field) => {
    expect(fieldOf(() => parseInboundSmsNotification(body))).toBe(field);
  });
});

describe('parseInboundSmsNotification on recorded real traffic (API reference §12)', () => {
  const real = (dateTime: unknown = '2022-06-11T12:33:14') => ({
    inboundSMSMessageNotification: {
      inboundSMSMessage: {
        senderAddress: 'acr:OrangeAPIToken',
        destinationAddress: '+2370000',
        message: 'STOP',
        dateTime,
        messageId: '62a48a4a1e4c4b0b9e0e0001',
      },
    },
    callbackData: 'cb',
  });

  it('an acr: sender without the header stays an anonymous reference; top-level callbackData is kept', () => {
    expect(parseInboundSmsNotification(real())).toEqual([
      {
        from: 'acr:OrangeAPIToken',
        senderKind: 'anonymous',
        senderReference: 'acr:OrangeAPIToken',
        to: '+2370000',
        text: 'STOP',
        messageId: '62a48a4a1e4c4b0b9e0e0001',
        sentAt: new Date('2022-06-11T12:33:14Z'),
        callbackData: 'cb',
      },
    ]);
  });

  it('the x-orange-ise2 header gives the number; an unreadable header keeps the reference', () => {
    const [withNumber] = parseInboundSmsNotification(real(), { headers: { 'x-orange-ise2': '237690000001' } });
    expect(withNumber).toMatchObject({ from: 'tel:+237690000001', senderKind: 'number' });
    const [garbled] = parseInboundSmsNotification(real(), { headers: { 'x-orange-ise2': 'n/a' } });
    expect(garbled).toMatchObject({ from: 'acr:OrangeAPIToken', senderKind: 'anonymous' });
  });

  it('a zone-less dateTime is read in the configured zone; an unreadable one is kept raw, not refused', () => {
    const [douala] = parseInboundSmsNotification(real(), { timeZone: 'Africa/Douala' });
    expect(douala!.sentAt).toEqual(new Date('2022-06-11T11:33:14Z'));
    const [odd] = parseInboundSmsNotification(real('yesterday'));
    expect(odd!.sentAt).toBeUndefined();
    expect(odd!.sentAtRaw).toBe('yesterday');
  });
});

describe('safeLogText', () => {
  it.each([
    ['id\r\nERROR forged', 'id\\x0d\\x0aERROR forged'],
    ['tab\there', 'tab\\x09here'],
    ['esc\u001b[31m', 'esc\\x1b[31m'],
    ['line\u2028sep', 'line\\u2028sep'],
    ['plain +2370000', 'plain +2370000'],
  ])('%j → %j', (input, output) => expect(safeLogText(input)).toBe(output));

  it('cuts long text', () => expect(safeLogText('x'.repeat(300))).toHaveLength(201));
});

describe('keywordOf', () => {
  it.each([
    ['STOP', 'STOP'],
    ['  stop please ', 'STOP'],
    ['Bal\n', 'BAL'],
    ['', ''],
  ])('%p → %p', (text, keyword) => expect(keywordOf(text)).toBe(keyword));
});
