import { useEffect, useId, useRef, useState } from 'react';
import type { JobPhotoKind } from '../../../contract/enums';
import type { Job, JobPhotos } from '../../../contract/responses';
import { isMissingRoute } from '../lib/api';
import { toast } from '../lib/toast';
import { errorMessage, FormAlert } from '../ui/ErrorNotice';
import { listJobPhotos } from './driver-api';
import { useDriver } from './DriverData';
import { strings } from './strings';

interface Thumb {
  kind: JobPhotoKind;
  src: string;
  queued: boolean;
}

/**
 * Proof-of-service photos above "Finish job": "Before" and "After" buttons open the phone's
 * camera; each picture is shrunk on the phone and sent with the time and GPS fix it was
 * taken at, or kept in the outbox without a connection and sent when it returns (before a
 * "finish" queued after it). `onState` tells the page whether an "after" photo is still
 * needed to finish.
 */
/** What the job screen needs to know before "Finish": is an "After" photo missing, and are the rules loaded. */
export interface PhotoState {
  afterNeeded: boolean;
  known: boolean;
}

/**
 * Whether a finish must wait for an "After" photo. Until the job's photo rules have loaded
 * (a tap right after opening the screen) the server is asked; without an answer (offline),
 * the photo is asked for, as the operator's default is.
 */
export async function afterPhotoStillNeeded(jobId: string, state: PhotoState): Promise<boolean> {
  if (state.known) return state.afterNeeded;
  const rules = await listJobPhotos(jobId).catch(() => null);
  return rules ? rules.after_photo.required && !rules.photos.some((p) => p.kind === 'after') : true;
}

export function PhotoCapture({ job, onState }: { job: Job; onState: (state: PhotoState) => void }) {
  const s = strings.photo;
  const d = useDriver();
  const id = useId();
  const [server, setServer] = useState<JobPhotos | null>(null);
  const [thumbs, setThumbs] = useState<Thumb[]>([]);
  const [stage, setStage] = useState<'idle' | 'compressing' | 'uploading'>('idle');
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const inputs = { before: useRef<HTMLInputElement>(null), after: useRef<HTMLInputElement>(null) };

  useEffect(() => {
    const ctrl = new AbortController();
    listJobPhotos(job.id, ctrl.signal).then(setServer, () => undefined);
    return () => ctrl.abort();
  }, [job.id]);
  const shown = useRef<Thumb[]>([]);
  shown.current = thumbs;
  useEffect(
    () => () => {
      for (const t of shown.current) URL.revokeObjectURL(t.src);
    },
    [],
  );

  const count = (kind: JobPhotoKind) =>
    (server?.photos.filter((p) => p.kind === kind).length ?? 0) + thumbs.filter((t) => t.kind === kind).length;
  const queuedPhotos = d.pending.some((i) => i.kind === 'photo' && i.job_id === job.id);
  // Not known yet (no connection on opening): the operator's default, required.
  const required = server?.after_photo.required ?? true;
  const afterNeeded = required && count('after') === 0;
  const known = server !== null;
  useEffect(() => onState({ afterNeeded, known }), [afterNeeded, known, onState]);

  const take = async (kind: JobPhotoKind, file: File | undefined) => {
    if (!file) return;
    setError(null);
    const src = URL.createObjectURL(file);
    try {
      const how = await d.takePhoto(job, kind, file, (f, st) => {
        setStage(st);
        setProgress(f);
      });
      setThumbs((list) => [...list, { kind, src, queued: how === 'queued' }]);
      toast.show({ kind: 'ok', message: how === 'queued' ? s.queued(s[kind]) : s.saved(s[kind]) });
    } catch (err) {
      URL.revokeObjectURL(src);
      setError(isMissingRoute(err) ? s.unavailable : s.failed(errorMessage(err, strings.errors)));
    } finally {
      setStage('idle');
      const input = inputs[kind].current;
      if (input) input.value = '';
    }
  };

  const pct = Math.round(progress * 100);
  return (
    <section className="card photo" aria-labelledby={`${id}-title`} data-after-needed={afterNeeded}>
      <h2 id={`${id}-title`}>{s.title}</h2>
      <p className="hint">{s.counts(count('before'), count('after'))}</p>
      {thumbs.length > 0 && (
        <ul className="photo__thumbs">
          {thumbs.map((t) => (
            <li key={t.src} data-photo-kind={t.kind} data-queued={t.queued}>
              <img className="photo__thumb" src={t.src} alt={s.alt(s[t.kind])} />
              <span>
                {s[t.kind]}
                {t.queued && queuedPhotos ? ` · ⟳ ${strings.job.willSync}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {count('after') > 0 && stage === 'idle' && <p className="photo__done">✓ {s.attached}</p>}
      {afterNeeded && <p className="notice notice--warn">{s.afterNeeded}</p>}
      {stage !== 'idle' && (
        <div className="photo__progress" role="status">
          <progress
            max={100}
            value={stage === 'compressing' ? undefined : pct}
            aria-label={stage === 'compressing' ? s.compressing : s.uploading(pct)}
          />
          <span>{stage === 'compressing' ? s.compressing : s.uploading(pct)}</span>
        </div>
      )}
      <FormAlert message={error} />
      <div className="row photo__buttons">
        {(['before', 'after'] as const).map((kind) => (
          <span key={kind} className="grow">
            <label className="button button--secondary button--block photo__pick" htmlFor={`${id}-${kind}`}>
              {s[kind]}
            </label>
            <input
              ref={inputs[kind]}
              id={`${id}-${kind}`}
              data-photo-kind={kind}
              className="visually-hidden"
              type="file"
              accept="image/*"
              capture="environment"
              disabled={stage !== 'idle'}
              onChange={(e) => void take(kind, e.target.files?.[0])}
            />
          </span>
        ))}
      </div>
    </section>
  );
}
