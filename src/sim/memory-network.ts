/**
 * An in-memory network between engines: each engine binds addresses; a sent
 * datagram is delivered to the engine owning the destination address after
 * the conditions (loss, duplication, delay) the test sets. Delivery runs on
 * the manual clock so runs are reproducible. The simulator also cuts links
 * (partitions), counts datagrams in flight and observes every fate.
 */

import type { Datagram, Endpoint, NetworkPort } from '../ikev2/ports.js';
import type { ManualClock } from './manual-clock.js';
import { seededRandom } from './random.js';

export { seededRandom } from './random.js';

export type Receiver = (d: Datagram) => Promise<void> | void;

export interface LinkConditions {
  /** Probability a datagram is lost. */
  loss: number;
  /** Probability a datagram is delivered twice. */
  duplicate: number;
  /** Delay in milliseconds, plus up to `jitterMs` more (which reorders datagrams). */
  delayMs: number;
  jitterMs: number;
}

export const PERFECT_LINK: LinkConditions = { loss: 0, duplicate: 0, delayMs: 1, jitterMs: 0 };

/** What became of a datagram: for event logs. */
export type DatagramFate =
  | 'sent'
  | 'lost'
  | 'duplicated'
  | 'delivered'
  /** Dropped because the link between the two addresses is cut. */
  | 'blocked'
  /** Nobody holds the destination address. */
  | 'unreachable';

export type NetworkObserver = (
  fate: DatagramFate,
  from: Endpoint,
  to: Endpoint,
  size: number,
) => void;

export class MemoryNetwork {
  private readonly hosts = new Map<string, Receiver>();
  private readonly pending = new Set<Promise<void>>();
  conditions: LinkConditions = PERFECT_LINK;
  /** Every datagram sent, for tests that inspect the wire (off for long simulations). */
  readonly sent: { from: Endpoint; to: Endpoint; data: Uint8Array }[] = [];
  keepSent = true;
  /** A cut link: datagrams between the two addresses are dropped, also those in flight. */
  blocked: (from: Endpoint, to: Endpoint) => boolean = () => false;
  observer: NetworkObserver | undefined;
  private scheduled = 0;
  private lastSend = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: ManualClock,
    private readonly rand: () => number = seededRandom(1),
  ) {}

  /** Datagrams to `address` go to `receiver`. */
  bind(address: string, receiver: Receiver): void {
    this.hosts.set(address, receiver);
  }

  unbind(address: string): void {
    this.hosts.delete(address);
  }

  /** The network port of a host. */
  portFor(): NetworkPort {
    return {
      send: (data, local, remote) => this.send(data.slice(), local, remote),
    };
  }

  /** Datagrams scheduled for delivery and not yet delivered or dropped. */
  get inFlight(): number {
    return this.scheduled;
  }

  /** Delivered datagrams whose handler has not finished. */
  get pendingHandlers(): number {
    return this.pending.size;
  }

  /** Clock time of the last datagram sent. */
  get lastSendAt(): number {
    return this.lastSend;
  }

  private send(data: Uint8Array, from: Endpoint, to: Endpoint): void {
    if (this.keepSent) this.sent.push({ from, to, data });
    this.lastSend = this.clock.now();
    this.observer?.('sent', from, to, data.length);
    const c = this.conditions;
    if (this.rand() < c.loss) {
      this.observer?.('lost', from, to, data.length);
      return;
    }
    const copies = this.rand() < c.duplicate ? 2 : 1;
    if (copies === 2) this.observer?.('duplicated', from, to, data.length);
    for (let i = 0; i < copies; i++) {
      const delay = c.delayMs + Math.floor(this.rand() * (c.jitterMs + 1));
      this.scheduled++;
      this.clock.setTimer(delay, () => {
        this.scheduled--;
        this.deliver(data, from, to);
      });
    }
  }

  private deliver(data: Uint8Array, from: Endpoint, to: Endpoint): void {
    if (this.blocked(from, to)) {
      this.observer?.('blocked', from, to, data.length);
      return;
    }
    const receiver = this.hosts.get(to.address);
    if (!receiver) {
      this.observer?.('unreachable', from, to, data.length);
      return;
    }
    this.observer?.('delivered', from, to, data.length);
    const p = Promise.resolve(receiver({ data, remote: from, local: to })).finally(() =>
      this.pending.delete(p),
    );
    this.pending.add(p);
  }

  /** Waits until every delivered datagram has been handled. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/**
 * Advances the clock in steps, letting engines finish their (asynchronous)
 * work between steps, until `done` holds or `maxMs` has passed.
 */
export async function runUntil(
  clock: ManualClock,
  net: MemoryNetwork,
  done: () => boolean,
  maxMs = 300_000,
  stepMs = 1,
): Promise<boolean> {
  const end = clock.now() + maxMs;
  for (;;) {
    await net.settle();
    await new Promise((r) => setImmediate(r));
    await net.settle();
    if (done()) return true;
    if (clock.now() >= end) return false;
    const next = clock.nextDueIn();
    clock.advance(
      next === undefined ? stepMs : Math.max(stepMs, Math.min(next, end - clock.now())),
    );
  }
}
