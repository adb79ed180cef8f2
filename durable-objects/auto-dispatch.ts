import { DurableObject } from 'cloudflare:workers';
import { withDb } from '../worker/lib/db';
import { dispatchStub } from '../worker/realtime';
import { dispatchTick, initialState, type DispatchState } from '../worker/services/auto-dispatch';
import { log } from '../worker/lib/log';

const STATE_KEY = 'state';
/** A failed tick (database unreachable) is retried this much later, then again. */
const RETRY_MS = 10_000;

/**
 * One object per auto-dispatched job (idFromName(job id)): holds who has been asked and
 * the open offer, and wakes on its alarm — when an offer times out, when the radius should
 * widen, or at once when a driver declines. No in-memory timers: the alarm survives
 * eviction and restarts. The decisions live in worker/services/auto-dispatch.ts.
 */
export class AutoDispatch extends DurableObject<Env> {
  async #load(): Promise<DispatchState | null> {
    return (await this.ctx.storage.get<DispatchState>(STATE_KEY)) ?? null;
  }

  /** Begins dispatching `jobId` at `firstLookAt` (epoch ms); a second start is ignored. */
  async start(jobId: string, firstLookAt: number): Promise<void> {
    if (await this.#load()) return;
    await this.ctx.storage.put(STATE_KEY, initialState(jobId, Date.now()));
    await this.ctx.storage.setAlarm(firstLookAt);
  }

  /** The offered driver said no: move on now. Ignored when this job is not being dispatched. */
  async declined(jobId: string): Promise<void> {
    const state = await this.#load();
    if (state?.job_id === jobId) await this.ctx.storage.setAlarm(Date.now());
  }

  /** The dispatch state, for the admin board and tests. */
  async status(): Promise<{ state: DispatchState | null; alarm: number | null }> {
    return { state: await this.#load(), alarm: await this.ctx.storage.getAlarm() };
  }

  override async alarm(): Promise<void> {
    const state = await this.#load();
    if (!state) return;
    let outcome: Awaited<ReturnType<typeof dispatchTick>>;
    try {
      outcome = await withDb(this.env, (db) => dispatchTick(this.env, db, state, Date.now()));
    } catch (err) {
      log.error({
        msg: 'auto-dispatch tick failed, will retry',
        job_id: state.job_id,
        err: String(err),
      });
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      return;
    }
    if (outcome.state) {
      await this.ctx.storage.put(STATE_KEY, outcome.state);
      if (outcome.next_alarm !== null) await this.ctx.storage.setAlarm(outcome.next_alarm);
    } else {
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
    }
    if (outcome.events.length > 0) {
      const dispatch = dispatchStub(this.env);
      for (const payload of outcome.events) {
        await dispatch
          .toAdmins({ type: 'auto_dispatch', payload })
          .catch((err: unknown) => log.error({ msg: 'auto-dispatch fan-out failed', err: String(err) }));
      }
    }
  }
}
