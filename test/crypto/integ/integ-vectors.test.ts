/**
 * INTEG entries against third-party vectors: HMAC-MD5-96 and HMAC-SHA1-96
 * (RFC 2202 with RFC 2403/2404 truncation), HMAC-SHA-256-128/384-192/512-256
 * (RFC 4868 §2.7.2), AES-XCBC-MAC-96 (RFC 3566 §4) and AES-CMAC-96 (RFC 4494 §4),
 * on every backend.
 */

import { describe, expect, it } from 'vitest';
import {
  BACKENDS,
  hex,
  loadVectorFile,
  REGISTRIES,
  rowsOf,
  toHex,
  VECTOR_FILES,
} from '../registry/symmetric-vectors.js';

const files = VECTOR_FILES.filter((f) => f.kind === 'integ');

describe.each(REGISTRIES)('INTEG vectors on the %s backend', (_name, reg) => {
  for (const { file } of files) {
    describe(file, () => {
      it.each(rowsOf(loadVectorFile(file).vectors ?? []))('$label', ({ entry, v }) => {
        const integ = reg.integByName(entry);
        expect(integ).toBeDefined();
        const icv = integ!.compute(hex(v.key), hex(v.data));
        expect(icv.length).toBe(integ!.icvLen);
        expect(toHex(icv)).toBe(v.icv);
      });
    });
  }

  it('rejects a key of the wrong length instead of computing with it', () => {
    const integ = reg.integByName('sha256')!;
    expect(() => integ.compute(new Uint8Array(31), new Uint8Array(1))).toThrow(/32 octets/);
  });
});

describe.each(BACKENDS)('full AES-CMAC of the %s backend (RFC 4493 §4)', (_name, backend) => {
  it.each(loadVectorFile('integ/aes-cmac-96.json').vectors ?? [])('$source', (v) => {
    expect(toHex(backend.aesCmac(hex(v.key), hex(v.data)))).toBe(v.mac);
  });
});
