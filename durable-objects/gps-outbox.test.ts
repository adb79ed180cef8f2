import { describe, expect, it } from 'vitest';
import { WRITE_WINDOW_MS, writeDelayMs } from './gps-outbox';

describe('when a ping is written', () => {
  const t0 = Date.parse('2026-12-06T12:00:00Z');

  it('writes a ping on its own in the next turn: no timer keeps the object awake between the app’s fixes', () => {
    expect(writeDelayMs(null, t0, false)).toBe(0); // the first
    expect(writeDelayMs(t0, t0 + 5_000, false)).toBe(0); // the driver app's pace
    expect(writeDelayMs(t0, t0 + 2 * WRITE_WINDOW_MS, false)).toBe(0);
  });

  it('lets a fast stream share one write per window', () => {
    expect(writeDelayMs(t0, t0 + 50, false)).toBe(WRITE_WINDOW_MS); // 20 Hz
    expect(writeDelayMs(t0, t0 + 1_000, false)).toBe(WRITE_WINDOW_MS); // 1 Hz
  });

  it('writes at once for someone waiting on the ack, however fast the stream', () => {
    expect(writeDelayMs(t0, t0 + 50, true)).toBe(0);
  });
});
