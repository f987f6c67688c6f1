/**
 * What exchange modules may use of the engine: its ports, the kernel, its
 * options and a few services (sending, SA bookkeeping). Keeping this narrow
 * lets each exchange module be read and tested on its own.
 */

import type { IpsecKernel } from '../kernel/types.js';
import type { IkePayload } from '../wire/ikev2/index.js';
import type { ChildSa } from './child-sa.js';
import type { ChildConnection, IkeConnection } from './connection.js';
import type { DownCause, EngineEvent } from './events.js';
import type { IkeSa } from './ike-sa.js';
import type { EnginePorts } from './ports.js';
import type { RetransmitPolicy } from './retransmit.js';

export interface EngineOptions {
  /** Half-open IKE_SAs from which on a COOKIE is demanded (RFC 7296 §2.6); 0 = always. */
  readonly cookieThreshold: number;
  /** Half-open IKE_SAs beyond which new IKE_SA_INIT requests are dropped. */
  readonly halfOpenLimit: number;
  readonly retransmit: RetransmitPolicy;
  /** Our NAT-T port (RFC 3948): IKE floats here when a NAT is detected. */
  readonly nattPort: number;
  /** Largest reassembled message, and fragments per message (RFC 7383 §2.6). */
  readonly maxReassemblyBytes: number;
  readonly maxFragments: number;
  /** Nonce length we send (RFC 7296 §2.10: at least half the PRF key size, ≥ 16). */
  readonly nonceLength: number;
  /** Create IKE_SAs without a CHILD_SA (RFC 6023) when the connection has no children. */
  readonly childless: boolean;
  /** Wall-clock time certificates are checked at (default: the system's). */
  readonly certificateTime?: () => Date;
}

/** A protected response's handler for a request we sent. */
export type ResponseHandler = (payloads: IkePayload[]) => Promise<void>;

export interface EngineContext {
  readonly ports: EnginePorts;
  readonly kernel: IpsecKernel;
  readonly options: EngineOptions;
  /**
   * Queues a protected request on the SA (one exchange at a time, RFC 7296
   * §2.3); `onResponse` runs with the decrypted response payloads.
   */
  queueRequest(
    sa: IkeSa,
    exchangeType: number,
    build: () => Promise<IkePayload[]> | IkePayload[],
    onResponse: ResponseHandler,
    /** Runs when the request went unanswered after all retransmissions. */
    onGiveUp?: () => Promise<void>,
    /** Names the kind of request, so that `dropQueued` can take it back before it is sent. */
    tag?: string,
    /** Starts the same request afresh on another IKE_SA (see `moveQueued`). */
    retarget?: (to: IkeSa) => void,
  ): void;
  /**
   * An IKE_SA rekey moved `from`'s CHILD_SAs to `to`: requests still waiting
   * in `from`'s queue that can be retargeted start again on `to` (a request
   * sent on the old IKE_SA would create or rekey a CHILD_SA there).
   */
  moveQueued(from: IkeSa, to: IkeSa): void;
  /** Removes the requests tagged `tag` still waiting in the SA's queue (not the one in flight). */
  dropQueued(sa: IkeSa, tag: string): void;
  /**
   * Removes the SA and everything it installed; `reason` goes to the log,
   * `cause` (default `local`) to the ike-down event the manager acts on.
   */
  closeSa(sa: IkeSa, reason: string, cause?: DownCause): Promise<void>;
  /** Reports an event to the engine's listeners (the connection manager). */
  emit(event: EngineEvent): void;
  /** A new reqid for a CHILD_SA's kernel SAs and policies. */
  allocateReqid(): number;
  /**
   * The reqid for a new CHILD_SA of `cfg`: its trap policy's when it has one
   * (so the SA replaces the kernel's acquire state), else a new one.
   */
  reqidFor(sa: IkeSa, cfg: ChildConnection): number;
  /**
   * `sa` (responder) authenticated with INITIAL_CONTACT (RFC 7296 §2.4): closes
   * the other IKE_SAs with that peer identity on its connection that were
   * established before `sa`'s IKE_SA_INIT was answered. The peer chose the
   * notify then; one established since (both sides initiating, an IKE_AUTH
   * retransmitted for long) the peer may hold, and it stays.
   */
  closeForInitialContact(sa: IkeSa): Promise<void>;
  /** Established IKE_SAs of a connection (for INITIAL_CONTACT and status). */
  sasOf(conn: IkeConnection): IkeSa[];
  /** Called when an IKE_SA becomes established (manager hooks, timers). */
  onEstablished(sa: IkeSa): void;
  /** Runs `fn` after `ms` in the engine's work queue; cancelled when the SA closes. */
  schedule(sa: IkeSa, ms: number, fn: () => Promise<void>): void;
  /** A CHILD_SA was installed: arms its rekey timer. */
  childInstalled(sa: IkeSa, child: ChildSa): void;
  /** A CHILD_SA is about to be removed: trap policies take its outbound policies over. */
  childRemoving(sa: IkeSa, child: ChildSa): Promise<void>;
  /** Registers an IKE_SA created by an IKE_SA rekey (RFC 7296 §2.18) under its SPI. */
  adoptSa(sa: IkeSa): void;
}
