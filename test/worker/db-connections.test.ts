import { env } from 'cloudflare:workers';
import { neonConfig } from '@neondatabase/serverless';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { withDb } from '../../worker/lib/db';

describe('withDb', () => {
  afterEach(() => {
    neonConfig.webSocketConstructor = undefined;
  });

  it('closes every database WebSocket it opened once the work is done', async () => {
    const opened: WebSocket[] = [];
    neonConfig.webSocketConstructor = class extends WebSocket {
      constructor(url: string) {
        super(url);
        opened.push(this);
      }
    } as unknown as typeof WebSocket;
    for (let i = 0; i < 3; i++) await withDb(env, (db) => db.execute(sql`SELECT 1`));
    await withDb(env, (db) => Promise.all([db.execute(sql`SELECT 1`), db.execute(sql`SELECT 2`)]));
    await new Promise((r) => setTimeout(r, 100));
    expect(opened.length).toBeGreaterThanOrEqual(4);
    expect(opened.map((ws) => ws.readyState)).toEqual(opened.map(() => WebSocket.CLOSED));
  });
});
