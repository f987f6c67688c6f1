/**
 * Public and private keys as `node:crypto` KeyObjects, described by the
 * algorithm the IKEv2 AUTH code needs to know (RSA, RSA-PSS, ECDSA per curve,
 * Ed25519, Ed448). KeyObjects never print their material, so a key can travel
 * through logs and errors without leaking.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

export type KeyAlgorithm =
  | 'rsa'
  | 'rsa-pss'
  | 'ecdsa-p256'
  | 'ecdsa-p384'
  | 'ecdsa-p521'
  | 'ed25519'
  | 'ed448';

export interface PublicKey {
  readonly algorithm: KeyAlgorithm;
  /** Modulus or field size in bits. */
  readonly bits: number;
  readonly key: KeyObject;
  /** DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
  readonly spki: Uint8Array;
}

export interface PrivateKey {
  readonly algorithm: KeyAlgorithm;
  readonly bits: number;
  readonly key: KeyObject;
  readonly publicKey: PublicKey;
}

const CURVES: Record<string, { algorithm: KeyAlgorithm; bits: number }> = {
  prime256v1: { algorithm: 'ecdsa-p256', bits: 256 },
  secp384r1: { algorithm: 'ecdsa-p384', bits: 384 },
  secp521r1: { algorithm: 'ecdsa-p521', bits: 521 },
};

/** The algorithm of a KeyObject, or a reason it is not one we sign with. */
export function describeKeyObject(
  key: KeyObject,
): { algorithm: KeyAlgorithm; bits: number } | { unsupported: string } {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss':
      return { algorithm: type, bits: details.modulusLength ?? 0 };
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? ''];
      return curve ?? { unsupported: `EC curve ${details.namedCurve ?? 'unknown'}` };
    }
    case 'ed25519':
      return { algorithm: 'ed25519', bits: 256 };
    case 'ed448':
      return { algorithm: 'ed448', bits: 456 };
    default:
      return { unsupported: `key type ${type ?? 'unknown'}` };
  }
}

export function publicKeyFrom(key: KeyObject): PublicKey | { unsupported: string } {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  const described = describeKeyObject(pub);
  if ('unsupported' in described) return described;
  const spki = new Uint8Array(pub.export({ type: 'spki', format: 'der' }));
  return { ...described, key: pub, spki };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
