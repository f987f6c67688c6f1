/**
 * The kernel interface of Styx: everything the IKE engines and the connection
 * manager ask of the kernel's IPsec stack (SPIs, SAs, policies, XFRM
 * interfaces, addresses, routes) and the events it reports back.
 *
 * Values are plain objects. Addresses are text ("192.0.2.1", "2001:db8::1");
 * the implementations normalise IPv6 to RFC 5952 form. Lifetime limits and
 * counters are numbers (bytes and packets stay exact up to 2^53, far beyond a
 * real SA's life); an absent limit means "no limit" (XFRM_INF for bytes and
 * packets, 0 for seconds, as the kernel and `ip xfrm` use them).
 *
 * Two implementations: {@link import('./netlink-kernel.js').NetlinkKernel} and
 * {@link import('./memory-kernel.js').MemoryKernel}. Both report failures as
 * {@link import('./errors.js').KernelError}.
 */
import type { AddressFamily } from './address.js';

export type XfrmProto = 'esp' | 'ah' | 'comp';
export type XfrmMode = 'transport' | 'tunnel' | 'beet';
export type PolicyDir = 'in' | 'out' | 'fwd';
export type PolicyAction = 'allow' | 'block';

/**
 * Traffic selector of a policy or SA (struct xfrm_selector). Prefix lengths
 * default to the full address. For ICMP, `sport` is the type and `dport` the
 * code, as the kernel reads them. Ports and masks default to "any" (0/0) and a
 * port given without a mask gets mask 0xffff.
 */
export interface Selector {
  src: string;
  dst: string;
  srcPrefixLen?: number;
  dstPrefixLen?: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6); 0 or absent for any. */
  proto?: number;
  sport?: number;
  sportMask?: number;
  dport?: number;
  dportMask?: number;
  ifindex?: number;
}

/** Soft and hard limits (struct xfrm_lifetime_cfg). Absent means unlimited. */
export interface Lifetime {
  softBytes?: number;
  hardBytes?: number;
  softPackets?: number;
  hardPackets?: number;
  /** Seconds after the SA was added. */
  softAddSeconds?: number;
  hardAddSeconds?: number;
  /** Seconds after the SA was first used. */
  softUseSeconds?: number;
  hardUseSeconds?: number;
}

/** Current use (struct xfrm_lifetime_cur). Times are Unix seconds, 0 when never. */
export interface LifetimeCounters {
  bytes: number;
  packets: number;
  addTime: number;
  useTime: number;
}

export interface Mark {
  value: number;
  /** Defaults to 0xffffffff. */
  mask?: number;
}

/** An AEAD transform by its kernel name, e.g. "rfc4106(gcm(aes))" (key includes the salt). */
export interface AeadAlgorithm {
  name: string;
  key: Uint8Array;
  icvBits: number;
}
/** A cipher by kernel name, e.g. "cbc(aes)". */
export interface CryptAlgorithm {
  name: string;
  key: Uint8Array;
}
/** An integrity transform by kernel name, e.g. "hmac(sha256)", with its truncation. */
export interface AuthAlgorithm {
  name: string;
  key: Uint8Array;
  truncBits: number;
}
/** A compression transform by kernel name, e.g. "deflate". */
export interface CompAlgorithm {
  name: string;
}

/** UDP encapsulation of ESP (RFC 3948); `oa` is the NAT-OA, usually absent. */
export interface Encap {
  type: 'espinudp' | 'espinudp-nonike';
  sport: number;
  dport: number;
  oa?: string;
}

export type SaFlag =
  | 'noecn'
  | 'decap-dscp'
  | 'nopmtudisc'
  | 'wildrecv'
  | 'icmp'
  | 'af-unspec'
  | 'align4';
export type SaExtraFlag = 'dont-encap-dscp' | 'oseq-may-wrap';

/** An SA to install (NEWSA/UPDSA). */
export interface SaSpec {
  src: string;
  dst: string;
  proto: XfrmProto;
  /** 32-bit SPI (16-bit CPI for IPComp), host-order number. */
  spi: number;
  mode: XfrmMode;
  reqid?: number;
  aead?: AeadAlgorithm;
  crypt?: CryptAlgorithm;
  auth?: AuthAlgorithm;
  comp?: CompAlgorithm;
  encap?: Encap;
  /** Anti-replay window in packets; 0 or absent disables it. */
  replayWindow?: number;
  /** Extended sequence numbers (RFC 4303 §2.2.1). */
  esn?: boolean;
  lifetime?: Lifetime;
  mark?: Mark;
  /** Mark set on packets after transformation (XFRMA_SET_MARK, _MASK). */
  setMark?: Mark;
  /** XFRM interface id (XFRMA_IF_ID). */
  ifId?: number;
  /** Absent: the kernel derives it (transport) or matches anything (tunnel). */
  selector?: Selector;
  flags?: SaFlag[];
  extraFlags?: SaExtraFlag[];
  /** Traffic flow confidentiality padding (XFRMA_TFCPAD). */
  tfcPad?: number;
}

/** Identifies an SA (struct xfrm_usersa_id, plus the attributes that narrow it). */
export interface SaId {
  dst: string;
  spi: number;
  proto: XfrmProto;
  /** Source address; sent as XFRMA_SRCADDR. */
  src?: string;
  mark?: Mark;
  ifId?: number;
}

/** An installed SA as the kernel reports it. */
export interface SaInfo extends SaSpec {
  reqid: number;
  replayWindow: number;
  counters: LifetimeCounters;
  stats: { replayWindow: number; replay: number; integrityFailed: number };
  /** Sequence numbers from XFRMA_REPLAY_ESN_VAL or XFRMA_REPLAY_VAL when present. */
  replayState?: { oseq: number; seq: number; oseqHi: number; seqHi: number };
  /** Seconds since epoch of last use (XFRMA_LASTUSED), when reported. */
  lastUsed?: number;
}

export interface AllocSpiRequest {
  src: string;
  dst: string;
  proto: XfrmProto;
  mode?: XfrmMode;
  reqid?: number;
  /** Inclusive range; defaults 0x100..0x0fffffff (0x100..0xffff for IPComp). */
  min?: number;
  max?: number;
  mark?: Mark;
  ifId?: number;
  /** Sequence number of an ACQUIRE this answers (ties the larval SA to it). */
  acquireSeq?: number;
}

/** One template of a policy (struct xfrm_user_tmpl). */
export interface PolicyTemplate {
  /** Tunnel endpoints; absent (transport) means any. */
  src?: string;
  dst?: string;
  proto: XfrmProto;
  mode: XfrmMode;
  spi?: number;
  reqid?: number;
  /** "level use": the packet may pass without this transform. */
  optional?: boolean;
  /** Allowed algorithms bit masks; default all. */
  aalgos?: number;
  ealgos?: number;
  calgos?: number;
}

export interface PolicySpec {
  selector: Selector;
  dir: PolicyDir;
  action?: PolicyAction;
  priority?: number;
  /** Kernel-assigned when 0 or absent. */
  index?: number;
  templates?: PolicyTemplate[];
  mark?: Mark;
  ifId?: number;
  lifetime?: Lifetime;
  /** Sub-policy type (XFRMA_POLICY_TYPE); the main table when absent. */
  type?: 'main' | 'sub';
  /** XFRM_POLICY_LOCALOK / XFRM_POLICY_ICMP. */
  flags?: ('localok' | 'icmp')[];
}

/** Identifies a policy by selector and direction (or by index when given). */
export interface PolicyId {
  selector: Selector;
  dir: PolicyDir;
  index?: number;
  mark?: Mark;
  ifId?: number;
  type?: 'main' | 'sub';
}

export interface PolicyInfo extends PolicySpec {
  index: number;
  priority: number;
  action: PolicyAction;
  templates: PolicyTemplate[];
  counters: LifetimeCounters;
}

// ---------------------------------------------------------------- links, addresses, routes

export interface XfrmInterfaceSpec {
  name: string;
  ifId: number;
  /** Underlying device (IFLA_XFRM_LINK), by name or index; absent for none. */
  underlying?: string | number;
}

/** A link by name or ifindex. */
export type LinkRef = string | number;

export interface LinkInfo {
  index: number;
  name: string;
  up: boolean;
  /** IFF_* flags as the kernel reports them. */
  flags: number;
  mtu?: number;
  /** IFLA_INFO_KIND, e.g. "xfrm", "veth". */
  kind?: string;
  /** For kind "xfrm". */
  xfrmIfId?: number;
  xfrmLink?: number;
}

export interface AddressSpec {
  link: LinkRef;
  address: string;
  prefixLen: number;
  /** Peer address for point-to-point links (IFA_ADDRESS differs from IFA_LOCAL). */
  peer?: string;
}

export interface AddressInfo {
  index: number;
  family: AddressFamily;
  address: string;
  prefixLen: number;
  peer?: string;
  label?: string;
  scope: number;
}

export interface RouteSpec {
  dst: string;
  prefixLen: number;
  gateway?: string;
  link?: LinkRef;
  /** Preferred source (RTA_PREFSRC). */
  src?: string;
  /** Routing table number; 254 (main) when absent. */
  table?: number;
  metric?: number;
  /** RTPROT_* of the route; 4 (static) when absent. */
  protocol?: number;
}

export interface RouteInfo {
  family: AddressFamily;
  dst: string;
  prefixLen: number;
  gateway?: string;
  oif?: number;
  src?: string;
  table: number;
  metric?: number;
  protocol: number;
  scope: number;
  type: number;
}

// ---------------------------------------------------------------- events

/** XFRM_MSG_ACQUIRE: a packet matched an outbound policy with no SA. */
export interface AcquireEvent {
  type: 'acquire';
  /** Selector of the triggering flow (addresses of the packet). */
  selector: Selector;
  /** Endpoints of the SA the kernel wants (from the policy template). */
  src: string;
  dst: string;
  proto: XfrmProto;
  reqid: number;
  mode?: XfrmMode;
  /** The policy that triggered it. */
  policy: { index: number; dir: PolicyDir; selector: Selector; priority: number };
  /** Pass to {@link AllocSpiRequest.acquireSeq}. */
  seq: number;
  mark?: Mark;
  ifId?: number;
}

/** XFRM_MSG_EXPIRE: an SA reached a soft or hard limit (hard: the kernel deleted it). */
export interface ExpireEvent {
  type: 'expire';
  hard: boolean;
  sa: SaId & { src: string; reqid: number; mode: XfrmMode };
}

export interface PolicyExpireEvent {
  type: 'polexpire';
  hard: boolean;
  policy: { index: number; dir: PolicyDir; selector: Selector };
}

/** XFRM_MSG_MIGRATE (RFC 4555 MOBIKE via the kernel's PF_KEY/XFRM migrate). */
export interface MigrateEvent {
  type: 'migrate';
  selector: Selector;
  dir: PolicyDir;
  migrations: {
    oldSrc: string;
    oldDst: string;
    newSrc: string;
    newDst: string;
    proto: XfrmProto;
    mode: XfrmMode;
    reqid: number;
  }[];
  kmAddress?: { local: string; remote: string };
}

/** XFRM_MSG_MAPPING: the NAT mapping of an ESP-in-UDP SA changed (RFC 3948). */
export interface MappingEvent {
  type: 'mapping';
  sa: { dst: string; spi: number; proto: XfrmProto };
  reqid: number;
  oldSrc: string;
  oldSport: number;
  newSrc: string;
  newSport: number;
}

export interface LinkEvent {
  type: 'link';
  action: 'new' | 'del';
  link: LinkInfo;
}
export interface AddressEvent {
  type: 'address';
  action: 'new' | 'del';
  address: AddressInfo;
}
export interface RouteEvent {
  type: 'route';
  action: 'new' | 'del';
  route: RouteInfo;
}

export type KernelEvent =
  | AcquireEvent
  | ExpireEvent
  | PolicyExpireEvent
  | MigrateEvent
  | MappingEvent
  | LinkEvent
  | AddressEvent
  | RouteEvent;

export type KernelEventListener = (event: KernelEvent) => void;

/** Counters of the implementation itself, for metrics and tests. */
export interface KernelStats {
  requests: number;
  errors: number;
  events: number;
  /** Replies or events that did not parse (logged and dropped). */
  unparsable: number;
}

/** Where the kernel layer reports what it drops. Never given key material. */
export interface KernelLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}

/** Everything Styx asks of the kernel. */
export interface IpsecKernel {
  /** Allocates a free SPI in [min, max] and leaves a larval SA that updateSa completes. */
  allocSpi(req: AllocSpiRequest): Promise<number>;
  /** NEWSA; EEXIST if an SA with the same (dst, spi, proto) exists. */
  addSa(sa: SaSpec): Promise<void>;
  /** UPDSA: completes a larval SA from allocSpi, or replaces an SA; ESRCH if none. */
  updateSa(sa: SaSpec): Promise<void>;
  /** ESRCH if there is no such SA. */
  deleteSa(id: SaId): Promise<void>;
  /** With byte/packet counters and add/use times. ESRCH if there is no such SA. */
  getSa(id: SaId): Promise<SaInfo>;
  listSas(): Promise<SaInfo[]>;
  /** Removes every SA, or every SA of one protocol. */
  flushSas(proto?: XfrmProto): Promise<void>;

  /** NEWPOLICY; EEXIST if one with the same selector, dir, mark and if_id exists. */
  addPolicy(policy: PolicySpec): Promise<void>;
  /** UPDPOLICY: adds or replaces. */
  updatePolicy(policy: PolicySpec): Promise<void>;
  /** ENOENT if there is no such policy. */
  deletePolicy(id: PolicyId): Promise<void>;
  getPolicy(id: PolicyId): Promise<PolicyInfo>;
  listPolicies(): Promise<PolicyInfo[]>;
  flushPolicies(): Promise<void>;

  /** Creates an XFRM interface (IFLA_INFO_KIND "xfrm"); returns its ifindex. */
  addXfrmInterface(spec: XfrmInterfaceSpec): Promise<number>;
  deleteLink(link: LinkRef): Promise<void>;
  setLinkUp(link: LinkRef, up: boolean): Promise<void>;
  listLinks(): Promise<LinkInfo[]>;
  addAddress(addr: AddressSpec): Promise<void>;
  deleteAddress(addr: AddressSpec): Promise<void>;
  listAddresses(family?: AddressFamily): Promise<AddressInfo[]>;
  addRoute(route: RouteSpec): Promise<void>;
  deleteRoute(route: RouteSpec): Promise<void>;
  /** Routes of one table (main, 254, by default; 0 for all tables). */
  listRoutes(opts?: { family?: AddressFamily; table?: number }): Promise<RouteInfo[]>;
  /** The main table's default route of a family, if any. */
  defaultGateway(family: AddressFamily): Promise<RouteInfo | undefined>;
  /**
   * The route the kernel would use towards `dst` (RTM_GETROUTE for one
   * address, as `ip route get`), with the source address it picks in `src`;
   * undefined when `dst` is unreachable.
   */
  routeTo(dst: string): Promise<RouteInfo | undefined>;

  /** Subscribes to kernel events; returns the function that unsubscribes. */
  onEvent(listener: KernelEventListener): () => void;
  stats(): KernelStats;
  close(): Promise<void>;
}
