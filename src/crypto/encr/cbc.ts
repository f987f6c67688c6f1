/**
 * CBC ciphers: AES-CBC (RFC 3602, IKEv2 use per RFC 7296 §3.14) and 3DES-CBC
 * (RFC 2451, for legacy peers). The caller pads the plaintext to the block size;
 * the IV is the explicit per-message IV (16 or 8 octets).
 */

import type { SymmetricBackend } from '../backend/types.js';
import { CryptoInputError } from '../backend/types.js';
import { type CipherAlgorithm, EncrId } from '../types.js';
import { checkKeyAndIv } from './checks.js';

function checkBlocks(name: string, data: Uint8Array, blockSize: number): void {
  if (data.length % blockSize !== 0) {
    throw new CryptoInputError(`${name}: length ${data.length} is not a multiple of ${blockSize}`);
  }
}

export function makeAesCbc(backend: SymmetricBackend, keyLen: 16 | 24 | 32): CipherAlgorithm {
  const name = 'ENCR_AES_CBC';
  return {
    id: EncrId.AES_CBC,
    name,
    keyword: `aes${keyLen * 8}`,
    usages: ['ike', 'esp', 'ikev1'],
    aead: false,
    keyLen,
    keyLengthAttribute: true,
    saltLen: 0,
    blockSize: 16,
    ivLen: 16,
    kernelName: 'cbc(aes)',
    encrypt(key, iv, plaintext) {
      checkKeyAndIv(name, key, keyLen, iv, 16);
      checkBlocks(name, plaintext, 16);
      return backend.aesCbcEncrypt(key, iv, plaintext);
    },
    decrypt(key, iv, ciphertext) {
      checkKeyAndIv(name, key, keyLen, iv, 16);
      checkBlocks(name, ciphertext, 16);
      return backend.aesCbcDecrypt(key, iv, ciphertext);
    },
  };
}

export function make3DesCbc(backend: SymmetricBackend): CipherAlgorithm {
  const name = 'ENCR_3DES';
  return {
    id: EncrId['3DES'],
    name,
    keyword: '3des',
    usages: ['ike', 'esp', 'ikev1'],
    aead: false,
    keyLen: 24,
    keyLengthAttribute: false,
    saltLen: 0,
    blockSize: 8,
    ivLen: 8,
    kernelName: 'cbc(des3_ede)',
    encrypt(key, iv, plaintext) {
      checkKeyAndIv(name, key, 24, iv, 8);
      checkBlocks(name, plaintext, 8);
      return backend.des3CbcEncrypt(key, iv, plaintext);
    },
    decrypt(key, iv, ciphertext) {
      checkKeyAndIv(name, key, 24, iv, 8);
      checkBlocks(name, ciphertext, 8);
      return backend.des3CbcDecrypt(key, iv, ciphertext);
    },
  };
}
