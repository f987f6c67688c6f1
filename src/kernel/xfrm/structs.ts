/**
 * Encoders and decoders of the fixed XFRM structures (include/uapi/linux/xfrm.h),
 * laid out for x86_64: offsets and sizes are in {@link SIZE} and the comments.
 * Every decoder reads through a bounds-checked {@link ByteReader}.
 */
import {
  type AddressFamily,
  addressToBytes,
  afOf,
  bytesToAddress,
  familyFromAf,
  familyOf,
} from '../address.js';
import { type ByteReader, type ByteWriter, NetlinkParseError } from '../netlink/message.js';
import type {
  Lifetime,
  LifetimeCounters,
  Mark,
  PolicyDir,
  PolicyTemplate,
  Selector,
  XfrmMode,
  XfrmProto,
} from '../types.js';
import { PROTO_NUMBER, SIZE, XFRM_INF, XFRM_MODE, XFRM_POLICY_DIR } from './constants.js';

// ---------------------------------------------------------------- enums <-> names

export function protoNumber(proto: XfrmProto): number {
  return PROTO_NUMBER[proto];
}
export function protoName(n: number, at = 0): XfrmProto {
  for (const [name, value] of Object.entries(PROTO_NUMBER))
    if (value === n) return name as XfrmProto;
  throw new NetlinkParseError(`unknown XFRM protocol ${n}`, at);
}
export function modeNumber(mode: XfrmMode): number {
  return XFRM_MODE[mode];
}
export function modeName(n: number, at = 0): XfrmMode {
  for (const [name, value] of Object.entries(XFRM_MODE)) if (value === n) return name as XfrmMode;
  throw new NetlinkParseError(`unknown XFRM mode ${n}`, at);
}
export function dirNumber(dir: PolicyDir): number {
  return XFRM_POLICY_DIR[dir];
}
export function dirName(n: number, at = 0): PolicyDir {
  for (const [name, value] of Object.entries(XFRM_POLICY_DIR))
    if (value === n) return name as PolicyDir;
  throw new NetlinkParseError(`unknown policy direction ${n}`, at);
}

export function familyAt(r: ByteReader, at: number): AddressFamily {
  const af = r.u16(at);
  const family = familyFromAf(af);
  if (!family) throw new NetlinkParseError(`unknown address family ${af}`, r.base + at);
  return family;
}

// ---------------------------------------------------------------- xfrm_address_t (16 bytes)

export function writeAddress(w: ByteWriter, address: string | undefined): void {
  if (address === undefined) {
    w.zeros(SIZE.address);
    return;
  }
  const b = addressToBytes(address);
  w.bytes(b).zeros(SIZE.address - b.length);
}

export function readAddress(r: ByteReader, at: number, family: AddressFamily): string {
  return bytesToAddress(r.slice(at, SIZE.address), family);
}

// ---------------------------------------------------------------- xfrm_selector (56 bytes)

/** Fills a selector's defaults so that specs and decoded selectors compare equal. */
export function normalizeSelector(s: Selector): Selector {
  const family = familyOf(s.src);
  if (familyOf(s.dst) !== family) throw new TypeError('selector src and dst differ in family');
  const full = family === 4 ? 32 : 128;
  const out: Selector = {
    src: bytesToAddress(addressToBytes(s.src), family),
    dst: bytesToAddress(addressToBytes(s.dst), family),
    srcPrefixLen: s.srcPrefixLen ?? full,
    dstPrefixLen: s.dstPrefixLen ?? full,
  };
  if (s.proto) out.proto = s.proto;
  const sportMask = s.sportMask ?? (s.sport ? 0xffff : 0);
  if (sportMask) {
    out.sport = s.sport ?? 0;
    out.sportMask = sportMask;
  }
  const dportMask = s.dportMask ?? (s.dport ? 0xffff : 0);
  if (dportMask) {
    out.dport = s.dport ?? 0;
    out.dportMask = dportMask;
  }
  if (s.ifindex) out.ifindex = s.ifindex;
  return out;
}

/** Writes a selector; `undefined` writes the all-zero (AF_UNSPEC) selector. */
export function writeSelector(w: ByteWriter, sel: Selector | undefined): void {
  if (!sel) {
    w.zeros(SIZE.selector);
    return;
  }
  const s = normalizeSelector(sel);
  const family = familyOf(s.src);
  writeAddress(w, s.dst);
  writeAddress(w, s.src);
  w.be16(s.dport ?? 0)
    .be16(s.dportMask ?? 0)
    .be16(s.sport ?? 0)
    .be16(s.sportMask ?? 0);
  w.u16(afOf(family))
    .u8(s.dstPrefixLen ?? 0)
    .u8(s.srcPrefixLen ?? 0)
    .u8(s.proto ?? 0)
    .zeros(3);
  w.i32(s.ifindex ?? 0).u32(0); // user: uid filter, unused by IKE daemons
}

/** True for a selector that matches every packet of its family (0/0, any protocol and port). */
export function isAnySelector(s: Selector): boolean {
  return (
    !s.srcPrefixLen && !s.dstPrefixLen && !s.proto && !s.sportMask && !s.dportMask && !s.ifindex
  );
}

/** Reads a selector; undefined when its family is AF_UNSPEC (an SA's "any"). */
export function readSelector(r: ByteReader, at: number): Selector | undefined {
  r.need(at, SIZE.selector, 'xfrm_selector');
  const af = r.u16(at + 40);
  if (af === 0) return undefined;
  const family = familyAt(r, at + 40);
  const raw: Selector = {
    dst: readAddress(r, at, family),
    src: readAddress(r, at + 16, family),
    dport: r.be16(at + 32),
    dportMask: r.be16(at + 34),
    sport: r.be16(at + 36),
    sportMask: r.be16(at + 38),
    dstPrefixLen: r.u8(at + 42),
    srcPrefixLen: r.u8(at + 43),
    proto: r.u8(at + 44),
    ifindex: r.i32(at + 48),
  };
  return normalizeSelector(raw);
}

// ---------------------------------------------------------------- lifetimes

const limit = (v: number | undefined): bigint => (v === undefined ? XFRM_INF : BigInt(v));
const seconds = (v: number | undefined): bigint => BigInt(v ?? 0);

/** xfrm_lifetime_cfg (64 bytes): byte/packet limits default to XFRM_INF, times to 0 (none). */
export function writeLifetimeCfg(w: ByteWriter, l: Lifetime | undefined): void {
  w.u64(limit(l?.softBytes))
    .u64(limit(l?.hardBytes))
    .u64(limit(l?.softPackets))
    .u64(limit(l?.hardPackets))
    .u64(seconds(l?.softAddSeconds))
    .u64(seconds(l?.hardAddSeconds))
    .u64(seconds(l?.softUseSeconds))
    .u64(seconds(l?.hardUseSeconds));
}

/** Zeroed xfrm_lifetime_cfg, as ALLOCSPI's larval SA carries. */
export function writeZeroLifetimeCfg(w: ByteWriter): void {
  w.zeros(SIZE.lifetimeCfg);
}

export function readLifetimeCfg(r: ByteReader, at: number): Lifetime {
  const out: Lifetime = {};
  const lim = (off: number, key: keyof Lifetime) => {
    const v = r.u64(at + off);
    if (v !== XFRM_INF) out[key] = Number(v);
  };
  const sec = (off: number, key: keyof Lifetime) => {
    const v = r.u64(at + off);
    if (v !== 0n && v !== XFRM_INF) out[key] = Number(v);
  };
  lim(0, 'softBytes');
  lim(8, 'hardBytes');
  lim(16, 'softPackets');
  lim(24, 'hardPackets');
  sec(32, 'softAddSeconds');
  sec(40, 'hardAddSeconds');
  sec(48, 'softUseSeconds');
  sec(56, 'hardUseSeconds');
  return out;
}

/** xfrm_lifetime_cur (32 bytes). */
export function writeLifetimeCur(w: ByteWriter, c: LifetimeCounters | undefined): void {
  w.u64(BigInt(c?.bytes ?? 0))
    .u64(BigInt(c?.packets ?? 0))
    .u64(BigInt(c?.addTime ?? 0))
    .u64(BigInt(c?.useTime ?? 0));
}

export function readLifetimeCur(r: ByteReader, at: number): LifetimeCounters {
  return {
    bytes: Number(r.u64(at)),
    packets: Number(r.u64(at + 8)),
    addTime: Number(r.u64(at + 16)),
    useTime: Number(r.u64(at + 24)),
  };
}

// ---------------------------------------------------------------- xfrm_id (24 bytes)

export function writeXfrmId(
  w: ByteWriter,
  dst: string | undefined,
  spi: number,
  proto: number,
): void {
  writeAddress(w, dst);
  w.be32(spi).u8(proto).zeros(3);
}

// ---------------------------------------------------------------- xfrm_mark (8 bytes)

export function writeMark(w: ByteWriter, m: Mark): void {
  w.u32(m.value).u32(m.mask ?? 0xffffffff);
}

export function readMark(r: ByteReader): Mark {
  return { value: r.u32(0), mask: r.u32(4) };
}

// ---------------------------------------------------------------- xfrm_user_tmpl (64 bytes)

export const ALL_ALGOS = 0xffffffff;

export function writeTemplate(
  w: ByteWriter,
  t: PolicyTemplate,
  selectorFamily: AddressFamily,
): void {
  const family = t.dst ? familyOf(t.dst) : t.src ? familyOf(t.src) : selectorFamily;
  writeXfrmId(w, t.dst, t.spi ?? 0, protoNumber(t.proto));
  w.u16(afOf(family)).zeros(2);
  writeAddress(w, t.src);
  w.u32(t.reqid ?? 0)
    .u8(modeNumber(t.mode))
    .u8(0) // share: XFRM_SHARE_ANY
    .u8(t.optional ? 1 : 0)
    .zeros(1);
  w.u32(t.aalgos ?? ALL_ALGOS)
    .u32(t.ealgos ?? ALL_ALGOS)
    .u32(t.calgos ?? ALL_ALGOS);
}

export function readTemplate(r: ByteReader, at: number): PolicyTemplate {
  r.need(at, SIZE.userTmpl, 'xfrm_user_tmpl');
  const family = familyAt(r, at + 24);
  const t: PolicyTemplate = {
    proto: protoName(r.u8(at + 20), r.base + at + 20),
    mode: modeName(r.u8(at + 48), r.base + at + 48),
  };
  const dst = r.slice(at, 16);
  const src = r.slice(at + 28, 16);
  if (dst.some((b) => b !== 0)) t.dst = bytesToAddress(dst, family);
  if (src.some((b) => b !== 0)) t.src = bytesToAddress(src, family);
  const spi = r.be32(at + 16);
  if (spi) t.spi = spi;
  const reqid = r.u32(at + 44);
  if (reqid) t.reqid = reqid;
  if (r.u8(at + 50)) t.optional = true;
  const aalgos = r.u32(at + 52);
  const ealgos = r.u32(at + 56);
  const calgos = r.u32(at + 60);
  if (aalgos !== ALL_ALGOS) t.aalgos = aalgos;
  if (ealgos !== ALL_ALGOS) t.ealgos = ealgos;
  if (calgos !== ALL_ALGOS) t.calgos = calgos;
  return t;
}

/** Normalises a template so that a spec compares equal to its decoded form. */
export function normalizeTemplate(t: PolicyTemplate): PolicyTemplate {
  const out: PolicyTemplate = { proto: t.proto, mode: t.mode };
  const isAny = (a: string) => addressToBytes(a).every((b) => b === 0);
  if (t.dst && !isAny(t.dst)) out.dst = bytesToAddress(addressToBytes(t.dst), familyOf(t.dst));
  if (t.src && !isAny(t.src)) out.src = bytesToAddress(addressToBytes(t.src), familyOf(t.src));
  if (t.spi) out.spi = t.spi;
  if (t.reqid) out.reqid = t.reqid;
  if (t.optional) out.optional = true;
  if (t.aalgos !== undefined && t.aalgos !== ALL_ALGOS) out.aalgos = t.aalgos;
  if (t.ealgos !== undefined && t.ealgos !== ALL_ALGOS) out.ealgos = t.ealgos;
  if (t.calgos !== undefined && t.calgos !== ALL_ALGOS) out.calgos = t.calgos;
  return out;
}
