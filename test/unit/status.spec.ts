import { isFinalStatus, nextStatus, type OrangeSmsStatus } from '../../lib/tracking/orange-sms.status.js';
import type { OrangeDeliveryStatus } from '../../lib/events/orange-sms.events.js';

describe('delivery status state machine', () => {
  const replay = (receipts: OrangeDeliveryStatus[]) =>
    receipts.reduce<OrangeSmsStatus>((status, receipt) => nextStatus(status, receipt) ?? status, 'submitted');

  it.each<[OrangeDeliveryStatus[], OrangeSmsStatus]>([
    [['DeliveredToNetwork', 'MessageWaiting', 'DeliveredToTerminal'], 'delivered'],
    [['DeliveredToTerminal', 'DeliveredToNetwork'], 'delivered'],
    [['DeliveredToTerminal', 'DeliveryImpossible'], 'delivered'],
    [['DeliveryImpossible', 'DeliveredToTerminal'], 'delivered'],
    [['DeliveryImpossible', 'DeliveryUncertain', 'DeliveredToNetwork'], 'failed'],
    [['DeliveryImpossible', 'DeliveredToTerminal', 'DeliveryImpossible'], 'delivered'],
    [['MessageWaiting', 'DeliveredToNetwork'], 'waiting'],
    [['DeliveryUncertain', 'DeliveredToTerminal'], 'delivered'],
    [['DeliveryUncertain', 'MessageWaiting'], 'uncertain'],
  ])('%j → %s', (receipts, expected) => {
    expect(replay(receipts)).toBe(expected);
  });

  it('only delivered and failed are final', () => {
    expect(
      (['submitted', 'delivered_to_network', 'waiting', 'uncertain', 'delivered', 'failed'] as const).filter(
        isFinalStatus,
      ),
    ).toEqual(['delivered', 'failed']);
  });
});
