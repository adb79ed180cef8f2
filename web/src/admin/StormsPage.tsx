import { type FormEvent, useId, useState } from 'react';
import { formatDateTime, formatMoney } from '../lib/format';
import { newClientEventId, useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { DataTable, TableHead } from '../ui/DataTable';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
import { patchSettings } from './admin-api';
import { useAdmin } from './AdminData';
import { closeStorm, declareStorm, listStorms, raiseStorm, type StormSummary, stormSummary } from './storm-api';
import { StormRoutesPanel } from './StormRoutesPanel';
import { strings } from './strings';
import { draftFields, Field } from '../ui/Field';
import { CardForm } from '../ui/CardForm';
import { Fact } from '../ui/Fact';

const s = strings.storms;

/** `datetime-local` value for now, in the browser's time zone. */
function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}
const toIso = (local: string) => new Date(local).toISOString();

/**
 * Storms: declare one (jobs appear on the dispatch board), update its depth as it falls,
 * close it and read its summary; past storms' summaries below.
 */
export default function StormsPage() {
  const id = useId();
  const storms = useResource((signal) => listStorms(signal), 'storms');
  const [viewing, setViewing] = useState<string | null>(null);
  const open = storms.data?.find((x) => x.status === 'active') ?? null;
  const shown = viewing ?? open?.id ?? null;
  const summary = useResource(
    (signal) => stormSummary(shown!, signal),
    shown ? `summary:${shown}:${storms.data?.map((x) => `${x.depth_in}${x.status}`).join()}` : null,
  );
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      storms.reload();
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };

  const [draft, setDraft] = useState({ name: '', started_at: localNow(), depth: '', end: '' });
  const draftField = draftFields(id, draft, setDraft);
  const declare = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const res = await declareStorm({
        name: draft.name,
        started_at: toIso(draft.started_at),
        depth_in: Number(draft.depth),
        ...(draft.end ? { snowfall_end_at: toIso(draft.end) } : {}),
        client_event_id: newClientEventId('storm'),
      });
      toast.show({ kind: 'ok', message: s.declared(res.created_jobs.length) });
      setViewing(null);
    });
  };
  const [raise, setRaise] = useState({ depth: '', end: '' });
  const raiseField = draftFields(`${id}-raise`, raise, setRaise);
  const update = (e: FormEvent) => {
    e.preventDefault();
    if (!open) return;
    void run(async () => {
      const res = await raiseStorm(open.id, {
        ...(raise.depth ? { depth_in: Number(raise.depth) } : {}),
        ...(raise.end ? { snowfall_end_at: toIso(raise.end) } : {}),
      });
      toast.show({ kind: 'ok', message: s.raised(res.created_jobs.length) });
      setRaise({ depth: '', end: '' });
    });
  };
  const close = () => {
    if (!open || !window.confirm(s.closeConfirm)) return;
    void run(async () => {
      await closeStorm(open.id);
      toast.show({ kind: 'ok', message: s.closed });
      setViewing(open.id);
    });
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice error={storms.error} strings={strings.errors} onRetry={storms.reload} />
      {open ? (
        <div className="card">
          <h2>{s.openTitle(open.name)}</h2>
          <p>
            {s.depthNow(open.depth_in)} · {s.started} {formatDateTime(open.started_at)}
          </p>
          <form className="row" onSubmit={update} aria-label={s.raiseTitle}>
            {raiseField('depth', s.newDepth, { type: 'number', min: open.depth_in, step: '0.5' })}
            {raiseField('end', s.snowEnd, { type: 'datetime-local' })}
            <button type="submit" className="button button--primary" disabled={busy || (!raise.depth && !raise.end)}>
              {s.raise}
            </button>
            <button type="button" className="button button--secondary" disabled={busy} onClick={close}>
              {s.close}
            </button>
          </form>
        </div>
      ) : (
        <CardForm title={s.declareTitle} intro={s.declareHelp} onSubmit={declare}>
          {draftField('name', s.name, { required: true, maxLength: 80, placeholder: s.namePlaceholder })}
          {draftField('started_at', s.startedAt, { type: 'datetime-local', required: true })}
          {draftField('depth', s.depth, { type: 'number', min: '0', step: '0.5', required: true })}
          {draftField('end', s.snowEnd, { type: 'datetime-local' })}
          <button type="submit" className="button button--primary" disabled={busy}>
            {s.declare}
          </button>
        </CardForm>
      )}

      {open && <StormRoutesPanel stormId={open.id} />}

      <IntakePromise />

      {summary.data && <SummaryCard title={summary.data.storm.name} summary={summary.data.summary} />}
      <ErrorNotice error={summary.error} strings={strings.errors} onRetry={summary.reload} />

      <h2>{s.past}</h2>
      <DataTable
        rows={storms.data}
        rowKey={(x) => x.id}
        empty={s.none}
        columns={[
          { header: s.name, cell: (x) => x.name },
          { header: s.started, cell: (x) => formatDateTime(x.started_at) },
          { header: s.depth, cell: (x) => x.depth_in },
          { header: s.status, cell: (x) => x.status },
          { header: s.jobs, cell: (x) => x.jobs ?? '—' },
          { header: s.done, cell: (x) => x.done ?? '—' },
          {
            header: s.view,
            hiddenHeader: true,
            cell: (x) => (
              <button type="button" className="button button--ghost" onClick={() => setViewing(x.id)}>
                {s.view}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

/** Whole minutes from a quarter of an hour to a day, as the settings API accepts. */
const PROMISE_MINUTES = { type: 'number', min: '15', max: '1440', step: '1' } as const;

/** The operator's storm-intake promise (operator settings), editable here where storms are run. */
function IntakePromise() {
  const id = useId();
  const admin = useAdmin();
  const current = admin.settings?.storm_intake_promise_minutes;
  const [value, setValue] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (current === undefined) return null;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const saved = await patchSettings({ storm_intake_promise_minutes: Number(value) });
      admin.setSettings(saved);
      setValue(null);
      toast.show({ kind: 'ok', message: s.promiseSaved(saved.storm_intake_promise_minutes ?? Number(value)) });
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <CardForm title={s.promiseTitle} intro={s.promiseHelp} onSubmit={(e) => void save(e)}>
      <div className="row">
        <Field
          id={`${id}-minutes`}
          label={s.promiseLabel}
          {...PROMISE_MINUTES}
          required
          value={value ?? String(current)}
          onValue={setValue}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={busy || value === null || value === '' || Number(value) === current}
        >
          {s.promiseSave}
        </button>
      </div>
    </CardForm>
  );
}

function SummaryCard({ title, summary }: { title: string; summary: StormSummary }) {
  const outcome = (l: StormSummary['lines'][number]) =>
    l.outcome === 'done'
      ? l.late
        ? s.outcomes.late
        : s.outcomes.done
      : l.outcome === 'skipped'
        ? s.outcomes[l.skip_reason ?? 'not_reached']
        : s.outcomes.open;
  return (
    <div className="card">
      <h2>
        {s.summary}: {title}
      </h2>
      <dl className="row">
        <Fact term={s.properties}>{summary.properties}</Fact>
        <Fact term={s.onTime}>{summary.on_time}</Fact>
        <Fact term={s.late}>{summary.late}</Fact>
        <Fact term={s.skipped}>{summary.skipped.cancelled + summary.skipped.not_reached}</Fact>
        <Fact term={s.open}>{summary.open}</Fact>
        <Fact term={s.timeOnSite}>{s.minutes(summary.minutes_on_site)}</Fact>
        <Fact term={s.revenue}>{formatMoney(summary.revenue_cents)}</Fact>
      </dl>
      {summary.lines.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <TableHead headers={[s.address, s.deadline, s.completed, s.outcome]} />
            <tbody>
              {summary.lines.map((l) => (
                <tr key={l.job_id}>
                  <td>{l.address}</td>
                  <td>{formatDateTime(l.deadline_at)}</td>
                  <td>{formatDateTime(l.completed_at)}</td>
                  <td>{outcome(l)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
