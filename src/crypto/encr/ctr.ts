/**
 * AES-CTR for IKEv2 (RFC 5930) and ESP (RFC 3686). The keying material is the AES
 * key followed by a 4-octet nonce (RFC 3686 §5.1); the counter block is
 * nonce || 8-octet IV || 32-bit block counter starting at 1 (RFC 3686 §4).
 */

import type { SymmetricBackend } from '../backend/types.js';
import { type CipherAlgorithm, EncrId } from '../types.js';
import { checkKeyAndIv } from './checks.js';

const NONCE_LEN = 4;
const IV_LEN = 8;

export function makeAesCtr(backend: SymmetricBackend, keyLen: 16 | 24 | 32): CipherAlgorithm {
  const name = 'ENCR_AES_CTR';
  const apply = (keyMaterial: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    checkKeyAndIv(name, keyMaterial, keyLen + NONCE_LEN, iv, IV_LEN);
    const counterBlock = new Uint8Array(16);
    counterBlock.set(keyMaterial.subarray(keyLen), 0);
    counterBlock.set(iv, NONCE_LEN);
    counterBlock[15] = 1;
    return backend.aesCtr(keyMaterial.subarray(0, keyLen), counterBlock, data);
  };
  return {
    id: EncrId.AES_CTR,
    name,
    keyword: `aes${keyLen * 8}ctr`,
    usages: ['ike', 'esp'],
    aead: false,
    keyLen,
    keyLengthAttribute: true,
    saltLen: NONCE_LEN,
    // A stream mode: no padding is needed beyond ESP's 4-octet alignment (RFC 3686 §3.2).
    blockSize: 1,
    ivLen: IV_LEN,
    kernelName: 'rfc3686(ctr(aes))',
    encrypt: apply,
    decrypt: apply,
  };
}
