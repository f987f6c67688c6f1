/**
 * Seeded randomness for the simulator and engine tests: a small PRNG for
 * scenario choices and link conditions, and SHA-256 in counter mode for the
 * bytes an engine draws (SPIs, nonces, key exchange secrets). The same seed
 * gives the same run.
 */

import { createHash } from 'node:crypto';

/** A small deterministic PRNG (mulberry32) so a seed reproduces a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic bytes: SHA-256 in counter mode over a seed string. */
export function seededBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

/** A 32-bit seed derived from a parent seed and a label (independent streams). */
export function deriveSeed(seed: number, label: string): number {
  return createHash('sha256')
    .update(`${seed >>> 0}/${label}`)
    .digest()
    .readUInt32BE(0);
}

/** Scenario choices from one seeded stream. */
export class SimRandom {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An independent stream for one concern, so adding choices elsewhere keeps it stable. */
  fork(label: string): SimRandom {
    return new SimRandom(deriveSeed(this.seed, label));
  }
}
