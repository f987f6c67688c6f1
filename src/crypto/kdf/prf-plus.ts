/**
 * prf+ (RFC 7296 §2.13):
 *
 *   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *   T1 = prf (K, S | 0x01)
 *   T2 = prf (K, T1 | S | 0x02)
 *   ...
 *
 * The counter is one octet, so at most 255 blocks can be produced; asking for more
 * is an error, not a silent wrap.
 */

import type { PrfAlgorithm } from '../types.js';
import { concat } from './bytes.js';

/** RFC 7296 §2.13: "this construction can produce at most 255 * (output size of prf)". */
export const PRF_PLUS_MAX_ITERATIONS = 255;

export function prfPlusMaxLength(prf: PrfAlgorithm): number {
  return PRF_PLUS_MAX_ITERATIONS * prf.outLen;
}

export function prfPlus(
  prf: PrfAlgorithm,
  key: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError('prf+ length');
  if (length > prfPlusMaxLength(prf)) {
    throw new RangeError(
      `prf+ can produce at most ${PRF_PLUS_MAX_ITERATIONS} blocks (${prfPlusMaxLength(prf)} octets), ${length} requested`,
    );
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  let filled = 0;
  for (let counter = 1; filled < length; counter++) {
    previous = prf.compute(key, concat(previous, seed, Uint8Array.of(counter)));
    const take = Math.min(previous.length, length - filled);
    out.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return out;
}
