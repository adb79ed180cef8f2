import { describe, expect, it } from 'vitest';
import { MAX_BATCH_PINGS, MemoryStore, Outbox, type GpsBatchBody, type OutboxItem, type SendOutcome } from './outbox';

const base = { owner: 'u1', job_id: 'j1', recorded_at: '2026-11-22T10:00:00.000Z' };
const status = (id: string, to: string) => ({
  ...base,
  kind: 'status' as const,
  client_event_id: id,
  body: { status: to },
});
const ping = (n: number) => ({
  lat: 43 + n / 1000,
  lng: -71,
  recorded_at: `2026-11-22T10:00:${String(n).padStart(2, '0')}.000Z`,
  client_event_id: `gps-${n}`,
});

describe('Outbox', () => {
  it('replays items oldest first and removes each once the server has it', async () => {
    const box = new Outbox(new MemoryStore());
    await box.enqueue(status('s-aaaaaaa1', 'arrived'));
    await box.appendPing('u1', 'j1', ping(1));
    await box.enqueue(status('s-aaaaaaa2', 'in_progress'));
    const seen: string[] = [];
    const report = await box.flush('u1', async (item) => {
      seen.push(
        item.kind === 'gps'
          ? `gps×${(item.body as GpsBatchBody).pings.length}`
          : (item.body as { status: string }).status,
      );
      return { outcome: 'sent' };
    });
    expect(seen).toEqual(['arrived', 'gps×1', 'in_progress']);
    expect(report).toEqual({ sent: 3, rejected: [], remaining: 0 });
    await box.load();
    expect(box.items()).toEqual([]);
  });

  it('stops at the first retry so a later item never overtakes an earlier one', async () => {
    const box = new Outbox(new MemoryStore());
    await box.enqueue(status('s-bbbbbbb1', 'arrived'));
    await box.enqueue(status('s-bbbbbbb2', 'in_progress'));
    const calls: string[] = [];
    const offline = async (item: OutboxItem): Promise<SendOutcome> => (
      calls.push(item.client_event_id), { outcome: 'retry', error: 'offline' }
    );
    expect(await box.flush('u1', offline)).toMatchObject({ sent: 0, remaining: 2 });
    expect(calls).toEqual(['s-bbbbbbb1']);

    const online = async (item: OutboxItem): Promise<SendOutcome> => (
      calls.push(item.client_event_id), { outcome: 'sent' }
    );
    expect(await box.flush('u1', online)).toMatchObject({ sent: 2, remaining: 0 });
    expect(calls).toEqual(['s-bbbbbbb1', 's-bbbbbbb1', 's-bbbbbbb2']);
  });

  it('drops an item the server refuses for good and reports it', async () => {
    const box = new Outbox(new MemoryStore());
    await box.enqueue(status('s-ccccccc1', 'arrived'));
    await box.enqueue(status('s-ccccccc2', 'in_progress'));
    const report = await box.flush('u1', async (item) =>
      item.client_event_id === 's-ccccccc1' ? { outcome: 'rejected', error: 'job cancelled' } : { outcome: 'sent' },
    );
    expect(report.sent).toBe(1);
    expect(report.rejected.map((r) => r.error)).toEqual(['job cancelled']);
  });

  it('collects fixes into one batch until a status change, then starts another', async () => {
    const box = new Outbox(new MemoryStore());
    await box.appendPing('u1', 'j1', ping(1));
    await box.appendPing('u1', 'j1', ping(2));
    await box.enqueue(status('s-ddddddd1', 'arrived'));
    await box.appendPing('u1', 'j1', ping(3));
    await box.load();
    const kinds = (await new MemoryStore().all(), box.items()).map((i) =>
      i.kind === 'gps' ? (i.body as GpsBatchBody).pings.length : i.kind,
    );
    expect(kinds).toEqual([2, 'status', 1]);
  });

  it('caps a batch and keeps the rest in the next one', async () => {
    const box = new Outbox(new MemoryStore());
    for (let n = 0; n < MAX_BATCH_PINGS + 3; n++) await box.appendPing('u1', 'j1', ping(n % 60));
    await box.load();
    expect(box.items().map((i) => (i.body as GpsBatchBody).pings.length)).toEqual([MAX_BATCH_PINGS, 3]);
  });

  it('keeps the progress of a half-sent batch, so acknowledged fixes are not sent again', async () => {
    const box = new Outbox(new MemoryStore());
    for (let n = 1; n <= 3; n++) await box.appendPing('u1', 'j1', ping(n));
    const sent: string[] = [];
    await box.flush('u1', async (item, save) => {
      const pings = [...(item.body as GpsBatchBody).pings];
      sent.push(pings.shift()!.client_event_id!);
      await save({ pings });
      return { outcome: 'retry', error: 'socket closed' };
    });
    await box.flush('u1', async (item) => {
      sent.push(...(item.body as GpsBatchBody).pings.map((p) => p.client_event_id!));
      return { outcome: 'sent' };
    });
    expect(sent).toEqual(['gps-1', 'gps-2', 'gps-3']);
  });

  it('replays only the signed-in driver’s items', async () => {
    const box = new Outbox(new MemoryStore());
    await box.enqueue({ ...status('s-eeeeeee1', 'arrived'), owner: 'someone-else' });
    expect(await box.flush('u1', async () => ({ outcome: 'sent' }))).toMatchObject({ sent: 0 });
  });

  it('takes back an item still waiting, but not one already on its way', async () => {
    const box = new Outbox(new MemoryStore());
    const waiting = await box.enqueue(status('s-fffffff1', 'completed'));
    expect(await box.withdraw(waiting)).toBe(true);
    await box.load();
    expect(box.items()).toEqual([]);

    const sending = await box.enqueue(status('s-fffffff2', 'completed'));
    let release!: () => void;
    const onTheWire = new Promise<void>((r) => {
      release = r;
    });
    const flushed = box.flush('u1', async () => {
      await onTheWire;
      return { outcome: 'sent' };
    });
    const withdrawn = box.withdraw(sending);
    release();
    expect(await withdrawn).toBe(false);
    expect(await flushed).toMatchObject({ sent: 1 });
  });
});
