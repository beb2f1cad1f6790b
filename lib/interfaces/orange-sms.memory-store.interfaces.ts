export interface OrangeSmsMemoryStoreOptions {
  /**
   * Messages kept; past it the oldest are evicted. Default 10,000.
   * @default 10000
   */
  maxMessages?: number;
  /**
   * Notification keys remembered for dedupe (each for its TTL, 24 h by default). Default 100,000.
   * @default 100000
   */
  maxSeenKeys?: number;
  /**
   * Receipts kept for ids not stored yet. Default 10,000.
   * @default 10000
   */
  maxEarlyReceipts?: number;
  /**
   * Events kept in the outbox; past it the oldest failed ones are dropped. Default 10,000.
   * @default 10000
   */
  maxEvents?: number;
  /**
   * Inbound SMS kept for the inbox; past it the oldest are evicted. Default 10,000.
   * @default 10000
   */
  maxInbound?: number;
}
