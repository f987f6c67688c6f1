/**
 * The few DER (ITU-T X.690) helpers the auth code needs on its own: reading one
 * TLV header, and the ECDSA signature conversion between DER and raw r||s
 * (RFC 4754 §7 vs RFC 7427 §3, which carries the DER form for ECDSA).
 */

export interface DerElement {
  readonly tag: number;
  /** Offset of the tag octet in the input. */
  readonly offset: number;
  /** Offset of the contents in the input. */
  readonly start: number;
  /** Offset just past the contents. */
  readonly end: number;
}

/** Reads the TLV at `offset`; undefined when it is malformed or runs past `bytes`. */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers never occur here
  let len = bytes[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > bytes.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos + i]!;
    pos += n;
  }
  if (pos + len > bytes.length) return undefined;
  return { tag, offset, start: pos, end: pos + len };
}

/** The contents of each element of a SEQUENCE, or undefined when not one well-formed SEQUENCE. */
export function readDerSequence(
  bytes: Uint8Array,
  offset = 0,
  end = bytes.length,
): DerElement[] | undefined {
  const outer = readDerElement(bytes, offset);
  if (outer?.tag !== 0x30 || outer.end !== end) return undefined;
  const items: DerElement[] = [];
  let pos = outer.start;
  while (pos < outer.end) {
    const item = readDerElement(bytes, pos);
    if (!item || item.end > outer.end) return undefined;
    items.push(item);
    pos = item.end;
  }
  return items;
}

export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  const header =
    len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  const out = new Uint8Array(header.length + len);
  out.set(header);
  out.set(content, header.length);
  return out;
}

export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
