/**
 * Elliptic-curve Diffie-Hellman over prime-field Weierstrass curves: the NIST
 * groups 19-21 (RFC 5903) and the Brainpool groups 27-30 (RFC 6954, curves of
 * RFC 5639).
 *
 * RFC 5903 §7: the KE data is x || y, each coordinate a fixed-length big-endian
 * integer, without the SEC1 0x04 prefix; the shared secret is the x coordinate of
 * the shared point (RFC 5903 §9 / RFC 6954 §4 for Brainpool). A peer point must lie
 * on the curve and not be the point at infinity (RFC 6989 §2.3); these curves have
 * cofactor 1, so being on the curve also puts it in the prime-order group.
 */

import { createECDH } from 'node:crypto';
import { ecdh as nobleEcdh, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import {
  assertPeerLength,
  bytesToBigInt,
  type DhEngine,
  dhEngineFrom,
  invalidPeerValue,
  withPeerValidation,
} from './engine.js';

type NobleEcdh = Pick<typeof p256, 'getPublicKey' | 'getSharedSecret'>;

/**
 * brainpoolP224r1 (RFC 5639 §3.2) is not among `@noble/curves`' presets, so it is
 * built from the RFC's domain parameters with the generic constructor.
 */
const brainpoolP224r1 = nobleEcdh(
  weierstrass({
    p: 0xd7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ffn,
    a: 0x68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43n,
    b: 0x2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400bn,
    Gx: 0x0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07dn,
    Gy: 0x58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cdn,
    n: 0xd7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939fn,
    h: 1n,
  }),
);

export interface EcpCurve {
  /** IANA KE method id. */
  readonly id: number;
  /** Octets of one coordinate (and of a private scalar). */
  readonly coordinateLen: number;
  /** Order n of the base point, for drawing private scalars in [1, n-1]. */
  readonly order: bigint;
  /** Bits of n, to mask the top octet when drawing a scalar (P-521). */
  readonly orderBits: number;
  /** OpenSSL's curve name for `crypto.createECDH`. */
  readonly nodeName: string;
  readonly noble: NobleEcdh;
  readonly reference: string;
}

function curve(
  id: number,
  nodeName: string,
  noble: NobleEcdh & { Point: { Fn: { ORDER: bigint; BYTES: number } } },
  reference: string,
): EcpCurve {
  const order = noble.Point.Fn.ORDER;
  return {
    id,
    coordinateLen: noble.Point.Fn.BYTES,
    order,
    orderBits: order.toString(2).length,
    nodeName,
    noble,
    reference,
  };
}

export const ECP_CURVES: readonly EcpCurve[] = [
  curve(19, 'prime256v1', p256, 'RFC 5903 §3.1'),
  curve(20, 'secp384r1', p384, 'RFC 5903 §3.2'),
  curve(21, 'secp521r1', p521, 'RFC 5903 §3.3'),
  curve(27, 'brainpoolP224r1', brainpoolP224r1, 'RFC 6954 §2; RFC 5639 §3.2'),
  curve(28, 'brainpoolP256r1', brainpoolP256r1, 'RFC 6954 §2; RFC 5639 §3.4'),
  curve(29, 'brainpoolP384r1', brainpoolP384r1, 'RFC 6954 §2; RFC 5639 §3.6'),
  curve(30, 'brainpoolP512r1', brainpoolP512r1, 'RFC 6954 §2; RFC 5639 §3.7'),
];

function checkSecret(c: EcpCurve, secret: Uint8Array): void {
  const d = bytesToBigInt(secret);
  if (secret.length !== c.coordinateLen || d < 1n || d >= c.order) {
    throw new RangeError('ECP private scalar out of range');
  }
}

/** SEC1 uncompressed encoding of the peer's x || y. */
function sec1(c: EcpCurve, peerPublic: Uint8Array): Uint8Array {
  assertPeerLength(peerPublic, 2 * c.coordinateLen);
  const out = new Uint8Array(1 + peerPublic.length);
  out[0] = 0x04;
  out.set(peerPublic, 1);
  return out;
}

export function nobleEcpEngine(c: EcpCurve): DhEngine {
  const len = c.coordinateLen;
  return dhEngineFrom('noble', 2 * len, len, (secret) => {
    checkSecret(c, secret);
    const own = secret.slice();
    return {
      publicValue: c.noble.getPublicKey(own, false).slice(1),
      computeShared(peerPublic) {
        const point = sec1(c, peerPublic);
        // noble decodes with an on-curve check and cannot decode infinity.
        const shared = withPeerValidation('not a point on the curve', () =>
          c.noble.getSharedSecret(own, point, true),
        );
        return shared.slice(1);
      },
    };
  });
}

export function nodeEcpEngine(c: EcpCurve): DhEngine {
  const len = c.coordinateLen;
  return dhEngineFrom('node', 2 * len, len, (secret) => {
    checkSecret(c, secret);
    const ecdh = createECDH(c.nodeName);
    // setPrivateKey also computes the public point.
    ecdh.setPrivateKey(secret);
    return {
      publicValue: new Uint8Array(ecdh.getPublicKey()).slice(1),
      computeShared(peerPublic) {
        const point = sec1(c, peerPublic);
        // OpenSSL's point decoding rejects points off the curve.
        const shared = withPeerValidation('not a point on the curve', () =>
          ecdh.computeSecret(point),
        );
        if (shared.length !== len) throw invalidPeerValue('unexpected shared secret length');
        return new Uint8Array(shared);
      },
    };
  });
}
