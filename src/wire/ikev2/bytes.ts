/**
 * A bounded reader and a growing writer for the IKEv2 codec. The reader checks
 * every length against the bytes left before it touches or copies anything, so
 * no length field can make the codec read out of bounds or allocate more than
 * the datagram holds.
 */

import { WireError } from '../errors.js';

export class ByteReader {
  /** Reads `buf[start, end)`; offsets in errors are positions in `buf`. */
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws TRUNCATED unless `n` more octets are available. */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new WireError(
        'TRUNCATED',
        `${what}: need ${n} octets, ${this.remaining} left`,
        this.pos,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** A copy of the next `n` octets. */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A copy of everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A reader over the next `n` octets; this reader moves past them. */
  sub(n: number, what: string): ByteReader {
    this.need(n, what);
    const sub = new ByteReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return sub;
  }

  /** Throws BAD_LENGTH when octets are left over, naming what they followed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new WireError('BAD_LENGTH', `${what}: ${this.remaining} octets left over`, this.pos);
    }
  }
}

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  private check(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new WireError('BAD_VALUE', `${what}: ${v} does not fit (0..${max})`, this.length);
    }
  }

  u8(v: number, what: string): void {
    this.check(v, 0xff, what);
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number, what: string): void {
    this.check(v, 0xffff, what);
    this.ensure(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number, what: string): void {
    this.check(v, 0xffffffff, what);
    this.ensure(4);
    this.buf[this.length++] = v >>> 24;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Writes `v` as 16 bits at an earlier position (length fields). */
  patchU16(at: number, v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new WireError('TOO_LARGE', `${what}: ${v} octets exceed 65535`, at);
    }
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 0xff;
  }

  patchU32(at: number, v: number): void {
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  patchU8(at: number, v: number): void {
    this.buf[at] = v;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
