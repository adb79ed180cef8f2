import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { JobPhotoKind, JobStatus, PaymentMethod } from '../../../contract/enums';
import { ACTIVE_JOB, UNDER_WAY_JOB } from '../../../contract/job-status';
import type { LocationPing, ServerMessage } from '../../../contract/ws';
import { ApiError } from '../lib/api';
import type { Job } from '../../../contract/responses';
import { alertAssignment } from '../lib/alert';
import { newClientEventId } from '../lib/hooks';
import { outbox, type GpsBatchBody, type OutboxItem, type PhotoItemBody, type Sender } from '../lib/outbox';
import { compressImage, uploadBlob } from '../lib/upload';
import { sendWithAck, type ConnectionState, type RealtimeClient } from '../lib/realtime';
import { navigate } from '../lib/router';
import { toast } from '../lib/toast';
import { useRealtime } from '../lib/use-realtime';
import { useWakeLock } from '../lib/wake-lock';
import { errorMessage } from '../ui/ErrorNotice';
import {
  getMe,
  myQueue,
  readCache,
  recordJobPhoto,
  recordPayment,
  undoPayment,
  setJobStatus,
  writeCache,
  type Me,
  type PaymentBody,
  type Queue,
  type StatusChange,
  takenOn,
} from './driver-api';
import { api, session } from './session';
import { strings } from './strings';
import { useGpsStream, type GpsState } from './use-gps-stream';

/**
 * Everything the driver's screens share: the profile, the queue (cached for offline
 * starts), the socket, the GPS stream, and the offline outbox with its replay. Screens
 * read it with `useDriver()`.
 */

/** What recording a payment did: sent (with the server's payment id) or saved in the outbox. */
export interface PaymentReceipt {
  how: 'sent' | 'queued';
  client_event_id: string;
  payment_id?: string;
  /** The outbox item, while queued. */
  seq?: number;
}

export interface DriverData {
  owner: string;
  me: Me | null;
  setMe: (me: Me) => void;
  queue: Queue | null;
  queueError: unknown;
  queueLoading: boolean;
  /** When the queue on screen was saved, if it came from the phone's copy (offline). */
  offlineSince: number | null;
  reload: () => void;
  connection: ConnectionState;
  client: RealtimeClient | null;
  gps: GpsState;
  /** This driver's outbox items, oldest first. */
  pending: readonly OutboxItem[];
  /** The job under way (accepted or past `assigned`), with queued changes applied. */
  activeJob: Job | null;
  /** A job's status with this phone's unsynced changes applied. */
  effectiveStatus: (job: Job) => JobStatus;
  changeStatus: (job: Job, to: JobStatus, extra?: Partial<StatusChange>) => Promise<'sent' | 'queued'>;
  pay: (job: Job, method: PaymentMethod, amountCents: number) => Promise<PaymentReceipt>;
  /** Takes back a payment recorded by mistake: out of the outbox if not yet sent, else on the server. */
  undoPay: (receipt: PaymentReceipt) => Promise<void>;
  /**
   * A before/after photo, stamped with the phone's time and GPS fix when taken: uploaded now,
   * or kept in the outbox without a connection and sent (ahead of a later "finish") on return.
   */
  takePhoto: (
    job: Job,
    kind: JobPhotoKind,
    file: File,
    onProgress?: (fraction: number, stage: 'compressing' | 'uploading') => void,
  ) => Promise<'sent' | 'queued'>;
  rememberJob: (job: Job) => void;
  cachedJob: (id: string) => Job | undefined;
}

const Ctx = createContext<DriverData | null>(null);

export function useDriver(): DriverData {
  const v = useContext(Ctx);
  if (!v) throw new Error('useDriver outside DriverDataProvider');
  return v;
}

/** Re-try the outbox this often while it holds something (besides online/open events). */
const FLUSH_EVERY_MS = 15_000;

const isNetwork = (err: unknown) =>
  err instanceof ApiError && (err.isNetwork || err.status >= 500 || err.status === 429);

export function DriverDataProvider({ owner, children }: { owner: string; children: ReactNode }) {
  const cached = useMemo(() => readCache(), []);
  const [me, setMeState] = useState<Me | null>(cached.me);
  const [queue, setQueue] = useState<Queue | null>(cached.queue);
  const [queueError, setQueueError] = useState<unknown>(null);
  const [queueLoading, setQueueLoading] = useState(true);
  const [offlineSince, setOfflineSince] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the reload trigger (`reload()` bumps it).
  useEffect(() => {
    const ctrl = new AbortController();
    setQueueLoading(true);
    Promise.all([getMe(ctrl.signal), myQueue(ctrl.signal)]).then(
      ([m, q]) => {
        setMeState(m);
        setQueue(q);
        setQueueError(null);
        setOfflineSince(null);
        setQueueLoading(false);
        writeCache((c) => ({
          ...c,
          me: m,
          queue: q,
          jobs: { ...c.jobs, ...Object.fromEntries(q.jobs.map((j) => [j.id, j])) },
        }));
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setQueueLoading(false);
        const copy = readCache();
        if (isNetwork(err) && copy.queue) {
          setOfflineSince(copy.savedAt);
          setQueueError(null);
        } else setQueueError(err);
      },
    );
    return () => ctrl.abort();
  }, [generation]);

  const setMe = useCallback((m: Me) => {
    setMeState(m);
    writeCache((c) => ({ ...c, me: m }));
  }, []);

  const rememberJob = useCallback((job: Job) => {
    writeCache((c) => ({ ...c, jobs: { ...c.jobs, [job.id]: job } }));
    setQueue((q) => {
      if (!q) return q;
      // Same copy already on screen: keep the queue as it is, so nothing re-renders or refetches.
      const current = q.jobs.find((j) => j.id === job.id);
      if (current && JSON.stringify(current) === JSON.stringify(job)) return q;
      const live = ACTIVE_JOB.includes(job.status);
      const exists = q.jobs.some((j) => j.id === job.id);
      const jobs = exists ? q.jobs.map((j) => (j.id === job.id ? job : j)) : live ? [...q.jobs, job] : q.jobs;
      return { ...q, jobs: jobs.filter((j) => ACTIVE_JOB.includes(j.status) || j.id === job.id) };
    });
  }, []);
  const cachedJob = useCallback((id: string) => readCache().jobs[id] ?? queue?.jobs.find((j) => j.id === id), [queue]);

  // ---- outbox ----
  const allPending = useSyncExternalStore(outbox.subscribe, outbox.items);
  const pending = useMemo(() => allPending.filter((i) => i.owner === owner), [allPending, owner]);

  const effectiveStatus = useCallback(
    (job: Job): JobStatus => {
      const last = [...pending].reverse().find((i) => i.kind === 'status' && i.job_id === job.id);
      return last ? (last.body as StatusChange).status : job.status;
    },
    [pending],
  );

  // ---- socket ----
  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (msg.type === 'job_assigned') {
        const text = strings.queue.newAssignment(msg.payload.address);
        const jobPath = `/driver/jobs/${msg.payload.job_id}`;
        toast.show({
          kind: 'info',
          message: text,
          durationMs: 15_000,
          action: { label: strings.queue.openJob, run: () => navigate(jobPath) },
        });
        void alertAssignment(strings.queue.alertTitle, text);
        reload();
      } else if (msg.type === 'job_cancelled') {
        toast.show({ kind: 'warn', message: strings.queue.cancelled });
        navigator.vibrate?.(300);
        reload();
      } else if (
        msg.type === 'job_status' ||
        (msg.type as string) === 'job_updated' ||
        (msg.type as string) === 'waitlist_changed'
      ) {
        reload();
      }
    },
    [reload],
  );
  const driverId = me?.id;
  const subscriptions = useMemo(() => (driverId ? [`driver:${driverId}`] : []), [driverId]);
  const { state: connection, client } = useRealtime({ session, subscriptions, enabled: !!driverId }, onMessage);

  const activeJob = useMemo(() => {
    const jobs = queue?.jobs ?? [];
    const j =
      jobs.find((x) => UNDER_WAY_JOB.includes(effectiveStatus(x))) ??
      jobs.find((x) => x.status === 'assigned' && takenOn(x));
    return j ? { ...j, status: effectiveStatus(j) } : null;
  }, [queue, effectiveStatus]);

  const activeJobId = activeJob?.id ?? null;
  const onUnsent = useCallback(
    (ping: LocationPing) => {
      void outbox.appendPing(owner, activeJobId, ping);
    },
    [owner, activeJobId],
  );
  const gps = useGpsStream(client, connection, activeJob !== null, onUnsent);
  useWakeLock(activeJob !== null);

  // ---- replay ----
  const clientRef = useRef(client);
  /** Payments the outbox replayed: client event id → the server's payment id (for undo). */
  const syncedPayments = useRef(new Map<string, string>());
  clientRef.current = client;
  const sender: Sender = useCallback(async (item, saveProgress) => {
    try {
      if (item.kind === 'status') {
        const body = item.body as StatusChange;
        const job = await setJobStatus(item.job_id!, body);
        writeCache((c) => ({ ...c, jobs: { ...c.jobs, [job.id]: job } }));
        return { outcome: 'sent' };
      }
      if (item.kind === 'payment') {
        const { payment } = await recordPayment(item.job_id!, item.body as PaymentBody);
        syncedPayments.current.set(item.client_event_id, payment.id);
        return { outcome: 'sent' };
      }
      if (item.kind === 'photo') {
        const { blob, ...stamps } = item.body as PhotoItemBody;
        const url = await uploadBlob(api, blob, { purpose: 'job_photo', jobId: item.job_id! });
        await recordJobPhoto(item.job_id!, { ...stamps, url });
        return { outcome: 'sent' };
      }
      // GPS: one ping at a time over the socket, each acknowledged before the next.
      const c = clientRef.current;
      if (c?.state !== 'open') return { outcome: 'retry', error: 'socket not open' };
      const pings = [...(item.body as GpsBatchBody).pings];
      while (pings.length) {
        const ping = pings[0]!;
        const id = ping.client_event_id ?? newClientEventId('gps');
        const ok = await sendWithAck(c, { type: 'location_ping', payload: { ...ping, client_event_id: id } }, id);
        if (!ok) return { outcome: 'retry', error: 'no ack' };
        pings.shift();
        await saveProgress({ pings } satisfies GpsBatchBody);
      }
      return { outcome: 'sent' };
    } catch (err) {
      if (isNetwork(err)) return { outcome: 'retry', error: String(err) };
      return { outcome: 'rejected', error: errorMessage(err, strings.errors) };
    }
  }, []);

  const flushing = useRef(false);
  const flushNow = useCallback(async () => {
    if (flushing.current || navigator.onLine === false) return;
    flushing.current = true;
    try {
      const report = await outbox.flush(owner, sender);
      if (report.sent > 0) {
        toast.show({ kind: 'ok', message: strings.job.synced(report.sent) });
        reload();
      }
      for (const r of report.rejected) {
        const what =
          r.item.kind === 'status'
            ? (strings.nextStep[(r.item.body as StatusChange).status] ?? r.item.kind)
            : r.item.kind === 'payment'
              ? strings.payment.title
              : r.item.kind === 'photo'
                ? strings.photo.title
                : strings.gps.title;
        toast.show({ kind: 'error', message: strings.job.syncRejected(what, r.error) });
      }
      if (report.rejected.length) reload();
    } finally {
      flushing.current = false;
    }
  }, [owner, sender, reload]);

  useEffect(() => {
    void flushNow();
    const online = () => void flushNow();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [flushNow]);
  useEffect(() => {
    if (connection === 'open') void flushNow();
  }, [connection, flushNow]);
  const hasPending = pending.length > 0;
  useEffect(() => {
    if (!hasPending) return;
    const id = setInterval(() => void flushNow(), FLUSH_EVERY_MS);
    return () => clearInterval(id);
  }, [hasPending, flushNow]);

  const gpsRef = useRef(gps);
  gpsRef.current = gps;
  const changeStatus = useCallback(
    async (job: Job, to: JobStatus, extra: Partial<StatusChange> = {}): Promise<'sent' | 'queued'> => {
      const fix = gpsRef.current.fix;
      const body: StatusChange = {
        status: to,
        client_event_id: newClientEventId('status'),
        // Stamped with when and where it happened on the device, even if sent later.
        recorded_at: new Date().toISOString(),
        ...(fix ? { lat: fix.lat, lng: fix.lng } : {}),
        ...extra,
      };
      const queueIt = async () => {
        await outbox.enqueue({
          kind: 'status',
          owner,
          job_id: job.id,
          client_event_id: body.client_event_id,
          recorded_at: body.recorded_at!,
          body,
        });
        void flushNow();
        return 'queued' as const;
      };
      // Something older still waiting: this change goes behind it, never ahead.
      if (navigator.onLine === false || outbox.items().some((i) => i.owner === owner)) return queueIt();
      try {
        rememberJob(await setJobStatus(job.id, body));
        return 'sent';
      } catch (err) {
        if (isNetwork(err)) return queueIt();
        throw err;
      }
    },
    [owner, flushNow, rememberJob],
  );

  const pay = useCallback(
    async (job: Job, method: PaymentMethod, amountCents: number): Promise<PaymentReceipt> => {
      const body: PaymentBody = { method, amount_cents: amountCents, client_event_id: newClientEventId('pay') };
      const queueIt = async (): Promise<PaymentReceipt> => {
        const seq = await outbox.enqueue({
          kind: 'payment',
          owner,
          job_id: job.id,
          client_event_id: body.client_event_id,
          recorded_at: new Date().toISOString(),
          body,
        });
        void flushNow();
        return { how: 'queued', client_event_id: body.client_event_id, seq };
      };
      if (navigator.onLine === false || outbox.items().some((i) => i.owner === owner)) return queueIt();
      try {
        const { payment } = await recordPayment(job.id, body);
        return { how: 'sent', client_event_id: body.client_event_id, payment_id: payment.id };
      } catch (err) {
        if (isNetwork(err)) return queueIt();
        throw err;
      }
    },
    [owner, flushNow],
  );

  const undoPay = useCallback(async (receipt: PaymentReceipt): Promise<void> => {
    if (receipt.seq !== undefined && (await outbox.withdraw(receipt.seq))) return;
    const id = receipt.payment_id ?? syncedPayments.current.get(receipt.client_event_id);
    // Neither waiting nor recorded: the server refused it on replay, so nothing was taken.
    if (!id) return;
    await undoPayment(id);
  }, []);

  const takePhoto = useCallback(
    async (
      job: Job,
      kind: JobPhotoKind,
      file: File,
      onProgress?: (fraction: number, stage: 'compressing' | 'uploading') => void,
    ): Promise<'sent' | 'queued'> => {
      const fix = gpsRef.current.fix;
      const stamps = {
        kind,
        captured_at: new Date().toISOString(),
        ...(fix ? { lat: fix.lat, lng: fix.lng, ...(fix.accuracy !== null ? { accuracy_m: fix.accuracy } : {}) } : {}),
      };
      onProgress?.(0, 'compressing');
      const blob = await compressImage(file);
      const queueIt = async () => {
        await outbox.enqueue({
          kind: 'photo',
          owner,
          job_id: job.id,
          client_event_id: newClientEventId('photo'),
          recorded_at: stamps.captured_at,
          body: { ...stamps, blob } satisfies PhotoItemBody,
        });
        void flushNow();
        return 'queued' as const;
      };
      if (navigator.onLine === false || outbox.items().some((i) => i.owner === owner)) return queueIt();
      try {
        const url = await uploadBlob(api, blob, {
          purpose: 'job_photo',
          jobId: job.id,
          onProgress: (f) => onProgress?.(f, 'uploading'),
        });
        await recordJobPhoto(job.id, { ...stamps, url });
        return 'sent';
      } catch (err) {
        if (isNetwork(err)) return queueIt();
        throw err;
      }
    },
    [owner, flushNow],
  );

  const value: DriverData = {
    owner,
    me,
    setMe,
    queue,
    queueError,
    queueLoading,
    offlineSince,
    reload,
    connection,
    client,
    gps,
    pending,
    activeJob,
    effectiveStatus,
    changeStatus,
    pay,
    undoPay,
    takePhoto,
    rememberJob,
    cachedJob,
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
