import { describe, expect, it } from 'vitest';
import { memoize, remember } from '../../../functions/commons/memo.ts';

describe('bounded memory for pure functions', () => {
  it('computes once per key and drops the oldest key when full', () => {
    const calls: string[] = [];
    const upper = memoize((s) => {
      calls.push(s);
      return s.toUpperCase();
    }, 2);
    expect([upper('a'), upper('a'), upper('b')]).toEqual(['A', 'A', 'B']);
    upper('c'); // 'a' goes
    upper('b');
    upper('a');
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps no error: a bad input throws again', () => {
    let calls = 0;
    const cache = new Map<number, number>();
    const bad = () =>
      remember(cache, 1, () => {
        calls++;
        return JSON.parse('{') as number;
      });
    expect(bad).toThrow(SyntaxError);
    expect(bad).toThrow(SyntaxError);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });
});
