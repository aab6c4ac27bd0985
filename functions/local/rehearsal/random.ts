/**
 * Deterministic randomness for a rehearsal: everything the simulation decides
 * comes from the seed, so the same seed gives the same population, the same
 * behaviours and therefore the same year. Each decision draws from its own
 * stream (`seed`, provider, purpose), so provider 17 behaves the same in a run
 * of 200 and a run of 10,000, and adding a decision does not shift the others.
 */
import { createHash } from 'node:crypto';

/** A number in [0, 1) fixed by its parts. */
export function unit(...parts: (string | number)[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** A stream of numbers in [0, 1) (sfc32 seeded from the parts). */
export function stream(...parts: (string | number)[]): () => number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let a = digest.readUInt32BE(0);
  let b = digest.readUInt32BE(4);
  let c = digest.readUInt32BE(8);
  let d = digest.readUInt32BE(12);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Picks by weight: `pick(r, [['a', 3], ['b', 1]])` is 'a' three times in four. */
export function pick<T>(r: number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((n, [, w]) => n + w, 0);
  let x = r * total;
  for (const [value, weight] of weighted) {
    if (x < weight) return value;
    x -= weight;
  }
  return weighted[weighted.length - 1][0];
}

export const between = (r: number, min: number, max: number): number => min + Math.floor(r * (max - min + 1));
