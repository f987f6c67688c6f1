/**
 * SA messages: NEWSA/UPDSA (xfrm_usersa_info + attributes), ALLOCSPI
 * (xfrm_userspi_info), DELSA/GETSA (xfrm_usersa_id), FLUSHSA, and the decoder
 * of the NEWSA form the kernel answers GETSA and dumps with.
 *
 * Attribute order follows iproute2 for the same options (algorithms, encap,
 * replay, extra flags, mark, if_id, output mark), so our bytes can be compared
 * with `ip xfrm state add` (test-vectors/kernel/).
 */
import { type AddressFamily, afOf, familyOf } from '../address.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../netlink/constants.js';
import {
  type Attributes,
  type ByteReader,
  type ByteWriter,
  buildMessage,
  NetlinkParseError,
  parseAttributes,
} from '../netlink/message.js';
import type {
  AllocSpiRequest,
  SaExtraFlag,
  SaFlag,
  SaId,
  SaInfo,
  SaSpec,
  XfrmProto,
} from '../types.js';
import {
  LEGACY_REPLAY_BITS,
  SIZE,
  UDP_ENCAP,
  XFRM_MSG,
  XFRM_SA_XFLAG,
  XFRM_STATE_ESN,
  XFRM_STATE_FLAG,
  XFRMA,
  XFRMA_REPLAY_ESN_MAX,
} from './constants.js';
import {
  familyAt,
  isAnySelector,
  modeName,
  modeNumber,
  protoName,
  protoNumber,
  readAddress,
  readLifetimeCfg,
  readLifetimeCur,
  readMark,
  readSelector,
  writeAddress,
  writeLifetimeCfg,
  writeLifetimeCur,
  writeMark,
  writeSelector,
  writeXfrmId,
  writeZeroLifetimeCfg,
} from './structs.js';

/** IPSEC_PROTO_ANY: FLUSHSA of every IPsec protocol (include/uapi/linux/ipsec.h). */
const IPSEC_PROTO_ANY = 255;

function saFamily(src: string, dst: string): AddressFamily {
  const family = familyOf(dst);
  if (familyOf(src) !== family) throw new TypeError('SA src and dst differ in family');
  return family;
}

function stateFlags(spec: SaSpec): number {
  let flags = 0;
  for (const f of spec.flags ?? []) flags |= XFRM_STATE_FLAG[f];
  if (spec.esn) flags |= XFRM_STATE_ESN;
  return flags;
}

/** The replay window travels in the u8 field only when ≤ 32 and without ESN (as iproute2 does). */
function usesEsnReplayAttribute(spec: SaSpec): boolean {
  return Boolean(spec.esn) || (spec.replayWindow ?? 0) > LEGACY_REPLAY_BITS;
}

/** struct xfrm_usersa_info (224 bytes). */
function writeUsersaInfo(w: ByteWriter, spec: SaSpec): void {
  const family = saFamily(spec.src, spec.dst);
  const esnAttr = usesEsnReplayAttribute(spec);
  writeSelector(w, spec.selector);
  writeXfrmId(w, spec.dst, spec.spi, protoNumber(spec.proto));
  writeAddress(w, spec.src);
  writeLifetimeCfg(w, spec.lifetime);
  writeLifetimeCur(w, undefined);
  w.zeros(12); // xfrm_stats
  w.u32(0) // seq
    .u32(spec.reqid ?? 0)
    .u16(afOf(family))
    .u8(modeNumber(spec.mode))
    .u8(esnAttr ? 0 : (spec.replayWindow ?? 0))
    .u8(stateFlags(spec))
    .zeros(7);
}

function writeAlgo(
  w: ByteWriter,
  type: number,
  name: string,
  key: Uint8Array,
  extraBits?: number,
): void {
  w.attr(type, (a) => {
    a.fixedString(name, SIZE.algoName).u32(key.length * 8);
    if (extraBits !== undefined) a.u32(extraBits);
    a.bytes(key);
  });
}

function writeSaAttributes(w: ByteWriter, spec: SaSpec): void {
  if (spec.aead) writeAlgo(w, XFRMA.ALG_AEAD, spec.aead.name, spec.aead.key, spec.aead.icvBits);
  if (spec.crypt) writeAlgo(w, XFRMA.ALG_CRYPT, spec.crypt.name, spec.crypt.key);
  if (spec.auth)
    writeAlgo(w, XFRMA.ALG_AUTH_TRUNC, spec.auth.name, spec.auth.key, spec.auth.truncBits);
  if (spec.comp) writeAlgo(w, XFRMA.ALG_COMP, spec.comp.name, new Uint8Array(0));
  const encap = spec.encap;
  if (encap) {
    w.attr(XFRMA.ENCAP, (a) => {
      a.u16(UDP_ENCAP[encap.type]).be16(encap.sport).be16(encap.dport).zeros(2);
      writeAddress(a, encap.oa);
    });
  }
  if (usesEsnReplayAttribute(spec)) {
    const window = spec.replayWindow ?? 0;
    if (window > XFRMA_REPLAY_ESN_MAX)
      throw new TypeError(`replay window ${window} > ${XFRMA_REPLAY_ESN_MAX}`);
    // struct xfrm_replay_state_esn without its bitmap: the kernel accepts the bare
    // header and sizes the bitmap from bmp_len itself (verify_replay in xfrm_user.c).
    w.attr(XFRMA.REPLAY_ESN_VAL, (a) => {
      a.u32(Math.ceil(window / 32))
        .u32(0)
        .u32(0)
        .u32(0)
        .u32(0)
        .u32(window);
    });
  }
  if (spec.extraFlags?.length) {
    let x = 0;
    for (const f of spec.extraFlags) x |= XFRM_SA_XFLAG[f];
    w.attr(XFRMA.SA_EXTRA_FLAGS, (a) => a.u32(x));
  }
  const mark = spec.mark;
  if (mark) w.attr(XFRMA.MARK, (a) => writeMark(a, mark));
  if (spec.ifId !== undefined) w.attr(XFRMA.IF_ID, (a) => a.u32(spec.ifId ?? 0));
  const setMark = spec.setMark;
  if (setMark) {
    w.attr(XFRMA.SET_MARK, (a) => a.u32(setMark.value));
    if (setMark.mask !== undefined) w.attr(XFRMA.SET_MARK_MASK, (a) => a.u32(setMark.mask ?? 0));
  }
  if (spec.tfcPad !== undefined) w.attr(XFRMA.TFCPAD, (a) => a.u32(spec.tfcPad ?? 0));
}

export function validateSaSpec(spec: SaSpec): void {
  if (!Number.isInteger(spec.spi) || spec.spi < 0 || spec.spi > 0xffffffff) {
    throw new TypeError(`SPI out of range: ${spec.spi}`);
  }
  if (spec.aead && (spec.crypt || spec.auth))
    throw new TypeError('an SA has AEAD or cipher+integrity, not both');
  if (spec.proto === 'ah' && (spec.aead || spec.crypt || spec.comp))
    throw new TypeError('AH takes only integrity');
  if (spec.proto === 'comp' && (spec.aead || spec.crypt || spec.auth))
    throw new TypeError('IPComp takes only compression');
  if (spec.proto === 'comp' && spec.spi > 0xffff) throw new TypeError('IPComp CPI is 16 bits');
  const w = spec.replayWindow ?? 0;
  if (!Number.isInteger(w) || w < 0 || w > XFRMA_REPLAY_ESN_MAX)
    throw new TypeError(`bad replay window ${w}`);
}

/** NEWSA or UPDSA request. */
export function encodeSaRequest(
  type: 'add' | 'update',
  spec: SaSpec,
  seq: number,
  pid = 0,
): Uint8Array {
  validateSaSpec(spec);
  return buildMessage(
    {
      type: type === 'add' ? XFRM_MSG.NEWSA : XFRM_MSG.UPDSA,
      flags: NLM_F_REQUEST | NLM_F_ACK,
      seq,
      pid,
    },
    (w) => {
      writeUsersaInfo(w, spec);
      writeSaAttributes(w, spec);
    },
  );
}

/** ALLOCSPI request: a larval SA with zero lifetimes, as iproute2 sends it. */
export function encodeAllocSpi(req: AllocSpiRequest, seq: number, pid = 0): Uint8Array {
  const family = saFamily(req.src, req.dst);
  const min = req.min ?? 0x100;
  const max = req.max ?? (req.proto === 'comp' ? 0xffff : 0x0fffffff);
  if (min > max) throw new TypeError(`SPI range ${min} > ${max}`);
  return buildMessage({ type: XFRM_MSG.ALLOCSPI, flags: NLM_F_REQUEST, seq, pid }, (w) => {
    writeSelector(w, undefined);
    writeXfrmId(w, req.dst, 0, protoNumber(req.proto));
    writeAddress(w, req.src);
    writeZeroLifetimeCfg(w);
    writeLifetimeCur(w, undefined);
    w.zeros(12);
    w.u32(req.acquireSeq ?? 0)
      .u32(req.reqid ?? 0)
      .u16(afOf(family))
      .u8(modeNumber(req.mode ?? 'transport'))
      .u8(0)
      .u8(0)
      .zeros(7);
    w.u32(min).u32(max);
    const mark = req.mark;
    if (mark) w.attr(XFRMA.MARK, (a) => writeMark(a, mark));
    if (req.ifId !== undefined) w.attr(XFRMA.IF_ID, (a) => a.u32(req.ifId ?? 0));
  });
}

/** struct xfrm_usersa_id (24 bytes) plus SRCADDR and MARK. */
function writeSaId(w: ByteWriter, id: SaId): void {
  const family = familyOf(id.dst);
  writeAddress(w, id.dst);
  w.be32(id.spi).u16(afOf(family)).u8(protoNumber(id.proto)).zeros(1);
  const src = id.src;
  if (src !== undefined) w.attr(XFRMA.SRCADDR, (a) => writeAddress(a, src));
  const mark = id.mark;
  if (mark) w.attr(XFRMA.MARK, (a) => writeMark(a, mark));
}

export function encodeDeleteSa(id: SaId, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: XFRM_MSG.DELSA, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid }, (w) =>
    writeSaId(w, id),
  );
}

export function encodeGetSa(id: SaId, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: XFRM_MSG.GETSA, flags: NLM_F_REQUEST, seq, pid }, (w) =>
    writeSaId(w, id),
  );
}

export function encodeDumpSas(seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: XFRM_MSG.GETSA, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid }, (w) =>
    w.zeros(SIZE.usersaId),
  );
}

export function encodeFlushSas(proto: XfrmProto | undefined, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: XFRM_MSG.FLUSHSA, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid }, (w) =>
    w.u8(proto ? protoNumber(proto) : IPSEC_PROTO_ANY),
  );
}

// ---------------------------------------------------------------- decoding

function readAlgo(
  r: ByteReader,
  withExtra: boolean,
): { name: string; key: Uint8Array; extra: number } {
  const name = r.fixedString(0, SIZE.algoName);
  const keyBits = r.u32(64);
  const keyAt = withExtra ? 72 : 68;
  const extra = withExtra ? r.u32(68) : 0;
  if (keyBits % 8 !== 0)
    throw new NetlinkParseError(`key length ${keyBits} bits is not whole bytes`, r.base + 64);
  return { name, key: Uint8Array.from(r.slice(keyAt, keyBits / 8)), extra };
}

const stateFlagNames = Object.entries(XFRM_STATE_FLAG) as [SaFlag, number][];
const extraFlagNames = Object.entries(XFRM_SA_XFLAG) as [SaExtraFlag, number][];

/** Decodes xfrm_usersa_info at `at` (224 bytes); attributes follow at at+224 when `attrs` is true. */
export function readUsersaInfo(r: ByteReader, at: number): SaInfo {
  r.need(at, SIZE.usersaInfo, 'xfrm_usersa_info');
  const family = familyAt(r, at + 212);
  const flags = r.u8(at + 216);
  const sa: SaInfo = {
    src: readAddress(r, at + 80, family),
    dst: readAddress(r, at + 56, family),
    spi: r.be32(at + 72),
    proto: protoName(r.u8(at + 76), r.base + at + 76),
    mode: modeName(r.u8(at + 214), r.base + at + 214),
    reqid: r.u32(at + 208),
    replayWindow: r.u8(at + 215),
    lifetime: readLifetimeCfg(r, at + 96),
    counters: readLifetimeCur(r, at + 160),
    stats: {
      replayWindow: r.u32(at + 192),
      replay: r.u32(at + 196),
      integrityFailed: r.u32(at + 200),
    },
  };
  // The kernel gives an SA installed without a selector a 0/0 one of its family:
  // report both as "no selector", so that what we set reads back as we set it.
  const selector = readSelector(r, at);
  if (selector && !isAnySelector(selector)) sa.selector = selector;
  if (flags & XFRM_STATE_ESN) sa.esn = true;
  const named = stateFlagNames.filter(([, bit]) => flags & bit).map(([name]) => name);
  if (named.length) sa.flags = named;
  return sa;
}

/** Applies the SA attributes of a NEWSA/EXPIRE message to a decoded SA. */
export function applySaAttributes(sa: SaInfo, attrs: Attributes, family: AddressFamily): void {
  const aead = attrs.get(XFRMA.ALG_AEAD);
  if (aead) {
    const a = readAlgo(aead, true);
    sa.aead = { name: a.name, key: a.key, icvBits: a.extra };
  }
  const crypt = attrs.get(XFRMA.ALG_CRYPT);
  if (crypt) {
    const a = readAlgo(crypt, false);
    sa.crypt = { name: a.name, key: a.key };
  }
  const authTrunc = attrs.get(XFRMA.ALG_AUTH_TRUNC);
  const authPlain = attrs.get(XFRMA.ALG_AUTH);
  if (authTrunc) {
    const a = readAlgo(authTrunc, true);
    sa.auth = { name: a.name, key: a.key, truncBits: a.extra };
  } else if (authPlain) {
    // Plain xfrm_algo (no truncation field): the kernel then uses its default
    // truncation for the name; we report 96 bits, RFC 2404's HMAC-SHA1-96.
    const a = readAlgo(authPlain, false);
    sa.auth = { name: a.name, key: a.key, truncBits: 96 };
  }
  const comp = attrs.get(XFRMA.ALG_COMP);
  if (comp) sa.comp = { name: comp.fixedString(0, SIZE.algoName) };
  const encap = attrs.get(XFRMA.ENCAP);
  if (encap) {
    const type = encap.u16(0);
    const name = (Object.entries(UDP_ENCAP) as [keyof typeof UDP_ENCAP, number][]).find(
      ([, v]) => v === type,
    );
    if (!name) throw new NetlinkParseError(`unknown encap type ${type}`, encap.base);
    sa.encap = { type: name[0], sport: encap.be16(2), dport: encap.be16(4) };
    const oa = encap.slice(8, 16);
    if (oa.some((b) => b !== 0)) sa.encap.oa = readAddress(encap, 8, family);
  }
  const esn = attrs.get(XFRMA.REPLAY_ESN_VAL);
  if (esn) {
    sa.replayWindow = esn.u32(20);
    sa.replayState = { oseq: esn.u32(4), seq: esn.u32(8), oseqHi: esn.u32(12), seqHi: esn.u32(16) };
  } else {
    const replay = attrs.get(XFRMA.REPLAY_VAL);
    if (replay) sa.replayState = { oseq: replay.u32(0), seq: replay.u32(4), oseqHi: 0, seqHi: 0 };
  }
  const extra = attrs.get(XFRMA.SA_EXTRA_FLAGS);
  if (extra) {
    const bits = extra.u32(0);
    const names = extraFlagNames.filter(([, bit]) => bits & bit).map(([name]) => name);
    if (names.length) sa.extraFlags = names;
  }
  const mark = attrs.get(XFRMA.MARK);
  if (mark) sa.mark = readMark(mark);
  const ifId = attrs.get(XFRMA.IF_ID);
  if (ifId) sa.ifId = ifId.u32(0);
  const setMark = attrs.get(XFRMA.SET_MARK);
  if (setMark) {
    sa.setMark = { value: setMark.u32(0) };
    const mask = attrs.get(XFRMA.SET_MARK_MASK);
    if (mask) sa.setMark.mask = mask.u32(0);
  }
  const tfc = attrs.get(XFRMA.TFCPAD);
  if (tfc) sa.tfcPad = tfc.u32(0);
  // XFRMA_LTIME_VAL (struct xfrm_lifetime_cur), when present, is fresher than the struct's copy.
  const ltime = attrs.get(XFRMA.LTIME_VAL);
  if (ltime) sa.counters = readLifetimeCur(ltime, 0);
  const lastUsed = attrs.get(XFRMA.LASTUSED);
  if (lastUsed) sa.lastUsed = Number(lastUsed.u64(0));
}

/**
 * IPPROTO_IPIP and IPPROTO_IPV6 states: the kernel adds one under each IPComp
 * tunnel SA (xfrm4_tunnel/xfrm6_tunnel, for packets too small to compress) and
 * removes it with that SA. They are not ours to manage; dumps skip them.
 */
export function isKernelHelperState(payload: ByteReader): boolean {
  const proto = payload.length > 76 ? payload.u8(76) : -1;
  return proto === 4 || proto === 41;
}

/** Decodes the payload of a NEWSA message (GETSA reply, dump entry, ALLOCSPI reply). */
export function decodeSa(payload: ByteReader): SaInfo {
  const sa = readUsersaInfo(payload, 0);
  applySaAttributes(sa, parseAttributes(payload, SIZE.usersaInfo), familyOf(sa.dst));
  return sa;
}
