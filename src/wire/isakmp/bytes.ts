/**
 * Big-endian field access for the ISAKMP codec. Reads assume the caller has
 * checked bounds (every decoder does, before reading); writes check that a
 * value fits its field, because encoding a value that does not fit would
 * silently produce a different message.
 */

export function readU16(buf: Uint8Array, offset: number): number {
  return (buf[offset]! << 8) | buf[offset + 1]!;
}

export function readU32(buf: Uint8Array, offset: number): number {
  return (
    ((buf[offset]! << 24) |
      (buf[offset + 1]! << 16) |
      (buf[offset + 2]! << 8) |
      buf[offset + 3]!) >>>
    0
  );
}

export function writeU16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 8;
  buf[offset + 1] = value & 0xff;
}

export function writeU32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = (value >>> 16) & 0xff;
  buf[offset + 2] = (value >>> 8) & 0xff;
  buf[offset + 3] = value & 0xff;
}

/** Throws a RangeError (a caller's bug, not a peer's) unless `value` fits in `bits`. */
export function checkUint(field: string, value: number, bits: 8 | 15 | 16 | 32): number {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`ISAKMP encode: ${field} must be an integer in 0..${max}, got ${value}`);
  }
  return value;
}

/** Throws a RangeError unless `bytes` has a length in `min..max`. */
export function checkLength(field: string, bytes: Uint8Array, min: number, max: number): void {
  if (bytes.length < min || bytes.length > max) {
    throw new RangeError(
      `ISAKMP encode: ${field} must be ${min === max ? min : `${min}..${max}`} octets, got ${bytes.length}`,
    );
  }
}

/** Concatenates parts into one new buffer. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
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

/**
 * A plain Uint8Array view of `buf`. Node's Buffer overrides `slice` to return
 * a view, not a copy; decoders slice to copy, so a Buffer from a socket must
 * not leak through (a later datagram would overwrite decoded fields).
 */
export function plainView(buf: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(buf) === Uint8Array.prototype
    ? buf
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
