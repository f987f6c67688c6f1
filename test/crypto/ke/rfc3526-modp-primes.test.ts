/**
 * The MODP primes in src/crypto/ke/modp-groups.ts are those of RFC 3526 §2-§7 and
 * RFC 2409 §6.2: each is recomputed from the RFC's defining formula
 * 2^N - 2^(N-64) - 1 + 2^64 * ([2^(N-130) pi] + k), with pi from Machin's formula,
 * and compared with OpenSSL's independent copy. Group 2 is also compared with the
 * hexadecimal value printed in RFC 7296 App. B.2.
 */

import { getDiffieHellman } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODP_GROUPS } from '../../../src/crypto/ke/index.js';
import { KE_VECTOR_DIR } from './vector-files.js';

interface PrimeEntry {
  group: number;
  bits: number;
  piShift: number;
  offset: number;
  generator: number;
  primeHex?: string;
}
const data = JSON.parse(readFileSync(join(KE_VECTOR_DIR, 'rfc3526-modp-primes.json'), 'utf8')) as {
  groups: PrimeEntry[];
};

/** arctan(1/x) scaled by `one`, by its alternating series. */
function arctanInverse(x: bigint, one: bigint): bigint {
  let sum = 0n;
  let power = one / x;
  const x2 = x * x;
  for (let n = 1n, sign = 1n; power !== 0n; n += 2n, sign = -sign) {
    sum += (sign * power) / n;
    power /= x2;
  }
  return sum;
}

/** floor(2^shift * pi), via pi = 16 arctan(1/5) - 4 arctan(1/239) with 64 guard bits. */
function piTimesPowerOfTwo(shift: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(shift) + guard);
  return (16n * arctanInverse(5n, one) - 4n * arctanInverse(239n, one)) >> guard;
}

describe('RFC 3526 / RFC 2409 MODP primes', () => {
  it('covers every MODP group Styx negotiates', () => {
    expect(data.groups.map((g) => g.group).sort((a, b) => a - b)).toEqual(
      MODP_GROUPS.map((g) => g.id).sort((a, b) => a - b),
    );
  });

  it.each(data.groups.map((g) => [g.group, g] as const))('group %i', (_id, g) => {
    const n = BigInt(g.bits);
    const fromFormula =
      (1n << n) -
      (1n << (n - 64n)) -
      1n +
      (1n << 64n) * (piTimesPowerOfTwo(g.piShift) + BigInt(g.offset));
    const constant = MODP_GROUPS.find((m) => m.id === g.group)!;
    expect(BigInt(`0x${constant.primeHex}`)).toBe(fromFormula);
    expect(constant.primeHex.length).toBe(g.bits / 4);
    expect(constant.generator).toBe(g.generator);
    const openssl = getDiffieHellman(`modp${g.group}`).getPrime('hex');
    expect(openssl.toUpperCase()).toBe(constant.primeHex);
    if (g.primeHex) expect(g.primeHex.replace(/\s+/g, '')).toBe(constant.primeHex);
  });
});
