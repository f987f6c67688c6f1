/**
 * IKEv2 AUTH payload data for signature methods: RSA Digital Signature (1,
 * RFC 7296 §3.8: PKCS#1 v1.5 over SHA-1), ECDSA (9/10/11, RFC 4754: raw r||s)
 * and Digital Signature (14, RFC 7427 §3: length-prefixed AlgorithmIdentifier,
 * then the signature). The signed octets come from `authSignedOctets`
 * (`src/crypto/kdf/`); these functions only sign and verify them.
 */
import { constants, type KeyObject, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { AuthMethod } from '../wire/ikev2/constants.js';
import { OID, parseAlgorithmId, parsePssParams } from './algorithm-ids.js';
import type { KeyAlgorithm, PrivateKey, PublicKey } from './keys.js';
import { sameBytes } from './keys.js';
import {
  chooseSignatureScheme,
  LEGACY_VERIFY_SCHEMES,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
} from './signature-schemes.js';

export interface AuthData {
  readonly method: number;
  readonly data: Uint8Array;
}

/** RFC 4754 §3: each ECDSA method fixes curve and hash. */
const ECDSA_METHODS: Partial<Record<KeyAlgorithm, { method: number; hash: string }>> = {
  'ecdsa-p256': { method: AuthMethod.ECDSA_SHA256_P256, hash: 'sha256' },
  'ecdsa-p384': { method: AuthMethod.ECDSA_SHA384_P384, hash: 'sha384' },
  'ecdsa-p521': { method: AuthMethod.ECDSA_SHA512_P521, hash: 'sha512' },
};

export interface SignOptions {
  /**
   * The peer's SIGNATURE_HASH_ALGORITHMS (decoded), or undefined when it sent
   * none: then only the classic methods 1 and 9-11 are possible (RFC 7427 §4).
   */
  readonly peerHashes?: readonly number[];
  /** Use RSASSA-PSS rather than PKCS#1 v1.5 for RSA keys in method 14. */
  readonly rsaPss?: boolean;
}

function signWith(scheme: SignatureScheme, key: KeyObject, octets: Uint8Array): Uint8Array {
  switch (scheme.family) {
    case 'rsa-pss':
      return nodeSign(scheme.hash, octets, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: scheme.saltLength ?? constants.RSA_PSS_SALTLEN_DIGEST,
      });
    case 'eddsa':
      return nodeSign(null, octets, key);
    default: // PKCS#1 v1.5 and ECDSA, DER-encoded signature inside method 14 (RFC 7427 §3)
      return nodeSign(scheme.hash, octets, key);
  }
}

/**
 * Signs `signedOctets` for an AUTH payload: method 14 with the best scheme the
 * peer's hash list allows; otherwise the classic method for the key (RSA: 1,
 * ECDSA: 9/10/11). EdDSA and RSA-PSS-only keys exist only in method 14.
 */
export function signAuth(
  key: PrivateKey,
  signedOctets: Uint8Array,
  opts: SignOptions = {},
): AuthData | { error: string } {
  if (opts.peerHashes && opts.peerHashes.length > 0) {
    const scheme = chooseSignatureScheme(key.algorithm, opts.peerHashes, opts);
    if (scheme) {
      const sig = signWith(scheme, key.key, signedOctets);
      const data = new Uint8Array(1 + scheme.algorithmId.length + sig.length);
      data[0] = scheme.algorithmId.length;
      data.set(scheme.algorithmId, 1);
      data.set(sig, 1 + scheme.algorithmId.length);
      return { method: AuthMethod.DIGITAL_SIGNATURE, data };
    }
  }
  if (key.algorithm === 'rsa') {
    // RFC 7296 §3.8 with SHA-1, the only hash every IKEv2 peer can verify here.
    return {
      method: AuthMethod.RSA_DIGITAL_SIGNATURE,
      data: new Uint8Array(nodeSign('sha1', signedOctets, key.key)),
    };
  }
  const ec = ECDSA_METHODS[key.algorithm];
  if (ec) {
    const data = nodeSign(ec.hash, signedOctets, { key: key.key, dsaEncoding: 'ieee-p1363' });
    return { method: ec.method, data: new Uint8Array(data) };
  }
  return {
    error: `a ${key.algorithm} key signs only with Digital Signature (RFC 7427) and the peer announced no usable SIGNATURE_HASH_ALGORITHMS`,
  };
}

export type VerifyResult =
  | { readonly ok: true; readonly scheme: string }
  | { readonly ok: false; readonly reason: string };

export interface VerifyOptions {
  /** Reject method 14 schemes using SHA-1 (RFC 8247 §3.2 says MUST NOT for new use). */
  readonly rejectSha1?: boolean;
}

function schemeForAlgorithmId(
  algId: Uint8Array,
  opts: VerifyOptions,
): SignatureScheme | { reason: string } {
  const known = [...SIGNATURE_SCHEMES, ...(opts.rejectSha1 ? [] : LEGACY_VERIFY_SCHEMES)];
  const exact = known.find((s) => sameBytes(s.algorithmId, algId));
  if (exact) return exact;
  const parsed = parseAlgorithmId(algId);
  if (!parsed) return { reason: 'malformed AlgorithmIdentifier in Digital Signature AUTH' };
  if (parsed.oid === OID.rsassaPss) {
    // Peers differ in how they write PSS parameters (NULL or not, salt length); accept any
    // parameter set with MGF1 over the same hash (RFC 4055 §3.1).
    const p = parsePssParams(parsed.params);
    if (!p) return { reason: 'malformed RSASSA-PSS parameters in Digital Signature AUTH' };
    if (p.mgfHash !== p.hash)
      return { reason: `RSASSA-PSS with MGF1-${p.mgfHash} over ${p.hash} is not supported` };
    if (p.hash === 'sha1' && opts.rejectSha1)
      return { reason: 'RSASSA-PSS with SHA-1 is not accepted' };
    return {
      name: `rsa-pss-${p.hash}`,
      family: 'rsa-pss',
      hash: p.hash,
      hashAlgorithm: 0,
      algorithmId: algId,
      saltLength: p.saltLength,
      keys: ['rsa', 'rsa-pss'],
    };
  }
  // Same OID, different parameter encoding (e.g. ECDSA with NULL parameters).
  const byOid = known.find((s) => parseAlgorithmId(s.algorithmId)?.oid === parsed.oid);
  return (
    byOid ?? { reason: `unsupported signature algorithm ${parsed.oid} in Digital Signature AUTH` }
  );
}

function verifyWith(
  scheme: SignatureScheme,
  key: KeyObject,
  octets: Uint8Array,
  sig: Uint8Array,
): boolean {
  try {
    switch (scheme.family) {
      case 'rsa-pss': {
        const salt = scheme.saltLength ?? constants.RSA_PSS_SALTLEN_DIGEST;
        return nodeVerify(
          scheme.hash,
          octets,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt },
          sig,
        );
      }
      case 'eddsa':
        return nodeVerify(null, octets, key, sig);
      default:
        return nodeVerify(scheme.hash, octets, key, sig);
    }
  } catch {
    return false;
  }
}

/**
 * Verifies AUTH payload data against the peer's public key (from its
 * certificate). The reason names the method and scheme for the log line.
 */
export function verifyAuth(
  publicKey: PublicKey,
  method: number,
  data: Uint8Array,
  signedOctets: Uint8Array,
  opts: VerifyOptions = {},
): VerifyResult {
  const alg = publicKey.algorithm;
  switch (method) {
    case AuthMethod.RSA_DIGITAL_SIGNATURE: {
      if (alg !== 'rsa')
        return { ok: false, reason: `RSA signature AUTH but the certificate has a ${alg} key` };
      const ok = verifyWith(LEGACY_VERIFY_SCHEMES[0]!, publicKey.key, signedOctets, data);
      return ok
        ? { ok, scheme: 'sha1WithRSA' }
        : { ok, reason: 'RSA signature (method 1) does not verify' };
    }
    case AuthMethod.ECDSA_SHA256_P256:
    case AuthMethod.ECDSA_SHA384_P384:
    case AuthMethod.ECDSA_SHA512_P521: {
      const ec = ECDSA_METHODS[alg];
      if (!ec || ec.method !== method)
        return {
          ok: false,
          reason: `ECDSA AUTH method ${method} does not fit the certificate's ${alg} key`,
        };
      let ok = false;
      try {
        ok = nodeVerify(
          ec.hash,
          signedOctets,
          { key: publicKey.key, dsaEncoding: 'ieee-p1363' },
          data,
        );
      } catch {
        ok = false;
      }
      return ok
        ? { ok, scheme: `ecdsa-${ec.hash}` }
        : { ok, reason: `ECDSA signature (method ${method}) does not verify` };
    }
    case AuthMethod.DIGITAL_SIGNATURE: {
      const len = data[0];
      if (len === undefined || 1 + len > data.length)
        return {
          ok: false,
          reason: 'Digital Signature AUTH too short for its AlgorithmIdentifier',
        };
      const scheme = schemeForAlgorithmId(data.subarray(1, 1 + len), opts);
      if ('reason' in scheme) return { ok: false, reason: scheme.reason };
      if (!scheme.keys.includes(alg))
        return {
          ok: false,
          reason: `signature scheme ${scheme.name} does not fit the certificate's ${alg} key`,
        };
      const ok = verifyWith(scheme, publicKey.key, signedOctets, data.subarray(1 + len));
      return ok
        ? { ok, scheme: scheme.name }
        : { ok, reason: `Digital Signature (${scheme.name}) does not verify` };
    }
    default:
      return { ok: false, reason: `AUTH method ${method} is not a signature method we support` };
  }
}
