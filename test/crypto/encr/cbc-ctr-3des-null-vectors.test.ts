/**
 * Non-AEAD ENCR entries against third-party vectors: AES-CBC (RFC 3602 §4,
 * SP 800-38A F.2), AES-CTR (RFC 3686 §6), 3DES (SP 800-67, NIST TDES_CBC) and
 * NULL (RFC 2410), on every backend.
 */

import { describe, expect, it } from 'vitest';
import type { CipherAlgorithm } from '../../../src/crypto/types.js';
import {
  hex,
  loadVectorFile,
  REGISTRIES,
  rowsOf,
  toHex,
  VECTOR_FILES,
} from '../registry/symmetric-vectors.js';

const files = VECTOR_FILES.filter((f) => f.kind === 'cipher');

describe.each(REGISTRIES)('non-AEAD ENCR vectors on the %s backend', (_name, reg) => {
  for (const { file } of files) {
    const data = loadVectorFile(file);
    describe(file, () => {
      it.each(rowsOf(data.vectors ?? []))('$label', ({ entry, v }) => {
        const alg = reg.encrByName(entry);
        expect(alg?.aead).toBe(false);
        const cipher = alg as CipherAlgorithm;
        // RFC 3686 §5.1: the 4-octet nonce travels after the AES key in the keying material.
        const keyMaterial = hex(`${v.key as string}${(v.nonce as string | undefined) ?? ''}`);
        expect(keyMaterial.length).toBe(cipher.keyLen + cipher.saltLen);
        const iv = hex(v.iv);
        expect(toHex(cipher.encrypt(keyMaterial, iv, hex(v.plaintext)))).toBe(v.ciphertext);
        expect(toHex(cipher.decrypt(keyMaterial, iv, hex(v.ciphertext)))).toBe(v.plaintext);
      });
    });
  }
});
