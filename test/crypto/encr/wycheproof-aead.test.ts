/**
 * Project Wycheproof AEAD vectors (valid and invalid) on both backends' AES-GCM,
 * AES-CCM and ChaCha20-Poly1305: edge cases the RFC examples do not reach
 * (empty and long inputs, counter wrap, forged and truncated tags).
 */

import { describe, expect, it } from 'vitest';
import type { SymmetricBackend } from '../../../src/crypto/backend/types.js';
import {
  BACKENDS,
  hex,
  loadVectorFile,
  toHex,
  type Vector,
} from '../registry/symmetric-vectors.js';

const vectors = loadVectorFile('encr/wycheproof-aead.json').vectors ?? [];

function seal(b: SymmetricBackend, v: Vector): Uint8Array {
  const [key, nonce, aad, pt] = [hex(v.key), hex(v.nonce), hex(v.aad), hex(v.plaintext)];
  const tagLen = hex(v.tag).length;
  if (v.mode === 'gcm') return b.aesGcmSeal(key, nonce, aad, pt, tagLen);
  if (v.mode === 'ccm') return b.aesCcmSeal(key, nonce, aad, pt, tagLen);
  return b.chacha20Poly1305Seal(key, nonce, aad, pt);
}

function open(b: SymmetricBackend, v: Vector): Uint8Array | null {
  const [key, nonce, aad] = [hex(v.key), hex(v.nonce), hex(v.aad)];
  const sealed = hex(`${v.ciphertext as string}${v.tag as string}`);
  const tagLen = hex(v.tag).length;
  if (v.mode === 'gcm') return b.aesGcmOpen(key, nonce, aad, sealed, tagLen);
  if (v.mode === 'ccm') return b.aesCcmOpen(key, nonce, aad, sealed, tagLen);
  return b.chacha20Poly1305Open(key, nonce, aad, sealed);
}

describe.each(BACKENDS)('Wycheproof AEAD vectors on the %s backend', (_name, backend) => {
  it.each(vectors.filter((v) => v.result === 'valid'))('$source', (v) => {
    expect(toHex(seal(backend, v))).toBe(`${v.ciphertext as string}${v.tag as string}`);
    expect(toHex(open(backend, v) ?? new Uint8Array([0xde, 0xad]))).toBe(v.plaintext);
  });

  it.each(vectors.filter((v) => v.result === 'invalid'))('$source is rejected', (v) => {
    expect(open(backend, v)).toBeNull();
  });
});
