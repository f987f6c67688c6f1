/**
 * Project Wycheproof AES-CMAC vectors (AES-128/192/256, truncated tags, forged
 * tags) on both backends: the node backend builds CMAC from AES-CBC, the noble one
 * uses @noble/ciphers' CMAC.
 */

import { describe, expect, it } from 'vitest';
import { BACKENDS, hex, loadVectorFile, toHex } from '../registry/symmetric-vectors.js';

const vectors = loadVectorFile('integ/wycheproof-aes-cmac.json').vectors ?? [];

describe.each(BACKENDS)('Wycheproof AES-CMAC on the %s backend', (_name, backend) => {
  it.each(vectors)('$source: $result', (v) => {
    const tag = hex(v.tag);
    const mac = backend.aesCmac(hex(v.key), hex(v.data)).subarray(0, tag.length);
    expect(toHex(mac) === v.tag).toBe(v.result === 'valid');
  });
});
