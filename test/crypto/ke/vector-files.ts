/** Loads the third-party KE vectors of test-vectors/ke (see each file's "source"). */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KE_VECTOR_DIR = join(import.meta.dirname, '../../../test-vectors/ke');

export interface DhVector {
  readonly group: number;
  readonly name: string;
  readonly secret: string;
  /** Our own KE data, when the source gives it. */
  readonly public?: string;
  readonly peerPublic: string;
  readonly sharedSecret?: string;
  /** RFC 5903 §8: the whole IKEv2 KE payload carrying `public`. */
  readonly keiPayload?: string;
  readonly result: 'valid' | 'invalid';
}

export interface MlKemVector {
  readonly group: number;
  readonly kind: 'keygen' | 'decaps' | 'encaps';
  readonly name: string;
  readonly seed?: string;
  readonly ek?: string;
  readonly m?: string;
  readonly c?: string;
  readonly K?: string;
  readonly result: 'valid' | 'invalid';
}

interface VectorFile<T> {
  readonly source: string;
  readonly vectors: readonly T[];
}

export function readVectorFile<T>(name: string): VectorFile<T> {
  return JSON.parse(readFileSync(join(KE_VECTOR_DIR, name), 'utf8')) as VectorFile<T>;
}

/** Every vector file with Diffie-Hellman style vectors (those carrying a `secret`). */
export function dhVectorFiles(): { file: string; vectors: readonly DhVector[] }[] {
  return readdirSync(KE_VECTOR_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, data: readVectorFile<DhVector>(file) }))
    .filter(({ data }) => Array.isArray(data.vectors) && data.vectors.some((v) => 'secret' in v))
    .map(({ file, data }) => ({ file, vectors: data.vectors }));
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** A RandomSource that hands out the given octets in order and fails when asked for more. */
export function scriptedRandom(...chunks: Uint8Array[]): (length: number) => Uint8Array {
  const queue = [...chunks];
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) {
      throw new Error(`scripted random: asked for ${length} octets, had ${next?.length ?? 'none'}`);
    }
    return next;
  };
}
