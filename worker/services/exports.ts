import { sql, type SQL } from 'drizzle-orm';
import type { ExportKind } from '../../contract/enums';
import type { Queryable } from '../lib/db';
import { jobSubtotalSql } from '../invoices/invoices';
import type { DayRange } from './reports';

/**
 * CSV exports an accountant can open: invoices, payments and jobs for a range of the
 * operator's local days. RFC 4180 (quoted where needed, CRLF line ends) with a UTF-8 byte
 * order mark so spreadsheet programs read accents right. Text that people typed (names,
 * addresses, notes) never starts a cell with `= + - @`, tab or CR, which a spreadsheet would
 * run as a formula: such a cell is prefixed with an apostrophe (OWASP "CSV injection").
 * Numbers we compute ourselves are written as numbers.
 */

/** Rows per database round trip while streaming: large ranges never sit in memory at once. */
export const EXPORT_PAGE_ROWS = 500;

type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: text neutralised against formula injection, quoted when it must be. */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvCell).join(',')}\r\n`;

interface Cursor {
  ts: string;
  id: string;
}

interface ExportSpec {
  /** Column titles and the SQL of each column, in order. */
  columns: readonly (readonly [string, SQL])[];
  /** The keyset: a timestamp and an id, both unique together and indexed enough to page on. */
  ts: SQL;
  id: SQL;
  /** FROM and JOINs. */
  from: SQL;
}

const dollars = (cents: SQL) => sql`round((${cents})::numeric / 100, 2)::float8`;
const local = (tz: string, col: SQL) => sql`to_char(${col} AT TIME ZONE ${tz}, 'YYYY-MM-DD HH24:MI')`;
const invoiceNo = (id: SQL) => sql`CASE WHEN ${id} IS NULL THEN NULL ELSE 'INV-' || upper(left(${id}::text, 8)) END`;

const SPECS: Record<ExportKind, (tz: string) => ExportSpec> = {
  invoices: (tz) => {
    const at = sql`coalesce(i.issued_at, i.created_at)`;
    const paid = sql`coalesce((SELECT sum(amount_cents) FROM payments WHERE invoice_id = i.id), 0)`;
    return {
      columns: [
        ['Invoice', invoiceNo(sql`i.id`)],
        ['Issued', local(tz, at)],
        ['Status', sql`i.status`],
        ['Customer', sql`u.full_name`],
        ['Customer email', sql`u.email`],
        ['Address', sql`j.job_address`],
        ['Subtotal', dollars(sql`i.subtotal_cents`)],
        ['Tax', dollars(sql`i.tax_cents`)],
        ['Total', dollars(sql`i.total_cents`)],
        ['Paid', dollars(paid)],
        ['Refunded', dollars(sql`coalesce(i.refund_cents, 0)`)],
        ['Balance due', dollars(sql`CASE WHEN i.status = 'void' THEN 0 ELSE greatest(i.total_cents - ${paid}, 0) END`)],
        ['Due', local(tz, sql`i.due_at`)],
        ['Paid on', local(tz, sql`i.paid_at`)],
      ],
      ts: at,
      id: sql`i.id`,
      from: sql`invoices i
        JOIN jobs j ON j.id = i.job_id
        JOIN customer_profiles cp ON cp.id = i.customer_id
        JOIN users u ON u.id = cp.user_id`,
    };
  },
  payments: (tz) => ({
    columns: [
      ['Recorded', local(tz, sql`p.recorded_at`)],
      ['Invoice', invoiceNo(sql`p.invoice_id`)],
      ['Customer', sql`cu.full_name`],
      ['Address', sql`j.job_address`],
      ['Method', sql`p.method`],
      ['Amount', dollars(sql`p.amount_cents`)],
      ['Recorded by', sql`rb.full_name`],
    ],
    ts: sql`p.recorded_at`,
    id: sql`p.id`,
    from: sql`payments p
      JOIN jobs j ON j.id = p.job_id
      JOIN customer_profiles cp ON cp.id = j.customer_id
      JOIN users cu ON cu.id = cp.user_id
      LEFT JOIN users rb ON rb.id = p.recorded_by_user_id`,
  }),
  jobs: (tz) => ({
    columns: [
      ['Requested', local(tz, sql`j.requested_at`)],
      ['Status', sql`j.status`],
      ['Customer', sql`cu.full_name`],
      ['Address', sql`j.job_address`],
      ['Driveway', sql`pc.tier_label`],
      ['Driver', sql`du.full_name`],
      ['Quoted', dollars(sql`j.quoted_price_cents`)],
      ['Final price', dollars(sql`j.final_price_cents`)],
      ['Discount', dollars(sql`j.discount_cents`)],
      ['Amount', dollars(jobSubtotalSql('j'))],
      ['Assigned', local(tz, sql`j.assigned_at`)],
      ['Arrived', local(tz, sql`j.arrived_at`)],
      ['Started', local(tz, sql`j.started_at`)],
      ['Completed', local(tz, sql`j.completed_at`)],
      ['Cancelled', local(tz, sql`j.cancelled_at`)],
      ['Cancellation reason', sql`j.cancellation_reason`],
    ],
    ts: sql`j.requested_at`,
    id: sql`j.id`,
    from: sql`jobs j
      JOIN customer_profiles cp ON cp.id = j.customer_id
      JOIN users cu ON cu.id = cp.user_id
      LEFT JOIN pricing_config pc ON pc.id = j.driveway_tier_id
      LEFT JOIN driver_profiles dp ON dp.id = j.driver_id
      LEFT JOIN users du ON du.id = dp.user_id`,
  }),
};

/** One page after the cursor, columns named c0…cN and the cursor as cursor_ts / cursor_id. */
function pageQuery(spec: ExportSpec, tz: string, r: DayRange, after: Cursor | null): SQL {
  const cols = sql.join(
    spec.columns.map(([, col], i) => sql`${col} AS ${sql.identifier(`c${i}`)}`),
    sql`, `,
  );
  const lo = sql`(${r.from}::date)::timestamp AT TIME ZONE ${tz}`;
  const hi = sql`((${r.to}::date) + 1)::timestamp AT TIME ZONE ${tz}`;
  const cursor = after ? sql`AND (${spec.ts}, ${spec.id}) > (${after.ts}::timestamptz, ${after.id}::uuid)` : sql``;
  return sql`SELECT ${cols}, ${spec.ts}::text AS cursor_ts, ${spec.id}::text AS cursor_id
    FROM ${spec.from}
    WHERE ${spec.ts} >= ${lo} AND ${spec.ts} < ${hi} ${cursor}
    ORDER BY ${spec.ts}, ${spec.id}
    LIMIT ${EXPORT_PAGE_ROWS}`;
}

/**
 * The export as CSV text, a page of rows at a time: the header first, then pages of
 * `EXPORT_PAGE_ROWS` by a keyset cursor until a short page ends it.
 */
export async function* exportCsv(q: Queryable, kind: ExportKind, tz: string, range: DayRange): AsyncGenerator<string> {
  const spec = SPECS[kind](tz);
  yield `\uFEFF${csvLine(spec.columns.map(([title]) => title))}`;
  let after: Cursor | null = null;
  for (;;) {
    const rows: Record<string, Cell>[] = (await q.execute<Record<string, Cell>>(pageQuery(spec, tz, range, after)))
      .rows;
    let chunk = '';
    for (const row of rows) chunk += csvLine(spec.columns.map((_, i) => row[`c${i}`] ?? null));
    if (chunk) yield chunk;
    if (rows.length < EXPORT_PAGE_ROWS) return;
    const last: Record<string, Cell> = rows.at(-1)!;
    after = { ts: String(last.cursor_ts), id: String(last.cursor_id) };
  }
}

/** `plowdispatch-invoices-2026-11-05-to-2026-12-04.csv` */
export const exportFileName = (kind: ExportKind, range: DayRange) =>
  `plowdispatch-${kind}-${range.from}-to-${range.to}.csv`;
