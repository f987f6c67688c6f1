/** ENCR_NULL (RFC 2410): ESP with integrity only. Never allowed for IKE (RFC 7296 §5). */

import { CryptoInputError } from '../backend/types.js';
import { type CipherAlgorithm, EncrId } from '../types.js';

function identity(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 0 || iv.length !== 0) {
    throw new CryptoInputError('ENCR_NULL takes no key and no IV');
  }
  return Uint8Array.from(data);
}

export function makeNullCipher(): CipherAlgorithm {
  return {
    id: EncrId.NULL,
    name: 'ENCR_NULL',
    keyword: 'null',
    usages: ['esp'],
    aead: false,
    keyLen: 0,
    keyLengthAttribute: false,
    saltLen: 0,
    blockSize: 1, // RFC 2410 §2.2: block size of one octet
    ivLen: 0,
    kernelName: 'ecb(cipher_null)',
    encrypt: identity,
    decrypt: identity,
  };
}
