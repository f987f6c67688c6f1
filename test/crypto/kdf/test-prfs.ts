/**
 * Small local PRF adapters for the KDF tests, independent of the registry: HMAC
 * over `@noble/hashes` (RFC 2104) and AES-XCBC-PRF-128 (RFC 3566 §4 with the key
 * rule of RFC 4434 §2) over `node:crypto`'s AES-128-ECB. The registry's own PRFs
 * are checked against their RFC vectors elsewhere; these only have to be right.
 */

import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import type { PrfAlgorithm } from '../../../src/crypto/types.js';

function hmacPrf(id: number, name: string, hash: CHash): PrfAlgorithm {
  return {
    id,
    name,
    usages: ['ike', 'ikev1'],
    keyLen: hash.outputLen,
    outLen: hash.outputLen,
    fixedKey: false,
    compute: (key: Uint8Array, data: Uint8Array) => hmac(hash, key, data),
  } as unknown as PrfAlgorithm;
}

function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return new Uint8Array(c.update(block));
}

function xcbcMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k1 = aesBlock(key, new Uint8Array(16).fill(0x01));
  const k2 = aesBlock(key, new Uint8Array(16).fill(0x02));
  const k3 = aesBlock(key, new Uint8Array(16).fill(0x03));
  const blocks = Math.max(1, Math.ceil(data.length / 16));
  let e: Uint8Array = new Uint8Array(16);
  for (let i = 0; i < blocks; i++) {
    const m = new Uint8Array(16);
    const chunk = data.subarray(i * 16, i * 16 + 16);
    m.set(chunk);
    if (i === blocks - 1) {
      const full = chunk.length === 16;
      if (!full) m[chunk.length] = 0x80;
      const k = full ? k2 : k3;
      for (let j = 0; j < 16; j++) m[j]! ^= k[j]!;
    }
    for (let j = 0; j < 16; j++) m[j]! ^= e[j]!;
    e = aesBlock(k1, m);
  }
  return e;
}

const aesXcbcPrf128: PrfAlgorithm = {
  id: 4,
  name: 'PRF_AES128_XCBC',
  usages: ['ike'],
  keyLen: 16,
  outLen: 16,
  fixedKey: true,
  compute(key: Uint8Array, data: Uint8Array) {
    // RFC 4434 §2: pad a short key with zeros, reduce a long one with a zero key.
    let k = key;
    if (key.length < 16) {
      k = new Uint8Array(16);
      k.set(key);
    } else if (key.length > 16) {
      k = xcbcMac(new Uint8Array(16), key);
    }
    return xcbcMac(k, data);
  },
} as unknown as PrfAlgorithm;

export const TEST_PRFS: Readonly<Record<number, PrfAlgorithm>> = {
  2: hmacPrf(2, 'PRF_HMAC_SHA1', sha1),
  4: aesXcbcPrf128,
  5: hmacPrf(5, 'PRF_HMAC_SHA2_256', sha256),
  6: hmacPrf(6, 'PRF_HMAC_SHA2_384', sha384),
  7: hmacPrf(7, 'PRF_HMAC_SHA2_512', sha512),
};

export function testPrf(id: number): PrfAlgorithm {
  const prf = TEST_PRFS[id];
  if (!prf) throw new Error(`no test PRF ${id}`);
  return prf;
}

export const KDF_VECTOR_DIR = join(import.meta.dirname, '../../../test-vectors/kdf');

export function readKdfVectors<T>(name: string): readonly T[] {
  return (JSON.parse(readFileSync(join(KDF_VECTOR_DIR, name), 'utf8')) as { vectors: T[] }).vectors;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
