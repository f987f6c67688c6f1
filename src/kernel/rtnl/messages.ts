/**
 * rtnetlink requests and decoders for links (XFRM interfaces), addresses and
 * routes. Layouts: struct ifinfomsg (16 bytes), ifaddrmsg (8), rtmsg (12).
 * Attribute order follows iproute2 for the same command so that our bytes can
 * be compared with `ip link add ... type xfrm`, `ip addr add`, `ip route add`.
 */
import {
  type AddressFamily,
  addressToBytes,
  afOf,
  bytesToAddress,
  familyFromAf,
  familyOf,
} from '../address.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
} from '../netlink/constants.js';
import {
  type ByteReader,
  type ByteWriter,
  buildMessage,
  NetlinkParseError,
  type NlMessage,
  parseAttributes,
} from '../netlink/message.js';
import type { AddressInfo, AddressSpec, LinkInfo, RouteInfo, RouteSpec } from '../types.js';
import {
  IFA,
  IFF_UP,
  IFLA,
  IFLA_INFO,
  IFLA_XFRM,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  RT_TABLE_UNSPEC,
  RTA,
  RTEXT_FILTER_VF_SKIP_STATS,
  RTM,
  RTN_UNICAST,
  RTPROT_STATIC,
  SIZE,
} from './constants.js';

const NEW = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;

/** struct ifinfomsg: family u8, pad u8, type u16, index i32, flags u32, change u32. */
function writeIfinfo(w: ByteWriter, index: number, flags = 0, change = 0): void {
  w.u8(0).u8(0).u16(0).i32(index).u32(flags).u32(change);
}

/** RTM_GETLINK of one link by name, as iproute2 resolves a device name. */
export function encodeGetLinkByName(name: string, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: RTM.GETLINK, flags: NLM_F_REQUEST, seq, pid }, (w) => {
    writeIfinfo(w, 0);
    w.attr(IFLA.EXT_MASK, (a) => a.u32(RTEXT_FILTER_VF_SKIP_STATS));
    w.attr(IFLA.IFNAME, (a) => a.cString(name));
  });
}

export function encodeDumpLinks(seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: RTM.GETLINK, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid }, (w) => {
    writeIfinfo(w, 0);
    w.attr(IFLA.EXT_MASK, (a) => a.u32(RTEXT_FILTER_VF_SKIP_STATS));
  });
}

/** RTM_NEWLINK of kind "xfrm" with IFLA_XFRM_IF_ID and, if given, IFLA_XFRM_LINK (an ifindex). */
export function encodeNewXfrmInterface(
  spec: { name: string; ifId: number; underlyingIndex?: number },
  seq: number,
  pid = 0,
): Uint8Array {
  return buildMessage({ type: RTM.NEWLINK, flags: NEW, seq, pid }, (w) => {
    writeIfinfo(w, 0);
    w.attr(IFLA.IFNAME, (a) => a.cString(spec.name));
    // iproute2 sends IFLA_LINKINFO and IFLA_INFO_DATA without NLA_F_NESTED and
    // the kind without its NUL; the kernel accepts both forms.
    w.attr(IFLA.LINKINFO, (li) => {
      li.attr(IFLA_INFO.KIND, (k) => k.bytes(new TextEncoder().encode('xfrm')));
      li.attr(IFLA_INFO.DATA, (d) => {
        d.attr(IFLA_XFRM.IF_ID, (a) => a.u32(spec.ifId));
        if (spec.underlyingIndex !== undefined)
          d.attr(IFLA_XFRM.LINK, (a) => a.u32(spec.underlyingIndex ?? 0));
      });
    });
  });
}

export function encodeDeleteLink(index: number, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: RTM.DELLINK, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid }, (w) =>
    writeIfinfo(w, index),
  );
}

/** Sets IFF_UP on or off (ifi_change masks the one flag we touch). */
export function encodeSetLinkUp(index: number, up: boolean, seq: number, pid = 0): Uint8Array {
  return buildMessage({ type: RTM.NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK, seq, pid }, (w) =>
    writeIfinfo(w, index, up ? IFF_UP : 0, IFF_UP),
  );
}

function writeAddressAttr(w: ByteWriter, type: number, address: string): void {
  w.attr(type, (a) => a.bytes(addressToBytes(address)));
}

/** RTM_NEWADDR / RTM_DELADDR; `index` is the resolved ifindex of spec.link. */
export function encodeAddress(
  op: 'add' | 'delete',
  spec: AddressSpec,
  index: number,
  seq: number,
  pid = 0,
): Uint8Array {
  const family = familyOf(spec.address);
  const type = op === 'add' ? RTM.NEWADDR : RTM.DELADDR;
  const flags = op === 'add' ? NEW : NLM_F_REQUEST | NLM_F_ACK;
  return buildMessage({ type, flags, seq, pid }, (w) => {
    w.u8(afOf(family)).u8(spec.prefixLen).u8(0).u8(RT_SCOPE_UNIVERSE).u32(index);
    writeAddressAttr(w, IFA.LOCAL, spec.address);
    writeAddressAttr(w, IFA.ADDRESS, spec.peer ?? spec.address);
  });
}

export function encodeDumpAddresses(
  family: AddressFamily | undefined,
  seq: number,
  pid = 0,
): Uint8Array {
  return buildMessage({ type: RTM.GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid }, (w) => {
    w.u8(family ? afOf(family) : 0)
      .u8(0)
      .u8(0)
      .u8(0)
      .u32(0);
  });
}

/** RTM_NEWROUTE / RTM_DELROUTE; `oif` is the resolved ifindex of spec.link. */
export function encodeRoute(
  op: 'add' | 'delete',
  spec: RouteSpec,
  oif: number | undefined,
  seq: number,
  pid = 0,
): Uint8Array {
  const family = familyOf(spec.dst);
  const table = spec.table ?? RT_TABLE_MAIN;
  const type = op === 'add' ? RTM.NEWROUTE : RTM.DELROUTE;
  const flags = op === 'add' ? NEW : NLM_F_REQUEST | NLM_F_ACK;
  // Adding: a route without a gateway is on-link (scope link), as iproute2 decides.
  // Deleting: scope NOWHERE, protocol and type 0 are wildcards to the kernel's
  // match (fib_table_delete), so a route is found whatever scope it got.
  const adding = op === 'add';
  const onLink = spec.gateway === undefined && oif !== undefined;
  const scope = adding ? (onLink ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE) : RT_SCOPE_NOWHERE;
  return buildMessage({ type, flags, seq, pid }, (w) => {
    w.u8(afOf(family))
      .u8(spec.prefixLen)
      .u8(0)
      .u8(0)
      .u8(table < 256 ? table : RT_TABLE_UNSPEC)
      .u8(spec.protocol ?? (adding ? RTPROT_STATIC : 0))
      .u8(scope)
      .u8(adding ? RTN_UNICAST : 0)
      .u32(0);
    writeAddressAttr(w, RTA.DST, spec.dst);
    if (spec.src !== undefined) writeAddressAttr(w, RTA.PREFSRC, spec.src);
    if (spec.gateway !== undefined) writeAddressAttr(w, RTA.GATEWAY, spec.gateway);
    if (spec.metric !== undefined) w.attr(RTA.PRIORITY, (a) => a.u32(spec.metric ?? 0));
    if (table >= 256) w.attr(RTA.TABLE, (a) => a.u32(table));
    if (oif !== undefined) w.attr(RTA.OIF, (a) => a.u32(oif));
  });
}

export function encodeDumpRoutes(
  family: AddressFamily | undefined,
  seq: number,
  pid = 0,
): Uint8Array {
  return buildMessage({ type: RTM.GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, seq, pid }, (w) => {
    w.u8(family ? afOf(family) : 0).zeros(11);
  });
}

/** RTM_GETROUTE for one destination (`ip route get DST`): the kernel answers with the route it picks. */
export function encodeGetRouteTo(dst: string, seq: number, pid = 0): Uint8Array {
  const family = familyOf(dst);
  return buildMessage({ type: RTM.GETROUTE, flags: NLM_F_REQUEST, seq, pid }, (w) => {
    w.u8(afOf(family))
      .u8(family === 4 ? 32 : 128)
      .zeros(10);
    writeAddressAttr(w, RTA.DST, dst);
  });
}

// ---------------------------------------------------------------- decoding

function stringAttr(r: ByteReader): string {
  return r.fixedString(0, r.length);
}

/** Decodes an RTM_NEWLINK/RTM_DELLINK payload. */
export function decodeLink(payload: ByteReader): LinkInfo {
  payload.need(0, SIZE.ifinfomsg, 'ifinfomsg');
  const flags = payload.u32(8);
  const attrs = parseAttributes(payload, SIZE.ifinfomsg);
  const name = attrs.get(IFLA.IFNAME);
  const link: LinkInfo = {
    index: payload.i32(4),
    name: name ? stringAttr(name) : '',
    up: (flags & IFF_UP) !== 0,
    flags,
  };
  const mtu = attrs.get(IFLA.MTU);
  if (mtu) link.mtu = mtu.u32(0);
  const info = attrs.get(IFLA.LINKINFO);
  if (info) {
    const inner = parseAttributes(info, 0);
    const kind = inner.get(IFLA_INFO.KIND);
    if (kind) link.kind = stringAttr(kind);
    const data = inner.get(IFLA_INFO.DATA);
    if (data && link.kind === 'xfrm') {
      const x = parseAttributes(data, 0);
      const ifId = x.get(IFLA_XFRM.IF_ID);
      if (ifId) link.xfrmIfId = ifId.u32(0);
      const under = x.get(IFLA_XFRM.LINK);
      if (under) link.xfrmLink = under.u32(0);
    }
  }
  return link;
}

function familyByte(r: ByteReader, what: string): AddressFamily {
  const family = familyFromAf(r.u8(0));
  if (!family) throw new NetlinkParseError(`${what}: unknown family ${r.u8(0)}`, r.base);
  return family;
}

function readAddressAttr(r: ByteReader, family: AddressFamily): string {
  return bytesToAddress(r.slice(0, family === 4 ? 4 : 16), family);
}

/** Decodes an RTM_NEWADDR/RTM_DELADDR payload. */
export function decodeAddress(payload: ByteReader): AddressInfo {
  payload.need(0, SIZE.ifaddrmsg, 'ifaddrmsg');
  const family = familyByte(payload, 'ifaddrmsg');
  const attrs = parseAttributes(payload, SIZE.ifaddrmsg);
  const local = attrs.get(IFA.LOCAL);
  const address = attrs.get(IFA.ADDRESS);
  const main = local ?? address;
  if (!main)
    throw new NetlinkParseError('address message without IFA_LOCAL or IFA_ADDRESS', payload.base);
  const info: AddressInfo = {
    index: payload.u32(4),
    family,
    address: readAddressAttr(main, family),
    prefixLen: payload.u8(1),
    scope: payload.u8(3),
  };
  if (local && address) {
    const peer = readAddressAttr(address, family);
    if (peer !== info.address) info.peer = peer;
  }
  const label = attrs.get(IFA.LABEL);
  if (label) info.label = stringAttr(label);
  return info;
}

/** Decodes an RTM_NEWROUTE/RTM_DELROUTE payload. */
export function decodeRoute(payload: ByteReader): RouteInfo {
  payload.need(0, SIZE.rtmsg, 'rtmsg');
  const family = familyByte(payload, 'rtmsg');
  const attrs = parseAttributes(payload, SIZE.rtmsg);
  const dst = attrs.get(RTA.DST);
  const table = attrs.get(RTA.TABLE);
  const route: RouteInfo = {
    family,
    dst: dst ? readAddressAttr(dst, family) : family === 4 ? '0.0.0.0' : '::',
    prefixLen: payload.u8(1),
    table: table ? table.u32(0) : payload.u8(4),
    protocol: payload.u8(5),
    scope: payload.u8(6),
    type: payload.u8(7),
  };
  const gateway = attrs.get(RTA.GATEWAY);
  if (gateway) route.gateway = readAddressAttr(gateway, family);
  const oif = attrs.get(RTA.OIF);
  if (oif) route.oif = oif.u32(0);
  const src = attrs.get(RTA.PREFSRC);
  if (src) route.src = readAddressAttr(src, family);
  const metric = attrs.get(RTA.PRIORITY);
  if (metric) route.metric = metric.u32(0);
  return route;
}

/** Turns an rtnetlink multicast message into an event; undefined for other types. */
export function decodeRtnlEvent(
  msg: NlMessage,
):
  | { type: 'link'; action: 'new' | 'del'; link: LinkInfo }
  | { type: 'address'; action: 'new' | 'del'; address: AddressInfo }
  | { type: 'route'; action: 'new' | 'del'; route: RouteInfo }
  | undefined {
  switch (msg.type) {
    case RTM.NEWLINK:
    case RTM.DELLINK:
      return {
        type: 'link',
        action: msg.type === RTM.NEWLINK ? 'new' : 'del',
        link: decodeLink(msg.payload),
      };
    case RTM.NEWADDR:
    case RTM.DELADDR:
      return {
        type: 'address',
        action: msg.type === RTM.NEWADDR ? 'new' : 'del',
        address: decodeAddress(msg.payload),
      };
    case RTM.NEWROUTE:
    case RTM.DELROUTE:
      return {
        type: 'route',
        action: msg.type === RTM.NEWROUTE ? 'new' : 'del',
        route: decodeRoute(msg.payload),
      };
    default:
      return undefined;
  }
}
