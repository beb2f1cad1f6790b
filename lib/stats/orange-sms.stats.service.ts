import { Inject, Injectable } from '@nestjs/common';
import { ORANGE_SMS_PATHS, ORANGE_SMS_STORE, ORANGE_SMS_TIME_ZONE } from '../orange-sms.constants.js';
import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { OrangeSmsApiClient } from '../http/orange-sms.api-client.js';
import { type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import { normaliseContracts, normalisePurchaseOrders, normaliseStatistics } from './orange-sms.admin-normalisers.js';
import { computeDeliveryStats } from './orange-sms.delivery-stats.js';
import type {
  OrangeSmsBalance,
  OrangeSmsDeliveryStats,
  OrangeSmsDeliveryStatsOptions,
  OrangeSmsPurchaseOrder,
  OrangeSmsUsage,
} from './orange-sms.stats.interfaces.js';

/** Orange's account figures (balance, usage, purchases) and delivery statistics from the store. */
@Injectable()
export class OrangeSmsStatsService {
  constructor(
    private readonly api: OrangeSmsApiClient,
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    @Inject(ORANGE_SMS_TIME_ZONE) private readonly orangeTimeZone: string,
  ) {}

  /**
   * Units left per contract (`GET /sms/admin/v1/contracts`). `availableUnits` counts only active
   * contracts: Orange refuses every send on an expired one (POL0001), whatever units it still shows.
   */
  async getBalance(filter: { country?: string } = {}): Promise<OrangeSmsBalance> {
    const body = await this.get(ORANGE_SMS_PATHS.contracts, { country: country(filter.country) });
    const contracts = normaliseContracts(body, this.orangeTimeZone);
    let availableUnits = 0;
    let unspendableUnits = 0;
    for (const contract of contracts) {
      if (contract.state === 'active') availableUnits += contract.availableUnits;
      else unspendableUnits += contract.availableUnits;
    }
    return { availableUnits, unspendableUnits, contracts };
  }

  /** Units used per country and application (`GET /sms/admin/v1/statistics`). */
  async getUsage(filter: { country?: string; appId?: string } = {}): Promise<OrangeSmsUsage> {
    if (filter.appId !== undefined && (typeof filter.appId !== 'string' || filter.appId === '')) {
      throw new OrangeSmsValidationError('appId', 'expected the application id from the Orange portal');
    }
    const body = await this.get(ORANGE_SMS_PATHS.statistics, { country: country(filter.country), appid: filter.appId });
    const entries = normaliseStatistics(body);
    return { usage: entries.reduce((sum, entry) => sum + entry.usage, 0), entries };
  }

  /** Bundles bought (`GET /sms/admin/v1/purchaseorders`). */
  async getPurchaseOrders(filter: { country?: string } = {}): Promise<OrangeSmsPurchaseOrder[]> {
    const body = await this.get(ORANGE_SMS_PATHS.purchaseOrders, { country: country(filter.country) });
    return normalisePurchaseOrders(body, this.orangeTimeZone);
  }

  /** From the message store (this instance's, or the fleet's with a shared store); no call to Orange. */
  async getDeliveryStats(options: OrangeSmsDeliveryStatsOptions = {}): Promise<OrangeSmsDeliveryStats> {
    for (const key of ['since', 'until'] as const) {
      const value = options[key];
      if (value !== undefined && !(value instanceof Date && !Number.isNaN(value.getTime()))) {
        throw new OrangeSmsValidationError(key, 'expected a valid Date');
      }
    }
    const messages = await this.store.listMessages({ since: options.since, until: options.until, limit: Infinity });
    return computeDeliveryStats(messages, options);
  }

  private async get(path: string, query: Record<string, string | undefined>): Promise<unknown> {
    const { data } = await this.api.call<unknown>({ method: 'GET', path, query, idempotent: true });
    return data;
  }
}

function country(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) {
    throw new OrangeSmsValidationError('country', 'expected an ISO 3166-1 alpha-3 code such as CIV');
  }
  return value.toUpperCase();
}
