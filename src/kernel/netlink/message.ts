/**
 * Netlink message framing: a byte writer that lays out C structures and
 * attributes (TLVs padded to 4 bytes), and a bounds-checked reader.
 *
 * Reading never goes past the buffer: every read checks its length and throws
 * {@link NetlinkParseError} with the offset; the client turns that into a logged,
 * counted drop. Host byte order is little-endian (x86_64), network order fields
 * (ports, SPIs, addresses) are written big-endian explicitly.
 */
import {
  NLA_F_NESTED,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
} from './constants.js';

export class NetlinkParseError extends Error {
  override readonly name = 'NetlinkParseError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (offset ${offset})`);
  }
}

export const align4 = (n: number): number => (n + 3) & ~3;

/** Appends little-endian host-order and big-endian network-order fields. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      bigger.set(this.buf);
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.length += n;
    return at;
  }
  /** Reserves n bytes and returns the (possibly new) view to write them through. */
  private at(n: number): DataView {
    this.reserve(n);
    return this.view;
  }
  u8(v: number): this {
    this.at(1).setUint8(this.length - 1, v);
    return this;
  }
  u16(v: number): this {
    this.at(2).setUint16(this.length - 2, v, true);
    return this;
  }
  u32(v: number): this {
    this.at(4).setUint32(this.length - 4, v >>> 0, true);
    return this;
  }
  i32(v: number): this {
    this.at(4).setInt32(this.length - 4, v, true);
    return this;
  }
  u64(v: bigint): this {
    this.at(8).setBigUint64(this.length - 8, BigInt.asUintN(64, v), true);
    return this;
  }
  be16(v: number): this {
    this.at(2).setUint16(this.length - 2, v, false);
    return this;
  }
  be32(v: number): this {
    this.at(4).setUint32(this.length - 4, v >>> 0, false);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.reserve(b.length); // reserve() may swap this.buf: call it first
    this.buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    this.reserve(n); // fresh bytes are zero: buffers only grow, never reused
    return this;
  }
  /** Fixed-size, NUL-padded string field (e.g. alg_name[64]). */
  fixedString(s: string, size: number): this {
    const enc = new TextEncoder().encode(s);
    if (enc.length >= size) throw new TypeError(`string longer than ${size - 1} bytes: ${s}`);
    this.bytes(enc).zeros(size - enc.length);
    return this;
  }
  /** NUL-terminated string (attribute payloads such as IFLA_IFNAME). */
  cString(s: string): this {
    return this.bytes(new TextEncoder().encode(s)).u8(0);
  }
  padTo4(): this {
    return this.zeros(align4(this.length) - this.length);
  }
  setU16At(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  setU32At(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }
  /** Writes one attribute whose payload `body` appends; pads to 4 bytes after it. */
  attr(type: number, body: (w: ByteWriter) => void): this {
    const start = this.length;
    this.u16(0).u16(type);
    body(this);
    this.setU16At(start, this.length - start);
    return this.padTo4();
  }
  nested(type: number, body: (w: ByteWriter) => void): this {
    return this.attr(type | NLA_F_NESTED, body);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** Header of one netlink message (struct nlmsghdr). */
export interface NlHeader {
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** Builds one netlink message: header, then whatever `body` writes. */
export function buildMessage(header: NlHeader, body: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  w.u32(0).u16(header.type).u16(header.flags).u32(header.seq).u32(header.pid);
  body(w);
  w.setU32At(0, w.length);
  return w.finish();
}

/** Bounds-checked reads over a slice of a buffer. Offsets are relative to the slice. */
export class ByteReader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    /** Offset of this slice in the whole datagram, for error messages. */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  need(at: number, n: number, what: string): void {
    if (at < 0 || at + n > this.bytes.length) {
      throw new NetlinkParseError(
        `${what}: needs ${n} bytes, ${this.bytes.length - at} left`,
        this.base + at,
      );
    }
  }
  u8(at: number): number {
    this.need(at, 1, 'u8');
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    this.need(at, 2, 'u16');
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.need(at, 4, 'u32');
    return this.view.getUint32(at, true);
  }
  i32(at: number): number {
    this.need(at, 4, 'i32');
    return this.view.getInt32(at, true);
  }
  u64(at: number): bigint {
    this.need(at, 8, 'u64');
    return this.view.getBigUint64(at, true);
  }
  be16(at: number): number {
    this.need(at, 2, 'be16');
    return this.view.getUint16(at, false);
  }
  be32(at: number): number {
    this.need(at, 4, 'be32');
    return this.view.getUint32(at, false);
  }
  slice(at: number, n: number): Uint8Array {
    this.need(at, n, 'bytes');
    return this.bytes.subarray(at, at + n);
  }
  sub(at: number, n: number): ByteReader {
    return new ByteReader(this.slice(at, n), this.base + at);
  }
  /** A NUL-padded string of a fixed-size field. */
  fixedString(at: number, size: number): string {
    const raw = this.slice(at, size);
    const end = raw.indexOf(0);
    return new TextDecoder().decode(end >= 0 ? raw.subarray(0, end) : raw);
  }
}

/** One parsed netlink message. */
export interface NlMessage extends NlHeader {
  /** Payload after the 16-byte header. */
  payload: ByteReader;
}

/** Splits a datagram into messages (several may share one datagram). */
export function splitMessages(datagram: Uint8Array): NlMessage[] {
  const r = new ByteReader(datagram);
  const out: NlMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= r.length) {
    const len = r.u32(at);
    if (len < NLMSG_HDRLEN || at + len > r.length) {
      throw new NetlinkParseError(`bad nlmsg_len ${len}`, at);
    }
    out.push({
      type: r.u16(at + 4),
      flags: r.u16(at + 6),
      seq: r.u32(at + 8),
      pid: r.u32(at + 12),
      payload: r.sub(at + NLMSG_HDRLEN, len - NLMSG_HDRLEN),
    });
    at += align4(len);
  }
  return out;
}

/** Attributes by type (flag bits masked off); a repeated type keeps every instance. */
export class Attributes {
  private readonly map = new Map<number, ByteReader[]>();
  add(type: number, value: ByteReader): void {
    const list = this.map.get(type);
    if (list) list.push(value);
    else this.map.set(type, [value]);
  }
  get(type: number): ByteReader | undefined {
    return this.map.get(type)?.[0];
  }
  all(type: number): ByteReader[] {
    return this.map.get(type) ?? [];
  }
  has(type: number): boolean {
    return this.map.has(type);
  }
  types(): number[] {
    return [...this.map.keys()];
  }
}

/** Parses the attribute stream of `r` from `from` to its end. */
export function parseAttributes(r: ByteReader, from: number): Attributes {
  const attrs = new Attributes();
  let at = align4(from);
  while (at + NLA_HDRLEN <= r.length) {
    const len = r.u16(at);
    const type = r.u16(at + 2) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || at + len > r.length) {
      throw new NetlinkParseError(`bad attribute length ${len} (type ${type})`, r.base + at);
    }
    attrs.add(type, r.sub(at + NLA_HDRLEN, len - NLA_HDRLEN));
    at += align4(len);
  }
  return attrs;
}

/** NLMSG_ERROR payload: errno 0 is an ACK; otherwise the kernel's (negative) errno. */
export interface NlErrorReply {
  errno: number;
  /** Sequence number of the request this answers. */
  requestSeq: number;
  /** The kernel's extended-ACK text, when it sent one. */
  extackMessage?: string;
}

export function parseErrorReply(msg: NlMessage): NlErrorReply {
  if (msg.type !== NLMSG_ERROR) throw new NetlinkParseError('not an NLMSG_ERROR', 0);
  const p = msg.payload;
  const error = p.i32(0);
  const requestLen = p.u32(4);
  const requestSeq = p.u32(12);
  const reply: NlErrorReply = { errno: -error, requestSeq };
  if (msg.flags & NLM_F_ACK_TLVS) {
    // The request header is echoed, and its payload too unless NLM_F_CAPPED.
    const echoed = msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : requestLen;
    const attrs = parseAttributes(p, 4 + echoed);
    const text = attrs.get(NLMSGERR_ATTR_MSG);
    if (text) reply.extackMessage = text.fixedString(0, text.length);
  }
  return reply;
}
