/** Every ENCR transform Styx implements, one entry per (IANA ID, key length). */

import type { SymmetricBackend } from '../backend/types.js';
import type { EncrAlgorithm } from '../types.js';
import { makeAesCcm, makeAesGcm, makeChaCha20Poly1305 } from './aead.js';
import { make3DesCbc, makeAesCbc } from './cbc.js';
import { makeAesCtr } from './ctr.js';
import { makeNullCipher } from './null.js';

const AES_KEY_LENGTHS = [16, 24, 32] as const;
const AEAD_ICV_LENGTHS = [8, 12, 16] as const;

export function makeEncrAlgorithms(backend: SymmetricBackend): readonly EncrAlgorithm[] {
  const list: EncrAlgorithm[] = [];
  for (const k of AES_KEY_LENGTHS) list.push(makeAesCbc(backend, k));
  for (const k of AES_KEY_LENGTHS) list.push(makeAesCtr(backend, k));
  for (const icv of AEAD_ICV_LENGTHS) {
    for (const k of AES_KEY_LENGTHS) list.push(makeAesGcm(backend, k, icv));
  }
  for (const icv of AEAD_ICV_LENGTHS) {
    for (const k of AES_KEY_LENGTHS) list.push(makeAesCcm(backend, k, icv));
  }
  list.push(makeChaCha20Poly1305(backend));
  list.push(make3DesCbc(backend));
  list.push(makeNullCipher());
  return list;
}
