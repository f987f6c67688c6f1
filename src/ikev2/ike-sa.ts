/**
 * The state of one IKE_SA: who initiated it, its SPIs, negotiated algorithms
 * and keys, message ID windows (RFC 7296 §2.3, a window of one), the exchange
 * in flight, the cached last response and its CHILD_SAs. Exchange modules read
 * and update it; it does no I/O itself.
 */

import type { IkeSaKeys } from '../crypto/kdf/index.js';
import type { KeyExchange, PrfAlgorithm } from '../crypto/types.js';
import type { ChildSa } from './child-sa.js';
import type { IkeConnection } from './connection.js';
import type { Endpoint, TimerHandle } from './ports.js';
import type { ChosenProposal } from './proposals.js';
import type { SkDirectionKeys, SkSuite } from './sk-message.js';

export type IkeSaState =
  | 'connecting' // IKE_SA_INIT sent or received
  | 'authenticating' // IKE_AUTH in flight
  | 'established'
  | 'deleting'
  | 'closed';

export type Role = 'initiator' | 'responder';

/** A request we sent and are waiting to have answered. */
export interface OutstandingRequest {
  readonly messageId: number;
  readonly exchangeType: number;
  /** The datagrams of the request (several when fragmented). */
  readonly packets: readonly Uint8Array[];
  attempt: number;
  timer?: TimerHandle;
}

/** The answer to the peer's last request, resent when the request repeats. */
export interface CachedResponse {
  readonly messageId: number;
  readonly packets: readonly Uint8Array[];
}

export interface FragmentBuffer {
  readonly messageId: number;
  readonly total: number;
  firstInnerType: number;
  readonly parts: Map<number, Uint8Array>;
  bytes: number;
}

let nextUniqueId = 1;

export class IkeSa {
  readonly uniqueId = nextUniqueId++;
  state: IkeSaState = 'connecting';
  /** Our connection; for a responder, known once IDi has been matched. */
  conn: IkeConnection | undefined;
  /** Responder: connections that matched the addresses of IKE_SA_INIT. */
  candidates: readonly IkeConnection[] = [];
  spiR: Uint8Array = new Uint8Array(8);
  ni: Uint8Array = new Uint8Array(0);
  nr: Uint8Array = new Uint8Array(0);
  ke: KeyExchange | undefined;
  keGroup = 0;
  /** We already switched groups after INVALID_KE_PAYLOAD (RFC 7296 §1.2). */
  keRetried = false;
  chosen: ChosenProposal | undefined;
  prf: PrfAlgorithm | undefined;
  suite: SkSuite | undefined;
  keys: IkeSaKeys | undefined;
  /** RealMessage1 and RealMessage2 for the AUTH payloads (RFC 7296 §2.15). */
  initRequest: Uint8Array = new Uint8Array(0);
  initResponse: Uint8Array = new Uint8Array(0);
  /** Cookie the responder asked for (RFC 7296 §2.6). */
  cookie: Uint8Array | undefined;
  /** Both sides announced IKEV2_FRAGMENTATION_SUPPORTED (RFC 7383 §2.3). */
  fragmentation = false;
  /** The responder announced MULTIPLE_AUTH_SUPPORTED in IKE_SA_INIT (RFC 4739 §3.1). */
  peerMultipleAuth = false;
  /** A NAT was detected in front of us or the peer (RFC 7296 §2.23). */
  natLocal = false;
  natRemote = false;
  /** Message ID of our next request; the next request we expect from the peer. */
  nextRequestId = 0;
  expectedPeerRequestId = 0;
  outstanding: OutstandingRequest | undefined;
  /**
   * A responder's requests wait until its last IKE_AUTH response is sent: the
   * initiator is not yet established and drops a request that comes first
   * (strongSwan does), so it would be answered only on retransmission.
   */
  requestsHeld = false;
  lastResponse: CachedResponse | undefined;
  fragments: FragmentBuffer | undefined;
  readonly children: ChildSa[] = [];
  establishedAt = 0;
  /** Why the SA ended, for the log and status. */
  closeReason = '';
  /** The peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4); undefined when it sent none. */
  peerHashes: readonly number[] | undefined;
  /** SHA-1 hashes of the CA keys the peer asked for in CERTREQ (RFC 7296 §3.7). */
  peerCertReq: readonly Uint8Array[] = [];
  /** Remaining authentication rounds state etc. live in the exchange modules. */
  peerId: { type: number; data: Uint8Array } | undefined;
  /** Timers owned by this SA (rekey, liveness), cancelled when it closes. */
  readonly timers = new Set<TimerHandle>();

  constructor(
    readonly role: Role,
    readonly spiI: Uint8Array,
    public local: Endpoint,
    public remote: Endpoint,
  ) {}

  /** The SPI we chose: it keys our SA table. */
  get ourSpi(): Uint8Array {
    return this.role === 'initiator' ? this.spiI : this.spiR;
  }

  /** A short label for log lines: connection name and unique id. */
  get label(): string {
    return `${this.conn?.name ?? '?'}|#${this.uniqueId}`;
  }

  /** Keys protecting what we send. */
  get outKeys(): SkDirectionKeys {
    const k = this.keys!;
    return this.role === 'initiator'
      ? { encKey: k.skEi, integKey: k.skAi }
      : { encKey: k.skEr, integKey: k.skAr };
  }

  /** Keys protecting what the peer sends. */
  get inKeys(): SkDirectionKeys {
    const k = this.keys!;
    return this.role === 'initiator'
      ? { encKey: k.skEr, integKey: k.skAr }
      : { encKey: k.skEi, integKey: k.skAi };
  }

  /** Wipes key material once the SA is gone. */
  wipe(): void {
    if (this.keys) for (const k of Object.values(this.keys)) (k as Uint8Array).fill(0);
    this.keys = undefined;
    this.ke = undefined;
  }
}

export function spiHex(spi: Uint8Array): string {
  return Buffer.from(spi).toString('hex');
}
