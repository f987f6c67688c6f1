/**
 * XFRM netlink constants, from include/uapi/linux/xfrm.h (Linux 6.1) and
 * include/uapi/linux/in.h. Struct sizes are for x86_64 (checked with
 * sizeof/offsetof against the header; see docs/kernel.md).
 */

export const XFRM_MSG = {
  NEWSA: 0x10,
  DELSA: 0x11,
  GETSA: 0x12,
  NEWPOLICY: 0x13,
  DELPOLICY: 0x14,
  GETPOLICY: 0x15,
  ALLOCSPI: 0x16,
  ACQUIRE: 0x17,
  EXPIRE: 0x18,
  UPDPOLICY: 0x19,
  UPDSA: 0x1a,
  POLEXPIRE: 0x1b,
  FLUSHSA: 0x1c,
  FLUSHPOLICY: 0x1d,
  NEWAE: 0x1e,
  GETAE: 0x1f,
  REPORT: 0x20,
  MIGRATE: 0x21,
  MAPPING: 0x26,
} as const;

/** enum xfrm_attr_type_t */
export const XFRMA = {
  ALG_AUTH: 1,
  ALG_CRYPT: 2,
  ALG_COMP: 3,
  ENCAP: 4,
  TMPL: 5,
  SA: 6,
  POLICY: 7,
  SEC_CTX: 8,
  LTIME_VAL: 9,
  REPLAY_VAL: 10,
  REPLAY_THRESH: 11,
  ETIMER_THRESH: 12,
  SRCADDR: 13,
  COADDR: 14,
  LASTUSED: 15,
  POLICY_TYPE: 16,
  MIGRATE: 17,
  ALG_AEAD: 18,
  KMADDRESS: 19,
  ALG_AUTH_TRUNC: 20,
  MARK: 21,
  TFCPAD: 22,
  REPLAY_ESN_VAL: 23,
  SA_EXTRA_FLAGS: 24,
  PROTO: 25,
  ADDRESS_FILTER: 26,
  PAD: 27,
  OFFLOAD_DEV: 28,
  SET_MARK: 29,
  SET_MARK_MASK: 30,
  IF_ID: 31,
  MTIMER_THRESH: 32,
} as const;

/** enum xfrm_nlgroups: multicast group numbers (bit g-1 of the legacy groups mask). */
export const XFRMNLGRP = {
  ACQUIRE: 1,
  EXPIRE: 2,
  SA: 3,
  POLICY: 4,
  AEVENTS: 5,
  REPORT: 6,
  MIGRATE: 7,
  MAPPING: 8,
} as const;

export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_COMP = 108;

export const XFRM_MODE = { transport: 0, tunnel: 1, beet: 4 } as const;
export const XFRM_POLICY_DIR = { in: 0, out: 1, fwd: 2 } as const;
export const XFRM_POLICY_ACTION = { allow: 0, block: 1 } as const;
export const XFRM_POLICY_TYPE = { main: 0, sub: 1 } as const;
export const XFRM_POLICY_FLAG = { localok: 1, icmp: 2 } as const;

/** XFRM_STATE_* flags of xfrm_usersa_info.flags. */
export const XFRM_STATE_FLAG = {
  noecn: 1,
  'decap-dscp': 2,
  nopmtudisc: 4,
  wildrecv: 8,
  icmp: 16,
  'af-unspec': 32,
  align4: 64,
} as const;
export const XFRM_STATE_ESN = 128;

export const XFRM_SA_XFLAG = { 'dont-encap-dscp': 1, 'oseq-may-wrap': 2 } as const;

/** UDP encapsulation types (include/uapi/linux/udp.h). */
export const UDP_ENCAP = { 'espinudp-nonike': 1, espinudp: 2 } as const;

export const XFRM_INF = 0xffffffffffffffffn;
/** The legacy replay state has a 32-bit bitmap: larger windows need XFRMA_REPLAY_ESN_VAL. */
export const LEGACY_REPLAY_BITS = 32;
export const XFRMA_REPLAY_ESN_MAX = 4096;

/** Struct sizes on x86_64. */
export const SIZE = {
  address: 16,
  selector: 56,
  id: 24,
  lifetimeCfg: 64,
  lifetimeCur: 32,
  usersaInfo: 224,
  usersaId: 24,
  userspiInfo: 232,
  userpolicyInfo: 168,
  userpolicyId: 64,
  userTmpl: 64,
  encapTmpl: 24,
  userAcquire: 280,
  userExpire: 232,
  userPolexpire: 176,
  userMigrate: 76,
  userKmaddress: 40,
  userMapping: 64,
  mark: 8,
  userpolicyType: 6,
  replayStateEsn: 24,
  replayState: 12,
  algoName: 64,
} as const;

export const PROTO_NUMBER: Record<'esp' | 'ah' | 'comp', number> = {
  esp: IPPROTO_ESP,
  ah: IPPROTO_AH,
  comp: IPPROTO_COMP,
};
