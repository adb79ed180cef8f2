import type { Job } from '../../../contract/responses';
import { useResource } from '../lib/hooks';
import { jobContact } from './driver-api';
import { strings } from './strings';

const s = strings.contact;

/**
 * Call or text about the job in hand: the customer on their own number where the operator
 * allows it, else the office. Nothing without a connection or once the job is finished.
 */
export function JobContact({ job }: { job: Job }) {
  const contact = useResource(
    (signal) => jobContact(job.id, signal).catch(() => null),
    `contact:${job.id}:${job.status}`,
  );
  const c = contact.data;
  if (!c?.live || !(c.customer_phone || c.office_phone)) return null;
  const customer = c.customer_phone;
  const phone = customer ?? c.office_phone!;
  return (
    <section
      className="card job-contact"
      aria-labelledby="job-contact-title"
      data-contact={customer ? 'customer' : 'office'}
    >
      <h2 id="job-contact-title">{customer ? s.customerTitle(c.customer_first_name) : s.officeTitle}</h2>
      {!customer && <p className="muted">{s.officeHint(c.customer_first_name)}</p>}
      <div className="row">
        <a className="button button--secondary" href={`tel:${phone}`}>
          {s.call}
        </a>
        <a className="button button--secondary" href={`sms:${phone}`}>
          {s.text}
        </a>
      </div>
    </section>
  );
}
