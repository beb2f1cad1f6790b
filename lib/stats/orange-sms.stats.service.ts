import { Inject, Injectable } from '@nestjs/common';
import { ORANGE_SMS_PATHS, ORANGE_SMS_STORE, ORANGE_SMS_TIME_ZONE } from '../orange-sms.constants.js';
import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { OrangeSmsApiClient } from '../http/orange-sms.api-client.js';
import { OrangeSmsAccounts } from '../accounts/orange-sms.accounts.js';
import { type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import { normaliseContracts, normalisePurchaseOrders, normaliseStatistics } from './orange-sms.admin-normalisers.js';
import { checkDate } from '../common/orange-sms.dates.js';
import { isTimeZone } from '../common/orange-sms.time-zone.js';
import { isAccountName } from '../orange-sms.options.js';
import { deliveryStatsOf } from './orange-sms.delivery-stats.js';
import { csvField, EXPORT_COLUMNS, exportRecord, MessageAggregator, reportOf } from './orange-sms.report.js';
import { messagePages } from '../tracking/orange-sms.message-paging.js';
import type { OrangeSmsAggregateQuery, OrangeSmsAggregateRow } from '../interfaces/orange-sms.aggregate.interfaces.js';
import type {
  OrangeSmsBalance,
  OrangeSmsDeliveryStats,
  OrangeSmsDeliveryStatsOptions,
  OrangeSmsExportOptions,
  OrangeSmsPurchaseOrder,
  OrangeSmsReport,
  OrangeSmsReportOptions,
  OrangeSmsUsage,
} from '../interfaces/orange-sms.stats.interfaces.js';

const INTERVALS = new Set(['hour', 'day', 'week', 'month']);
const GROUPS = new Set(['country', 'senderName', 'status', 'account']);
/** Messages read per page by reports and exports. */
const PAGE = 1_000;

/** Orange's account figures (balance, usage, purchases) and delivery statistics from the store. */
@Injectable()
export class OrangeSmsStatsService {
  constructor(
    private readonly api: OrangeSmsApiClient,
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    @Inject(ORANGE_SMS_TIME_ZONE) private readonly orangeTimeZone: string,
    private readonly accounts: OrangeSmsAccounts,
  ) {}

  /**
   * Units left per contract (`GET /sms/admin/v1/contracts`). `availableUnits` counts only active
   * contracts: Orange refuses every send on an expired one (POL0001), whatever units it still shows.
   */
  async getBalance(filter: { country?: string; account?: string } = {}): Promise<OrangeSmsBalance> {
    const body = await this.get(ORANGE_SMS_PATHS.contracts, { country: country(filter.country) }, filter.account);
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
  async getUsage(filter: { country?: string; appId?: string; account?: string } = {}): Promise<OrangeSmsUsage> {
    if (filter.appId !== undefined && (typeof filter.appId !== 'string' || filter.appId === '')) {
      throw new OrangeSmsValidationError('appId', 'expected the application id from the Orange portal');
    }
    const body = await this.get(
      ORANGE_SMS_PATHS.statistics,
      { country: country(filter.country), appid: filter.appId },
      filter.account,
    );
    const entries = normaliseStatistics(body);
    return { usage: entries.reduce((sum, entry) => sum + entry.usage, 0), entries };
  }

  /** Bundles bought (`GET /sms/admin/v1/purchaseorders`). */
  async getPurchaseOrders(filter: { country?: string; account?: string } = {}): Promise<OrangeSmsPurchaseOrder[]> {
    const body = await this.get(ORANGE_SMS_PATHS.purchaseOrders, { country: country(filter.country) }, filter.account);
    return normalisePurchaseOrders(body, this.orangeTimeZone);
  }

  /**
   * From the message store (this instance's, or the fleet's with a shared store); no call to Orange.
   * An aggregate on PostgreSQL and Redis; a scan of the capped memory store.
   */
  async getDeliveryStats(options: OrangeSmsDeliveryStatsOptions = {}): Promise<OrangeSmsDeliveryStats> {
    const window = { ...checkWindow(options.since, options.until, false), ...accountFilter(options.account) };
    const [overall, byCountry] = await Promise.all([
      this.aggregate({ ...window, timeZone: 'UTC' }),
      this.aggregate({ ...window, timeZone: 'UTC', groupBy: 'country' }),
    ]);
    return deliveryStatsOf(overall, byCountry, options);
  }

  /**
   * Sent, delivered, failed and pending messages, units, delivery rate and median time to delivery,
   * per period (of `submittedAt`, cut in `timeZone`) and, with `groupBy`, per group. One SQL query on
   * PostgreSQL, counters on Redis, a scan of the capped memory store.
   */
  async getReport(options: OrangeSmsReportOptions): Promise<OrangeSmsReport> {
    const { since, until } = checkWindow(options?.since, options?.until, true);
    if (!INTERVALS.has(options.interval)) {
      throw new OrangeSmsValidationError('interval', "expected 'hour', 'day', 'week' or 'month'");
    }
    if (options.groupBy !== undefined && !GROUPS.has(options.groupBy)) {
      throw new OrangeSmsValidationError('groupBy', "expected 'country', 'senderName', 'status' or 'account'");
    }
    const timeZone = options.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) throw new OrangeSmsValidationError('timeZone', 'expected an IANA time zone');
    const query = {
      since,
      until,
      interval: options.interval,
      timeZone,
      ...(options.groupBy ? { groupBy: options.groupBy } : {}),
      ...accountFilter(options.account),
    };
    return reportOf(await this.aggregate(query), query);
  }

  /**
   * The messages of a window as CSV (a header line, then one line per message) or NDJSON, most recent
   * first, in chunks read a page at a time from the store: never the whole history in memory.
   * Recipients are masked unless `maskNumbers: false`; message texts are not exported.
   */
  exportMessages(options: OrangeSmsExportOptions): AsyncIterable<string> {
    const { since, until } = checkWindow(options?.since, options?.until, false);
    if (options.format !== 'csv' && options.format !== 'ndjson') {
      throw new OrangeSmsValidationError('format', "expected 'csv' or 'ndjson'");
    }
    const mask = options.maskNumbers ?? true;
    const format = options.format;
    const pages = messagePages(this.store, { ...(since ? { since } : {}), ...(until ? { until } : {}) }, PAGE);
    return (async function* () {
      if (format === 'csv') yield `${EXPORT_COLUMNS.join(',')}\r\n`;
      for await (const page of pages) {
        yield page
          .map((message) => {
            const record = exportRecord(message, mask);
            return format === 'csv'
              ? `${EXPORT_COLUMNS.map((column) => csvField(record[column])).join(',')}\r\n`
              : `${JSON.stringify(record)}\n`;
          })
          .join('');
      }
    })();
  }

  /** The store's aggregate, or the window's messages counted here a page at a time. */
  private async aggregate(query: OrangeSmsAggregateQuery): Promise<OrangeSmsAggregateRow[]> {
    if (this.store.aggregateMessages) return this.store.aggregateMessages(query);
    const aggregator = new MessageAggregator(query);
    for await (const page of messagePages(this.store, { since: query.since, until: query.until }, PAGE))
      for (const message of page) aggregator.add(message);
    return aggregator.build();
  }

  /** An admin read with the account's token (`account`: default `default`). */
  private async get(path: string, query: Record<string, string | undefined>, account?: string): Promise<unknown> {
    const via = (await this.accounts.get(accountFilter(account).account)).access;
    const { data } = await this.api.call<unknown>({ via, method: 'GET', path, query, idempotent: true });
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

function accountFilter(account: unknown): { account?: string } {
  if (account === undefined) return {};
  if (!isAccountName(account)) throw new OrangeSmsValidationError('account', 'expected the name of an Orange account');
  return { account };
}

function checkWindow(since: unknown, until: unknown, required: boolean): { since?: Date; until?: Date } {
  checkDate('since', since, required);
  checkDate('until', until, required);
  if (since instanceof Date && until instanceof Date && since >= until) {
    throw new OrangeSmsValidationError('until', 'must be after since');
  }
  return { ...(since ? { since: since as Date } : {}), ...(until ? { until: until as Date } : {}) };
}
