/**
 * Loads the third-party ENCR/PRF/INTEG vectors of test-vectors/{encr,prf,integ}
 * (each file names its source) and the registries they run against: one per
 * backend, plus the per-primitive selection Styx uses.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nobleBackend, nodeBackend } from '../../../src/crypto/backend/index.js';
import type { SymmetricBackend } from '../../../src/crypto/backend/types.js';
import { buildRegistry, registry, type TransformRegistry } from '../../../src/crypto/registry.js';

export const VECTOR_ROOT = join(import.meta.dirname, '../../../test-vectors');

export type VectorKind = 'cipher' | 'aead' | 'prf' | 'integ';

/** Every symmetric vector file and the runner that executes it. */
export const VECTOR_FILES: readonly { readonly file: string; readonly kind: VectorKind }[] = [
  { file: 'encr/aes-cbc.json', kind: 'cipher' },
  { file: 'encr/aes-ctr.json', kind: 'cipher' },
  { file: 'encr/3des-cbc.json', kind: 'cipher' },
  { file: 'encr/null.json', kind: 'cipher' },
  { file: 'encr/aes-gcm.json', kind: 'aead' },
  { file: 'encr/aes-ccm.json', kind: 'aead' },
  { file: 'encr/chacha20-poly1305.json', kind: 'aead' },
  { file: 'prf/hmac.json', kind: 'prf' },
  { file: 'prf/aes-xcbc-prf-128.json', kind: 'prf' },
  { file: 'prf/aes-cmac-prf-128.json', kind: 'prf' },
  { file: 'integ/hmac.json', kind: 'integ' },
  { file: 'integ/aes-xcbc-mac-96.json', kind: 'integ' },
  { file: 'integ/aes-cmac-96.json', kind: 'integ' },
];

export interface Vector {
  readonly source: string;
  /** Registry keywords this vector is run through. */
  readonly entries?: readonly string[];
  readonly [field: string]: unknown;
}

export interface VectorFile {
  readonly title: string;
  readonly sources: readonly string[];
  readonly vectors?: readonly Vector[];
  /** aes-ccm.json: vectors run through the registry entries (RFC 4309 nonce layout). */
  readonly entryVectors?: readonly Vector[];
  /** aes-ccm.json: vectors run through the backends' generic CCM. */
  readonly modeVectors?: readonly Vector[];
}

export function loadVectorFile(file: string): VectorFile {
  return JSON.parse(readFileSync(join(VECTOR_ROOT, file), 'utf8')) as VectorFile;
}

export function allVectors(f: VectorFile): readonly Vector[] {
  return [...(f.vectors ?? []), ...(f.entryVectors ?? []), ...(f.modeVectors ?? [])];
}

export function hex(v: unknown): Uint8Array {
  if (typeof v !== 'string') throw new TypeError(`expected a hex string, got ${typeof v}`);
  return Uint8Array.from(Buffer.from(v, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export const BACKENDS: readonly (readonly [string, SymmetricBackend])[] = [
  ['noble', nobleBackend],
  ['node', nodeBackend],
];

/** The registries every vector runs through: one per backend and the selected mix. */
export const REGISTRIES: readonly (readonly [string, TransformRegistry])[] = [
  ['noble', buildRegistry(nobleBackend)],
  ['node', buildRegistry(nodeBackend)],
  ['selected', registry],
];

/** One test row per (vector, entry), labelled with the vector's source. */
export function rowsOf(
  vectors: readonly Vector[],
): { readonly label: string; readonly entry: string; readonly v: Vector }[] {
  return vectors.flatMap((v) =>
    (v.entries ?? []).map((entry) => ({ label: `${entry}: ${v.source}`, entry, v })),
  );
}
