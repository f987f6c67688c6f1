/**
 * rtnetlink constants (include/uapi/linux/rtnetlink.h, if_link.h, if_addr.h).
 */

export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
} as const;

export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  OPERSTATE: 16,
  LINKINFO: 18,
  EXT_MASK: 29,
} as const;
export const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
/** IFLA_XFRM_* inside IFLA_INFO_DATA of kind "xfrm" (include/uapi/linux/if_link.h). */
export const IFLA_XFRM = { LINK: 1, IF_ID: 2 } as const;
/** RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS, as iproute2 asks on GETLINK. */
export const RTEXT_FILTER_VF_SKIP_STATS = 1 | 8;

export const IFF_UP = 0x1;

export const IFA = {
  ADDRESS: 1,
  LOCAL: 2,
  LABEL: 3,
  BROADCAST: 4,
  CACHEINFO: 6,
  FLAGS: 8,
} as const;

export const RTA = {
  DST: 1,
  SRC: 2,
  IIF: 3,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  TABLE: 15,
} as const;

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;

/** rtnetlink multicast groups (enum rtnetlink_groups); all fit the 32-bit groups mask. */
export const RTNLGRP = {
  LINK: 1,
  IPV4_IFADDR: 5,
  IPV4_ROUTE: 7,
  IPV6_IFADDR: 9,
  IPV6_ROUTE: 11,
} as const;

export const SIZE = { ifinfomsg: 16, ifaddrmsg: 8, rtmsg: 12 } as const;
