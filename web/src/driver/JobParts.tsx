/** The pieces a job shows alike on the driver's list and on its own screen. */
import { type ButtonHTMLAttributes, useState } from 'react';
import type { JobStatus } from '../../../contract/enums';
import type { Job } from '../../../contract/responses';
import { formatMoney } from '../lib/format';
import { toast } from '../lib/toast';
import { toastError } from '../ui/ErrorNotice';
import { StatusTag } from '../ui/StatusTag';
import { Fact } from '../ui/Fact';
import { useDriver } from './DriverData';
import { acceptJob, declineJob } from './driver-api';
import { strings } from './strings';

/** A job's status, as the top line of its card and of its screen. */
export function JobStatusTag({ status }: { status: JobStatus }) {
  return (
    <StatusTag
      status={status}
      label={strings.jobStatus[status]}
      icon={strings.statusIcon[status]}
      className="job__status"
    />
  );
}

/** The driver's one big next step on a job; it reads "Working…" while the step is sent. */
export function StepButton({ busy, children, ...button }: { busy: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="button" className="button button--primary button--huge" disabled={busy} {...button}>
      {busy ? strings.job.working : children}
    </button>
  );
}

/** What the driver is paid and told for a job: its price and the customer's notes. */
export function JobFacts({ job }: { job: Job }) {
  const s = strings.job;
  return (
    <dl className="job__facts">
      <Fact term={s.price}>{formatMoney(job.final_price_cents ?? job.quoted_price_cents)}</Fact>
      {job.special_instructions && <Fact term={s.notes}>{job.special_instructions}</Fact>}
    </dl>
  );
}

/**
 * An assigned job's two answers: accept, or decline after one more tap to confirm. Either
 * way the driver is told, and the job list follows.
 */
export function AcceptDecline({
  job,
  onAccepted,
  onDeclined,
}: {
  job: Job;
  onAccepted: (taken: Job) => void;
  onDeclined?: () => void;
}) {
  const d = useDriver();
  const s = strings.job;
  const [busy, setBusy] = useState(false);
  const [declining, setDeclining] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  const accept = () =>
    run(async () => {
      const taken = await acceptJob(job.id);
      d.rememberJob(taken);
      toast.show({ kind: 'ok', message: s.accepted });
      onAccepted(taken);
    });
  const decline = () =>
    run(async () => {
      await declineJob(job.id);
      toast.show({ kind: 'info', message: s.declined });
      d.reload();
      onDeclined?.();
    });
  return (
    <div className="job__actions">
      <StepButton busy={busy} onClick={() => void accept()}>
        {s.accept}
      </StepButton>
      {declining ? (
        <div className="row" role="group" aria-label={s.declineConfirm}>
          <span>{s.declineConfirm}</span>
          <button type="button" className="button button--danger" disabled={busy} onClick={() => void decline()}>
            {s.decline}
          </button>
          <button type="button" className="button button--ghost" onClick={() => setDeclining(false)}>
            {s.keep}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="button button--secondary button--block"
          disabled={busy}
          onClick={() => setDeclining(true)}
        >
          {s.decline}
        </button>
      )}
    </div>
  );
}
