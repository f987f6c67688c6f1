/** Argument checks shared by the ENCR algorithms; messages never include key bytes. */

import { CryptoInputError } from '../backend/types.js';

export function checkKeyAndIv(
  name: string,
  key: Uint8Array,
  keyMaterialLen: number,
  iv: Uint8Array,
  ivLen: number,
): void {
  if (key.length !== keyMaterialLen) {
    throw new CryptoInputError(`${name}: key must be ${keyMaterialLen} octets, got ${key.length}`);
  }
  if (iv.length !== ivLen) {
    throw new CryptoInputError(`${name}: IV must be ${ivLen} octets, got ${iv.length}`);
  }
}
