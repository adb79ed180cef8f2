import { useId } from 'react';
import type { AdminHealth } from '../../../contract/health';
import { formatDateTime, secondsSince } from '../lib/format';
import { useInterval, useNow, useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { ErrorNotice } from '../ui/ErrorNotice';
import { getHealth } from './admin-api';
import { strings } from './strings';
import { Tiles } from '../ui/Tiles';
import { TableHead } from '../ui/DataTable';

const REFRESH_MS = 30_000;

/**
 * The operator's "is it working?" screen: `GET /api/v1/admin/health` in words — overall
 * status with the reasons, a few numbers, the scheduled tasks, what needs a hand.
 */
export function HealthPage() {
  const s = strings.health;
  const id = useId();
  const now = useNow(REFRESH_MS);
  const health = useResource((signal) => getHealth(signal), 'health');
  useInterval(health.reload, REFRESH_MS);
  const h = health.data;

  return (
    <section aria-labelledby={`${id}-title`} className="health">
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice error={health.error} strings={strings.errors} onRetry={health.reload} />
      {h === null && <p className="muted">{strings.unavailable(s.title)}</p>}
      {h === undefined && !health.error && <p className="muted">{strings.loading}</p>}
      {h && (
        <>
          <Summary h={h} />
          <p className="hint">
            {s.checkedAt(formatDateTime(h.checked_at))}{' '}
            <button
              type="button"
              className="button button--secondary"
              onClick={health.reload}
              disabled={health.loading}
            >
              {s.refresh}
            </button>
          </p>
          <HealthTiles h={h} />
          {h.crons && <Crons h={h} now={now} />}
          {h.dead_letters && h.dead_letters.recent.length > 0 && <DeadLetters d={h.dead_letters} />}
          {h.stale_drivers && h.stale_drivers.drivers.length > 0 && <StaleDrivers d={h.stale_drivers} />}
          <About h={h} />
        </>
      )}
    </section>
  );
}

function Summary({ h }: { h: AdminHealth }) {
  const s = strings.health;
  if (h.status === 'down')
    return (
      <div role="status" className="notice notice--error">
        {s.down}
      </div>
    );
  if (h.status === 'ok')
    return (
      <div role="status" className="notice notice--ok">
        ✓ {s.ok}
      </div>
    );
  return (
    <div role="status" className="notice notice--warn">
      <p>{s.attention}</p>
      <ul>
        {h.concerns.map((c) => (
          <li key={c} data-concern={c}>
            {s.concern[c]}
          </li>
        ))}
      </ul>
    </div>
  );
}

function HealthTiles({ h }: { h: AdminHealth }) {
  const s = strings.health;
  const n = h.notifications;
  const secs = (v: number | null | undefined) => (v === null || v === undefined ? s.unknown : s.seconds(v));
  const tiles: [string, string][] = [
    [s.dbLatency, h.database.ping_ms === null ? s.unknown : s.ms(Math.round(h.database.ping_ms))],
    [s.waiting, n ? String(n.queued + n.retrying) : s.unknown],
    [s.oldest, n ? (n.oldest_age_seconds === null ? s.none : secs(n.oldest_age_seconds)) : s.unknown],
    [s.dead, h.dead_letters ? String(h.dead_letters.last_24h) : s.unknown],
    [s.stale, h.stale_drivers ? String(h.stale_drivers.drivers.length) : s.unknown],
    [s.gpsLag, h.gps_log ? (h.gps_log.max_lag_seconds === null ? s.none : secs(h.gps_log.max_lag_seconds)) : s.unknown],
  ];
  return <Tiles label={s.tilesLabel} tiles={tiles} />;
}

function Crons({ h, now }: { h: AdminHealth; now: number }) {
  const s = strings.health;
  return (
    <>
      <h2>{s.cronsTitle}</h2>
      <div className="table-wrap card">
        <table className="table">
          <TableHead headers={[s.cronName, s.cronSchedule, s.cronLast, s.cronResult]} />
          <tbody>
            {h.crons!.map((c) => {
              const ago = secondsSince(c.last_started_at, now);
              return (
                <tr key={c.name} data-cron={c.name}>
                  <th scope="row">{s.cronTask[c.name] ?? c.name}</th>
                  <td>
                    <code>{c.schedule}</code>
                  </td>
                  <td>{ago === null ? '—' : strings.ago(ago)}</td>
                  <td>
                    {s.cronStatus[c.last_status]}
                    {c.overdue && <strong> · {s.overdue}</strong>}
                    {c.last_error && <div className="field-error">{c.last_error}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function DeadLetters({ d }: { d: NonNullable<AdminHealth['dead_letters']> }) {
  const s = strings.health;
  return (
    <>
      <h2>{s.deadTitle}</h2>
      <div className="card">
        <ul className="list">
          {d.recent.map((r) => (
            <li key={r.id} data-notification-id={r.id}>
              <strong>{r.kind}</strong> · {r.channel} · <span className="muted">{formatDateTime(r.updated_at)}</span>
              {r.last_error && <div className="field-error">{r.last_error}</div>}
            </li>
          ))}
        </ul>
      </div>
      <p className="hint">
        <Link href="/admin/notifications">{s.deadMore(d.count)}</Link>
      </p>
    </>
  );
}

function StaleDrivers({ d }: { d: NonNullable<AdminHealth['stale_drivers']> }) {
  const s = strings.health;
  return (
    <>
      <h2>{s.staleTitle(d.threshold_minutes)}</h2>
      <div className="card">
        <ul className="list">
          {d.drivers.map((x) => (
            <li key={x.id} data-driver-id={x.id}>
              <strong>{x.full_name}</strong> · {strings.driverStatus[x.status]} ·{' '}
              <span className="muted">{x.last_fix_at ? s.silentFor(s.seconds(x.silent_minutes * 60)) : s.noFix}</span>
            </li>
          ))}
        </ul>
      </div>
    </>
  );
}

function About({ h }: { h: AdminHealth }) {
  const s = strings.health;
  const m = h.migrations;
  return (
    <>
      <h2>{s.aboutTitle}</h2>
      <dl className="card health__about">
        <dt>{s.env}</dt>
        <dd>{h.app.env}</dd>
        <dt>{s.version}</dt>
        <dd>{h.app.version}</dd>
        {h.app.deployment && (
          <>
            <dt>{s.deployment}</dt>
            <dd>
              <code>{h.app.deployment.id}</code> {h.app.deployment.tag} {formatDateTime(h.app.deployment.timestamp)}
            </dd>
          </>
        )}
        <dt>{s.migrations}</dt>
        <dd>
          {m ? (m.current ? s.migrationsCurrent(m.expected) : s.migrationsBehind(m.applied, m.expected)) : s.unknown}
        </dd>
      </dl>
      {h.app.config_warnings.length > 0 && (
        <>
          <h2>{s.warningsTitle}</h2>
          <div className="card">
            <ul className="list">
              {h.app.config_warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        </>
      )}
    </>
  );
}
