import { type FormEvent, useEffect, useId, useState } from 'react';
import { freshnessOf } from '../../../contract/freshness';
import { ApiError } from '../lib/api';
import { distanceMeters } from '../lib/geo';
import type { AdminTier, AuditEntry, BoardCard, NotificationRow } from '../../../contract/responses';
import { formatDateTime, formatMoney, secondsSince } from '../lib/format';
import { useNow, useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { MapView } from '../map/MapView';
import type { MapMarker } from '../map/types';
import { DataTable, type DataTableProps, TableHead } from '../ui/DataTable';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
import { draftFields, Field, PHONE_INPUT } from '../ui/Field';
import { StatusTag } from '../ui/StatusTag';
import {
  activateUser,
  assignJob,
  auditLog,
  invite,
  jobsReport,
  listCustomers,
  loadBoard,
  notificationsOutbox,
  revenueReport,
  suspendUser,
} from './admin-api';
import { useAdmin } from './AdminData';
import { BarChart } from './Charts';
import { strings } from './strings';
import { TERMINAL_JOB } from '../../../contract/job-status';
import { FIELD_MAX } from '../../../contract/field-messages';
import { firstName } from '../../../contract/names';

/** The admin's smaller screens: live map, drivers, customers, reports, audit log, outbox. */

const FALLBACK_CENTER = { lat: 43.2081, lng: -71.5376 };
const METERS_PER_MILE = 1609.344;

export function LiveMapPage() {
  const m = strings.map;
  const admin = useAdmin();
  const now = useNow(5000);
  const board = useResource((signal) => loadBoard(signal), `map:${admin.jobsVersion}`);
  const [selected, setSelected] = useState<string | null>(null);
  const open = (board.data ?? []).filter((c) => !TERMINAL_JOB.includes(c.status)).flatMap((c) => c.cards);
  const area = admin.serviceArea;
  const center = area ? { lat: area.lat, lng: area.lng } : (open[0] ?? FALLBACK_CENTER);
  const drivers = (admin.drivers ?? []).map((d) => {
    const live = admin.live[d.id];
    const pos =
      live ?? (d.lat !== null && d.lng !== null ? { lat: d.lat, lng: d.lng, ts: d.location_updated_at ?? '' } : null);
    const age = pos?.ts ? secondsSince(pos.ts, now) : null;
    const freshness = freshnessOf(age);
    // A driver out of touch is not "Available", whatever their last word was.
    const status = d.status !== 'offline' && freshness === 'lost' ? m.outOfTouch : strings.driverStatus[d.status];
    const free = d.status === 'available' && freshness !== 'lost';
    return { d, pos, age, freshness, status, free };
  });
  const job = selected?.startsWith('job-') ? open.find((c) => `job-${c.id}` === selected) : undefined;
  // Nearest free driver first, for the job picked on the map.
  const candidates = job
    ? drivers
        .filter((x) => x.free && x.pos)
        .map((x) => ({ ...x, meters: distanceMeters(x.pos!, job) }))
        .sort((a, b) => a.meters - b.meters)
    : [];
  const assign = async (card: BoardCard, driverId: string, name: string) => {
    try {
      await assignJob(card.id, driverId, card.version);
      toast.show({ kind: 'ok', message: strings.board.assigned(card.job_address, name) });
      setSelected(`driver-${driverId}`);
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      admin.bumpJobs();
    }
  };
  const markers: MapMarker[] = [
    ...(area ? [{ id: 'base', kind: 'base' as const, lat: area.lat, lng: area.lng, label: m.base }] : []),
    ...open.map((c) => ({
      id: `job-${c.id}`,
      kind: 'job' as const,
      lat: c.lat,
      lng: c.lng,
      label: `${c.job_address} (${strings.jobStatus[c.status]})`,
      tag: strings.jobStatus[c.status],
    })),
    ...drivers.flatMap(({ d, pos, freshness, status }) =>
      pos
        ? [
            {
              id: `driver-${d.id}`,
              kind: 'driver' as const,
              lat: pos.lat,
              lng: pos.lng,
              label: `${d.full_name} (${status}, ${m.freshness[freshness]})`,
              tag:
                freshness === 'live' ? firstName(d.full_name) : `${firstName(d.full_name)} · ${m.freshness[freshness]}`,
            },
          ]
        : [],
    ),
  ];
  const pick = (id: string) => setSelected((now) => (now === id ? null : id));
  return (
    <section aria-labelledby="map-title">
      <h1 id="map-title">{m.title}</h1>
      {!area && <p className="hint">{m.noArea}</p>}
      <div className="map-page">
        <MapView
          className="map-page__map"
          label={m.label(drivers.filter((x) => x.pos).length, open.length)}
          center={center}
          markers={markers}
          selectedId={selected}
          onSelect={pick}
          circle={
            area
              ? { center: { lat: area.lat, lng: area.lng }, radiusMeters: area.radius_miles * METERS_PER_MILE }
              : null
          }
          distanceLabel={strings.distance}
        />
        <div className="map-page__facts">
          {job && (
            <div className="card map-page__assign" data-testid="map-assign">
              <h2>{m.assignTitle(job.job_address)}</h2>
              {job.status !== 'pending' ? (
                <p className="muted">{m.notPending(strings.jobStatus[job.status])}</p>
              ) : candidates.length === 0 ? (
                <p className="muted">{m.noneFree}</p>
              ) : (
                <ul className="list">
                  {candidates.map((x) => (
                    <li key={x.d.id} className="row" data-driver-id={x.d.id}>
                      <span className="grow">
                        {x.d.full_name} · {strings.distance(x.meters)}
                      </span>
                      <button
                        type="button"
                        className="button button--primary"
                        onClick={() => void assign(job, x.d.id, x.d.full_name)}
                      >
                        {m.assignTo(firstName(x.d.full_name))}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <h2>{m.drivers}</h2>
          <ul className="list">
            {drivers.map(({ d, age, freshness, status }) => (
              <li
                key={d.id}
                data-driver-id={d.id}
                data-freshness={freshness}
                className={selected === `driver-${d.id}` ? 'is-selected' : undefined}
              >
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={selected === `driver-${d.id}`}
                  onClick={() => pick(`driver-${d.id}`)}
                >
                  <strong>{d.full_name}</strong>
                </button>{' '}
                · {status} · <span className={`freshness freshness--${freshness}`}>{m.freshness[freshness]}</span>{' '}
                <span className="muted">{age === null ? m.never : m.seen(strings.ago(age))}</span>
              </li>
            ))}
          </ul>
          <h2>{m.jobs}</h2>
          <ul className="list">
            {open.map((c) => (
              <li key={c.id} data-job-id={c.id} className={selected === `job-${c.id}` ? 'is-selected' : undefined}>
                <StatusTag status={c.status} label={strings.jobStatus[c.status]} icon={strings.statusIcon[c.status]} />{' '}
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={selected === `job-${c.id}`}
                  onClick={() => pick(`job-${c.id}`)}
                >
                  {c.job_address}
                </button>
                {c.driver_name && <span className="muted"> · {c.driver_name}</span>}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </section>
  );
}

export function DriversPage() {
  const s = strings.drivers;
  const admin = useAdmin();
  const id = useId();
  const now = useNow(5000);
  const [form, setForm] = useState({ full_name: '', email: '', phone: '' });
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [suspended, setSuspended] = useState<Record<string, boolean>>({});
  const [fields, setFields] = useState<Record<string, string>>({});
  const field = draftFields(id, form, setForm, fields);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFields({});
    try {
      await invite({
        full_name: form.full_name,
        email: form.email,
        role: 'driver',
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      });
      toast.show({ kind: 'ok', message: s.invited(form.email) });
      setForm({ full_name: '', email: '', phone: '' });
      admin.reloadDrivers();
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fieldErrors());
      toastError(err, strings.errors, strings.unavailable(s.invite));
    } finally {
      setBusy(false);
    }
  };
  const toggle = async (userId: string, name: string, suspend: boolean) => {
    setConfirm(null);
    try {
      await (suspend ? suspendUser(userId) : activateUser(userId));
      setSuspended((m) => ({ ...m, [userId]: suspend }));
      toast.show({ kind: 'ok', message: suspend ? s.suspended(name) : s.activated(name) });
      admin.reloadDrivers();
    } catch (err) {
      toastError(err, strings.errors, strings.unavailable(s.suspend));
    }
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice error={admin.driversError} strings={strings.errors} onRetry={admin.reloadDrivers} />
      <div className="table-wrap card">
        <table className="table">
          <TableHead headers={[s.name, s.status, s.position, s.account]} />
          <tbody>
            {(admin.drivers ?? []).map((d) => {
              const pos = admin.live[d.id]?.ts ?? d.location_updated_at;
              const age = secondsSince(pos, now);
              const isSuspended = suspended[d.user_id] ?? d.is_active === false;
              return (
                <tr key={d.id} data-driver-id={d.id}>
                  <td>
                    {d.full_name}
                    {d.email && <div className="muted">{d.email}</div>}
                  </td>
                  <td>{strings.driverStatus[d.status]}</td>
                  <td className="muted">{age === null ? strings.map.never : strings.map.seen(strings.ago(age))}</td>
                  <td>
                    <span className="muted">{isSuspended ? s.suspendedTag : s.activeTag}</span>{' '}
                    {confirm === d.user_id ? (
                      <span role="group" aria-label={s.confirmSuspend(d.full_name)}>
                        <span className="visually-hidden">{s.confirmSuspend(d.full_name)}</span>
                        <button
                          type="button"
                          className="button button--danger"
                          onClick={() => void toggle(d.user_id, d.full_name, true)}
                        >
                          {s.suspend}
                        </button>
                        <button type="button" className="button button--ghost" onClick={() => setConfirm(null)}>
                          {strings.drawer.keep}
                        </button>
                      </span>
                    ) : isSuspended ? (
                      <button
                        type="button"
                        className="button button--secondary"
                        onClick={() => void toggle(d.user_id, d.full_name, false)}
                      >
                        {s.activate}
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="button button--ghost"
                        aria-label={`${s.suspend} ${d.full_name}`}
                        onClick={() => setConfirm(d.user_id)}
                      >
                        {s.suspend}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <form className="card" onSubmit={submit} aria-labelledby={`${id}-invite`}>
        <h2 id={`${id}-invite`}>{s.invite}</h2>
        <div className="grid-3">
          {field('full_name', s.name, { required: true, maxLength: FIELD_MAX.name })}
          {field('email', s.email, { type: 'email', required: true, maxLength: FIELD_MAX.email })}
          {field('phone', s.phone, { ...PHONE_INPUT, autoComplete: 'off' })}
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {s.send}
        </button>
      </form>
    </section>
  );
}

export function CustomersPage() {
  const s = strings.customers;
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q), 250);
    return () => clearTimeout(t);
  }, [q]);
  const list = useResource((signal) => listCustomers(debounced, signal), `customers:${debounced}`);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{s.title}</h1>
      <Field id="customer-search" label={s.search} type="search" value={q} onValue={setQ} />
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      {list.data === null && <p className="muted">{strings.unavailable(s.title)}</p>}
      <DataTable
        rows={list.data}
        rowKey={(c) => c.id}
        empty={s.empty}
        columns={[
          { header: s.name, cell: (c) => c.full_name },
          { header: s.email, cell: (c) => c.email },
          { header: s.phone, cell: (c) => c.phone ?? '—' },
          { header: s.jobs, cell: (c) => String(c.jobs_count ?? c.job_count ?? '—') },
        ]}
      />
    </section>
  );
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function ReportsPage() {
  const s = strings.reports;
  const id = useId();
  const admin = useAdmin();
  const [range, setRange] = useState(() => ({
    from: day(new Date(Date.now() - 13 * 86_400_000)),
    to: day(new Date(Date.now() + 86_400_000)),
  }));
  const [draft, setDraft] = useState(range);
  const key = `${range.from}:${range.to}:${admin.jobsVersion}`;
  const jobs = useResource((signal) => jobsReport(range.from, range.to, signal), `jobs:${key}`);
  const revenue = useResource((signal) => revenueReport(range.from, range.to, signal), `rev:${key}`);
  const money = (c: number) => formatMoney(c);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <form
        className="row card"
        onSubmit={(e) => {
          e.preventDefault();
          setRange(draft);
        }}
      >
        <label htmlFor={`${id}-from`}>{s.from}</label>
        <input
          id={`${id}-from`}
          type="date"
          value={draft.from}
          onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
        />
        <label htmlFor={`${id}-to`}>{s.to}</label>
        <input
          id={`${id}-to`}
          type="date"
          value={draft.to}
          onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
        />
        <button type="submit" className="button button--primary">
          {s.show}
        </button>
      </form>
      <ErrorNotice
        error={jobs.error ?? revenue.error}
        strings={strings.errors}
        onRetry={() => (jobs.reload(), revenue.reload())}
      />
      {jobs.data === null && <p className="muted">{strings.unavailable(s.title)}</p>}
      {jobs.data && (
        <section className="card" aria-labelledby={`${id}-jobs`}>
          <h2 id={`${id}-jobs`}>{s.jobs}</h2>
          <p>
            {s.requested}: <strong data-testid="jobs-requested">{jobs.data.totals.requested}</strong> · {s.completed}:{' '}
            <strong data-testid="jobs-completed">{jobs.data.totals.completed}</strong> · {s.cancelled}:{' '}
            <strong>{jobs.data.totals.cancelled}</strong>
          </p>
          <BarChart
            label={s.chartLabel(s.jobs, range.from, range.to)}
            days={jobs.data.days.map((d) => d.day)}
            series={[
              { key: 'requested', label: s.requested, className: 'chart__bar chart__bar--a' },
              { key: 'completed', label: s.completed, className: 'chart__bar chart__bar--b' },
            ]}
            values={(i, k) => (jobs.data!.days[i] as unknown as Record<string, number>)[k] ?? 0}
            format={(v) => String(Math.round(v))}
          />
        </section>
      )}
      {revenue.data && (
        <section className="card" aria-labelledby={`${id}-rev`}>
          <h2 id={`${id}-rev`}>{s.revenue}</h2>
          <p>
            {s.collected}: <strong data-testid="revenue-total">{money(revenue.data.totals.collected_cents)}</strong>
          </p>
          <BarChart
            label={s.chartLabel(s.revenue, range.from, range.to)}
            days={revenue.data.days.map((d) => d.day)}
            series={[{ key: 'collected_cents', label: s.collected, className: 'chart__bar chart__bar--b' }]}
            values={(i, k) => (revenue.data!.days[i] as unknown as Record<string, number>)[k] ?? 0}
            format={(v) => money(v)}
          />
          <h3>{s.byMethod}</h3>
          <ul>
            {Object.entries(revenue.data.by_method).map(([m, c]) => (
              <li key={m}>
                {m}: {money(c)}
              </li>
            ))}
          </ul>
          <details>
            <summary>{s.day}</summary>
            <table className="table">
              <TableHead headers={[s.day, s.collected]} />
              <tbody>
                {revenue.data.days.map((d) => (
                  <tr key={d.day}>
                    <td>{d.day}</td>
                    <td>{money(d.collected_cents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </section>
      )}
    </section>
  );
}

/** A cursor-paged table (audit log, outbox). */
function usePaged<T>(
  load: (cursor: string | null, signal: AbortSignal) => Promise<{ rows: T[]; next: string | null } | null>,
  key: string,
) {
  const [cursor, setCursor] = useState<string | null>(null);
  const [rows, setRows] = useState<T[]>([]);
  const page = useResource((signal) => load(cursor, signal), `${key}:${cursor ?? ''}`);
  useEffect(() => {
    if (page.data) setRows((r) => (cursor ? [...r, ...page.data!.rows] : page.data!.rows));
  }, [page.data, cursor]);
  return {
    rows,
    unavailable: page.data === null,
    error: page.error,
    next: page.data?.next ?? null,
    more: () => setCursor(page.data?.next ?? null),
    reload: page.reload,
  };
}

/** An admin list read page by page: its title, the table, and "Load more" while there is more. */
function PagedTable<T>({
  name,
  title,
  paged: p,
  ...table
}: { name: string; title: string; paged: ReturnType<typeof usePaged<T>> } & Omit<DataTableProps<T>, 'rows'>) {
  return (
    <section aria-labelledby={`${name}-title`}>
      <h1 id={`${name}-title`}>{title}</h1>
      <ErrorNotice error={p.error} strings={strings.errors} onRetry={p.reload} />
      {p.unavailable && <p className="muted">{strings.unavailable(title)}</p>}
      <DataTable rows={p.unavailable ? null : p.rows} {...table} />
      {p.next && (
        <button type="button" className="button button--secondary" onClick={p.more}>
          {strings.loadMore}
        </button>
      )}
    </section>
  );
}

export function AuditPage() {
  const s = strings.audit;
  const p = usePaged<AuditEntry>(
    (c, signal) => auditLog(c, signal).then((r) => r && { rows: r.entries, next: r.next_cursor }),
    'audit',
  );
  return (
    <PagedTable
      name="audit"
      title={s.title}
      paged={p}
      rowKey={(e) => e.id}
      empty={s.empty}
      columns={[
        { header: s.when, cell: (e) => formatDateTime(e.created_at) },
        { header: s.who, cell: (e) => e.actor_name ?? e.actor_email ?? '—' },
        { header: s.action, cell: (e) => <span title={e.action}>{s.actionWords(e.action)}</span> },
        {
          header: s.entity,
          cell: (e) => (
            <>
              {s.entityOf(e.entity_type, e.action)} {e.entity_id ? <code>{e.entity_id.slice(0, 8)}</code> : null}
            </>
          ),
        },
        { header: s.ip, cell: (e) => e.ip ?? '—' },
      ]}
    />
  );
}

export function OutboxPage() {
  const s = strings.outbox;
  const p = usePaged<NotificationRow>(
    (c, signal) => notificationsOutbox(c, signal).then((r) => r && { rows: r.notifications, next: r.next_cursor }),
    'outbox',
  );
  return (
    <PagedTable
      name="outbox"
      title={s.title}
      paged={p}
      rowKey={(n) => n.id}
      rowData={(n) => ({ 'data-notification-kind': n.kind })}
      empty={s.empty}
      columns={[
        { header: s.when, cell: (n) => formatDateTime(n.created_at) },
        { header: s.channel, cell: (n) => n.channel },
        { header: s.to, cell: (n) => n.recipient },
        {
          header: s.subject,
          cell: (n) => (
            <details>
              <summary>{n.subject ?? s.kind(n.kind)}</summary>
              <pre className="outbox__body">
                <Linked text={n.body} />
              </pre>
            </details>
          ),
        },
        {
          header: s.status,
          cell: (n) => (
            <>
              {n.status}
              {n.last_error && <div className="field-error">{n.last_error}</div>}
            </>
          ),
        },
      ]}
    />
  );
}

/** Text with its web addresses as links, so a sign-in or reset link in a sent message can be opened. */
function Linked({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <>
      {text.split(/(https?:\/\/[^\s<>"]+)/).map((part, i) =>
        /^https?:\/\//.test(part) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text, in order.
          <a key={i} href={part} target="_blank" rel="noreferrer">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}

export type { AdminTier };
