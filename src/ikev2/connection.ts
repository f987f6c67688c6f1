/**
 * The engine's view of a configured connection: typed, immutable, already
 * validated and expressed in protocol terms (IANA numbers, octets). The
 * connection manager builds these from the YAML configuration; the engine
 * never sees raw configuration (architecture principle 5).
 */

import type { LocalCredentials } from '../auth/credentials.js';
import type { Crl } from '../auth/crl.js';
import type { EapTlsOptions } from '../auth/eap/tls.js';
import type { EapMethodName } from '../auth/eap-auth.js';
import type { IdentitySpec } from '../auth/identity-types.js';
import type { Certificate } from '../auth/x509.js';
import type { Proposal } from './proposals.js';
import type { TrafficSelector } from './traffic-selectors.js';

/** An identity as carried in IDi/IDr (RFC 7296 §3.5). */
export interface Identity {
  /** ID type: 1 IPv4, 2 FQDN, 3 RFC822, 5 IPv6, 9 DER_ASN1_DN, 11 KEY_ID. */
  readonly type: number;
  readonly data: Uint8Array;
}

/** Matches any peer identity (`%any`). */
export const ANY_IDENTITY: Identity = { type: 0, data: new Uint8Array(0) };

/** A value that must never be printed: a PSK or password. */
export interface SecretValue {
  /** The secret octets; callers must not log them. */
  reveal(): Uint8Array;
}

/**
 * `pubkey`: certificates and signatures (RFC 7296 §2.15, RFC 7427); `eap`:
 * an EAP conversation followed by AUTH payloads keyed with its MSK (§2.16).
 */
export type AuthMethod = 'psk' | 'pubkey' | 'eap';

/** An EAP round: as the EAP peer (local round) or the EAP server (remote round). */
export interface EapSettings {
  /** Local: the methods we can run; remote: the methods we offer, preferred first. */
  readonly methods: readonly EapMethodName[];
  /**
   * Local: our EAP identity (the IKE identity as text unless `eap_id` is set).
   * Remote: the EAP identity the peer authenticates as (default: its IKE
   * identity as text, with no EAP-Identity round).
   */
  readonly identity?: string;
  /** Remote: ask the peer's EAP identity with EAP-Identity (strongSwan's `eap_id = %any`). */
  readonly askIdentity?: boolean;
  /** Local EAP-MD5 / EAP-MSCHAPv2: our password. */
  readonly password?: SecretValue;
  /** Remote EAP-MD5 / EAP-MSCHAPv2: the users' passwords by EAP identity. */
  readonly passwords?: (identity: string) => SecretValue | undefined;
  /**
   * EAP-TLS: local, our client certificate and the CAs for the server's;
   * remote, our server certificate and the CAs for clients' certificates.
   */
  readonly tls?: EapTlsOptions;
}

/** Our certificate, the intermediates we send with it, and its private key. */
export type OwnCredentials = LocalCredentials;

/** What the peer's certificate is checked against: configured CAs and CRLs. */
export interface TrustStore {
  readonly trustAnchors: readonly Certificate[];
  readonly crls: readonly Crl[];
}

export interface AuthRound {
  readonly method: AuthMethod;
  /** Our identity, or the identity the peer must present. */
  readonly id: Identity;
  /**
   * The configured identity when plain octet comparison is not enough: a
   * distinguished name compares attribute by attribute and may hold `*`.
   */
  readonly idSpec?: IdentitySpec;
  /** Local `pubkey` round: loaded once by the manager from the configured files. */
  readonly credentials?: OwnCredentials;
  /** Remote `pubkey` round: the CAs (and CRLs) the peer's certificate must chain to. */
  readonly trust?: TrustStore;
  /** `eap` rounds: methods and credentials. */
  readonly eap?: EapSettings;
}

export type ChildMode = 'tunnel' | 'transport';

/** Protocol and ports of a `dynamic` traffic selector; the address is the SA's own. */
export interface DynamicSelector {
  readonly protocol: number;
  readonly startPort: number;
  readonly endPort: number;
}

export interface ChildConnection {
  readonly name: string;
  readonly mode: ChildMode;
  readonly protocol: 'esp' | 'ah';
  readonly proposals: readonly Proposal[];
  readonly localTs: readonly TrafficSelector[];
  readonly remoteTs: readonly TrafficSelector[];
  /**
   * The `dynamic` entry of each side (the SA's own address) with its protocol
   * and ports, e.g. GRE for the transport Traffic Selector. An empty selector
   * list means dynamic with any protocol.
   */
  readonly localDynamic?: DynamicSelector;
  readonly remoteDynamic?: DynamicSelector;
  readonly ipcomp: boolean;
  /** Milliseconds until the CHILD_SA is rekeyed; 0 = never by us. */
  readonly rekeyMs: number;
  /** Milliseconds until the CHILD_SA expires hard (the kernel counts whole seconds). */
  readonly lifeMs: number;
  readonly replayWindow: number;
  /** Up to this many milliseconds are subtracted at random from rekeyMs (strongSwan rand_time). */
  readonly rekeyJitterMs?: number;
  /** Soft byte/packet limits for the kernel's EXPIRE, which starts a rekey; 0 or absent = none. */
  readonly rekeyBytes?: number;
  readonly rekeyPackets?: number;
  /** Up to this much is subtracted at random from the soft limits (strongSwan rand_bytes/packets). */
  readonly randBytes?: number;
  readonly randPackets?: number;
  /** Hard byte/packet limits: the kernel expires the SA (strongSwan life_bytes/packets); 0 = none. */
  readonly lifeBytes?: number;
  readonly lifePackets?: number;
  /**
   * XFRM interface id (route-based VPN): the CHILD_SA's SAs and policies carry
   * it, so only traffic routed into that interface uses them; absent = none.
   */
  readonly ifId?: number;
}

export interface IkeConnection {
  readonly name: string;
  /** Local addresses we accept or send from; empty = any. */
  readonly localAddrs: readonly string[];
  /** Remote peers: the first is used to initiate; for a responder, any match. */
  readonly remoteAddrs: readonly string[];
  readonly localPort: number;
  readonly remotePort: number;
  readonly proposals: readonly Proposal[];
  readonly local: AuthRound;
  readonly remote: AuthRound;
  /**
   * RFC 4739 second rounds (the manual's "Use Two Authentications"): `local2`
   * is ours when we initiate, `remote2` the initiator's when we respond.
   */
  readonly local2?: AuthRound;
  readonly remote2?: AuthRound;
  readonly psk?: SecretValue;
  readonly children: readonly ChildConnection[];
  /** RFC 7383: offer and accept IKE fragmentation. */
  readonly fragmentation: boolean;
  /** Largest IKE datagram before fragmenting (strongSwan default 1280). */
  readonly fragmentSize: number;
  /** Milliseconds until the IKE_SA is rekeyed; 0 = never by us. */
  readonly rekeyMs: number;
  /**
   * strongSwan's over_time: an IKE_SA not replaced by rekeyMs + this is
   * deleted (its hard lifetime); absent or 0 = no hard lifetime.
   */
  readonly overTimeMs?: number;
  /** Milliseconds between liveness checks; 0 = off. */
  readonly dpdDelayMs: number;
  /** Milliseconds a liveness check may go unanswered before the peer is dead (default 30 s). */
  readonly dpdTimeoutMs?: number;
  /** The manual's "Rekey": false means only the peer rekeys (default true). */
  readonly rekey?: boolean;
  /** Random milliseconds subtracted from rekeyMs (IKE_SA). */
  readonly rekeyJitterMs?: number;
  /** RFC 3948 §2.3 keepalive interval behind a NAT in milliseconds (default 20 s; 0 = off). */
  readonly natKeepaliveMs?: number;
  /** Pretend a NAT so ESP is always UDP-encapsulated (nat_traversal: force). */
  readonly forceEncap?: boolean;
}
