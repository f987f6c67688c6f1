/**
 * The contract every EAP method implements, on the server (authenticator) and
 * the peer side. Methods are state machines without I/O: the IKEv2 engine
 * carries their packets in EAP payloads (RFC 7296 §2.16).
 */
import type { Secret } from '../../config/secret.js';
import type { EapPacket } from './packet.js';

export interface EapOutcome {
  readonly success: boolean;
  /** EAP-TLS: the peer's end-entity certificate (DER), for identity checks by the engine. */
  readonly peerCertificate?: Uint8Array;
  /** Master Session Key (RFC 3748 §7.10), for methods that derive one. */
  readonly msk?: Uint8Array;
  /** Why it failed (or a note on success), for the log line; never secret. */
  readonly reason?: string;
}

export interface EapStep {
  /** The packet to send next (the final Success/Failure too, on the server). */
  readonly send?: EapPacket;
  /** Set when the conversation is over. */
  readonly done?: EapOutcome;
}

/** Server side of one method, run after the peer's identity is known. */
export interface EapServerMethod {
  readonly eapType: number;
  /** The first Request of the method. */
  start(identifier: number): EapPacket;
  /**
   * A Response of this method. `send` is the next Request; `done` ends the
   * method (the orchestrator then sends EAP-Success or EAP-Failure).
   */
  process(packet: EapPacket, nextIdentifier: number): EapStep | Promise<EapStep>;
  /** Releases resources (the TLS socket) when the conversation is abandoned. */
  abort?(): void;
  /**
   * Set once the method decided the peer failed but still awaits its
   * acknowledgement (EAP-MSCHAPv2's Failure Request), for a log line now:
   * a peer may abort instead of answering.
   */
  readonly pendingFailure?: string;
}

/** Peer side of one method. */
export interface EapPeerMethod {
  readonly eapType: number;
  /** A Request of this method; `send` is the Response. `done` carries the method's verdict. */
  process(packet: EapPacket): EapStep | Promise<EapStep>;
  /** After EAP-Success: the MSK, if the method derived one and considers itself successful. */
  result(): EapOutcome;
  /** Releases resources (the TLS socket) when the conversation is abandoned. */
  abort?(): void;
}

export type Password = Secret | Uint8Array | string;

/** Server-side user database: the password of an EAP identity, or undefined if unknown. */
export type PasswordLookup = (identity: string) => Password | undefined;

/** Randomness, injected so tests can be deterministic. */
export type RandomBytes = (length: number) => Uint8Array;

export function passwordBytes(p: Password): Uint8Array {
  if (typeof p === 'string') return new TextEncoder().encode(p);
  return p instanceof Uint8Array ? Uint8Array.from(p) : p.reveal();
}
