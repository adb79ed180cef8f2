import { describe, expect, it } from 'vitest';
import { BatchedLookup } from './batched-lookup';

describe('BatchedLookup', () => {
  it('answers a burst of 100 keys with two calls, one at a time, each key its own value', async () => {
    const calls: string[][] = [];
    let inFlight = 0;
    let most = 0;
    const lookup = new BatchedLookup<string, string>(async (keys) => {
      calls.push(keys);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return new Map(keys.filter((k) => k !== 'k7').map((k) => [k, `job-of-${k}`]));
    });
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const answers = await Promise.all(keys.map((k) => lookup.get(k)));
    expect(calls.map((c) => c.length)).toEqual([1, 99]);
    expect(most).toBe(1);
    expect(answers[3]).toBe('job-of-k3');
    expect(answers[7]).toBeUndefined();
    // Asked again while its call is in flight: the asker joins that call.
    const before = calls.length;
    const [a, b] = await Promise.all([lookup.get('k1'), lookup.get('k1')]);
    expect([a, b]).toEqual(['job-of-k1', 'job-of-k1']);
    expect(calls.slice(before)).toEqual([['k1']]);
  });

  it('fails only the keys of a failed call, and the next call goes ahead', async () => {
    let fail = true;
    const lookup = new BatchedLookup<string, number>(async (keys) => {
      if (fail) {
        fail = false;
        throw new Error('database went away');
      }
      return new Map(keys.map((k) => [k, k.length]));
    });
    const first = lookup.get('a');
    const second = lookup.get('bb');
    await expect(first).rejects.toThrow('database went away');
    await expect(second).resolves.toBe(2);
    await expect(lookup.get('ccc')).resolves.toBe(3);
  });
});
