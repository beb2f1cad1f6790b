/** Orange's `deliveryStatus` values (API reference §3.4). */
export type OrangeDeliveryStatus =
  'DeliveredToTerminal' | 'DeliveredToNetwork' | 'MessageWaiting' | 'DeliveryUncertain' | 'DeliveryImpossible';

/** Where a message stands, from Orange's receipts (API reference §3.4). */
export type OrangeSmsStatus = 'submitted' | 'delivered_to_network' | 'waiting' | 'delivered' | 'failed' | 'uncertain';
