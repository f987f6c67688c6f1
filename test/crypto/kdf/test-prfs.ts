/** The registry's PRFs and the KDF vector files for the key derivation tests. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPrf } from '../../../src/crypto/registry.js';
import type { PrfAlgorithm } from '../../../src/crypto/types.js';

/** A registry PRF by IANA Transform Type 2 id (2 SHA1, 4 AES-XCBC, 5/6/7 SHA2). */
export function testPrf(id: number): PrfAlgorithm {
  const prf = getPrf(id);
  if (!prf) throw new Error(`the registry has no PRF ${id}`);
  return prf;
}

export const KDF_VECTOR_DIR = join(import.meta.dirname, '../../../test-vectors/kdf');

export function readKdfVectors<T>(name: string): readonly T[] {
  return (JSON.parse(readFileSync(join(KDF_VECTOR_DIR, name), 'utf8')) as { vectors: T[] }).vectors;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
