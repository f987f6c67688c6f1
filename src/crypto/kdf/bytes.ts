/** Byte helpers for key derivation. */

export { concatBytes as concat } from '../backend/bytes.js';

/** Splits `material` into consecutive pieces of the given lengths; it must be long enough. */
export function split(material: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const len of lengths) {
    if (offset + len > material.length) throw new RangeError('keying material too short');
    out.push(material.slice(offset, offset + len));
    offset += len;
  }
  return out;
}

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
