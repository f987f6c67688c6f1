/**
 * The backend the registry uses: for each primitive, the implementation that
 * `bench/crypto-backends.ts` measured as faster on this project's reference
 * machine (table and command in `bench/README.md`). Both implementations pass
 * the same vectors, so the choice is about speed only.
 */

import { nobleBackend } from './noble.js';
import { nodeBackend } from './node.js';
import type { BackendName, Primitive, SymmetricBackend } from './types.js';

export const BACKENDS: Readonly<Record<BackendName, SymmetricBackend>> = {
  noble: nobleBackend,
  node: nodeBackend,
};

/** The measured winner per primitive (see bench/README.md for the numbers). */
export const PRIMITIVE_CHOICE: Readonly<Record<Primitive, BackendName>> = {
  hmac: 'node',
  aesCbcEncrypt: 'node',
  aesCbcDecrypt: 'node',
  aesCtr: 'node',
  aesCmac: 'node',
  aesGcmSeal: 'node',
  aesGcmOpen: 'node',
  aesCcmSeal: 'node',
  aesCcmOpen: 'node',
  chacha20Poly1305Seal: 'node',
  chacha20Poly1305Open: 'node',
  des3CbcEncrypt: 'node',
  des3CbcDecrypt: 'node',
};

function composeBackend(choice: Readonly<Record<Primitive, BackendName>>): SymmetricBackend {
  const pick = <P extends Primitive>(p: P): SymmetricBackend[P] => BACKENDS[choice[p]][p];
  return {
    name: 'selected',
    hmac: pick('hmac'),
    aesCbcEncrypt: pick('aesCbcEncrypt'),
    aesCbcDecrypt: pick('aesCbcDecrypt'),
    aesCtr: pick('aesCtr'),
    aesCmac: pick('aesCmac'),
    aesGcmSeal: pick('aesGcmSeal'),
    aesGcmOpen: pick('aesGcmOpen'),
    aesCcmSeal: pick('aesCcmSeal'),
    aesCcmOpen: pick('aesCcmOpen'),
    chacha20Poly1305Seal: pick('chacha20Poly1305Seal'),
    chacha20Poly1305Open: pick('chacha20Poly1305Open'),
    des3CbcEncrypt: pick('des3CbcEncrypt'),
    des3CbcDecrypt: pick('des3CbcDecrypt'),
  };
}

export const selectedBackend: SymmetricBackend = composeBackend(PRIMITIVE_CHOICE);

export type { BackendName, HashName, Primitive, SymmetricBackend } from './types.js';
export { nobleBackend, nodeBackend };
