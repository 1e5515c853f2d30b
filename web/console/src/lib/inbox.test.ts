import { describe, expect, it } from 'vitest';
import { timeLeft } from './inbox';

describe('timeLeft', () => {
  const now = Date.parse('2026-12-04T10:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();

  it('never shows more than the window, even a moment after a message or with the clocks apart', () => {
    expect(timeLeft(at(24 * 3_600_000), now)).toBe('24 h');
    expect(timeLeft(at(24 * 3_600_000 - 1_000), now)).toBe('23 h 59 min');
    expect(timeLeft(at(24 * 3_600_000 + 90_000), now)).toBe('24 h');
  });

  it('rounds down to whole minutes and says when under one is left', () => {
    expect(timeLeft(at(61 * 60_000 + 59_000), now)).toBe('1 h 1 min');
    expect(timeLeft(at(59_000), now)).toBe('under 1 min');
    expect(timeLeft(at(0), now)).toBe('closed');
  });
});
