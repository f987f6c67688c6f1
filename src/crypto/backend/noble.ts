/** The `@noble/*` (pure JavaScript) implementation of the backend primitives. */

import { cbc, cmac, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { ccmOpen, ccmSeal } from './block-modes.js';
import {
  assertAesKey,
  assertBlockMultiple,
  assertLength,
  concatBytes,
  constantTimeEqual,
} from './bytes.js';
import { des3CbcDecrypt, des3CbcEncrypt } from './des.js';
import { CryptoInputError, type HashName, type SymmetricBackend } from './types.js';

const HASHES = { md5, sha1, sha256, sha384, sha512 } as const;

function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesKey(key);
  assertLength('AES-CBC IV', iv, 16);
  assertBlockMultiple('AES-CBC plaintext', data, 16);
  return cbc(key, iv, { disablePadding: true }).encrypt(data);
}

function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesKey(key);
  assertLength('AES-CBC IV', iv, 16);
  assertBlockMultiple('AES-CBC ciphertext', data, 16);
  return cbc(key, iv, { disablePadding: true }).decrypt(data);
}

function aesCtr(key: Uint8Array, counterBlock: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesKey(key);
  assertLength('AES-CTR counter block', counterBlock, 16);
  return ctr(key, counterBlock).encrypt(data);
}

function checkGcm(key: Uint8Array, nonce: Uint8Array, tagLen: number): void {
  assertAesKey(key);
  assertLength('AES-GCM nonce', nonce, 12);
  if (tagLen < 4 || tagLen > 16) throw new CryptoInputError(`bad GCM tag length ${tagLen}`);
}

function aesGcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  tagLen: number,
): Uint8Array {
  checkGcm(key, nonce, tagLen);
  const full = gcm(key, nonce, aad).encrypt(plaintext);
  // @noble/ciphers emits the full 16-octet tag; a shorter ICV is its leftmost octets (SP 800-38D §5.2.1.2).
  return tagLen === 16 ? full : full.slice(0, plaintext.length + tagLen);
}

function aesGcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
  tagLen: number,
): Uint8Array | null {
  checkGcm(key, nonce, tagLen);
  if (sealed.length < tagLen) return null;
  if (tagLen === 16) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return null;
    }
  }
  // Truncated tag: decrypt with the GCM counter (J0 + 1, SP 800-38D §7.2), then recompute the tag.
  const ctLen = sealed.length - tagLen;
  const counter = concatBytes(nonce, new Uint8Array([0, 0, 0, 2]));
  const plaintext = ctr(key, counter).encrypt(sealed.subarray(0, ctLen));
  const resealed = gcm(key, nonce, aad).encrypt(plaintext);
  const ok = constantTimeEqual(resealed.subarray(ctLen, ctLen + tagLen), sealed.subarray(ctLen));
  return ok ? plaintext : null;
}

function chacha20Poly1305Seal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  assertLength('ChaCha20 key', key, 32);
  assertLength('ChaCha20-Poly1305 nonce', nonce, 12);
  return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
}

function chacha20Poly1305Open(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | null {
  assertLength('ChaCha20 key', key, 32);
  assertLength('ChaCha20-Poly1305 nonce', nonce, 12);
  if (sealed.length < 16) return null;
  try {
    return chacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return null;
  }
}

export const nobleBackend: SymmetricBackend = {
  name: 'noble',
  hmac: (hash: HashName, key, data) => hmac(HASHES[hash], key, data),
  aesCbcEncrypt,
  aesCbcDecrypt,
  aesCtr,
  aesCmac: (key, data) => {
    assertAesKey(key);
    return cmac(data, key);
  },
  aesGcmSeal,
  aesGcmOpen,
  aesCcmSeal: (key, nonce, aad, pt, tagLen) =>
    ccmSeal(aesCbcEncrypt, aesCtr, key, nonce, aad, pt, tagLen),
  aesCcmOpen: (key, nonce, aad, sealed, tagLen) =>
    ccmOpen(aesCbcEncrypt, aesCtr, key, nonce, aad, sealed, tagLen),
  chacha20Poly1305Seal,
  chacha20Poly1305Open,
  des3CbcEncrypt,
  des3CbcDecrypt,
};
