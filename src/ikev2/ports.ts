/**
 * The engine's ports: everything it needs from the outside world. Production
 * wires in the native UDP sockets, netlink, the system clock and crypto
 * randomness; tests and the simulator wire in memory twins and a manual clock
 * (architecture principle 1).
 */

import type { RandomSource } from '../crypto/types.js';

/** An IP address in text form and a UDP port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface Datagram {
  readonly data: Uint8Array;
  /** The peer's address and port. */
  readonly remote: Endpoint;
  /** Our address and port the datagram arrived on (from IP_PKTINFO). */
  readonly local: Endpoint;
}

export interface NetworkPort {
  /** Sends an IKE message (without the non-ESP marker; the socket adds it on 4500). */
  send(data: Uint8Array, local: Endpoint, remote: Endpoint): void;
  /** Sends a NAT-T keepalive (RFC 3948 §2.3: one octet 0xFF, no marker) on the NAT-T port. */
  sendNatKeepalive?(local: Endpoint, remote: Endpoint): void;
}

export interface TimerHandle {
  cancel(): void;
}

export interface ClockPort {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds unless cancelled. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** One line per event; `sa` names the connection and SA, fields are key=value. */
export interface EngineLogger {
  log(level: LogLevel, sa: string, message: string, fields?: Record<string, unknown>): void;
}

export interface EnginePorts {
  readonly network: NetworkPort;
  readonly clock: ClockPort;
  readonly random: RandomSource;
  readonly logger: EngineLogger;
  /**
   * A host name's addresses, looked up at every use (no caching: DynDNS), for
   * responder connections whose remote_addrs name hosts; absent = names
   * never match.
   */
  readonly resolveName?: (name: string) => Promise<string[]>;
}

/** A system clock for production use. */
export const systemClock: ClockPort = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
