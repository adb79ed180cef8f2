/**
 * Embedded Postgres + PostGIS for local dev and tests (Node only, never bundled into the Worker).
 *
 * PGlite (Postgres compiled to WASM) runs in this process, persisted to a data directory, and
 * is served over the Postgres wire protocol by pglite-socket so that `pg`, drizzle-kit and
 * (through scripts/lib/ws-bridge.ts) `@neondatabase/serverless` can talk to it like a real server.
 *
 * A cold start (initdb + `CREATE EXTENSION postgis`) is slow, so `prepareTemplate` builds a
 * data dir once and `cloneDataDir` copies it for each test run.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** PGlite data directory; created (initdb) if it does not exist. */
  dataDir: string;
  /** TCP port; 0 (default) picks any free port. */
  port?: number;
  /** Bind address; defaults to 127.0.0.1 (never expose the embedded DB on the network). */
  host?: string;
  /** Connections the multiplexer accepts at once (default 10). Queries still run one at a time. */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres:postgres@127.0.0.1:PORT/postgres`; PGlite ignores the password. */
  url: string;
  host: string;
  port: number;
  /** Stops the socket server, then closes PGlite so the data dir is consistent on disk. */
  stop(): Promise<void>;
}

/** Opens (creating if needed) a PGlite data dir with PostGIS enabled. */
async function openPglite(dataDir: string): Promise<PGlite> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { postgis } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  return db;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = opts.host ?? '127.0.0.1';
  const unlock = await lockDataDir(opts.dataDir);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer;
  try {
    db = await openPglite(opts.dataDir);
    server = new PGLiteSocketServer({ db, host, port: opts.port ?? 0, maxConnections: opts.maxConnections ?? 100 });
    keepExtendedQueriesTogether(server);
    await server.start().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      throw new Error(`embedded Postgres: ${host}:${opts.port} is already in use (set PGLITE_PORT?)`, { cause: err });
    });
  } catch (err) {
    await db?.close();
    await unlock();
    throw err;
  }
  const pg = db;
  // getServerConn() reports the OS-assigned port once listening ("host:port").
  const port = Number(server.getServerConn().split(':').pop());
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await server.stop();
      // Detaching handlers may still queue a ROLLBACK (close() does not wait for the query
      // mutex, and a query after close() would reject unhandled): let in-flight work drain.
      await new Promise((r) => setTimeout(r, 20));
      await pg.runExclusive(async () => {});
      if (!pg.closed) await pg.close();
      await unlock();
    })());
  return { url: `postgres://postgres:postgres@${host}:${port}/postgres`, host, port, stop };
}

/** What pglite-socket 0.2.x keeps in its (internal) query queue; see keepExtendedQueriesTogether. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  timestamp: number;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

/** Frontend messages that end an extended-protocol sequence: Sync, simple Query, Terminate. */
const SEQUENCE_END = new Set([0x53, 0x51, 0x58]);
const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4]);
const TERMINATE = 0x58;

/**
 * A real server closes the connection after a Terminate message; pglite-socket does not, and
 * clients that wait for that close (the Neon driver's `pool.end()`) keep the socket — so a
 * long test file piles up connections until `maxConnections` refuses new ones.
 */
function hangUp(server: PGLiteSocketServer, handlerId: number): void {
  const handlers = (server as unknown as { handlers?: Set<{ handlerId: number; socket: { end(): void } | null }> })
    .handlers;
  for (const h of handlers ?? []) if (h.handlerId === handlerId) setImmediate(() => h.socket?.end());
}

/**
 * pglite-socket multiplexes many connections onto one PGlite session one protocol message at
 * a time, keeping a connection's messages together only inside an explicit transaction. An
 * extended-protocol query (Parse, Bind, Describe, Execute, Sync) from one connection could
 * then interleave with another's — "unnamed prepared statement does not exist", or worse,
 * one connection reading another's result — as soon as a few requests run at once (the
 * Neon driver sends each message on its own). This keeps a connection's messages together
 * until its Sync (or simple Query), as well as for a whole transaction.
 */
function keepExtendedQueriesTogether(server: PGLiteSocketServer): void {
  const q = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  if (!q || !Array.isArray(q.queue) || typeof q.processQueue !== 'function') {
    throw new Error(
      'pglite-socket internals changed: revisit keepExtendedQueriesTogether in scripts/lib/embedded-db.ts',
    );
  }
  let openSequence = false;
  q.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const sticky = this.lastHandlerId !== null && (openSequence || this.db.isInTransaction());
        const index = sticky ? this.queue.findIndex((m) => m.handlerId === this.lastHandlerId) : 0;
        if (index === -1) break; // wait for the connection holding the session
        const next = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(next.message, {
              onRawData: (d: Uint8Array) => {
                bytes += d.length;
                next.onData(d);
              },
            }),
          );
        } catch (err) {
          next.reject(err);
          continue;
        }
        this.lastHandlerId = next.handlerId;
        // A startup packet has no type byte (its first byte is 0): it opens nothing.
        openSequence = next.message[0] !== 0 && !SEQUENCE_END.has(next.message[0]!);
        next.resolve(bytes);
        if (next.message[0] === TERMINATE) hangUp(server, next.handlerId);
      }
    } finally {
      this.processing = false;
    }
  };
  const clearTransaction = q.clearTransactionIfNeeded.bind(q);
  q.clearTransactionIfNeeded = async function clearTransactionIfNeeded(
    this: QueryQueue,
    handlerId: number,
  ): Promise<void> {
    if (openSequence && this.lastHandlerId === handlerId) {
      // The connection went away mid-query: end its sequence so others can proceed.
      openSequence = false;
      await this.db
        .runExclusive(() => this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => {} }))
        .catch(() => {});
    }
    await clearTransaction(handlerId);
    if (this.lastHandlerId === handlerId) this.lastHandlerId = null;
    await this.processQueue();
  };
}

/**
 * PGlite takes no lock of its own: two processes on one data dir would corrupt it. A sibling
 * `<dataDir>.lock` holding our pid guards against that; a lock left by a dead process is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${path.resolve(dataDir)}.lock`;
  await mkdir(path.dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (pid && isProcessAlive(pid)) {
        throw new Error(
          `${dataDir} is in use by process ${pid} (\`npm run db:up\` already running? else delete ${lock})`,
        );
      }
      await rm(lock, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

/** True if a process with this pid exists (EPERM: exists but not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Marker file inside a template recording which PGlite/PostGIS build made it (Postgres ignores it). */
const STAMP_FILE = 'PLOWDISPATCH_TEMPLATE';

/** "pglite@x postgis@y": a template built by other versions may not open, so it is rebuilt. */
async function templateStamp(): Promise<string> {
  const require = createRequire(import.meta.url);
  const version = async (pkg: string): Promise<string> => {
    // Both packages resolve to <pkg>/dist/index.*; package.json is not in their "exports".
    const manifest = path.join(path.dirname(require.resolve(pkg)), '..', 'package.json');
    return (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
  };
  return `pglite@${await version('@electric-sql/pglite')} postgis@${await version('@electric-sql/pglite-postgis')}`;
}

async function hasStamp(dir: string, stamp: string): Promise<boolean> {
  return (await readFile(path.join(dir, STAMP_FILE), 'utf8').catch(() => '')) === stamp;
}

/**
 * Creates `templateDir` (a closed PGlite data dir with PostGIS) unless a current one exists.
 * Built in a temp sibling and renamed into place, so a crashed or concurrent run never leaves
 * a half-built template. Returns true if it had to build it (~15 s).
 */
export async function prepareTemplate(templateDir: string): Promise<boolean> {
  const stamp = await templateStamp();
  if (await hasStamp(templateDir, stamp)) return false;
  const tmp = `${templateDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    const db = await openPglite(tmp);
    await db.close();
    await writeFile(path.join(tmp, STAMP_FILE), stamp);
    if (await hasStamp(templateDir, stamp)) return false; // a concurrent run finished first
    await rm(templateDir, { recursive: true, force: true });
    await rename(tmp, templateDir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return true;
}

/** Recursive copy with all files in flight at once: ~10x faster than fs.cp on ~1000 small files. */
async function copyTree(src: string, dst: string): Promise<void> {
  await mkdir(dst, { recursive: true });
  const entries = await readdir(src, { withFileTypes: true });
  await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? copyTree(path.join(src, e.name), path.join(dst, e.name))
        : copyFile(path.join(src, e.name), path.join(dst, e.name)),
    ),
  );
}

/** Copies a closed data dir (~0.1 s for the ~60 MB template) so each test run starts clean. */
export async function cloneDataDir(templateDir: string, targetDir: string): Promise<void> {
  if (!(await exists(path.join(templateDir, 'PG_VERSION'))))
    throw new Error(`cloneDataDir: no data dir at ${templateDir}`);
  if (await exists(targetDir)) throw new Error(`cloneDataDir: ${targetDir} already exists`);
  await copyTree(templateDir, targetDir);
}
