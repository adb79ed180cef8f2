import { useId, useState } from 'react';
import { toast } from '../lib/toast';
import { toastError } from '../ui/ErrorNotice';
import { evidencePack } from './office-api';
import { strings } from './strings';

/**
 * "Download evidence pack": fetches the job's pack with the session, saves it through a
 * blob link, and shows the SHA-256 the server stated for it (`x-evidence-sha256`).
 */
export function EvidenceDownload({ jobId }: { jobId: string }) {
  const s = strings.office;
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [hash, setHash] = useState<string | null>(null);
  const download = async () => {
    setBusy(true);
    try {
      const pack = await evidencePack(jobId);
      const url = URL.createObjectURL(pack.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = pack.filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setHash(pack.sha256);
      toast.show({ kind: 'ok', message: s.evidenceSaved(pack.filename) });
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby={`${id}-title`} data-testid="evidence">
      <h3 id={`${id}-title`}>{s.evidence}</h3>
      <button type="button" className="button button--secondary" disabled={busy} onClick={() => void download()}>
        {busy ? s.downloading : s.downloadEvidence}
      </button>
      {hash && (
        <p className="hint">
          {s.evidenceHash}: <code data-testid="evidence-sha256">{hash}</code>
          <br />
          {s.evidenceHint}
        </p>
      )}
    </section>
  );
}
