/**
 * INTEG transforms: truncated HMACs (RFC 2403 MD5-96, RFC 2404 SHA1-96, RFC 4868
 * SHA-2), AES-XCBC-MAC-96 (RFC 3566) and AES-CMAC-96 (RFC 4494). Keys have exactly
 * the algorithm's key length (RFC 4868 §2.1.1, RFC 3566 §2.1, RFC 4494 §2); the ICV
 * is the leftmost `icvLen` octets of the MAC.
 */

import { xcbcMacFromCbc } from '../backend/block-modes.js';
import { CryptoInputError, type HashName, type SymmetricBackend } from '../backend/types.js';
import { type IntegAlgorithm, IntegId } from '../types.js';

interface IntegSpec {
  id: number;
  name: string;
  keyword: string;
  keyLen: number;
  icvLen: number;
  kernelName: string;
  usages: IntegAlgorithm['usages'];
  mac(backend: SymmetricBackend, key: Uint8Array, data: Uint8Array): Uint8Array;
}

const hmacWith =
  (hash: HashName) => (backend: SymmetricBackend, key: Uint8Array, data: Uint8Array) =>
    backend.hmac(hash, key, data);

const HMAC_USAGES: IntegAlgorithm['usages'] = ['ike', 'esp', 'ah', 'ikev1'];
const AES_MAC_USAGES: IntegAlgorithm['usages'] = ['ike', 'esp', 'ah'];

const INTEG_SPECS: readonly IntegSpec[] = [
  {
    id: IntegId.HMAC_MD5_96,
    name: 'AUTH_HMAC_MD5_96',
    keyword: 'md5',
    keyLen: 16,
    icvLen: 12,
    kernelName: 'hmac(md5)',
    usages: HMAC_USAGES,
    mac: hmacWith('md5'),
  },
  {
    id: IntegId.HMAC_SHA1_96,
    name: 'AUTH_HMAC_SHA1_96',
    keyword: 'sha1',
    keyLen: 20,
    icvLen: 12,
    kernelName: 'hmac(sha1)',
    usages: HMAC_USAGES,
    mac: hmacWith('sha1'),
  },
  {
    id: IntegId.AES_XCBC_96,
    name: 'AUTH_AES_XCBC_96',
    keyword: 'aesxcbc',
    keyLen: 16,
    icvLen: 12,
    kernelName: 'xcbc(aes)',
    usages: AES_MAC_USAGES,
    mac: (backend, key, data) => xcbcMacFromCbc(backend.aesCbcEncrypt, key, data),
  },
  {
    id: IntegId.AES_CMAC_96,
    name: 'AUTH_AES_CMAC_96',
    keyword: 'aescmac',
    keyLen: 16,
    icvLen: 12,
    kernelName: 'cmac(aes)',
    usages: AES_MAC_USAGES,
    mac: (backend, key, data) => backend.aesCmac(key, data),
  },
  {
    id: IntegId.HMAC_SHA2_256_128,
    name: 'AUTH_HMAC_SHA2_256_128',
    keyword: 'sha256',
    keyLen: 32,
    icvLen: 16,
    kernelName: 'hmac(sha256)',
    usages: HMAC_USAGES,
    mac: hmacWith('sha256'),
  },
  {
    id: IntegId.HMAC_SHA2_384_192,
    name: 'AUTH_HMAC_SHA2_384_192',
    keyword: 'sha384',
    keyLen: 48,
    icvLen: 24,
    kernelName: 'hmac(sha384)',
    usages: HMAC_USAGES,
    mac: hmacWith('sha384'),
  },
  {
    id: IntegId.HMAC_SHA2_512_256,
    name: 'AUTH_HMAC_SHA2_512_256',
    keyword: 'sha512',
    keyLen: 64,
    icvLen: 32,
    kernelName: 'hmac(sha512)',
    usages: HMAC_USAGES,
    mac: hmacWith('sha512'),
  },
];

function makeInteg(backend: SymmetricBackend, spec: IntegSpec): IntegAlgorithm {
  return {
    id: spec.id,
    name: spec.name,
    keyword: spec.keyword,
    usages: spec.usages,
    keyLen: spec.keyLen,
    icvLen: spec.icvLen,
    kernelName: spec.kernelName,
    compute(key, data) {
      if (key.length !== spec.keyLen) {
        throw new CryptoInputError(`${spec.name}: key must be ${spec.keyLen} octets`);
      }
      return spec.mac(backend, key, data).slice(0, spec.icvLen);
    },
  };
}

export function makeIntegAlgorithms(backend: SymmetricBackend): readonly IntegAlgorithm[] {
  return INTEG_SPECS.map((spec) => makeInteg(backend, spec));
}
