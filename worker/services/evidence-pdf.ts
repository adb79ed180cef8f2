import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatMoney } from '../../contract/money';
import { drawRule, INK, MUTED, RULE, winAnsi } from '../invoices/pdf';
import type { EvidencePack, StormEvidence } from './evidence';

/**
 * The evidence pack as a PDF for a claims adjuster or a court: the same content as the
 * JSON pack, drawn with pdf-lib like the invoice, and the pack's SHA-256 printed on every
 * page so the paper can be matched to the JSON. No I/O here.
 */

const PAGE = { width: 612, height: 792, margin: 48 };
const ACCENT = rgb(0.11, 0.39, 0.78);
const HOME = rgb(0.8, 0.16, 0.16);
/** The GPS plot's side, in points. */
const TRACK_SIZE = 220;

type TextOpts = { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; x?: number };

/** Writes lines top to bottom, starting a new page (with the hash in its footer) when full. */
class PackWriter {
  page!: PDFPage;
  y = 0;
  pages = 0;
  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    readonly footer: string,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages += 1;
    this.y = PAGE.height - PAGE.margin;
    this.page.drawText(winAnsi(this.footer), {
      x: PAGE.margin,
      y: PAGE.margin - 20,
      size: 7,
      font: this.regular,
      color: MUTED,
    });
  }

  ensure(height: number): void {
    if (this.y - height < PAGE.margin) this.newPage();
  }

  /** One line, cut into several when wider than the page. */
  line(s: string, opts: TextOpts = {}): void {
    const font = opts.bold ? this.bold : this.regular;
    const size = opts.size ?? 9;
    const x = opts.x ?? PAGE.margin;
    const width = PAGE.width - PAGE.margin - x;
    for (const part of wrap(winAnsi(s), font, size, width)) {
      this.ensure(size + 4);
      this.page.drawText(part, { x, y: this.y, size, font, color: opts.color ?? INK });
      this.y -= size + 4;
    }
  }

  heading(s: string): void {
    this.ensure(40);
    this.y -= 8;
    this.line(s.toUpperCase(), { bold: true, size: 9, color: MUTED });
    drawRule(this.page, this.y + 9, PAGE.margin);
    this.y -= 2;
  }
}

function wrap(s: string, font: PDFFont, size: number, width: number): string[] {
  if (font.widthOfTextAtSize(s, size) <= width) return [s];
  const out: string[] = [];
  let rest = s;
  while (rest.length > 0 && font.widthOfTextAtSize(rest, size) > width) {
    let cut = rest.length;
    while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
    const space = rest.lastIndexOf(' ', cut);
    if (space > cut / 2) cut = space;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

const orDash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));
const fix = (lat: number | null, lng: number | null) =>
  lat === null || lng === null ? '-' : `${lat.toFixed(6)}, ${lng.toFixed(6)}`;

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/**
 * The GPS fixes near the property as a plain plot: north up, east right, one scale for
 * both axes (metres), the property a red square, the fixes blue dots joined in time order.
 */
function drawTrack(w: PackWriter, pack: EvidencePack): void {
  const fixes = pack.gps_track.fixes;
  const home = { lat: pack.job.lat, lng: pack.job.lng };
  const size = TRACK_SIZE;
  w.ensure(size + 30);
  const left = PAGE.margin;
  const bottom = w.y - size;
  w.page.drawRectangle({ x: left, y: bottom, width: size, height: size, borderColor: RULE, borderWidth: 0.75 });
  const mPerLat = 111_195;
  const mPerLng = mPerLat * Math.cos((home.lat * Math.PI) / 180);
  const pts = fixes.map((f) => ({ x: (f.lng - home.lng) * mPerLng, y: (f.lat - home.lat) * mPerLat }));
  const reach = Math.max(25, ...pts.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))));
  const scale = (size / 2 - 10) / reach;
  const cx = left + size / 2;
  const cy = bottom + size / 2;
  const at = (p: { x: number; y: number }) => ({ x: cx + p.x * scale, y: cy + p.y * scale });
  for (let i = 1; i < pts.length; i++)
    w.page.drawLine({ start: at(pts[i - 1]!), end: at(pts[i]!), thickness: 0.5, color: ACCENT, opacity: 0.6 });
  for (const p of pts) w.page.drawCircle({ ...at(p), size: 1.8, color: ACCENT });
  w.page.drawRectangle({ x: cx - 3, y: cy - 3, width: 6, height: 6, color: HOME });
  const labelX = left + size + 14;
  const label = (s: string, dy: number) =>
    w.page.drawText(winAnsi(s), { x: labelX, y: w.y - dy, size: 8, font: w.regular, color: MUTED });
  label('North is up, east is right.', 8);
  label(`Each side: ${Math.round(2 * reach)} m. Centre (red): the property`, 20);
  label(`${home.lat.toFixed(6)}, ${home.lng.toFixed(6)}.`, 31);
  label(`${fixes.length} GPS fixes within ${pack.gps_track.within_m} m (blue, in time order).`, 43);
  if (fixes.length > 0) {
    label(`First fix: ${fixes[0]!.recorded_at}`, 55);
    label(`Last fix: ${fixes.at(-1)!.recorded_at}`, 67);
  }
  w.y = bottom - 12;
}

/**
 * A new PDF and its writer, titled, with the hash on every page's footer. Fixed dates keep
 * the file itself the same for the same pack.
 */
async function packDocument(title: string, hashLabel: string, sha256: string, stamp: Date) {
  const doc = await PDFDocument.create();
  doc.setTitle(winAnsi(title));
  doc.setCreator('PlowDispatch');
  doc.setSubject(`${hashLabel} ${sha256}`);
  doc.setCreationDate(stamp);
  doc.setModificationDate(stamp);
  const w = new PackWriter(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
    `${hashLabel}: ${sha256}`,
  );
  return { doc, w };
}

/** Renders a job's evidence pack (with its SHA-256) as a Letter PDF of one or more pages. */
export async function renderEvidencePdf(pack: EvidencePack, sha256: string): Promise<Uint8Array> {
  const { doc, w } = await packDocument(
    `Proof of service - ${pack.job.address}`,
    'Evidence pack SHA-256',
    sha256,
    new Date(pack.job.completed_at ?? pack.job.requested_at ?? 0),
  );
  const j = pack.job;

  w.line('Proof of service', { size: 20, bold: true });
  w.y -= 4;
  w.line(j.address, { size: 12, bold: true });
  w.line(`Job ${j.id} - status: ${j.status}`, { color: MUTED });
  w.y -= 4;
  w.line(`SHA-256 of the evidence pack: ${sha256}`, { bold: true, size: 8 });
  w.line('The same pack as JSON: GET /api/v1/jobs/{id}/evidence. Its sha256 is computed over the pack', {
    size: 7,
    color: MUTED,
  });
  w.line('serialised as JSON with object keys sorted and no whitespace.', { size: 7, color: MUTED });

  w.heading('Property and service');
  w.line(`Address: ${j.address}`);
  w.line(`Point: ${fix(j.lat, j.lng)}`);
  w.line(`Customer: ${orDash(j.customer)}`);
  w.line(
    `Driver: ${j.driver ? `${j.driver.name}${j.driver.vehicle ? `, ${j.driver.vehicle}` : ''}${j.driver.license_plate ? ` (${j.driver.license_plate})` : ''}` : '-'}`,
  );
  w.line(`Service: ${j.service_type}${j.tier ? `, ${j.tier}` : ''}`);
  if (j.special_instructions) w.line(`Instructions: ${j.special_instructions}`);
  w.line(
    `Requested: ${orDash(j.requested_at)}   Scheduled: ${orDash(j.scheduled_for)}   Deadline: ${orDash(j.deadline_at)}`,
  );
  w.line(`Completed: ${orDash(j.completed_at)}`);
  if (j.completion_notes) w.line(`Driver's notes: ${j.completion_notes}`);
  if (j.price_cents !== null) w.line(`Price: ${formatMoney(j.price_cents, { exact: true })}`);

  const ct = pack.contract;
  if (ct) {
    w.heading('Contract terms');
    w.line(`Contract ${ct.id}: ${ct.kind}, ${ct.service_type}, season ${ct.season_start} to ${ct.season_end}`);
    w.line(`Trigger depth: ${orDash(ct.trigger_depth_in)} in`);
    w.line(
      `Promise: ${ct.sla_kind === 'open_by' ? `open by ${orDash(ct.sla_open_by)}` : `within ${orDash(ct.sla_within_hours)} hours of snowfall end`}`,
    );
    if (ct.per_push_price_cents !== null) w.line(`Per push: ${formatMoney(ct.per_push_price_cents, { exact: true })}`);
    if (ct.seasonal_price_cents !== null) w.line(`Seasonal: ${formatMoney(ct.seasonal_price_cents, { exact: true })}`);
    if (ct.per_inch_bands) w.line(`Per-inch bands: ${JSON.stringify(ct.per_inch_bands)}`);
    if (ct.driver_notes) w.line(`Notes for drivers: ${ct.driver_notes}`);
    w.line(`Accepted: ${orDash(ct.accepted_at)}`);
  }

  w.heading('Status history (device time as the phone recorded it, server time as received)');
  for (const st of pack.statuses) {
    w.line(
      `${st.previous_status ?? 'new'} -> ${st.new_status}   by ${st.changed_by}${st.changed_by_role ? ` (${st.changed_by_role})` : ''}`,
      {
        bold: true,
      },
    );
    w.line(`device ${orDash(st.device_time)}   server ${orDash(st.server_time)}   at ${fix(st.lat, st.lng)}`, {
      x: PAGE.margin + 12,
      color: MUTED,
    });
    if (st.notes) w.line(`"${st.notes}"`, { x: PAGE.margin + 12, color: MUTED });
  }

  const ts = pack.time_on_site;
  w.heading('Time on site (from GPS)');
  w.line(`Geofence radius: ${ts.radius_m} m, ${ts.fixes} fixes in the job's log`);
  w.line(`Arrived (GPS): ${orDash(ts.arrived_at)}   Left (GPS): ${orDash(ts.departed_at)}`);
  w.line(`On site: ${duration(ts.seconds_on_site)} (${ts.seconds_on_site} s)`);
  w.line(`Driver's taps: arrived ${orDash(ts.taps.arrived_at)}, finished ${orDash(ts.taps.completed_at)}`);

  w.ensure(TRACK_SIZE + 60); // the heading stays with its plot
  w.heading('GPS track near the property');
  drawTrack(w, pack);

  w.heading(`Photos (${pack.photos.length})`);
  if (pack.photos.length === 0) w.line('No photos were taken.', { color: MUTED });
  pack.photos.forEach((p, i) => {
    w.line(
      `${i + 1}. ${p.kind === 'before' ? 'Before' : 'After'}   taken ${orDash(p.device_time)}   received ${orDash(p.server_time)}`,
      {
        bold: true,
      },
    );
    w.line(`at ${fix(p.lat, p.lng)}${p.accuracy_m !== null ? ` (+/- ${p.accuracy_m} m)` : ''}`, {
      x: PAGE.margin + 12,
      color: MUTED,
    });
    w.line(p.url ?? '-', { x: PAGE.margin + 12, size: 7, color: MUTED });
  });

  if (pack.disputes.length > 0) {
    w.heading('Disputes');
    for (const d of pack.disputes) {
      w.line(`Opened ${orDash(d.opened_at)}: ${d.reason}`);
      if (d.outcome)
        w.line(
          `Settled ${orDash(d.resolved_at)}: ${d.outcome}${d.resolution_notes ? ` - ${d.resolution_notes}` : ''}`,
          {
            x: PAGE.margin + 12,
            color: MUTED,
          },
        );
    }
  }
  return doc.save();
}

/** A storm's evidence: each job's pack hash and summary, and the hash over them all. */
export async function renderStormEvidencePdf(evidence: StormEvidence): Promise<Uint8Array> {
  const { pack, sha256 } = evidence;
  const { doc, w } = await packDocument(
    `Storm evidence - ${pack.storm.name}`,
    'Storm evidence SHA-256',
    sha256,
    new Date(pack.storm.started_at),
  );
  w.line(`Storm evidence: ${pack.storm.name}`, { size: 18, bold: true });
  w.line(`Started ${pack.storm.started_at}, ${pack.storm.depth_in} in. ${pack.jobs.length} jobs.`, { color: MUTED });
  w.line(`SHA-256 of the storm pack: ${sha256}`, { bold: true, size: 8 });
  w.line("Each job line carries the SHA-256 of that job's own evidence pack (GET /api/v1/jobs/{id}/evidence).", {
    size: 7,
    color: MUTED,
  });
  w.heading('Jobs');
  for (const job of pack.jobs) {
    w.line(`${job.address} - ${job.status}${job.customer ? ` - ${job.customer}` : ''}`, { bold: true });
    w.line(
      `driver ${orDash(job.driver)}, completed ${orDash(job.completed_at)}, on site ${duration(job.seconds_on_site)}, photos ${job.before_photos} before / ${job.after_photos} after`,
      { x: PAGE.margin + 12, color: MUTED },
    );
    w.line(`job ${job.job_id}  pack SHA-256 ${job.sha256}`, { x: PAGE.margin + 12, size: 7, color: MUTED });
  }
  return doc.save();
}

/** An evidence PDF as the API serves it: inline, never cached, its pack's hash in a header. */
export function evidencePdfResponse(pdf: Uint8Array, filename: string, sha256: string): Response {
  return new Response(pdf, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${filename}"`,
      'cache-control': 'private, no-store',
      'x-evidence-sha256': sha256,
    },
  });
}
