/**
 * AEAD ciphers for IKEv2 (RFC 5282, RFC 7634) and ESP (RFC 4106, RFC 4309, RFC 7634).
 * The keying material is the cipher key followed by a salt; the nonce is
 * salt || 8-octet explicit IV (RFC 5282 §3 and §4, RFC 4106 §4, RFC 4309 §4,
 * RFC 7634 §2). `seal` returns ciphertext || ICV.
 */

import type { SymmetricBackend } from '../backend/types.js';
import { type AeadAlgorithm, EncrId } from '../types.js';
import { checkKeyAndIv } from './checks.js';

const IV_LEN = 8;

type IcvLen = 8 | 12 | 16;

interface AeadShape {
  id: number;
  name: string;
  keyword: string;
  keyLen: number;
  saltLen: number;
  icvLen: number;
  kernelName: string;
  keyLengthAttribute: boolean;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null;
}

function buildAead(shape: AeadShape): AeadAlgorithm {
  const { keyLen, saltLen, name } = shape;
  const split = (keyMaterial: Uint8Array, iv: Uint8Array) => {
    checkKeyAndIv(name, keyMaterial, keyLen + saltLen, iv, IV_LEN);
    const nonce = new Uint8Array(saltLen + IV_LEN);
    nonce.set(keyMaterial.subarray(keyLen));
    nonce.set(iv, saltLen);
    return { key: keyMaterial.subarray(0, keyLen), nonce };
  };
  return {
    id: shape.id,
    name,
    keyword: shape.keyword,
    usages: ['ike', 'esp'],
    aead: true,
    keyLen,
    keyLengthAttribute: shape.keyLengthAttribute,
    saltLen,
    // Stream-like: IKEv2 needs no padding beyond the Pad Length octet (RFC 5282 §3).
    blockSize: 1,
    ivLen: IV_LEN,
    icvLen: shape.icvLen,
    kernelName: shape.kernelName,
    seal(keyMaterial, iv, aad, plaintext) {
      const { key, nonce } = split(keyMaterial, iv);
      return shape.seal(key, nonce, aad, plaintext);
    },
    open(keyMaterial, iv, aad, sealed) {
      const { key, nonce } = split(keyMaterial, iv);
      return shape.open(key, nonce, aad, sealed);
    },
  };
}

const GCM_IDS = { 8: EncrId.AES_GCM_8, 12: EncrId.AES_GCM_12, 16: EncrId.AES_GCM_16 } as const;
const CCM_IDS = { 8: EncrId.AES_CCM_8, 12: EncrId.AES_CCM_12, 16: EncrId.AES_CCM_16 } as const;

/** AES-GCM with a 4-octet salt (RFC 4106 §8.1, RFC 5282 §7.1). */
export function makeAesGcm(
  backend: SymmetricBackend,
  keyLen: 16 | 24 | 32,
  icvLen: IcvLen,
): AeadAlgorithm {
  return buildAead({
    id: GCM_IDS[icvLen],
    name: `ENCR_AES_GCM_${icvLen}`,
    keyword: `aes${keyLen * 8}gcm${icvLen}`,
    keyLen,
    saltLen: 4,
    icvLen,
    kernelName: 'rfc4106(gcm(aes))',
    keyLengthAttribute: true,
    seal: (key, nonce, aad, pt) => backend.aesGcmSeal(key, nonce, aad, pt, icvLen),
    open: (key, nonce, aad, sealed) => backend.aesGcmOpen(key, nonce, aad, sealed, icvLen),
  });
}

/** AES-CCM with a 3-octet salt, 11-octet nonce (RFC 4309 §4 and §7.1, RFC 5282 §7.2). */
export function makeAesCcm(
  backend: SymmetricBackend,
  keyLen: 16 | 24 | 32,
  icvLen: IcvLen,
): AeadAlgorithm {
  return buildAead({
    id: CCM_IDS[icvLen],
    name: `ENCR_AES_CCM_${icvLen}`,
    keyword: `aes${keyLen * 8}ccm${icvLen}`,
    keyLen,
    saltLen: 3,
    icvLen,
    kernelName: 'rfc4309(ccm(aes))',
    keyLengthAttribute: true,
    seal: (key, nonce, aad, pt) => backend.aesCcmSeal(key, nonce, aad, pt, icvLen),
    open: (key, nonce, aad, sealed) => backend.aesCcmOpen(key, nonce, aad, sealed, icvLen),
  });
}

/** ChaCha20-Poly1305 with a 4-octet salt and a fixed 256-bit key (RFC 7634 §2, §4). */
export function makeChaCha20Poly1305(backend: SymmetricBackend): AeadAlgorithm {
  return buildAead({
    id: EncrId.CHACHA20_POLY1305,
    name: 'ENCR_CHACHA20_POLY1305',
    keyword: 'chacha20poly1305',
    keyLen: 32,
    saltLen: 4,
    icvLen: 16,
    kernelName: 'rfc7539esp(chacha20,poly1305)',
    keyLengthAttribute: false,
    seal: (key, nonce, aad, pt) => backend.chacha20Poly1305Seal(key, nonce, aad, pt),
    open: (key, nonce, aad, sealed) => backend.chacha20Poly1305Open(key, nonce, aad, sealed),
  });
}
