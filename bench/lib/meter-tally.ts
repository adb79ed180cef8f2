/** One queue's traffic as the meter saw it (bench/cost-meter). */
export interface QueueTally {
  sent: number;
  sent_bytes: number;
  /** 64 KB chunks written: what Queues bills per write (and again per read and delete). */
  sent_chunks: number;
  delivered: number;
  redelivered: number;
}

/** Where the meter Worker answers: a path the app's assets never shadow (`run_worker_first`). */
export const METER_PATH = '/api/__meter';

/** The running totals `GET METER_PATH` returns: shared by the meter Worker and the bench. */
export interface MeterTally {
  worker: { fetch: number; upgrades: number; queue_batches: number; scheduled: number };
  /** Stub calls by `Class.method`. */
  do_calls: Record<string, number>;
  /** Events inside objects by `Class.event` (webSocketMessage, webSocketClose, alarm…). */
  do_events: Record<string, number>;
  /** Active wall-clock milliseconds by class. */
  do_active_ms: Record<string, number>;
  sqlite: { statements: number; rows_read: number; rows_written: number };
  kv: { rows_read: number; rows_written: number; set_alarm: number };
  queues: Record<string, QueueTally>;
  r2: { class_a: number; class_b: number; bytes_put: number; objects_put: number };
}
