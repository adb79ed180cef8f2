import { env } from 'cloudflare:workers';
import type { GateFault, GateStats } from '../support/db-gate-protocol';
import { answer, api, type Answer, type ApiInit } from './helpers';

/**
 * The reliability tests' hold on the database: requests sent with `throughGate` run the
 * real Worker (same entry point, middleware and Durable Objects as `api()`), but their
 * database connections go through the fault-injecting gate of test/support/db-gate.ts,
 * which the test switches with `setFault`. Every other request — fixtures, assertions,
 * other test files — reaches the database directly and never sees the fault.
 */

/** Sets the gate's fault; returns its counters. Only this file's own requests are affected. */
export async function setFault(fault: GateFault): Promise<GateStats> {
  const res = await fetch(`${env.DB_GATE_CONTROL}/fault`, { method: 'POST', body: JSON.stringify(fault) });
  if (res.status !== 200) throw new Error(`gate refused ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function gateStats(): Promise<GateStats> {
  return (await fetch(`${env.DB_GATE_CONTROL}/stats`)).json();
}

/** `env` with the database behind the gate. */
export const gatedEnv = (): Env => ({ ...env, DATABASE_URL: env.DB_GATE_URL });

/**
 * One request to the Worker whose database is behind the gate. Waits for the request's
 * `waitUntil` work (closing its pool, handing notifications to the queue) before returning,
 * so a fault set afterwards cannot reach back into it.
 */
export async function throughGate(path: string, init: ApiInit = {}): Promise<Answer> {
  return answer(await api(path, { ...init, env: gatedEnv() }));
}

/** Asserts the SPEC error shape of a `db_unavailable` answer and returns its Retry-After seconds. */
export function retryAfterOf(res: Answer): number {
  if (res.status !== 503 || res.body?.error?.code !== 'db_unavailable' || typeof res.body.error.message !== 'string') {
    throw new Error(`expected 503 db_unavailable, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  const seconds = Number(res.headers.get('retry-after'));
  if (!Number.isInteger(seconds) || seconds <= 0)
    throw new Error(`Retry-After is not a positive number of seconds: ${res.headers.get('retry-after')}`);
  return seconds;
}
