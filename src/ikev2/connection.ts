/**
 * The engine's view of a configured connection: typed, immutable, already
 * validated and expressed in protocol terms (IANA numbers, octets). The
 * connection manager builds these from the YAML configuration; the engine
 * never sees raw configuration (architecture principle 5).
 */

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

export type AuthMethod = 'psk';

export interface AuthRound {
  readonly method: AuthMethod;
  /** Our identity, or the identity the peer must present. */
  readonly id: Identity;
}

export type ChildMode = 'tunnel' | 'transport';

export interface ChildConnection {
  readonly name: string;
  readonly mode: ChildMode;
  readonly protocol: 'esp' | 'ah';
  readonly proposals: readonly Proposal[];
  readonly localTs: readonly TrafficSelector[];
  readonly remoteTs: readonly TrafficSelector[];
  readonly ipcomp: boolean;
  /** Seconds until the CHILD_SA is rekeyed; 0 = never by us. */
  readonly rekeySeconds: number;
  /** Seconds until the CHILD_SA expires hard. */
  readonly lifeSeconds: number;
  readonly replayWindow: number;
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
  readonly psk?: SecretValue;
  readonly children: readonly ChildConnection[];
  /** RFC 7383: offer and accept IKE fragmentation. */
  readonly fragmentation: boolean;
  /** Largest IKE datagram before fragmenting (strongSwan default 1280). */
  readonly fragmentSize: number;
  /** Seconds until the IKE_SA is rekeyed; 0 = never by us. */
  readonly rekeySeconds: number;
  /** Seconds between liveness checks; 0 = off. */
  readonly dpdDelaySeconds: number;
}
