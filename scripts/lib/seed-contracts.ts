import type pg from 'pg';
import type { ContractKind } from '../../contract/enums';
import { installmentSchedule, type InchBand } from '../../contract/storm-rules';

/**
 * Demo contract customers for storm operations: ~40 properties around the demo base in
 * Concord, NH (all within ~7 miles, inside the 10-mile radius), with mixed contract kinds,
 * trigger depths and deadlines — commercial lots to open by 06:00, driveways within a few
 * hours — so a newcomer can declare a storm in the admin portal and watch the jobs appear.
 * Everything is derived from fixed numbers: the same data on every machine.
 */

/** Contract customers' accounts: `contract01@demo.test` … with the demo password. */
export const CONTRACT_CUSTOMERS = [
  ['Capital Plaza LLC', 'commercial', 5],
  ['Merrimack Medical Group', 'commercial', 4],
  ['Granite Church of Concord', 'commercial', 2],
  ['Eagle Square Shops', 'commercial', 3],
  ['Heights Self Storage', 'commercial', 2],
  ['Alice Brightwater', 'residential', 3],
  ['Ben Thornbury', 'residential', 3],
  ['Chloe Marchetti', 'residential', 4],
  ['Dev Raman', 'residential', 3],
  ['Ella Fitzgerald-Hale', 'residential', 3],
  ['Gus Pelletier', 'residential', 4],
  ['Hana Okafor', 'residential', 4],
] as const;

const STREETS = [
  'Loudon Rd',
  'Fisherville Rd',
  'Manchester St',
  'Storrs St',
  'Hall St',
  'Airport Rd',
  'Sheep Davis Rd',
  'Clinton St',
  'South St',
  'West St',
  'Centre St',
  'Washington St',
  'Rumford St',
  'Auburn St',
  'Penacook St',
  'Bog Rd',
  'Hutchins St',
  'Shaker Rd',
  'Mountain Rd',
  'Oak Hill Rd',
  'Portsmouth St',
  'Eastman St',
  'Village St',
  'Borough Rd',
];

const BANDS: InchBand[][] = [
  [
    { from_in: 1, to_in: 4, price_cents: 9500 },
    { from_in: 4, to_in: 8, price_cents: 14500 },
    { from_in: 8, to_in: null, price_cents: 21000 },
  ],
  [
    { from_in: 2, to_in: 6, price_cents: 6500 },
    { from_in: 6, to_in: 12, price_cents: 9500 },
    { from_in: 12, to_in: null, price_cents: 13500 },
  ],
];

/** The winter in progress (or coming): October 1 to April 30. */
export function demoSeason(now: Date): { start: string; end: string } {
  const year = now.getUTCMonth() >= 6 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
  return { start: `${year}-10-01`, end: `${year + 1}-04-30` };
}

interface DemoTerms {
  kind: ContractKind;
  trigger: number;
  per_push: number | null;
  bands: InchBand[] | null;
  seasonal: number | null;
  installments: number | null;
  sla: { kind: 'open_by'; at: string } | { kind: 'within_hours'; hours: number };
  notes: string;
}

/** The n-th property's terms: lots open by 06:00 (07:00 for a church), driveways within hours. */
function termsFor(n: number, commercial: boolean): DemoTerms {
  if (commercial) {
    const kind: ContractKind = n % 3 === 0 ? 'seasonal' : 'per_inch';
    return {
      kind,
      trigger: n % 2 === 0 ? 1 : 2,
      per_push: null,
      bands: kind === 'per_inch' ? BANDS[0]! : null,
      seasonal: kind === 'seasonal' ? 4800_00 + (n % 4) * 600_00 : null,
      installments: kind === 'seasonal' ? 6 : null,
      sla: { kind: 'open_by', at: n % 5 === 4 ? '07:00' : '06:00' },
      notes: [
        'Push snow to the back row; keep the fire lane clear.',
        'Salt the entrance ramps. Dumpster area last.',
        'Pile snow by the north fence, never against the building.',
        'Loading dock must be open first.',
      ][n % 4]!,
    };
  }
  const kind: ContractKind = (['per_push', 'per_push', 'per_inch', 'seasonal'] as const)[n % 4]!;
  return {
    kind,
    trigger: [2, 3, 4, 6][n % 4]!,
    per_push: kind === 'per_push' ? 5500 + (n % 3) * 1000 : null,
    bands: kind === 'per_inch' ? BANDS[1]! : null,
    seasonal: kind === 'seasonal' ? 650_00 : null,
    installments: kind === 'seasonal' ? 3 : null,
    sla: { kind: 'within_hours', hours: [4, 6, 8][n % 3]! },
    notes: [
      'Gate code 2468. Pile snow left of the garage.',
      'Watch the stone wall along the drive.',
      'Clear the path to the side door too.',
      'Car may be parked out front; plow around it.',
    ][n % 4]!,
  };
}

/**
 * Inserts the contract customers, their properties and contracts (and seasonal schedules)
 * inside the seed's transaction. Most contracts are accepted; a few wait for the customer's
 * acceptance and two are paused, so a storm shows who is and is not plowed.
 */
export async function seedContracts(
  client: pg.Client,
  passwordHash: string,
  base: { lat: number; lng: number },
  now = new Date(),
): Promise<{ properties: number }> {
  const season = demoSeason(now);
  let n = 0;
  for (const [i, [name, type, count]] of CONTRACT_CUSTOMERS.entries()) {
    const email = `contract${String(i + 1).padStart(2, '0')}@demo.test`;
    const { rows } = await client.query(
      `INSERT INTO users (email, role, full_name, phone, password_hash, email_verified_at, phone_verified_at)
       VALUES ($1, 'customer', $2, $3, $4, now(), now()) RETURNING id`,
      [email, name, `+1603555${String(200 + i).padStart(4, '0')}`, passwordHash],
    );
    const profile = await client.query(
      `INSERT INTO customer_profiles (user_id, preferred_contact) VALUES ($1, 'email') RETURNING id`,
      [rows[0].id],
    );
    const customerId = profile.rows[0].id as string;
    for (let p = 0; p < count; p++, n++) {
      // A spiral around the base: 0.8 to ~7 miles out.
      const angle = n * 2.399963;
      const radius = 0.012 + (n % 10) * 0.0095;
      const lat = base.lat + radius * Math.sin(angle);
      const lng = base.lng + (radius * Math.cos(angle)) / Math.cos((base.lat * Math.PI) / 180);
      const street = STREETS[n % STREETS.length]!;
      const number = 10 + ((n * 37) % 480);
      const commercial = type === 'commercial';
      const loc = await client.query(
        `INSERT INTO service_locations (customer_id, label, address_line1, city, state_province, postal_code, coordinates, is_default)
         VALUES ($1, $2, $3, 'Concord', 'NH', '03301', ST_SetSRID(ST_MakePoint($4, $5), 4326)::geography, $6) RETURNING id`,
        [
          customerId,
          commercial ? `Lot ${p + 1}` : p === 0 ? 'Home' : `Property ${p + 1}`,
          `${number} ${street}`,
          lng,
          lat,
          p === 0,
        ],
      );
      const terms = termsFor(n, commercial);
      const accepted = n % 9 !== 4;
      const paused = n % 17 === 16;
      const contract = await client.query(
        `INSERT INTO service_contracts (customer_id, location_id, kind, status, service_type, trigger_depth_in,
           per_push_price_cents, per_inch_bands, seasonal_price_cents, installment_count, sla_kind, sla_open_by,
           sla_within_hours, season_start, season_end, driver_notes, accepted_at, accepted_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
           CASE WHEN $17::boolean THEN now() - interval '20 days' END, CASE WHEN $17::boolean THEN $18::uuid END)
         RETURNING id`,
        [
          customerId,
          loc.rows[0].id,
          terms.kind,
          paused ? 'paused' : 'active',
          type,
          terms.trigger,
          terms.per_push,
          terms.bands === null ? null : JSON.stringify(terms.bands),
          terms.seasonal,
          terms.installments,
          terms.sla.kind,
          terms.sla.kind === 'open_by' ? terms.sla.at : null,
          terms.sla.kind === 'within_hours' ? terms.sla.hours : null,
          season.start,
          season.end,
          terms.notes,
          accepted,
          rows[0].id,
        ],
      );
      if (terms.kind === 'seasonal' && terms.seasonal !== null && terms.installments !== null) {
        for (const inst of installmentSchedule(terms.seasonal, terms.installments, season.start)) {
          await client.query(
            'INSERT INTO contract_installments (contract_id, seq, due_on, amount_cents) VALUES ($1, $2, $3, $4)',
            [contract.rows[0].id, inst.seq, inst.due_on, inst.amount_cents],
          );
        }
      }
    }
  }
  return { properties: n };
}
