/** Small byte helpers shared by the backends and algorithms. */

import { CryptoInputError } from './types.js';

/** Compares in time independent of where the inputs differ (RFC 7296 §5: no timing oracles). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function xorInto(target: Uint8Array, other: Uint8Array, targetOffset = 0): void {
  for (let i = 0; i < other.length; i++) target[targetOffset + i]! ^= other[i]!;
}

export function assertLength(what: string, value: Uint8Array, ...allowed: number[]): void {
  if (!allowed.includes(value.length)) {
    throw new CryptoInputError(
      `${what} must be ${allowed.join(' or ')} octets, got ${value.length}`,
    );
  }
}

export function assertBlockMultiple(what: string, value: Uint8Array, blockSize: number): void {
  if (value.length % blockSize !== 0) {
    throw new CryptoInputError(`${what} length ${value.length} is not a multiple of ${blockSize}`);
  }
}

export const AES_KEY_LENGTHS = [16, 24, 32] as const;

export function assertAesKey(key: Uint8Array): void {
  assertLength('AES key', key, ...AES_KEY_LENGTHS);
}
