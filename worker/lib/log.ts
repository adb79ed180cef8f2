/**
 * The one logger of the Worker and the Durable Objects: one JSON line per event, which
 * Workers Logs and `wrangler tail` index by field. `msg` says what happened in a few words;
 * the other fields carry ids and errors, never secrets or message bodies.
 */
export type LogFields = { msg: string } & Record<string, unknown>;
type Level = 'info' | 'warn' | 'error';

const SINK: Record<Level, (line: string) => void> = {
  info: (line) => console.log(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

function write(level: Level, fields: LogFields): void {
  SINK[level](JSON.stringify({ level, ...fields }));
}

export const log = {
  info: (fields: LogFields) => write('info', fields),
  warn: (fields: LogFields) => write('warn', fields),
  error: (fields: LogFields) => write('error', fields),
  at: (level: Level, fields: LogFields) => write(level, fields),
  /** A `.catch` handler for background work: logs "<what> failed" with the error. */
  failed:
    (what: string) =>
    (err: unknown): void =>
      write('error', { msg: `${what} failed`, err: String(err) }),
};
