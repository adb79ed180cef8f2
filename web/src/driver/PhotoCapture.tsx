import { useEffect, useId, useRef, useState } from 'react';
import { isMissingRoute } from '../lib/api';
import type { Job } from '../../../contract/responses';
import { uploadPhoto } from '../lib/upload';
import { toast } from '../lib/toast';
import { errorMessage } from '../ui/ErrorNotice';
import { api } from './session';
import { strings } from './strings';

/**
 * The completion photo: the phone's camera (`capture`), shrunk on the phone, uploaded
 * with a progress bar. The URL is attached to the job when the driver taps "Finish job".
 */
export function PhotoCapture({
  job,
  photoUrl,
  onUploaded,
}: {
  job: Job;
  photoUrl: string | null;
  onUploaded: (url: string) => void;
}) {
  const s = strings.photo;
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [stage, setStage] = useState<'idle' | 'compressing' | 'uploading'>('idle');
  const [progress, setProgress] = useState(0);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const pick = async (file: File | undefined) => {
    if (!file) return;
    if (navigator.onLine === false) {
      setError(s.offline);
      return;
    }
    setError(null);
    setPreview(URL.createObjectURL(file));
    try {
      const url = await uploadPhoto(api, file, {
        purpose: 'job_completion',
        jobId: job.id,
        onProgress: (f, st) => {
          setStage(st);
          setProgress(f);
        },
      });
      onUploaded(url);
      toast.show({ kind: 'ok', message: s.done });
    } catch (err) {
      setError(isMissingRoute(err) ? s.unavailable : s.failed(errorMessage(err, strings.errors)));
    } finally {
      setStage('idle');
      if (input.current) input.current.value = '';
    }
  };

  const pct = Math.round(progress * 100);
  return (
    <section className="card photo" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{s.title}</h2>
      {preview && <img className="photo__preview" src={preview} alt={s.alt} />}
      {photoUrl && stage === 'idle' && (
        <p className="photo__done" data-photo-url={photoUrl}>
          ✓ {s.attached}
        </p>
      )}
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
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <label className="button button--secondary button--block photo__pick" htmlFor={`${id}-file`}>
        {photoUrl ? s.retake : s.take}
      </label>
      <input
        ref={input}
        id={`${id}-file`}
        className="visually-hidden"
        type="file"
        accept="image/*"
        capture="environment"
        disabled={stage !== 'idle'}
        onChange={(e) => void pick(e.target.files?.[0])}
      />
    </section>
  );
}
