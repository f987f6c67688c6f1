/**
 * The signature schemes of IKEv2 AUTH: the RFC 7427 §3 Digital Signature
 * schemes (identified by an ASN.1 AlgorithmIdentifier, RFC 7427 Appendix A,
 * RFC 8420 §3 for EdDSA) and the hash each stands for in
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4).
 */
import { HashAlgorithm } from '../wire/ikev2/constants.js';
import { encodePssAlgorithmId, HASH_LENGTH, type HashName, OID } from './algorithm-ids.js';
import { concatAll, derTlv } from './der.js';
import { encodeOid } from './dn.js';
import type { KeyAlgorithm } from './keys.js';

export type SchemeFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa';

export interface SignatureScheme {
  /** strongSwan-like name, for logs: `sha256WithRSA`, `rsa-pss-sha384`, `ecdsa-sha256`, `ed25519`. */
  readonly name: string;
  readonly family: SchemeFamily;
  /** node:crypto digest name; null for EdDSA, which signs the message itself. */
  readonly hash: HashName | null;
  /** The SIGNATURE_HASH_ALGORITHMS value this scheme needs the peer to support. */
  readonly hashAlgorithm: number;
  /** DER AlgorithmIdentifier carried in the AUTH payload (RFC 7427 §3). */
  readonly algorithmId: Uint8Array;
  /** RSASSA-PSS salt length in octets. */
  readonly saltLength?: number;
  /** Key algorithms this scheme signs with. */
  readonly keys: readonly KeyAlgorithm[];
}

/** AlgorithmIdentifier with NULL parameters (RSA, RFC 7427 A.1) or none (ECDSA A.3, EdDSA). */
function algId(oid: string, nullParams: boolean): Uint8Array {
  return derTlv(
    0x30,
    concatAll([derTlv(0x06, encodeOid(oid)), nullParams ? Uint8Array.of(5, 0) : new Uint8Array()]),
  );
}

const HASH_NUMBER: Record<HashName, number> = {
  sha1: HashAlgorithm.SHA1,
  sha256: HashAlgorithm.SHA2_256,
  sha384: HashAlgorithm.SHA2_384,
  sha512: HashAlgorithm.SHA2_512,
};

const RSA_KEYS: readonly KeyAlgorithm[] = ['rsa'];
const PSS_KEYS: readonly KeyAlgorithm[] = ['rsa', 'rsa-pss'];
const EC_KEYS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'];

function pkcs1(hash: HashName, oid: string): SignatureScheme {
  return {
    name: `${hash}WithRSA`,
    family: 'rsa-pkcs1',
    hash,
    hashAlgorithm: HASH_NUMBER[hash],
    algorithmId: algId(oid, true),
    keys: RSA_KEYS,
  };
}

/** RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 8247 §3.2 practice). */
function pss(hash: HashName): SignatureScheme {
  return {
    name: `rsa-pss-${hash}`,
    family: 'rsa-pss',
    hash,
    hashAlgorithm: HASH_NUMBER[hash],
    algorithmId: encodePssAlgorithmId({ hash, mgfHash: hash, saltLength: HASH_LENGTH[hash] }),
    saltLength: HASH_LENGTH[hash],
    keys: PSS_KEYS,
  };
}

function ecdsa(hash: HashName, oid: string): SignatureScheme {
  return {
    name: `ecdsa-${hash}`,
    family: 'ecdsa',
    hash,
    hashAlgorithm: HASH_NUMBER[hash],
    algorithmId: algId(oid, false),
    keys: EC_KEYS,
  };
}

/** Every scheme we can produce, in our order of preference within a key type. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  pss('sha256'),
  pss('sha384'),
  pss('sha512'),
  pkcs1('sha256', OID.sha256WithRSA),
  pkcs1('sha384', OID.sha384WithRSA),
  pkcs1('sha512', OID.sha512WithRSA),
  ecdsa('sha256', OID.ecdsaWithSha256),
  ecdsa('sha384', OID.ecdsaWithSha384),
  ecdsa('sha512', OID.ecdsaWithSha512),
  {
    name: 'ed25519',
    family: 'eddsa',
    hash: null,
    hashAlgorithm: HashAlgorithm.IDENTITY,
    algorithmId: algId(OID.ed25519, false),
    keys: ['ed25519'],
  },
  {
    name: 'ed448',
    family: 'eddsa',
    hash: null,
    hashAlgorithm: HashAlgorithm.IDENTITY,
    algorithmId: algId(OID.ed448, false),
    keys: ['ed448'],
  },
];

/** Verification also accepts SHA-1 schemes a peer may still use (RFC 7427 A.1.1, A.3.1). */
export const LEGACY_VERIFY_SCHEMES: readonly SignatureScheme[] = [
  pkcs1('sha1', OID.sha1WithRSA),
  ecdsa('sha1', OID.ecdsaWithSha1),
];

/** The hash that matches an ECDSA curve (RFC 4754 §3, and strongSwan's default pairing). */
export const CURVE_HASH: Partial<Record<KeyAlgorithm, HashName>> = {
  'ecdsa-p256': 'sha256',
  'ecdsa-p384': 'sha384',
  'ecdsa-p521': 'sha512',
};

/**
 * The scheme to sign with for `key` when the peer announced `peerHashes`:
 * ECDSA prefers the curve's own hash; RSA prefers PKCS#1 v1.5 unless `rsaPss`
 * (strongSwan's default, since not every peer verifies PSS) and then the
 * strongest-first order SHA-256, -384, -512 like strongSwan; EdDSA needs
 * "Identity" (RFC 8420 §2).
 */
export function chooseSignatureScheme(
  key: KeyAlgorithm,
  peerHashes: readonly number[],
  opts: { rsaPss?: boolean } = {},
): SignatureScheme | undefined {
  const usable = SIGNATURE_SCHEMES.filter(
    (s) => s.keys.includes(key) && peerHashes.includes(s.hashAlgorithm),
  );
  if (key === 'rsa') {
    const family = opts.rsaPss ? 'rsa-pss' : 'rsa-pkcs1';
    return usable.find((s) => s.family === family) ?? usable[0];
  }
  const curveHash = CURVE_HASH[key];
  return usable.find((s) => s.hash === curveHash) ?? usable[0];
}
