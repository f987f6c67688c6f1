/**
 * PRF entries against third-party vectors: HMAC-MD5/SHA-1 (RFC 2202), HMAC-SHA-2
 * (RFC 4868 §2.7), AES-XCBC-PRF-128 (RFC 4434 §2.1, RFC 3566 §4) and
 * AES-CMAC-PRF-128 (RFC 4615 §4, RFC 4493 §4), including the key-length rules of
 * the AES PRFs (10-, 16- and 18-octet keys), on every backend.
 */

import { describe, expect, it } from 'vitest';
import {
  hex,
  loadVectorFile,
  REGISTRIES,
  rowsOf,
  toHex,
  VECTOR_FILES,
} from '../registry/symmetric-vectors.js';

const files = VECTOR_FILES.filter((f) => f.kind === 'prf');

describe.each(REGISTRIES)('PRF vectors on the %s backend', (_name, reg) => {
  for (const { file } of files) {
    describe(file, () => {
      it.each(rowsOf(loadVectorFile(file).vectors ?? []))('$label', ({ entry, v }) => {
        const prf = reg.prfByName(entry);
        expect(prf).toBeDefined();
        const out = prf!.compute(hex(v.key), hex(v.data));
        expect(out.length).toBe(prf!.outLen);
        expect(toHex(out)).toBe(v.output);
      });
    });
  }
});
