/**
 * An in-memory network between engines: each engine binds addresses; a sent
 * datagram is delivered to the engine owning the destination address after
 * the conditions (loss, duplication, delay) the test sets. Delivery runs on
 * the manual clock so runs are reproducible.
 */

import type { Datagram, Endpoint, NetworkPort } from '../ikev2/ports.js';
import type { ManualClock } from './manual-clock.js';

export type Receiver = (d: Datagram) => Promise<void> | void;

export interface LinkConditions {
  /** Probability a datagram is lost. */
  loss: number;
  /** Probability a datagram is delivered twice. */
  duplicate: number;
  /** Delay in milliseconds, plus up to `jitterMs` more. */
  delayMs: number;
  jitterMs: number;
}

export const PERFECT_LINK: LinkConditions = { loss: 0, duplicate: 0, delayMs: 1, jitterMs: 0 };

/** A small deterministic PRNG (mulberry32) so a seed reproduces a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class MemoryNetwork {
  private readonly hosts = new Map<string, Receiver>();
  private readonly pending = new Set<Promise<void>>();
  conditions: LinkConditions = PERFECT_LINK;
  /** Every datagram sent, for tests that inspect the wire. */
  readonly sent: { from: Endpoint; to: Endpoint; data: Uint8Array }[] = [];

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

  private send(data: Uint8Array, from: Endpoint, to: Endpoint): void {
    this.sent.push({ from, to, data });
    const c = this.conditions;
    if (this.rand() < c.loss) return;
    const copies = this.rand() < c.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = c.delayMs + Math.floor(this.rand() * (c.jitterMs + 1));
      this.clock.setTimer(delay, () => {
        const receiver = this.hosts.get(to.address);
        if (!receiver) return;
        const p = Promise.resolve(receiver({ data, remote: from, local: to })).finally(() =>
          this.pending.delete(p),
        );
        this.pending.add(p);
      });
    }
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
