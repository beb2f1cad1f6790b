export interface SubscribeDeliveryReceiptsInput {
  /** Where Orange posts receipts: https (loopback http is allowed for tests and the emulator). */
  notifyUrl: string;
  senderAddress?: string;
  callbackData?: string;
  /**
   * The Orange app to subscribe (its token, its default sender). Default `default`.
   * @default 'default'
   */
  account?: string;
}

export interface DeliveryReceiptSubscription {
  /** Last segment of Orange's `resourceURL`. */
  id: string;
  notifyUrl: string;
  callbackData?: string;
  /** The sender the subscription is for, when known. */
  senderAddress?: string;
  resourceUrl?: string;
}
