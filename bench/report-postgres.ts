/**
 * 10. getReport over 1,000,000 stored messages on PostgreSQL: `OrangeSmsStatsService.getReport`
 * (per day in Africa/Abidjan, per country) against the same aggregate written by hand in one SQL
 * query. The messages table is filled by SQL (columns and the JSONB record agree), then ANALYZEd;
 * sides alternate, several rounds, medians. Both answers are compared figure by figure.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import pg from 'pg';
import { OrangeSmsModule, type OrangeSmsReportRow, OrangeSmsStatsService } from '../lib/index.js';
import { startPostgresServer } from './support/postgres-server.js';
import type { Row } from './support/row.js';
import { count, mb, median, ms } from './support/stats.js';

const MESSAGES = 1_000_000;
const DAYS = 90;
const TIME_ZONE = 'Africa/Abidjan';
const ROUNDS = 5;
/** A slow side stops the rounds once it has used this much time (at least one round is measured). */
const ROUNDS_BUDGET_MS = 40_000;
const RATIO_TARGET = 1.5;
const SCHEMA = 'orange_sms';
const DAY_MS = 86_400_000;

export async function run(): Promise<Row[]> {
  const postgres = await startPostgresServer();
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  try {
    // The module migrates the schema at boot.
    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot({
          clientId: 'bench-client-id',
          clientSecret: 'bench-client-secret',
          baseUrl: 'http://127.0.0.1:9',
          senderAddress: 'tel:+2250000',
          webhooks: { enabled: false },
          postgres: { url: postgres.url, schema: SCHEMA },
        }),
      ],
    })
    class ReportBenchModule {}
    const app = await NestFactory.createApplicationContext(ReportBenchModule, { logger: ['error', 'warn'] });
    try {
      const until = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
      const since = new Date(until.getTime() - DAYS * DAY_MS);
      const fillStart = performance.now();
      await fill(pool, since);
      const fillMs = performance.now() - fillStart;
      const { rows: size } = await pool.query<{ bytes: string }>(
        `SELECT pg_total_relation_size('${SCHEMA}.messages') AS bytes`,
      );
      process.stderr.write(`  ${count(MESSAGES)} messages stored and analysed in ${(fillMs / 1000).toFixed(1)} s\n`);

      const stats = app.get(OrangeSmsStatsService);
      const sides = {
        ours: async () =>
          (await stats.getReport({ since, until, interval: 'day', timeZone: TIME_ZONE, groupBy: 'country' })).rows,
        hand: () => handReport(pool, since, until),
      };
      type Side = keyof typeof sides;
      const times: Record<Side, number[]> = { ours: [], hand: [] };
      const spent: Record<Side, number> = { ours: 0, hand: 0 };
      const answers: Partial<Record<Side, OrangeSmsReportRow[]>> = {};
      // Warm-up: the hand query once (the table into the page cache); a fast `ours` warms up too.
      await sides.hand();
      for (let round = 0; round < ROUNDS; round++) {
        for (const side of (round % 2 === 0 ? ['ours', 'hand'] : ['hand', 'ours']) as Side[]) {
          const start = performance.now();
          answers[side] = await sides[side]();
          const elapsed = performance.now() - start;
          times[side].push(elapsed);
          spent[side] += elapsed;
          if (process.env.BENCH_VERBOSE) process.stderr.write(`  round ${round} ${side}: ${ms(elapsed, 0)}\n`);
        }
        if (spent.ours > ROUNDS_BUDGET_MS || spent.hand > ROUNDS_BUDGET_MS) break;
      }

      const differences = compare(answers.ours!, answers.hand!);
      const agree = differences.length === 0;
      process.stderr.write(
        `  agree: ${agree ? 'yes' : 'no'} (${answers.ours!.length} rows ours, ${answers.hand!.length} hand)\n`,
      );
      for (const difference of differences.slice(0, 5)) process.stderr.write(`    ${difference}\n`);
      const oursMs = median(times.ours);
      const handMs = median(times.hand);
      // Per-round ratios: both sides ran back to back, so machine drift cancels.
      const paired = median(times.ours.map((time, round) => time / times.hand[round]!));
      const rounds = times.ours.length;
      return [
        {
          figure: `10. getReport over ${count(MESSAGES)} messages, per day and country, ${DAYS} days (vs the same aggregate in hand-written SQL)`,
          ours: ms(oursMs, 0),
          baseline: `${ms(handMs, 0)} SQL`,
          ratio: `${paired.toFixed(2)}×`,
          target: `time ≤ ${RATIO_TARGET}× and the same figures (agree: ${agree ? 'yes' : 'no'}; ${rounds} round${rounds === 1 ? '' : 's'})`,
          met: agree && paired <= RATIO_TARGET,
        },
        {
          figure: `10. filling ${count(MESSAGES)} messages by SQL (INSERT … SELECT, ANALYZE)`,
          ours: ms(fillMs, 0),
          baseline: '—',
          ratio: '—',
          target: `info (set-up; table and indexes ${mb(Number(size[0]!.bytes), 0)})`,
          met: null,
        },
      ];
    } finally {
      await app.close();
    }
  } finally {
    await pool.end();
    await postgres.stop();
  }
}

/**
 * MESSAGES rows over DAYS days before `since + DAYS`: seven countries (one share unknown), three sender
 * names and none, six statuses, 1-3 segments, delivery 1 s to 5 min after submission for delivered
 * ones. Times are whole milliseconds, as a JavaScript Date holds them; the JSONB record is what the
 * store itself writes, so whatever getReport reads (columns or record) tells the same story.
 */
async function fill(pool: pg.Pool, since: Date): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT setseed(0.42)');
    await client.query(
      `INSERT INTO ${SCHEMA}.messages (id, submitted_at, to_number, status, reference, country, sender_name, segments, delivered_at, data)
       SELECT id, submitted_at, to_number, status, NULL, country, sender_name, segments, delivered_at,
         jsonb_strip_nulls(jsonb_build_object(
           'id', id, 'to', to_number, 'senderAddress', 'tel:+2250000', 'senderName', sender_name,
           'text', 'Your ACME code is 482913. It expires in 10 minutes.', 'segments', segments,
           'encoding', 'GSM-7', 'status', status, 'deliveryStatus', delivery_status,
           'submittedAt', ${iso('submitted_at')}, 'resourceUrl', 'http://127.0.0.1:9/smsmessaging/v1/outbound/tel%3A%2B2250000/requests/' || id,
           'country', country, 'updatedAt', ${iso('COALESCE(delivered_at, submitted_at)')}, 'deliveredAt', ${iso('delivered_at')},
           'history', jsonb_build_array(jsonb_build_object('status', 'submitted', 'at', ${iso('submitted_at')}))))
       FROM (
         SELECT id, submitted_at, country, sender_name, segments, status,
           'tel:+' || prefix || lpad((g % 100000000)::text, 8, '0') AS to_number,
           CASE status WHEN 'delivered' THEN 'DeliveredToTerminal' WHEN 'failed' THEN 'DeliveryImpossible'
             WHEN 'delivered_to_network' THEN 'DeliveredToNetwork' WHEN 'waiting' THEN 'MessageWaiting'
             WHEN 'uncertain' THEN 'DeliveryUncertain' END AS delivery_status,
           CASE WHEN status = 'delivered'
             THEN submitted_at + interval '1 millisecond' * (1000 + floor(delay_draw ^ 3 * 299000)) END AS delivered_at
         FROM (
           SELECT g, 'bench-' || g AS id,
             date_trunc('milliseconds', $1::timestamptz + random() * interval '${DAYS} days') AS submitted_at,
             CASE WHEN country_draw < 0.40 THEN 'CIV' WHEN country_draw < 0.60 THEN 'SEN'
               WHEN country_draw < 0.75 THEN 'CMR' WHEN country_draw < 0.85 THEN 'MLI'
               WHEN country_draw < 0.93 THEN 'BFA' WHEN country_draw < 0.98 THEN 'GIN' END AS country,
             CASE WHEN country_draw < 0.40 THEN '22507' WHEN country_draw < 0.60 THEN '22177'
               WHEN country_draw < 0.75 THEN '23769' WHEN country_draw < 0.85 THEN '22376'
               WHEN country_draw < 0.93 THEN '22607' WHEN country_draw < 0.98 THEN '22462' ELSE '3361' END AS prefix,
             CASE WHEN sender_draw < 0.5 THEN 'ACME' WHEN sender_draw < 0.8 THEN 'ShopCI'
               WHEN sender_draw < 0.9 THEN 'BankSN' END AS sender_name,
             CASE WHEN segment_draw < 0.7 THEN 1 WHEN segment_draw < 0.9 THEN 2 ELSE 3 END AS segments,
             CASE WHEN status_draw < 0.85 THEN 'delivered' WHEN status_draw < 0.90 THEN 'failed'
               WHEN status_draw < 0.93 THEN 'delivered_to_network' WHEN status_draw < 0.95 THEN 'waiting'
               WHEN status_draw < 0.99 THEN 'submitted' ELSE 'uncertain' END AS status,
             delay_draw
           FROM (
             SELECT g, random() AS country_draw, random() AS sender_draw, random() AS segment_draw,
               random() AS status_draw, random() AS delay_draw
             FROM generate_series(1, ${MESSAGES}) AS g
           ) AS draws
         ) AS base
       ) AS message`,
      [since],
    );
    await client.query(`ANALYZE ${SCHEMA}.messages`);
  } finally {
    client.release();
  }
}

/** A timestamptz expression as JSON.stringify writes a Date (UTC, milliseconds, Z). */
function iso(expression: string): string {
  return `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The report in one SQL statement: what someone who knows the table would write. */
async function handReport(pool: pg.Pool, since: Date, until: Date): Promise<OrangeSmsReportRow[]> {
  const { rows } = await pool.query<{
    period: Date;
    grp: string;
    sent: string;
    delivered: string;
    failed: string;
    pending: string;
    units: string;
    median_ms: number | null;
  }>(
    `SELECT date_trunc('day', submitted_at, $3) AS period, COALESCE(country, 'unknown') AS grp,
       count(*) AS sent,
       count(*) FILTER (WHERE status = 'delivered') AS delivered,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status NOT IN ('delivered', 'failed')) AS pending,
       sum(segments) AS units,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - submitted_at) * 1000)
         FILTER (WHERE status = 'delivered' AND delivered_at IS NOT NULL) AS median_ms
     FROM ${SCHEMA}.messages
     WHERE submitted_at >= $1 AND submitted_at < $2
     GROUP BY 1, 2`,
    [since, until, TIME_ZONE],
  );
  return rows.map((row) => {
    const sent = Number(row.sent);
    const delivered = Number(row.delivered);
    return {
      period: row.period,
      group: row.grp,
      sent,
      delivered,
      failed: Number(row.failed),
      pending: Number(row.pending),
      units: Number(row.units),
      deliveryRate: sent === 0 ? 0 : delivered / sent,
      medianDeliveryMs: row.median_ms === null ? null : Number(row.median_ms),
    };
  });
}

/** What differs between two reports (rows matched by period and group); empty when they agree. */
function compare(ours: OrangeSmsReportRow[], hand: OrangeSmsReportRow[]): string[] {
  const key = (row: OrangeSmsReportRow) => `${row.period.toISOString()} ${row.group ?? ''}`;
  const byKey = new Map(hand.map((row) => [key(row), row]));
  const differences: string[] = [];
  if (ours.length !== hand.length) differences.push(`${ours.length} rows against ${hand.length}`);
  for (const row of ours) {
    const other = byKey.get(key(row));
    if (!other) {
      differences.push(`${key(row)}: not in the SQL answer`);
      continue;
    }
    for (const field of ['sent', 'delivered', 'failed', 'pending', 'units'] as const) {
      if (row[field] !== other[field]) differences.push(`${key(row)} ${field}: ${row[field]} against ${other[field]}`);
    }
    if (Math.abs(row.deliveryRate - other.deliveryRate) > 1e-9) {
      differences.push(`${key(row)} deliveryRate: ${row.deliveryRate} against ${other.deliveryRate}`);
    }
    const a = row.medianDeliveryMs;
    const b = other.medianDeliveryMs;
    if ((a === null) !== (b === null) || (a !== null && b !== null && Math.abs(a - b) > 1e-6)) {
      differences.push(`${key(row)} medianDeliveryMs: ${a} against ${b}`);
    }
  }
  return differences;
}
