import { type FormEvent, useId, useState } from 'react';
import { DISPUTE_OUTCOMES, type DisputeOutcome } from '../../../contract/enums';
import type { Job } from '../../../contract/responses';
import { canTransition } from '../../../contract/state-machine';
import { formatMoney } from '../lib/format';
import { toast } from '../lib/toast';
import { disputeJob, resolveDispute } from './office-api';
import { strings } from './strings';
import { Field, FormActions, SelectField, TextAreaField } from '../ui/Field';

/**
 * The drawer's dispute controls: a completed job can be marked disputed with the
 * customer's complaint; a disputed one is settled with an outcome (contract
 * DISPUTE_OUTCOMES). Each opens as a small form in place, which returns focus to its
 * button when closed. `run` is the drawer's: it reports, then reloads the job.
 */
export function DisputeControls({
  job,
  run,
}: {
  job: Job;
  run: (work: () => Promise<unknown>, ok: string) => Promise<boolean>;
}) {
  const s = strings.office;
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<DisputeOutcome>('upheld');
  const [credit, setCredit] = useState('');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const canDispute = canTransition(job.status, 'disputed', 'admin');
  const canResolve = job.status === 'disputed' && canTransition(job.status, 'completed', 'admin');
  if (!canDispute && !canResolve) return null;

  const close = () => {
    setOpen(false);
    // The toggle button is back once the form is gone: give it the focus the form had.
    requestAnimationFrame(() => document.getElementById(`${id}-toggle`)?.focus());
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    let done = false;
    try {
      if (canDispute) {
        done = await run(() => disputeJob(job.id, reason.trim(), job.version), s.disputed(job.job_address));
      } else {
        const cents = Math.round(Number(credit.replace(/[$,\s]/g, '')) * 100);
        const settlement = {
          outcome,
          ...(notes.trim() ? { notes: notes.trim() } : {}),
          ...(outcome === 'credited' ? { credit_cents: cents } : {}),
        };
        done = await run(async () => {
          const res = await resolveDispute(job.id, settlement, job.version);
          if (res.follow_up_job) toast.show({ kind: 'ok', message: s.followUp(res.follow_up_job.job_address) });
        }, s.resolved(job.job_address));
      }
      if (done) {
        setReason('');
        setNotes('');
        setCredit('');
        close();
      }
    } finally {
      setBusy(false);
    }
  };

  const title = canDispute ? s.disputeTitle(job.job_address) : s.resolveTitle(job.job_address);
  return (
    <section aria-labelledby={`${id}-title`} data-testid="dispute">
      <h3 id={`${id}-title`}>{s.dispute}</h3>
      {!open ? (
        <button
          id={`${id}-toggle`}
          type="button"
          className="button button--secondary"
          aria-expanded={false}
          onClick={() => {
            setOpen(true);
            requestAnimationFrame(() => document.getElementById(`${id}-first`)?.focus());
          }}
        >
          {canDispute ? s.markDisputed : s.resolve}
        </button>
      ) : (
        <form className="card" aria-label={title} onSubmit={submit}>
          {canDispute ? (
            <TextAreaField
              id={`${id}-first`}
              label={s.disputeReason}
              rows={3}
              maxLength={500}
              required
              value={reason}
              onValue={setReason}
            />
          ) : (
            <>
              <SelectField
                id={`${id}-first`}
                label={s.outcome}
                value={outcome}
                onValue={(o) => setOutcome(o as DisputeOutcome)}
              >
                {DISPUTE_OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {s.outcomes[o]}
                  </option>
                ))}
              </SelectField>
              {outcome === 'credited' && (
                <Field
                  id={`${id}-credit`}
                  label={s.credit}
                  inputMode="decimal"
                  required
                  pattern="\$?\d+(\.\d{1,2})?"
                  placeholder={formatMoney(job.final_price_cents ?? job.quoted_price_cents)}
                  value={credit}
                  onValue={setCredit}
                />
              )}
              <TextAreaField
                id={`${id}-notes`}
                label={s.resolveNotes}
                rows={2}
                maxLength={1000}
                value={notes}
                onValue={setNotes}
              />
            </>
          )}
          <FormActions
            submit={canDispute ? s.disputeSave : s.resolveSave}
            disabled={busy || (canDispute && !reason.trim())}
            cancel={s.cancel}
            onCancel={close}
          />
        </form>
      )}
    </section>
  );
}
