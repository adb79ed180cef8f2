import type { InvoiceView } from '../../worker/invoices/pdf';

/**
 * A realistic invoice for rendering checks: a 2-car driveway quoted at $85.00, raised on
 * site to $95.00 and then to $105.00, NH-style 6.25 % tax, one partial payment.
 */
export function sampleInvoice(): InvoiceView {
  return {
    invoice: {
      id: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
      number: 'INV-3F2B8C1E',
      status: 'sent',
      issued_at: new Date('2026-12-03T15:10:00Z'),
      due_at: new Date('2026-12-17T15:10:00Z'),
      subtotal_cents: 10500,
      tax_cents: 656,
      total_cents: 11156,
      tax_rate_bps: 625,
      paid_cents: 5000,
      refund_cents: 0,
      balance_due_cents: 6156,
    },
    business: {
      name: 'Granite State Plowing',
      address: '107 N Main St, Concord, NH 03301',
      timezone: 'America/New_York',
    },
    customer: { name: 'Carol Customer', email: 'customer1@demo.test', phone: '+16035550111' },
    job: {
      id: '9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a',
      address: '12 Pleasant St, Concord, NH 03301',
      tier_label: '2-Car Driveway',
      quoted_price_cents: 8500,
      final_price_cents: 10500,
      discount_cents: 0,
      requested_at: new Date('2026-12-03T11:02:00Z'),
      completed_at: new Date('2026-12-03T14:47:00Z'),
    },
    driver: {
      name: 'Dave Plowman',
      paypal_link: 'https://paypal.me/demodriver1',
      venmo_link: 'https://venmo.com/demo-driver1',
    },
    price_changes: [
      {
        old_price_cents: 8500,
        new_price_cents: 9500,
        changed_at: new Date('2026-12-03T14:20:00Z'),
        changed_by: 'Dave Plowman',
      },
      {
        old_price_cents: 9500,
        new_price_cents: 10500,
        changed_at: new Date('2026-12-03T14:41:00Z'),
        changed_by: 'Dave Plowman',
      },
    ],
    payments: [{ method: 'venmo', amount_cents: 5000, recorded_at: new Date('2026-12-03T14:50:00Z') }],
  };
}
