/** The `node:crypto` (OpenSSL) implementation of the backend primitives. */

import {
  type CipherCCMTypes,
  type CipherGCMTypes,
  createCipheriv,
  createDecipheriv,
  createHmac,
} from 'node:crypto';
import { cmacFromCbc } from './block-modes.js';
import { assertAesKey, assertBlockMultiple, assertLength, concatBytes } from './bytes.js';
import { CryptoInputError, type HashName, type SymmetricBackend } from './types.js';

function u8(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function aesName(key: Uint8Array, mode: string): string {
  assertAesKey(key);
  return `aes-${key.length * 8}-${mode}`;
}

function unpadded(
  algorithm: string,
  decrypt: boolean,
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const c = decrypt ? createDecipheriv(algorithm, key, iv) : createCipheriv(algorithm, key, iv);
  c.setAutoPadding(false);
  return u8(Buffer.concat([c.update(data), c.final()]));
}

function aesCbc(decrypt: boolean) {
  return (key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    const name = aesName(key, 'cbc');
    assertLength('AES-CBC IV', iv, 16);
    assertBlockMultiple('AES-CBC data', data, 16);
    return unpadded(name, decrypt, key, iv, data);
  };
}

const aesCbcEncrypt = aesCbc(false);

function aesCtr(key: Uint8Array, counterBlock: Uint8Array, data: Uint8Array): Uint8Array {
  const name = aesName(key, 'ctr');
  assertLength('AES-CTR counter block', counterBlock, 16);
  return unpadded(name, false, key, counterBlock, data);
}

/**
 * OpenSSL's CCM computes the tag only once update() has run; Node skips the call
 * for some zero-length Buffers (e.g. a pooled `randomBytes(0)`), which then fails
 * with "tag not set". A fresh empty Uint8Array always reaches OpenSSL.
 */
function nonEmptyView(data: Uint8Array): Uint8Array {
  return data.length === 0 ? new Uint8Array(0) : data;
}

type AeadMode = 'gcm' | 'ccm' | 'chacha20-poly1305';

function aeadAlgorithm(mode: AeadMode, key: Uint8Array): string {
  if (mode === 'chacha20-poly1305') {
    assertLength('ChaCha20 key', key, 32);
    return mode;
  }
  return aesName(key, mode);
}

function aeadSeal(
  mode: AeadMode,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  tagLen: number,
): Uint8Array {
  const algorithm = aeadAlgorithm(mode, key) as CipherGCMTypes | CipherCCMTypes;
  const c = createCipheriv(algorithm as CipherCCMTypes, key, nonce, { authTagLength: tagLen });
  // CCM must know the payload length before the AAD (SP 800-38C B_0); the others ignore it.
  if (aad.length > 0 || mode === 'ccm') c.setAAD(aad, { plaintextLength: plaintext.length });
  const ct = Buffer.concat([c.update(nonEmptyView(plaintext)), c.final()]);
  return concatBytes(u8(ct), u8(c.getAuthTag()));
}

function aeadOpen(
  mode: AeadMode,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
  tagLen: number,
): Uint8Array | null {
  const algorithm = aeadAlgorithm(mode, key) as CipherCCMTypes;
  if (sealed.length < tagLen) return null;
  const ctLen = sealed.length - tagLen;
  const d = createDecipheriv(algorithm, key, nonce, { authTagLength: tagLen });
  d.setAuthTag(sealed.subarray(ctLen));
  if (aad.length > 0 || mode === 'ccm') d.setAAD(aad, { plaintextLength: ctLen });
  try {
    const pt = d.update(nonEmptyView(sealed.subarray(0, ctLen)));
    // OpenSSL verifies the tag in final(); it throws when the ICV does not match.
    d.final();
    return u8(pt);
  } catch {
    return null;
  }
}

function checkGcm(nonce: Uint8Array, tagLen: number): void {
  assertLength('AES-GCM nonce', nonce, 12);
  if (tagLen < 4 || tagLen > 16) throw new CryptoInputError(`bad GCM tag length ${tagLen}`);
}

function checkCcm(nonce: Uint8Array, tagLen: number): void {
  if (nonce.length < 7 || nonce.length > 13) {
    throw new CryptoInputError(`CCM nonce must be 7..13 octets, got ${nonce.length}`);
  }
  if (tagLen < 4 || tagLen > 16 || tagLen % 2 !== 0) {
    throw new CryptoInputError(`CCM tag length ${tagLen} is not one of 4, 6, ..., 16`);
  }
}

function checkChacha(nonce: Uint8Array): void {
  assertLength('ChaCha20-Poly1305 nonce', nonce, 12);
}

function des3Cbc(decrypt: boolean) {
  return (key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array => {
    assertLength('3DES key', key, 24);
    assertLength('3DES IV', iv, 8);
    assertBlockMultiple('3DES data', data, 8);
    return unpadded('des-ede3-cbc', decrypt, key, iv, data);
  };
}

export const nodeBackend: SymmetricBackend = {
  name: 'node',
  hmac: (hash: HashName, key, data) => u8(createHmac(hash, key).update(data).digest()),
  aesCbcEncrypt,
  aesCbcDecrypt: aesCbc(true),
  aesCtr,
  aesCmac: (key, data) => cmacFromCbc(aesCbcEncrypt, key, data),
  aesGcmSeal: (key, nonce, aad, pt, tagLen) => {
    checkGcm(nonce, tagLen);
    return aeadSeal('gcm', key, nonce, aad, pt, tagLen);
  },
  aesGcmOpen: (key, nonce, aad, sealed, tagLen) => {
    checkGcm(nonce, tagLen);
    return aeadOpen('gcm', key, nonce, aad, sealed, tagLen);
  },
  aesCcmSeal: (key, nonce, aad, pt, tagLen) => {
    checkCcm(nonce, tagLen);
    return aeadSeal('ccm', key, nonce, aad, pt, tagLen);
  },
  aesCcmOpen: (key, nonce, aad, sealed, tagLen) => {
    checkCcm(nonce, tagLen);
    return aeadOpen('ccm', key, nonce, aad, sealed, tagLen);
  },
  chacha20Poly1305Seal: (key, nonce, aad, pt) => {
    checkChacha(nonce);
    return aeadSeal('chacha20-poly1305', key, nonce, aad, pt, 16);
  },
  chacha20Poly1305Open: (key, nonce, aad, sealed) => {
    checkChacha(nonce);
    return aeadOpen('chacha20-poly1305', key, nonce, aad, sealed, 16);
  },
  des3CbcEncrypt: des3Cbc(false),
  des3CbcDecrypt: des3Cbc(true),
};
