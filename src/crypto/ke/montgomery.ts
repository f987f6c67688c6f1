/**
 * Curve25519 (group 31) and Curve448 (group 32) for IKEv2, RFC 8031.
 *
 * RFC 8031 §2: the KE data is the 32- or 56-octet u coordinate, little-endian as
 * in RFC 7748 §5; the private key is that many random octets, clamped by the
 * scalar multiplication itself; the shared secret is X25519/X448's output, and a
 * recipient MUST check that it is not all zeros (the peer sent a small-order
 * point). Lengths other than 32/56 are rejected.
 */

import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { x448 } from '@noble/curves/ed448.js';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  assertPeerLength,
  type DhEngine,
  dhEngineFrom,
  invalidPeerValue,
  isAllZero,
} from './engine.js';

export interface MontgomeryCurve {
  readonly id: number;
  readonly keyLen: number;
  readonly noble: typeof x25519;
  /** DER prefixes that wrap a raw key into PKCS#8 / SubjectPublicKeyInfo (RFC 8410 §7, §4). */
  readonly pkcs8Prefix: string;
  readonly spkiPrefix: string;
  readonly reference: string;
}

export const CURVE25519: MontgomeryCurve = {
  id: 31,
  keyLen: 32,
  noble: x25519,
  // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.110 }, OCTET STRING { OCTET STRING (32) } }
  pkcs8Prefix: '302e020100300506032b656e04220420',
  // SEQUENCE { SEQUENCE { OID 1.3.101.110 }, BIT STRING (32) }
  spkiPrefix: '302a300506032b656e032100',
  reference: 'RFC 8031 §2; RFC 7748 §5',
};

export const CURVE448: MontgomeryCurve = {
  id: 32,
  keyLen: 56,
  noble: x448,
  // Same structures with OID 1.3.101.111 and 56-octet keys.
  pkcs8Prefix: '3046020100300506032b656f043a0438',
  spkiPrefix: '3042300506032b656f033900',
  reference: 'RFC 8031 §2; RFC 7748 §5',
};

function checkSecret(c: MontgomeryCurve, secret: Uint8Array): void {
  if (secret.length !== c.keyLen) throw new RangeError('X25519/X448 private key length');
}

function rejectZero(shared: Uint8Array): Uint8Array {
  // RFC 8031 §2: an all-zero value means the peer's point had small order.
  if (isAllZero(shared)) throw invalidPeerValue('all-zero shared secret');
  return shared;
}

export function nobleMontgomeryEngine(c: MontgomeryCurve): DhEngine {
  return dhEngineFrom('noble', c.keyLen, c.keyLen, (secret) => {
    checkSecret(c, secret);
    const own = secret.slice();
    return {
      publicValue: c.noble.getPublicKey(own),
      computeShared(peerPublic) {
        assertPeerLength(peerPublic, c.keyLen);
        let shared: Uint8Array;
        try {
          shared = c.noble.scalarMult(own, peerPublic);
        } catch {
          // noble refuses a zero result itself; report it the way RFC 8031 names it.
          throw invalidPeerValue('all-zero shared secret');
        }
        return rejectZero(shared);
      },
    };
  });
}

export function nodeMontgomeryEngine(c: MontgomeryCurve): DhEngine {
  // Raw keys go in and out as JWK: measured 5-7x cheaper per exchange than
  // wrapping them in PKCS#8/SPKI DER (bench/handshake, X25519 profile).
  const crv = c.id === 31 ? 'X25519' : 'X448';
  const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  return dhEngineFrom('node', c.keyLen, c.keyLen, (secret) => {
    checkSecret(c, secret);
    const privateKey = createPrivateKey({
      key: { kty: 'OKP', crv, d: b64url(secret), x: '' },
      format: 'jwk',
    });
    const jwk = privateKey.export({ format: 'jwk' });
    return {
      publicValue: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
      computeShared(peerPublic) {
        assertPeerLength(peerPublic, c.keyLen);
        const publicKey = createPublicKey({
          key: { kty: 'OKP', crv, x: b64url(peerPublic) },
          format: 'jwk',
        });
        let shared: Uint8Array;
        try {
          shared = new Uint8Array(diffieHellman({ privateKey, publicKey }));
        } catch {
          // OpenSSL fails the derivation when the result is all zeros.
          throw invalidPeerValue('all-zero shared secret');
        }
        return rejectZero(shared);
      },
    };
  });
}
