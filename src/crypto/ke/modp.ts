/**
 * Finite-field Diffie-Hellman over the MODP groups (RFC 2409 §6, RFC 3526).
 *
 * The KE data is g^x mod p as a big-endian integer of exactly the prime's length
 * (RFC 7296 §3.4: "padded with zeros if necessary"); the shared secret g^xy has the
 * same fixed length (RFC 7296 §2.14). A peer value y must satisfy 1 < y < p-1:
 * 0, 1 and p-1 would force the shared secret into a set of at most two values
 * (RFC 6989 §2.1 discusses the checks; for safe primes this one suffices).
 */

import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import {
  assertPeerLength,
  bigIntToBytes,
  bytesToBigInt,
  type DhEngine,
  dhEngineFrom,
  hexToBytes,
  invalidPeerValue,
  leftPad,
  withPeerValidation,
} from './engine.js';
import type { ModpGroup } from './modp-groups.js';

/** Group parameters for an engine: a negotiated group or a test group (e.g. RFC 5114). */
export interface ModpParams {
  readonly prime: Uint8Array;
  readonly generator: bigint;
}

export function modpParams(group: ModpGroup): ModpParams {
  return { prime: hexToBytes(group.primeHex), generator: BigInt(group.generator) };
}

function checkPeer(params: ModpParams, peerPublic: Uint8Array): bigint {
  assertPeerLength(peerPublic, params.prime.length);
  const p = bytesToBigInt(params.prime);
  const y = bytesToBigInt(peerPublic);
  if (y <= 1n || y >= p - 1n) throw invalidPeerValue('outside 1 < y < p-1');
  return y;
}

function checkSecret(params: ModpParams, secret: Uint8Array): bigint {
  const x = bytesToBigInt(secret);
  if (x < 2n || x >= bytesToBigInt(params.prime) - 1n) {
    throw new RangeError('MODP private exponent out of range');
  }
  return x;
}

/** Left-to-right square-and-multiply on native BigInt. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  const b = base % modulus;
  for (const bit of exponent.toString(2)) {
    result = (result * result) % modulus;
    if (bit === '1') result = (result * b) % modulus;
  }
  return result;
}

/** Pure-JavaScript engine (native BigInt): the reference, slower one. */
export function nobleModpEngine(params: ModpParams): DhEngine {
  const len = params.prime.length;
  const p = bytesToBigInt(params.prime);
  return dhEngineFrom('noble', len, len, (secret) => {
    const x = checkSecret(params, secret);
    return {
      publicValue: bigIntToBytes(modPow(params.generator, x, p), len),
      computeShared(peerPublic) {
        const z = modPow(checkPeer(params, peerPublic), x, p);
        if (z <= 1n || z >= p - 1n) throw invalidPeerValue('degenerate shared secret');
        return bigIntToBytes(z, len);
      },
    };
  });
}

/**
 * OpenSSL through `crypto.createDiffieHellman`. Constructing the object checks the
 * prime, which takes hundreds of milliseconds for a group OpenSSL does not know
 * (group 2), so one object per engine is kept and loaded with each private key
 * just before use; calls are synchronous, so they cannot interleave.
 */
export function nodeModpEngine(params: ModpParams): DhEngine {
  const len = params.prime.length;
  const p = bytesToBigInt(params.prime);
  let shared: DiffieHellman | undefined;
  const withKey = (secret: Uint8Array): DiffieHellman => {
    shared ??= createDiffieHellman(params.prime, bigIntToBytes(params.generator, 1));
    shared.setPrivateKey(secret);
    return shared;
  };
  return dhEngineFrom('node', len, len, (secret) => {
    checkSecret(params, secret);
    const own = secret.slice();
    // With a private key set, generateKeys() derives the public value from it.
    const publicValue = leftPad(new Uint8Array(withKey(own).generateKeys()), len);
    return {
      publicValue,
      computeShared(peerPublic) {
        checkPeer(params, peerPublic);
        const z = withPeerValidation('rejected by OpenSSL', () =>
          leftPad(new Uint8Array(withKey(own).computeSecret(peerPublic)), len),
        );
        const zi = bytesToBigInt(z);
        if (zi <= 1n || zi >= p - 1n) throw invalidPeerValue('degenerate shared secret');
        return z;
      },
    };
  });
}
