/**
 * Decoders of the XFRM multicast events: ACQUIRE, EXPIRE, POLEXPIRE, MIGRATE
 * and MAPPING (include/uapi/linux/xfrm.h; built by net/xfrm/xfrm_user.c).
 */
import { type AddressFamily, bytesToAddress, familyOf } from '../address.js';
import { NetlinkParseError, type NlMessage, parseAttributes } from '../netlink/message.js';
import type {
  AcquireEvent,
  ExpireEvent,
  KernelEvent,
  MappingEvent,
  MigrateEvent,
  PolicyExpireEvent,
} from '../types.js';
import { SIZE, XFRM_MSG, XFRMA } from './constants.js';
import { readTemplates, readUserpolicyInfo } from './policy.js';
import { applySaAttributes, readUsersaInfo } from './sa.js';
import {
  dirName,
  familyAt,
  modeName,
  protoName,
  readAddress,
  readMark,
  readSelector,
} from './structs.js';

/** xfrm_user_acquire (280 bytes) + XFRMA_TMPL (the policy's templates), MARK, IF_ID. */
function decodeAcquire(msg: NlMessage): AcquireEvent {
  const r = msg.payload;
  r.need(0, SIZE.userAcquire, 'xfrm_user_acquire');
  const selector = readSelector(r, 40);
  if (!selector) throw new NetlinkParseError('acquire selector has no family', r.base + 80);
  const policy = readUserpolicyInfo(r, 96);
  const attrs = parseAttributes(r, SIZE.userAcquire);
  const templates = readTemplates(attrs);
  const proto = protoName(r.u8(20), r.base + 20);
  // The struct carries no family of the SA: take it from the matching template,
  // else from the selector (transport mode uses the packet's own addresses).
  const dstBytes = r.slice(0, 16);
  const template =
    templates.find(
      (t) => t.proto === proto && t.dst !== undefined && sameAddress(t.dst, dstBytes),
    ) ?? templates.find((t) => t.proto === proto);
  const family: AddressFamily = template?.dst ? familyOf(template.dst) : familyOf(selector.src);
  const event: AcquireEvent = {
    type: 'acquire',
    selector,
    src: readAddress(r, 24, family),
    dst: readAddress(r, 0, family),
    proto,
    reqid: template?.reqid ?? 0,
    policy: {
      index: policy.index,
      dir: policy.dir,
      selector: policy.selector,
      priority: policy.priority,
    },
    seq: r.u32(276),
  };
  if (template) event.mode = template.mode;
  const mark = attrs.get(XFRMA.MARK);
  if (mark) event.mark = readMark(mark);
  const ifId = attrs.get(XFRMA.IF_ID);
  if (ifId) event.ifId = ifId.u32(0);
  return event;
}

function sameAddress(text: string, bytes16: Uint8Array): boolean {
  const family = familyOf(text);
  return bytesToAddress(bytes16, family) === text;
}

/** xfrm_user_expire: xfrm_usersa_info (224) + hard (u8). */
function decodeExpire(msg: NlMessage): ExpireEvent {
  const r = msg.payload;
  r.need(0, SIZE.userExpire, 'xfrm_user_expire');
  const sa = readUsersaInfo(r, 0);
  applySaAttributes(sa, parseAttributes(r, SIZE.userExpire), familyOf(sa.dst));
  const event: ExpireEvent = {
    type: 'expire',
    hard: r.u8(224) !== 0,
    sa: { src: sa.src, dst: sa.dst, spi: sa.spi, proto: sa.proto, reqid: sa.reqid, mode: sa.mode },
  };
  if (sa.mark) event.sa.mark = sa.mark;
  return event;
}

/** xfrm_user_polexpire: xfrm_userpolicy_info (168) + hard (u8). */
function decodePolicyExpire(msg: NlMessage): PolicyExpireEvent {
  const r = msg.payload;
  r.need(0, SIZE.userPolexpire, 'xfrm_user_polexpire');
  const p = readUserpolicyInfo(r, 0);
  return {
    type: 'polexpire',
    hard: r.u8(168) !== 0,
    policy: { index: p.index, dir: p.dir, selector: p.selector },
  };
}

/** xfrm_userpolicy_id (64) + XFRMA_MIGRATE (array of xfrm_user_migrate) + XFRMA_KMADDRESS. */
function decodeMigrate(msg: NlMessage): MigrateEvent {
  const r = msg.payload;
  r.need(0, SIZE.userpolicyId, 'xfrm_userpolicy_id');
  const selector = readSelector(r, 0);
  if (!selector) throw new NetlinkParseError('migrate selector has no family', r.base + 40);
  const attrs = parseAttributes(r, SIZE.userpolicyId);
  const event: MigrateEvent = {
    type: 'migrate',
    selector,
    dir: dirName(r.u8(60), r.base + 60),
    migrations: [],
  };
  for (const m of attrs.all(XFRMA.MIGRATE)) {
    if (m.length % SIZE.userMigrate !== 0)
      throw new NetlinkParseError('XFRMA_MIGRATE length', m.base);
    for (let at = 0; at < m.length; at += SIZE.userMigrate) {
      const oldFamily = familyAt(m, at + 72);
      const newFamily = familyAt(m, at + 74);
      event.migrations.push({
        oldDst: readAddress(m, at, oldFamily),
        oldSrc: readAddress(m, at + 16, oldFamily),
        newDst: readAddress(m, at + 32, newFamily),
        newSrc: readAddress(m, at + 48, newFamily),
        proto: protoName(m.u8(at + 64), m.base + at + 64),
        mode: modeName(m.u8(at + 65), m.base + at + 65),
        reqid: m.u32(at + 68),
      });
    }
  }
  const km = attrs.get(XFRMA.KMADDRESS);
  if (km) {
    const family = familyAt(km, 36);
    event.kmAddress = { local: readAddress(km, 0, family), remote: readAddress(km, 16, family) };
  }
  return event;
}

/** xfrm_user_mapping (64 bytes). */
function decodeMapping(msg: NlMessage): MappingEvent {
  const r = msg.payload;
  r.need(0, SIZE.userMapping, 'xfrm_user_mapping');
  const family = familyAt(r, 20);
  return {
    type: 'mapping',
    sa: {
      dst: readAddress(r, 0, family),
      spi: r.be32(16),
      proto: protoName(r.u8(22), r.base + 22),
    },
    reqid: r.u32(24),
    oldSrc: readAddress(r, 28, family),
    newSrc: readAddress(r, 44, family),
    oldSport: r.be16(60),
    newSport: r.be16(62),
  };
}

/**
 * Decodes one XFRM multicast message; undefined for message types that are not
 * events we report (SA and policy notifications of other daemons, reports).
 * Throws NetlinkParseError when the message is malformed.
 */
export function decodeXfrmEvent(msg: NlMessage): KernelEvent | undefined {
  switch (msg.type) {
    case XFRM_MSG.ACQUIRE:
      return decodeAcquire(msg);
    case XFRM_MSG.EXPIRE:
      return decodeExpire(msg);
    case XFRM_MSG.POLEXPIRE:
      return decodePolicyExpire(msg);
    case XFRM_MSG.MIGRATE:
      return decodeMigrate(msg);
    case XFRM_MSG.MAPPING:
      return decodeMapping(msg);
    default:
      return undefined;
  }
}
