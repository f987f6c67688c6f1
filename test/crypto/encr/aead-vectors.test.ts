/**
 * AEAD ENCR entries against third-party vectors with the IPsec nonce layout
 * salt || explicit IV (RFC 4106 §4, RFC 4309 §4, RFC 5282 §4, RFC 7634 §2):
 * AES-GCM (GCM specification test cases), AES-CCM (NIST CAVP, RFC 3610) and
 * ChaCha20-Poly1305 (RFC 8439), on every backend.
 */

import { describe, expect, it } from 'vitest';
import type { AeadAlgorithm } from '../../../src/crypto/types.js';
import {
  BACKENDS,
  hex,
  loadVectorFile,
  REGISTRIES,
  rowsOf,
  toHex,
  type Vector,
} from '../registry/symmetric-vectors.js';

function splitNonce(alg: AeadAlgorithm, v: Vector) {
  const nonce = hex(v.nonce);
  expect(nonce.length).toBe(alg.saltLen + alg.ivLen);
  const keyMaterial = new Uint8Array([...hex(v.key), ...nonce.subarray(0, alg.saltLen)]);
  expect(keyMaterial.length).toBe(alg.keyLen + alg.saltLen);
  return { keyMaterial, iv: nonce.subarray(alg.saltLen) };
}

function flipFirstBit(b: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(b);
  copy[0]! ^= 0x01;
  return copy;
}

/** Seal and open with the ICV the entry carries: the leftmost icvLen octets of the tag. */
function checkFullVector(alg: AeadAlgorithm, v: Vector): void {
  const { keyMaterial, iv } = splitNonce(alg, v);
  const aad = hex(v.aad);
  const tag = hex(v.tag);
  expect(tag.length).toBeGreaterThanOrEqual(alg.icvLen);
  const expected = `${v.ciphertext as string}${toHex(tag.subarray(0, alg.icvLen))}`;
  const sealed = alg.seal(keyMaterial, iv, aad, hex(v.plaintext));
  expect(toHex(sealed)).toBe(expected);
  expect(toHex(alg.open(keyMaterial, iv, aad, hex(expected)) ?? new Uint8Array())).toBe(
    v.plaintext,
  );
  expect(alg.open(keyMaterial, iv, aad, flipFirstBit(hex(expected)))).toBeNull();
  const lastIcvByteFlipped = hex(expected);
  lastIcvByteFlipped[lastIcvByteFlipped.length - 1]! ^= 0x80;
  expect(alg.open(keyMaterial, iv, aad, lastIcvByteFlipped)).toBeNull();
}

describe.each(REGISTRIES)('AEAD vectors on the %s backend', (_name, reg) => {
  const aead = (entry: string): AeadAlgorithm => {
    const alg = reg.encrByName(entry);
    expect(alg?.aead).toBe(true);
    return alg as AeadAlgorithm;
  };

  describe('encr/aes-gcm.json', () => {
    it.each(rowsOf(loadVectorFile('encr/aes-gcm.json').vectors ?? []))('$label', ({ entry, v }) =>
      checkFullVector(aead(entry), v),
    );
  });

  describe('encr/chacha20-poly1305.json', () => {
    const rows = rowsOf(loadVectorFile('encr/chacha20-poly1305.json').vectors ?? []);
    it.each(rows)('$label', ({ entry, v }) => checkFullVector(aead(entry), v));
  });

  describe('encr/aes-ccm.json entry vectors (11-octet nonce)', () => {
    const rows = rowsOf(loadVectorFile('encr/aes-ccm.json').entryVectors ?? []);
    it.each(rows)('$label', ({ entry, v }) => {
      const alg = aead(entry);
      if (alg.icvLen === hex(v.tag).length) {
        checkFullVector(alg, v);
        return;
      }
      // The tag of a shorter-ICV entry is not published for this nonce length; the
      // ciphertext is, since CCM's counter blocks do not depend on the tag length.
      const { keyMaterial, iv } = splitNonce(alg, v);
      const sealed = alg.seal(keyMaterial, iv, hex(v.aad), hex(v.plaintext));
      expect(toHex(sealed.subarray(0, sealed.length - alg.icvLen))).toBe(v.ciphertext);
      const published = hex(`${v.ciphertext as string}${v.tag as string}`);
      expect(alg.open(keyMaterial, iv, hex(v.aad), published)).toBeNull();
    });
  });
});

describe.each(BACKENDS)('generic AES-CCM of the %s backend', (_name, backend) => {
  const ccm = loadVectorFile('encr/aes-ccm.json');
  const reg = REGISTRIES[0]![1];
  it.each(ccm.modeVectors ?? [])('$source', (v) => {
    const key = hex(v.key);
    const nonce = hex(v.nonce);
    const aad = hex(v.aad);
    const tag = hex(v.tag);
    // Each entry a mode vector names must have this key and tag length.
    for (const entry of v.entries ?? []) {
      const alg = reg.encrByName(entry) as AeadAlgorithm;
      expect([alg.keyLen, alg.icvLen]).toEqual([key.length, tag.length]);
    }
    const expected = `${v.ciphertext as string}${v.tag as string}`;
    const sealed = backend.aesCcmSeal(key, nonce, aad, hex(v.plaintext), tag.length);
    expect(toHex(sealed)).toBe(expected);
    const opened = backend.aesCcmOpen(key, nonce, aad, hex(expected), tag.length);
    expect(toHex(opened ?? new Uint8Array())).toBe(v.plaintext);
    expect(backend.aesCcmOpen(key, nonce, aad, flipFirstBit(hex(expected)), tag.length)).toBeNull();
  });
});
