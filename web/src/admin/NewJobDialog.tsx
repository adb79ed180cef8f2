import { type FormEvent, useEffect, useId, useState } from 'react';
import { formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { Dialog } from '../ui/Dialog';
import { FormAlert } from '../ui/ErrorNotice';
import { Field, FormActions, TextAreaField } from '../ui/Field';
import { useAction } from '../ui/form-submit';
import { listCustomers } from './admin-api';
import { createAdminJob, customerLocations, jobTiers } from './office-api';
import { strings } from './strings';
import { FIELD_MAX } from '../../../contract/field-messages';

/**
 * The dispatcher enters an on-demand job for a customer on the phone: find them, pick
 * their place and the driveway size, add a note for the driver. The job lands in Pending
 * (or on the waitlist while the operator is paused), priced like the customer's own request.
 */
export function NewJobDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const s = strings.office;
  const id = useId();
  const [query, setQuery] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [locationId, setLocationId] = useState('');
  const [tierId, setTierId] = useState('');
  const [notes, setNotes] = useState('');
  const { busy, error: problem, fields, run } = useAction(strings.errors);
  // One key per opening of this dialog: a double submit or a retry makes one job.
  const [eventId] = useState(() => crypto.randomUUID());

  const customers = useResource((signal) => listCustomers(query.trim(), signal), `new-job-customers:${query.trim()}`);
  const locations = useResource(
    (signal) => customerLocations(customerId, signal),
    customerId ? `new-job-locations:${customerId}` : null,
  );
  const tiers = useResource((signal) => jobTiers(signal), 'new-job-tiers');
  const found = customers.data ?? [];
  const places = customerId ? (locations.data ?? []) : [];

  const pickCustomer = (value: string) => {
    setCustomerId(value);
    setLocationId('');
  };
  // A single match (the customer just entered, found by phone) is picked for the dispatcher,
  // and their default place (listed first) with them.
  const only = query.trim() && found.length === 1 ? found[0]!.id : '';
  useEffect(() => {
    if (!only) return;
    setCustomerId(only);
    setLocationId('');
  }, [only]);
  const firstPlace = places[0]?.id ?? '';
  useEffect(() => {
    if (firstPlace) setLocationId((current) => current || firstPlace);
  }, [firstPlace]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!customerId || !locationId || !tierId) return;
    void run(async () => {
      const res = await createAdminJob({
        customer_id: customerId,
        location_id: locationId,
        driveway_tier_id: Number(tierId),
        ...(notes.trim() ? { special_instructions: notes.trim() } : {}),
        client_event_id: eventId,
      });
      toast.show({ kind: 'ok', message: res.job ? s.created(res.job.job_address) : s.waitlisted });
      onCreated();
      onClose();
    });
  };

  const select = (
    key: string,
    label: string,
    value: string,
    onValue: (v: string) => void,
    placeholder: string,
    options: [string, string][],
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select
        id={`${id}-${key}`}
        value={value}
        required
        onChange={(e) => onValue(e.target.value)}
        aria-invalid={!!fields[key]}
        aria-describedby={fields[key] ? `${id}-${key}-err` : undefined}
      >
        <option value="">{placeholder}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {fields[key] && (
        <p id={`${id}-${key}-err`} className="field-error">
          {fields[key]}
        </p>
      )}
    </div>
  );

  return (
    <Dialog title={s.newJobTitle} onClose={onClose} closeLabel={strings.drawer.close}>
      <form onSubmit={submit} aria-label={s.newJobTitle} data-testid="new-job">
        <Field
          id={`${id}-find`}
          label={s.findCustomer}
          type="search"
          autoComplete="off"
          value={query}
          onValue={(v) => {
            setQuery(v);
            pickCustomer('');
          }}
          data-autofocus
        />
        {select(
          'customer_id',
          s.customer,
          customerId,
          pickCustomer,
          s.pickCustomer,
          found.map((c) => [c.id, [c.full_name, c.phone ?? c.email].filter(Boolean).join(' · ')]),
        )}
        {customers.data && found.length === 0 && <p className="hint">{s.noCustomers}</p>}
        {select(
          'location_id',
          s.location,
          locationId,
          setLocationId,
          s.pickLocation,
          places.map((l) => [l.id, [l.label, l.address_line1, l.city].filter(Boolean).join(', ')]),
        )}
        {customerId && locations.data?.length === 0 && <p className="hint">{s.noLocations}</p>}
        {select(
          'driveway_tier_id',
          s.tier,
          tierId,
          setTierId,
          s.tier,
          (tiers.data ?? []).map((t) => [String(t.id), s.tierOption(t.tier_label, formatMoney(t.price_cents))]),
        )}
        <TextAreaField
          id={`${id}-notes`}
          label={s.instructions}
          rows={2}
          maxLength={FIELD_MAX.instructions}
          value={notes}
          onValue={setNotes}
        />
        <FormAlert message={problem} />
        <FormActions
          submit={busy ? s.creating : s.create}
          disabled={busy || !customerId || !locationId || !tierId}
          cancel={s.cancel}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
