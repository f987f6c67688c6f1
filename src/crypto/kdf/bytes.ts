/** Byte helpers for key derivation (kept local so the KDF depends only on the PRF contract). */

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

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
