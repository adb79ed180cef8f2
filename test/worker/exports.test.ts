import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { EXPORT_PAGE_ROWS, csvCell } from '../../worker/services/exports';
import { admin, newCustomer, newDriver, newJob, rows, walkJob } from './fixtures';
import { api, call } from './helpers';

/** A CSV download as the accountant's spreadsheet would read it: rows of cells. */
async function download(
  query: string,
  token?: string,
): Promise<{ res: Response; bom: boolean; text: string; lines: string[] }> {
  const res = await api(`/api/v1/admin/exports?${query}`, { token: token ?? (await admin()) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = new TextDecoder().decode(bytes); // drops the byte order mark
  return { res, bom, text, lines: text.split('\r\n').filter(Boolean) };
}

const EVIL_NAME = '=HYPERLINK("http://evil.example","Refund")';

describe('csvCell', () => {
  it('neutralises text a spreadsheet would run as a formula, and quotes what must be quoted', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1 603 555 0100')).toBe("'+1 603 555 0100");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tTab')).toBe("'\tTab");
    expect(csvCell('12 Main St, Concord')).toBe('"12 Main St, Concord"');
    expect(csvCell('Say "hi"')).toBe('"Say ""hi"""');
    expect(csvCell(EVIL_NAME)).toBe(`"'=HYPERLINK(""http://evil.example"",""Refund"")"`);
  });

  it('writes numbers we computed as numbers, negative ones too', () => {
    expect(csvCell(-5.5)).toBe('-5.5');
    expect(csvCell(85)).toBe('85');
    expect(csvCell(null)).toBe('');
  });
});

describe('GET /api/v1/admin/exports', () => {
  it('exports jobs, invoices and payments of a completed, paid job, with a formula in a name neutralised', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    await rows(sql`UPDATE users SET full_name = ${EVIL_NAME} WHERE id = ${customer.user_id}`);
    const job = await newJob(customer);
    await walkJob(job.id, driver, 'completed');
    const [invoice] = await rows(sql`SELECT total_cents FROM invoices WHERE job_id = ${job.id}`);
    const balance = Number(invoice!.total_cents);
    const paid = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'cash',
      amount_cents: balance,
    });
    expect(paid.status).toBe(201);

    const jobs = await download('kind=jobs');
    expect(jobs.res.status).toBe(200);
    expect(jobs.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(jobs.res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="plowdispatch-jobs-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(jobs.bom).toBe(true);
    expect(jobs.lines[0]).toMatch(/^Requested,Status,Customer,Address,/);
    const jobLine = jobs.lines.find((l) => l.includes('HYPERLINK'));
    expect(jobLine).toContain(`,completed,"'=HYPERLINK(""http://evil.example"",""Refund"")",`);
    expect(jobLine).toContain(driver.full_name);
    // No cell of the whole file starts a formula.
    for (const line of jobs.lines) expect(line).not.toMatch(/(^|,)[=+@]/);

    const invoices = await download('kind=invoices');
    const invoiceLine = invoices.lines.find((l) => l.includes('HYPERLINK'))!;
    expect(invoiceLine).toMatch(/^INV-[0-9A-F]{8},/);
    expect(invoiceLine).toContain(',paid,');
    // Paid and balance due: the whole total paid, nothing left.
    const cells = invoiceLine.split(',');
    expect(cells.at(-3)).toBe('0');

    const payments = await download('kind=payments');
    const paymentLine = payments.lines.find((l) => l.includes('HYPERLINK'))!;
    expect(paymentLine).toContain(`,cash,${balance / 100},${driver.full_name}`);
  });

  it('streams a range larger than one page: every row once, in order', async () => {
    const customer = await newCustomer();
    const total = EXPORT_PAGE_ROWS * 2 + 37;
    // A winter day long ago that no other test touches.
    await rows(sql`
      INSERT INTO jobs (customer_id, job_address, job_coordinates, requested_at, status)
      SELECT ${customer.profile_id}::uuid, 'Bulk ' || n || ' Lot Rd', ST_GeogFromText('POINT(-71.5376 43.2081)'),
        '2019-01-15 12:00:00+00'::timestamptz + n * interval '1 second', 'cancelled'
      FROM generate_series(1, ${total}) n`);
    const { res, lines } = await download('kind=jobs&from=2019-01-15&to=2019-01-15');
    expect(res.status).toBe(200);
    const data = lines.slice(1);
    expect(data).toHaveLength(total);
    const numbers = data.map((l) => Number(/Bulk (\d+) Lot Rd/.exec(l)![1]));
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('refuses an unknown kind or a backwards range in the error shape', async () => {
    for (const query of ['kind=customers', '', 'kind=jobs&from=2026-02-01&to=2026-01-01', 'kind=jobs&from=yesterday']) {
      const { res, text } = await download(query);
      expect(res.status, query).toBe(400);
      expect(JSON.parse(text).error).toMatchObject({ code: 'validation_failed', message: expect.any(String) });
    }
  });

  it('is for admins only', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver({ status: 'offline' })]);
    expect((await download('kind=jobs', customer.token)).res.status).toBe(403);
    expect((await download('kind=jobs', driver.token)).res.status).toBe(403);
  });
});
