import { describe, expect, it } from 'vitest';
import { ARGON2_PARAMS, DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './passwords';

/**
 * workerd freezes the clock while JavaScript runs (a Spectre mitigation) and moves it
 * on at I/O and timer boundaries, so each measurement is fenced by a zero timer.
 */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  await tick();
  const started = Date.now();
  await fn();
  await tick();
  return Date.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('Argon2id password hashing (inside workerd)', () => {
  it('hashes in PHC form at the OWASP minimum and verifies only the right password', async () => {
    const phc = await hashPassword('winter is coming soon');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('winter is coming soon', phc)).toBe(true);
    expect(await verifyPassword('winter is coming soon!', phc)).toBe(false);
    expect(await verifyPassword('anything', 'not a phc string')).toBe(false);
    expect(await verifyPassword('anything', DUMMY_HASH)).toBe(false);
    expect(needsRehash(phc)).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
  });

  it('reports how long one hash and one verification take (docs/decisions/0003)', async () => {
    const hashes: number[] = [];
    const verifies: number[] = [];
    let phc = '';
    for (let i = 0; i < 5; i++) {
      hashes.push(await timed(async () => (phc = await hashPassword(`bench password ${i}`))));
      verifies.push(await timed(() => verifyPassword(`bench password ${i}`, phc)));
    }
    const result = {
      params: ARGON2_PARAMS,
      hash_ms: { median: median(hashes), all: hashes },
      verify_ms: { median: median(verifies), all: verifies },
    };
    console.log(`ARGON2_BENCH ${JSON.stringify(result)}`);
    expect(median(hashes)).toBeGreaterThan(0);
  });
});
