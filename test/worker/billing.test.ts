import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, rows, jobAt } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';

/** A driver's `POST /api/v1/drivers/me/jobs/:id/payment`. */
const pay = (jobId: string, token: string, json: Record<string, unknown>) =>
  api(`/api/v1/drivers/me/jobs/${jobId}/payment`, { method: 'POST', token, json });

/** `POST /api/v1/jobs/:id/price`, the raw answer. */
const reprice = (jobId: string, token: string, json: Record<string, unknown>) =>
  api(`/api/v1/jobs/${jobId}/price`, { method: 'POST', token, json });

describe('POST /api/v1/jobs/:id/price', () => {
  it('lets the driver re-price on site: a logged change (who, when, old, new) and the new final price', async () => {
    const { customer, driver, job } = await jobAt('arrived');
    const res = await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 11_000 });
    expect(res.status).toBe(201);
    expect(res.body.job.final_price_cents).toBe(11_000);
    expect(res.body.price_change).toMatchObject({
      job_id: job.id,
      changed_by_user_id: driver.user_id,
      old_price_cents: 8500,
      new_price_cents: 11_000,
    });
    const again = await call('POST', `/api/v1/jobs/${job.id}/price`, await admin(), { new_price_cents: 10_000 });
    expect(again.body.price_change).toMatchObject({ old_price_cents: 11_000, new_price_cents: 10_000 });
    const same = await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 10_000 });
    expect(same.status).toBe(200);
    expect(same.body.price_change).toBeNull();

    const log = await call('GET', `/api/v1/jobs/${job.id}/price-changes`, customer.token);
    expect(
      log.body.price_changes.map((p: { old_price_cents: number; new_price_cents: number }) => [
        p.old_price_cents,
        p.new_price_cents,
      ]),
    ).toEqual([
      [8500, 11_000],
      [11_000, 10_000],
    ]);
    const audit = await rows(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'job.price_change' AND entity_id = ${job.id}`,
    );
    expect(audit[0]!.n).toBe(1); // the admin's change, not the driver's
  });

  it("refuses a driver before arrival (409), another driver's job (404), a customer (403) and bad amounts (400)", async () => {
    const [{ customer, driver, job }, other] = await Promise.all([jobAt('en_route'), newDriver({ status: 'offline' })]);
    const early = await expectError(
      await reprice(job.id, driver.token, { new_price_cents: 5000 }),
      409,
      'price_locked',
    );
    expect(early.error.details).toMatchObject({ status: 'en_route' });
    await expectError(await reprice(job.id, other.token, { new_price_cents: 5000 }), 404, 'not_found');
    await expectError(await reprice(job.id, customer.token, { new_price_cents: 5000 }), 403, 'forbidden');
    for (const new_price_cents of [-1, 1.5, '5000', 10_000_001]) {
      await expectError(await reprice(job.id, driver.token, { new_price_cents }), 400, 'validation_failed');
    }
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/jobs/${job.id}/price-changes`, other.token);
    const rowsLeft = await rows(sql`SELECT count(*)::int AS n FROM job_price_changes WHERE job_id = ${job.id}`);
    expect(rowsLeft[0]!.n).toBe(0);
  });

  it('keeps the price change log append-only in the database', async () => {
    const { driver, job } = await jobAt('in_progress');
    await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 9000 });
    await expect(
      rows(sql`UPDATE job_price_changes SET new_price_cents = 1 WHERE job_id = ${job.id}`),
    ).rejects.toThrow();
  });
});

describe('invoices on completion and payment in person', () => {
  it('drafts an invoice at the price after overrides plus tax, and a full payment marks it paid', async () => {
    const token = await admin();
    const { driver, job } = await jobAt('in_progress');
    await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 9999 });
    await call('PATCH', '/api/v1/admin/settings', token, { tax_rate_bps: 625 });
    try {
      await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'completed' });
    } finally {
      await call('PATCH', '/api/v1/admin/settings', token, { tax_rate_bps: 0 });
    }
    const [invoice] = await rows(
      sql`SELECT id, status, subtotal_cents, tax_cents, total_cents FROM invoices WHERE job_id = ${job.id}`,
    );
    // 6.25 % of $99.99 = $6.249375 → $6.25
    expect(invoice).toMatchObject({ status: 'draft', subtotal_cents: 9999, tax_cents: 625, total_cents: 10_624 });

    const paid = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'venmo',
      client_event_id: `pay-${job.id}`,
    });
    expect(paid.status).toBe(201);
    expect(paid.body.payment).toMatchObject({
      method: 'venmo',
      amount_cents: 10_624,
      recorded_by_user_id: driver.user_id,
      invoice_id: invoice!.id,
    });
    expect(paid.body.invoice).toMatchObject({ status: 'paid' });
    expect(paid.body.invoice.paid_at).toBeTruthy();

    const replay = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'venmo',
      client_event_id: `pay-${job.id}`,
    });
    expect(replay.status).toBe(200);
    expect(replay.body.payment.id).toBe(paid.body.payment.id);
    await expectError(await pay(job.id, driver.token, { method: 'cash' }), 409, 'already_paid');
    const count = await rows(sql`SELECT count(*)::int AS n FROM payments WHERE job_id = ${job.id}`);
    expect(count[0]!.n).toBe(1);
    const notice = await rows(
      sql`SELECT kind FROM notification_log WHERE job_id = ${job.id} AND kind IN ('job_completed', 'payment_received') ORDER BY created_at`,
    );
    // The completion notice goes by SMS only to customers who take SMS (the invoice email
    // covers email: notify/intents.ts); this customer prefers email.
    expect(notice.map((n) => n.kind)).toEqual(['payment_received']);
    await expect(rows(sql`DELETE FROM payments WHERE job_id = ${job.id}`)).rejects.toThrow();
  });

  it('takes partial payments until covered, and refuses payment before completion or on a stranger’s job', async () => {
    const [{ driver, job }, other] = await Promise.all([jobAt('in_progress'), newDriver({ status: 'offline' })]);
    await expectError(await pay(job.id, driver.token, { method: 'cash' }), 409, 'job_not_completed');
    await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'completed' });
    await expectError(await pay(job.id, other.token, { method: 'cash' }), 404, 'not_found');
    await expectError(await pay(job.id, driver.token, { method: 'bitcoin' }), 400, 'validation_failed');
    await expectError(await pay(job.id, driver.token, { method: 'cash', amount_cents: 0 }), 400, 'validation_failed');
    const first = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'cash',
      amount_cents: 5000,
    });
    expect(first.body.invoice.status).toBe('draft');
    const second = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'card' });
    expect(second.body.payment.amount_cents).toBe(3500);
    expect(second.body.invoice.status).toBe('paid');
  });

  it('refuses an amount above the balance due with 422, before or after a partial payment, and records nothing', async () => {
    const { driver, job } = await jobAt('completed');
    const payCash = (amount_cents: number) => pay(job.id, driver.token, { method: 'cash', amount_cents });
    const huge = await expectError(await payCash(10_000_000), 422, 'amount_exceeds_balance');
    expect(huge.error.details).toEqual({ balance_due_cents: 8500 });
    expect(huge.error.message).toContain('$85.00');
    await expectError(await payCash(8501), 422, 'amount_exceeds_balance');
    expect((await payCash(6000)).status).toBe(201);
    const after = await expectError(await payCash(2501), 422, 'amount_exceeds_balance');
    expect(after.error.details).toEqual({ balance_due_cents: 2500 });
    const recorded = await rows(sql`SELECT amount_cents FROM payments WHERE job_id = ${job.id}`);
    expect(recorded.map((r) => r.amount_cents)).toEqual([6000]);
    // Still owed: draft, or sent once the invoice queue has mailed it; never paid.
    const [invoice] = await rows(sql`SELECT status FROM invoices WHERE job_id = ${job.id}`);
    expect(['draft', 'sent']).toContain(invoice!.status);
    const thanks = await rows(
      sql`SELECT body FROM notification_log WHERE job_id = ${job.id} AND kind = 'payment_received' ORDER BY created_at`,
    );
    expect(thanks.map((n) => n.body)).toEqual([expect.stringContaining('$60.00')]);
    expect((await payCash(2500)).status).toBe(201);
  });

  it('lets a driver take back a mis-tapped payment: a reversal row, money asked for again, no receipt sent', async () => {
    const { customer, driver, job } = await jobAt('completed');
    const tapped = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'cash' });
    expect(tapped.body.invoice.status).toBe('paid');
    const paymentId: string = tapped.body.payment.id;
    const receipt = await rows(
      sql`SELECT status, send_after > now() + interval '9 minutes' AS held FROM notification_log WHERE job_id = ${job.id} AND kind = 'payment_received'`,
    );
    expect(receipt.length).toBeGreaterThan(0);
    expect(receipt.every((r) => r.status === 'queued' && r.held)).toBe(true);

    const undone = await call('DELETE', `/api/v1/drivers/me/payments/${paymentId}`, driver.token);
    expect(undone.status).toBe(200);
    expect(undone.body.payment).toMatchObject({ amount_cents: -8500, method: 'cash', reverses_payment_id: paymentId });
    expect(undone.body.invoice).toMatchObject({
      status: 'draft',
      paid_cents: 0,
      balance_due_cents: 8500,
      paid_at: null,
    });
    const again = await call('DELETE', `/api/v1/drivers/me/payments/${paymentId}`, driver.token);
    expect(again.status).toBe(200);
    expect(again.body.payment.id).toBe(undone.body.payment.id);

    const skipped = await rows(
      sql`SELECT status FROM notification_log WHERE job_id = ${job.id} AND kind = 'payment_received'`,
    );
    expect(skipped.map((r) => r.status)).toEqual(skipped.map(() => 'skipped'));
    const detail = await call('GET', `/api/v1/invoices/${undone.body.invoice.id}`, customer.token);
    expect(detail.body.payments).toEqual([]);
    expect(detail.body.invoice).toMatchObject({ status: 'draft', balance_due_cents: 8500 });
    const audit = await rows(
      sql`SELECT actor_user_id FROM audit_log WHERE action = 'invoice.payment_undone' AND entity_id = ${undone.body.invoice.id}`,
    );
    expect(audit).toEqual([{ actor_user_id: driver.user_id }]);

    const right = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'venmo' });
    expect(right.status).toBe(201);
    expect(right.body.invoice).toMatchObject({ status: 'paid', paid_cents: 8500 });
    const ledger = await rows(
      sql`SELECT sum(amount_cents)::int AS net, count(*)::int AS n FROM payments WHERE job_id = ${job.id}`,
    );
    expect(ledger).toEqual([{ net: 8500, n: 3 }]);
  });

  it('refuses an undo by someone else, of a payment too old, or of one already refunded', async () => {
    const token = await admin();
    const [{ customer, driver, job }, other] = await Promise.all([
      jobAt('completed'),
      newDriver({ status: 'offline' }),
    ]);
    const undo = (paymentId: string, who: string) =>
      api(`/api/v1/drivers/me/payments/${paymentId}`, { method: 'DELETE', token: who });
    const part = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'cash',
      amount_cents: 3000,
    });
    const paymentId: string = part.body.payment.id;
    await expectError(await undo(paymentId, other.token), 404, 'not_found');
    await expectError(await undo(paymentId, customer.token), 403, 'forbidden');
    await expectError(await undo(paymentId, token), 403, 'forbidden');
    await expectError(await undo('00000000-0000-4000-8000-000000000000', driver.token), 404, 'not_found');
    await expectError(await undo('not-a-payment', driver.token), 404, 'not_found');

    const [old] = await rows(sql`
      INSERT INTO payments (job_id, invoice_id, method, amount_cents, recorded_by_user_id, recorded_at)
      VALUES (${job.id}, ${part.body.invoice.id}, 'card', 1000, ${driver.user_id}, now() - interval '11 minutes')
      RETURNING id`);
    await expectError(await undo(old!.id as string, driver.token), 409, 'undo_too_late');

    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'card' });
    await call('POST', `/api/v1/invoices/${part.body.invoice.id}/refund`, token, { amount_cents: 500 });
    await expectError(await undo(paymentId, driver.token), 409, 'invoice_closed');
    const reversals = await rows(
      sql`SELECT count(*)::int AS n FROM payments WHERE job_id = ${job.id} AND reverses_payment_id IS NOT NULL`,
    );
    expect(reversals[0]!.n).toBe(0);
  });

  it('refuses a re-price once the invoice is paid', async () => {
    const { driver, job } = await jobAt('completed');
    await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 9000 });
    const [draft] = await rows(sql`SELECT total_cents FROM invoices WHERE job_id = ${job.id}`);
    expect(draft!.total_cents).toBe(9000);
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'cash' });
    await expectError(await reprice(job.id, await admin(), { new_price_cents: 1000 }), 409, 'invoice_closed');
  });
});

describe('GET/POST /api/v1/invoices', () => {
  async function paidJob() {
    const { customer, driver, job } = await jobAt('completed');
    return { customer, driver, job };
  }

  it('lists invoices for admins, filtered by status and customer, with payments on the detail', async () => {
    const token = await admin();
    const { customer, driver, job } = await paidJob();
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'cash' });
    const list = await call('GET', `/api/v1/invoices?customer_id=${customer.profile_id}&status=paid`, token);
    expect(list.status).toBe(200);
    expect(list.body.invoices).toEqual([
      expect.objectContaining({
        job_id: job.id,
        status: 'paid',
        total_cents: 8500,
        customer_name: customer.full_name,
        job_address: job.job_address,
      }),
    ]);
    const detail = await call('GET', `/api/v1/invoices/${list.body.invoices[0].id}`, customer.token);
    expect(detail.body.payments).toEqual([expect.objectContaining({ method: 'cash', amount_cents: 8500 })]);
    const mine = await call('GET', '/api/v1/customers/me/invoices', customer.token);
    expect(mine.body.invoices).toEqual([
      expect.objectContaining({ id: list.body.invoices[0].id, job_address: job.job_address }),
    ]);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/invoices?status=lost', token);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/invoices', customer.token);
  });

  it('shows a customer only their own invoice (404 otherwise)', async () => {
    const { job } = await paidJob();
    const stranger = await newCustomer();
    const [invoice] = await rows(sql`SELECT id FROM invoices WHERE job_id = ${job.id}`);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/invoices/${invoice!.id}`, stranger.token);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/invoices/${crypto.randomUUID()}`, await admin());
  });

  it('voids an unpaid invoice (audited) and refuses to void a paid one', async () => {
    const token = await admin();
    const { driver, job } = await paidJob();
    const [invoice] = await rows(sql`SELECT id FROM invoices WHERE job_id = ${job.id}`);
    const voidPath = `/api/v1/invoices/${invoice!.id}/void`;
    const voided = await call('POST', voidPath, token, { reason: 'Goodwill' });
    expect(voided.body.invoice).toMatchObject({ status: 'void', notes: 'Goodwill' });
    const again = await expectRefusal(409, 'invalid_invoice_state', 'POST', voidPath, token, {});
    expect(again.error.details).toMatchObject({ status: 'void', allowed_from: ['draft', 'sent'] });
    const audit = await rows(
      sql`SELECT after->>'status' AS status FROM audit_log WHERE action = 'invoice.void' AND entity_id = ${invoice!.id}`,
    );
    expect(audit).toEqual([{ status: 'void' }]);

    const second = await paidJob();
    await call('POST', `/api/v1/drivers/me/jobs/${second.job.id}/payment`, second.driver.token, { method: 'cash' });
    const [paid] = await rows(sql`SELECT id FROM invoices WHERE job_id = ${second.job.id}`);
    await expectRefusal(409, 'invalid_invoice_state', 'POST', `/api/v1/invoices/${paid!.id}/void`, token);
    expect(driver.token).toBeTruthy();
  });

  it('records refunds of a paid invoice up to what was paid: partly refunded, then refunded', async () => {
    const token = await admin();
    const { customer, driver, job } = await paidJob();
    const [invoice] = await rows(sql`SELECT id FROM invoices WHERE job_id = ${job.id}`);
    const refund = `/api/v1/invoices/${invoice!.id}/refund`;
    await expectRefusal(409, 'invalid_invoice_state', 'POST', refund, token, { amount_cents: 100 });
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'card' });
    const part = await call('POST', refund, token, { amount_cents: 2000, reason: 'Missed the walkway' });
    expect(part.body.invoice).toMatchObject({
      status: 'partially_refunded',
      refund_cents: 2000,
      paid_cents: 8500,
      balance_due_cents: 0,
    });
    const tooMuch = await expectRefusal(422, 'refund_too_large', 'POST', refund, token, { amount_cents: 6501 });
    expect(tooMuch.error.details).toEqual({ refundable_cents: 6500 });
    const rest = await call('POST', refund, token, { amount_cents: 6500 });
    expect(rest.body.invoice).toMatchObject({ status: 'refunded', refund_cents: 8500, balance_due_cents: 0 });
    await expectRefusal(400, 'validation_failed', 'POST', refund, token, { amount_cents: 0 });
    await expectRefusal(403, 'forbidden', 'POST', refund, customer.token, { amount_cents: 1 });
    const notes = await rows(
      sql`SELECT count(*)::int AS n FROM notification_log WHERE job_id = ${job.id} AND kind = 'refund_recorded'`,
    );
    expect(notes[0]!.n).toBe(2);
  });
});
