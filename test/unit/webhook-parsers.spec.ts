import {
  parseDeliveryReceiptNotification,
  parseInboundSmsNotification,
} from '../../lib/webhooks/orange-sms.webhook-parsers.js';
import { OrangeSmsValidationError } from '../../lib/errors/orange-sms.errors.js';
import { keywordOf } from '../../lib/events/orange-sms.events.js';

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
            senderAddress: 'tel:+26771234567',
            destinationAddress: '+26716968',
            message: 'hi',
            dateTime: 'yesterday',
          },
        },
      },
      'inboundSMSMessageNotification.inboundSMSMessage.dateTime',
    ],
  ])('%#: rejects a malformed body naming %s', (body, field) => {
    expect(fieldOf(() => parseInboundSmsNotification(body))).toBe(field);
  });
});

describe('keywordOf', () => {
  it.each([
    ['STOP', 'STOP'],
    ['  stop please ', 'STOP'],
    ['Bal\n', 'BAL'],
    ['', ''],
  ])('%p → %p', (text, keyword) => expect(keywordOf(text)).toBe(keyword));
});
