/**
 * Wraps a `DhEngine` into a registry `KeMethod`: draws the private key from the
 * injected `RandomSource` and exposes one `KeyExchange` per side. For
 * Diffie-Hellman the initiator and responder do the same thing (RFC 7296 §1.2).
 */

import type { KeMethod, KeyExchange, RandomSource, Usage } from '../types.js';
import { bytesToBigInt, type DhEngine } from './engine.js';

export interface DhMethodSpec {
  readonly id: number;
  readonly name: string;
  readonly keyword: string;
  readonly kind: 'modp' | 'ecp' | 'curve';
  readonly usages: readonly Usage[];
  /** Draws a private key; may call `random` more than once (rejection sampling). */
  readonly drawSecret: (random: RandomSource) => Uint8Array;
}

/** Attempts before giving up on rejection sampling: a sound source never needs more than a few. */
const MAX_DRAWS = 64;

/** A MODP exponent of `length` octets, at least 2 (RFC 2631 §2.2 style range check). */
export function drawModpExponent(length: number): (random: RandomSource) => Uint8Array {
  return (random) => {
    for (let i = 0; i < MAX_DRAWS; i++) {
      const x = random(length);
      if (bytesToBigInt(x) >= 2n) return x;
    }
    throw new Error('random source produced no usable MODP exponent');
  };
}

/** A scalar in [1, n-1] by rejection sampling, the top octet masked to n's bit length. */
export function drawEcpScalar(
  length: number,
  order: bigint,
  orderBits: number,
): (random: RandomSource) => Uint8Array {
  const spareBits = length * 8 - orderBits;
  const topMask = spareBits > 0 ? 0xff >>> spareBits : 0xff;
  return (random) => {
    for (let i = 0; i < MAX_DRAWS; i++) {
      const d = random(length).slice();
      d[0] = d[0]! & topMask;
      const value = bytesToBigInt(d);
      if (value >= 1n && value < order) return d;
    }
    throw new Error('random source produced no usable ECP scalar');
  };
}

/** RFC 7748 §5 / RFC 8031 §2: any `length` random octets; clamping happens in X25519/X448. */
export function drawMontgomeryScalar(length: number): (random: RandomSource) => Uint8Array {
  return (random) => random(length).slice();
}

/** One side of a DH exchange with a known private key (also used by tests with published keys). */
export function dhKeyExchange(engine: DhEngine, secret: Uint8Array): KeyExchange {
  const pair = engine.keyPair(secret.slice());
  return {
    publicValue: pair.publicValue,
    computeSharedSecret(peerValue) {
      return pair.computeShared(peerValue);
    },
  };
}

export function createDhMethod(spec: DhMethodSpec, engine: DhEngine): KeMethod {
  return {
    id: spec.id,
    name: spec.name,
    keyword: spec.keyword,
    usages: spec.usages,
    kind: spec.kind,
    initiatorValueLen: engine.publicLen,
    responderValueLen: engine.publicLen,
    initiate(random) {
      return dhKeyExchange(engine, spec.drawSecret(random));
    },
    respond(random) {
      return dhKeyExchange(engine, spec.drawSecret(random));
    },
  };
}
