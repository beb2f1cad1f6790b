import { computeReport, csvField, periodStart } from '../../lib/stats/orange-sms.report.js';
import type { TrackedSms } from '../../lib/index.js';

const at = (iso: string) => new Date(iso).getTime();

describe('report periods', () => {
  it('cuts days, weeks (from Monday) and months at midnight in the zone, hours at the zone’s :00', () => {
    // 2026-03-04 is a Wednesday.
    const instant = at('2026-03-04T22:30:00Z');
    expect(new Date(periodStart(instant, 'day', 'UTC')).toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(new Date(periodStart(instant, 'week', 'UTC')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(new Date(periodStart(instant, 'month', 'UTC')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(periodStart(instant, 'hour', 'UTC')).toISOString()).toBe('2026-03-04T22:00:00.000Z');
    // Tehran is UTC+3:30: 22:30Z is 02:00 on Thursday there.
    expect(new Date(periodStart(instant, 'day', 'Asia/Tehran')).toISOString()).toBe('2026-03-04T20:30:00.000Z');
    expect(new Date(periodStart(instant, 'hour', 'Asia/Tehran')).toISOString()).toBe('2026-03-04T22:30:00.000Z');
    expect(new Date(periodStart(at('2026-03-04T22:29:00Z'), 'hour', 'Asia/Tehran')).toISOString()).toBe(
      '2026-03-04T21:30:00.000Z',
    );
    expect(new Date(periodStart(instant, 'week', 'Asia/Tehran')).toISOString()).toBe('2026-03-01T20:30:00.000Z');
    // Cairo in summer is UTC+3: the day starts at 21:00Z the day before.
    expect(new Date(periodStart(at('2026-07-10T12:00:00Z'), 'day', 'Africa/Cairo')).toISOString()).toBe(
      '2026-07-09T21:00:00.000Z',
    );
    expect(new Date(periodStart(at('2026-07-10T12:00:00Z'), 'month', 'Africa/Abidjan')).toISOString()).toBe(
      '2026-07-01T00:00:00.000Z',
    );
  });
});

describe('computeReport', () => {
  function message(id: string, submittedAt: string, fields: Partial<TrackedSms> = {}): TrackedSms {
    return {
      id,
      to: 'tel:+2250700000001',
      senderAddress: 'tel:+2250000',
      text: 'x',
      segments: 1,
      encoding: 'GSM-7',
      status: 'submitted',
      submittedAt: new Date(submittedAt),
      updatedAt: new Date(submittedAt),
      resourceUrl: '',
      history: [],
      ...fields,
    };
  }

  it('counts per period and group: delivered + failed + pending = sent, units of every message, median delivery', () => {
    const messages = [
      message('a', '2026-03-04T08:00:00Z', {
        country: 'CIV',
        segments: 2,
        status: 'delivered',
        deliveredAt: new Date('2026-03-04T08:00:03Z'),
      }),
      message('b', '2026-03-04T09:00:00Z', {
        country: 'CIV',
        status: 'delivered',
        deliveredAt: new Date('2026-03-04T09:00:05Z'),
      }),
      message('c', '2026-03-04T10:00:00Z', { country: 'CIV', status: 'failed', segments: 3 }),
      message('d', '2026-03-04T11:00:00Z', { country: 'SEN', status: 'waiting' }),
      message('e', '2026-03-05T11:00:00Z', { status: 'delivered', deliveredAt: new Date('2026-03-05T11:00:01Z') }),
    ];
    const report = computeReport(messages, {
      interval: 'day',
      timeZone: 'UTC',
      groupBy: 'country',
    });
    expect(report.rows).toEqual([
      {
        period: new Date('2026-03-04T00:00:00Z'),
        group: 'CIV',
        sent: 3,
        delivered: 2,
        failed: 1,
        pending: 0,
        units: 6,
        deliveryRate: 2 / 3,
        medianDeliveryMs: 4_000,
      },
      {
        period: new Date('2026-03-04T00:00:00Z'),
        group: 'SEN',
        sent: 1,
        delivered: 0,
        failed: 0,
        pending: 1,
        units: 1,
        deliveryRate: 0,
        medianDeliveryMs: null,
      },
      {
        period: new Date('2026-03-05T00:00:00Z'),
        group: 'unknown',
        sent: 1,
        delivered: 1,
        failed: 0,
        pending: 0,
        units: 1,
        deliveryRate: 1,
        medianDeliveryMs: 1_000,
      },
    ]);
  });
});

describe('csvField', () => {
  it('quotes per RFC 4180 and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+2250700000001')).toBe("'+2250700000001");
    expect(csvField(-1)).toBe('-1');
    expect(csvField(null)).toBe('');
  });
});
