/**
 * The internal interface behind every Diffie-Hellman style key exchange method.
 *
 * A `DhEngine` is one group on one backend (`@noble/*` or `node:crypto`). Both
 * backends implement the same engines so that the same vectors run against both
 * and `bench/crypto-backends.ts` can time them side by side; `index.ts` picks one
 * per method. Engines work on raw secrets so that vectors with published private
 * keys can drive them; the `KeMethod` wrapper in `dh-method.ts` draws those secrets
 * from the injected `RandomSource`.
 */

import { KeyExchangeError } from '../types.js';

export type KeBackendName = 'noble' | 'node';

/** One private key, loaded once into whatever form the backend needs. */
export interface DhKeyPair {
  /** The KE data for the private key (RFC 7296 §3.4; the encoding depends on the group). */
  readonly publicValue: Uint8Array;
  /**
   * The shared secret with the peer's KE data. Validates the peer's value first and
   * throws `KeyExchangeError` when it is not acceptable.
   */
  computeShared(peerPublic: Uint8Array): Uint8Array;
}

export interface DhEngine {
  readonly backend: KeBackendName;
  /** Length of the KE data (public value) in octets. */
  readonly publicLen: number;
  /** Length of the shared secret in octets. */
  readonly sharedLen: number;
  keyPair(secret: Uint8Array): DhKeyPair;
  /** Shorthand for `keyPair(secret).publicValue`. */
  publicFromSecret(secret: Uint8Array): Uint8Array;
  /** Shorthand for `keyPair(secret).computeShared(peerPublic)`. */
  computeShared(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array;
}

/** Builds an engine from its key pair constructor. */
export function dhEngineFrom(
  backend: KeBackendName,
  publicLen: number,
  sharedLen: number,
  keyPair: (secret: Uint8Array) => DhKeyPair,
): DhEngine {
  return {
    backend,
    publicLen,
    sharedLen,
    keyPair,
    publicFromSecret: (secret) => keyPair(secret).publicValue,
    computeShared: (secret, peerPublic) => keyPair(secret).computeShared(peerPublic),
  };
}

/** Generic, secret-free messages: what went wrong, never which bytes. */
export function invalidPeerValue(reason: string): KeyExchangeError {
  return new KeyExchangeError(`invalid peer key exchange data: ${reason}`);
}

export function assertPeerLength(peerPublic: Uint8Array, expected: number): void {
  if (peerPublic.length !== expected) {
    throw invalidPeerValue(`expected ${expected} octets, got ${peerPublic.length}`);
  }
}

/** Runs a library call on peer data; any library error becomes a `KeyExchangeError`. */
export function withPeerValidation<T>(reason: string, compute: () => T): T {
  try {
    return compute();
  } catch (e) {
    if (e instanceof KeyExchangeError) throw e;
    throw invalidPeerValue(reason);
  }
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

/** Big-endian, left-padded with zeros to `length` octets. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} octets`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Left-pads (never truncates) a big-endian value to `length` octets. */
export function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  if (bytes.length > length) throw new RangeError(`value longer than ${length} octets`);
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new RangeError('odd-length hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** True when every octet is zero, in time independent of the contents. */
export function isAllZero(bytes: Uint8Array): boolean {
  let acc = 0;
  for (const b of bytes) acc |= b;
  return acc === 0;
}
