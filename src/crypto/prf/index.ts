/**
 * PRF transforms (RFC 7296 §3.3.2): HMAC with MD5 (IKEv1 legacy, RFC 2104),
 * SHA-1, SHA-2 (RFC 4868 §2.2), AES-XCBC-PRF-128 (RFC 4434) and AES-CMAC-PRF-128
 * (RFC 4615). HMAC PRFs take keys of any length (RFC 2104 §2); the AES PRFs map
 * any key length to 128 bits with the rules of their RFCs.
 */

import { xcbcMacFromCbc } from '../backend/block-modes.js';
import type { HashName, SymmetricBackend } from '../backend/types.js';
import { type PrfAlgorithm, PrfId } from '../types.js';

const AES_KEY = 16;
const ZERO_KEY = new Uint8Array(AES_KEY);

interface HmacPrfSpec {
  id: number;
  name: string;
  keyword: string;
  hash: HashName;
  outLen: number;
}

const HMAC_PRFS: readonly HmacPrfSpec[] = [
  { id: PrfId.HMAC_MD5, name: 'PRF_HMAC_MD5', keyword: 'prfmd5', hash: 'md5', outLen: 16 },
  { id: PrfId.HMAC_SHA1, name: 'PRF_HMAC_SHA1', keyword: 'prfsha1', hash: 'sha1', outLen: 20 },
  {
    id: PrfId.HMAC_SHA2_256,
    name: 'PRF_HMAC_SHA2_256',
    keyword: 'prfsha256',
    hash: 'sha256',
    outLen: 32,
  },
  {
    id: PrfId.HMAC_SHA2_384,
    name: 'PRF_HMAC_SHA2_384',
    keyword: 'prfsha384',
    hash: 'sha384',
    outLen: 48,
  },
  {
    id: PrfId.HMAC_SHA2_512,
    name: 'PRF_HMAC_SHA2_512',
    keyword: 'prfsha512',
    hash: 'sha512',
    outLen: 64,
  },
];

function makeHmacPrf(backend: SymmetricBackend, spec: HmacPrfSpec): PrfAlgorithm {
  return {
    id: spec.id,
    name: spec.name,
    keyword: spec.keyword,
    usages: ['ike', 'ikev1'],
    // RFC 4868 §2.1.2 / RFC 7296 §2.13: the preferred key length is the output length.
    keyLen: spec.outLen,
    outLen: spec.outLen,
    fixedKey: false,
    compute: (key, data) => backend.hmac(spec.hash, key, data),
  };
}

/** AES-XCBC-PRF-128 (RFC 4434 §2): shorter keys are zero-padded, longer ones hashed down. */
export function makeAesXcbcPrf(backend: SymmetricBackend): PrfAlgorithm {
  const mac = (key: Uint8Array, data: Uint8Array) =>
    xcbcMacFromCbc(backend.aesCbcEncrypt, key, data);
  return {
    id: PrfId.AES128_XCBC,
    name: 'PRF_AES128_XCBC',
    keyword: 'prfaesxcbc',
    usages: ['ike'],
    keyLen: AES_KEY,
    outLen: 16,
    fixedKey: true,
    compute(key, data) {
      let k: Uint8Array;
      if (key.length === AES_KEY) k = key;
      else if (key.length < AES_KEY) {
        k = new Uint8Array(AES_KEY);
        k.set(key);
      } else k = mac(ZERO_KEY, key);
      return mac(k, data);
    },
  };
}

/** AES-CMAC-PRF-128 (RFC 4615 §3): any key that is not 128 bits is first CMACed under 0^128. */
export function makeAesCmacPrf(backend: SymmetricBackend): PrfAlgorithm {
  return {
    id: PrfId.AES128_CMAC,
    name: 'PRF_AES128_CMAC',
    keyword: 'prfaescmac',
    usages: ['ike'],
    keyLen: AES_KEY,
    outLen: 16,
    fixedKey: true,
    compute(key, data) {
      const k = key.length === AES_KEY ? key : backend.aesCmac(ZERO_KEY, key);
      return backend.aesCmac(k, data);
    },
  };
}

export function makePrfAlgorithms(backend: SymmetricBackend): readonly PrfAlgorithm[] {
  return [
    ...HMAC_PRFS.map((spec) => makeHmacPrf(backend, spec)),
    makeAesXcbcPrf(backend),
    makeAesCmacPrf(backend),
  ];
}
