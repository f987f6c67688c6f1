/**
 * One load-generator worker: an Ikev2Engine initiator over a `node:dgram`
 * socket with a MemoryKernel (nothing is installed in the host's kernel),
 * keeping a fixed number of IKE_SA setups in flight against one responder.
 *
 * Every setup uses a connection of its own with a distinct FQDN identity
 * (`hN.wW.loadgen.bench`) and a fresh random IKE SPI, so the responder never
 * takes one setup for a retransmission of another, and INITIAL_CONTACT
 * (which every setup sends, RFC 7296 §2.4) never makes it delete the SA of
 * another setup. An established IKE_SA is deleted at once (INFORMATIONAL with
 * a Delete payload): the responder's tables stay small, as in a steady
 * stream of short-lived peers, and the delete is part of the measured work.
 *
 * `node:dgram` is enough here: the initiator sends from the one address its
 * socket is bound to and does not need the arrival address (IP_PKTINFO) that
 * the native IkeSocket exists for; and it runs in worker threads, where the
 * native addon has not been tried.
 */

import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { parseProposal } from '../../src/config/proposals.js';
import type { ChildConnection, IkeConnection } from '../../src/ikev2/connection.js';
import { ANY_IDENTITY } from '../../src/ikev2/connection.js';
import { Ikev2Engine, systemRandom } from '../../src/ikev2/engine.js';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import type { IkeSa } from '../../src/ikev2/ike-sa.js';
import { type EngineLogger, systemClock } from '../../src/ikev2/ports.js';
import type { Proposal } from '../../src/ikev2/proposals.js';
import { selectorFromCidr } from '../../src/ikev2/traffic-selectors.js';
import { MemoryKernel } from '../../src/kernel/index.js';
import { engineProposal } from '../../src/manager/engine-connection.js';
import { reasonKind } from './stats.js';

/** Slots of the shared counter array, one Int32 per worker per slot. */
export const Counter = {
  initiated: 0,
  established: 1,
  failed: 2,
  deleted: 3,
  retransmits: 4,
  datagramsSent: 5,
  datagramsReceived: 6,
  sendErrors: 7,
  childrenEstablished: 8,
  inFlight: 9,
} as const;
export const COUNTER_SLOTS = 10;

/** Phase word shared by all workers: 0 warm-up, 1 measuring, 2 stopping. */
export const Phase = { warmup: 0, measuring: 1, stopping: 2 } as const;

export interface DriverOptions {
  readonly workerId: number;
  readonly target: string;
  readonly targetPort: number;
  /** Our address (the socket binds it with an ephemeral port). */
  readonly local: string;
  readonly concurrency: number;
  readonly psk: string;
  readonly ikeProposal: string;
  /** With a CHILD_SA: its ESP proposal; without: childless (RFC 6023). */
  readonly espProposal?: string;
  /** The responder's protected subnet (remote TS of our CHILD_SAs). */
  readonly remoteTs: string;
  readonly retransmitTimeoutMs: number;
  readonly retransmitTries: number;
  /**
   * Seed of the MemoryKernel's SPI generator; random per worker by default.
   * One fixed seed for all workers makes their CHILD_SA SPIs collide at the
   * responder (a reproducer for its handling of a failed kernel install).
   */
  readonly spiSeed?: number;
  /** Keep established IKE_SAs instead of deleting them (the memory probe). */
  readonly keepEstablished?: boolean;
}

export interface DriverReport {
  readonly workerId: number;
  /** Setup latencies in ms (IKE_SA_INIT sent to IKE_AUTH answered) inside the window. */
  readonly latenciesMs: number[];
  readonly failures: Record<string, number>;
  readonly engineCounters: Record<string, number>;
}

function proposalOf(text: string, protocol: 'ike' | 'esp'): Proposal {
  const p = parseProposal(text, protocol);
  if ('error' in p) throw new Error(`proposal ${text}: ${p.error}`);
  return engineProposal(p);
}

/**
 * The CHILD_SA of setup `n`: a /32 of its own inside 10.0.0.0/8 (skipping the
 * responder's side) so that each CHILD_SA has policies of its own in the
 * responder's kernel instead of replacing another's.
 */
export function childSubnetFor(workerId: number, n: number): string {
  const host = n % (1 << 16);
  return `10.${(workerId % 100) + 1}.${host >> 8}.${host & 0xff}/32`;
}

export class HandshakeDriver {
  private readonly socket = dgram.createSocket('udp4');
  private readonly engine: Ikev2Engine;
  private readonly ike: Proposal;
  private readonly esp: Proposal | undefined;
  private readonly pending = new Map<string, IkeConnection>();
  private readonly started = new Map<number, number>();
  private readonly latencies: number[] = [];
  private readonly failures: Record<string, number> = {};
  private localPort = 0;
  private next = 0;
  private stopped = false;
  /** No setup beyond this number is started (the memory probe's checkpoints). */
  private limit = Number.POSITIVE_INFINITY;

  constructor(
    private readonly opts: DriverOptions,
    /** Shared counters (Int32Array over a SharedArrayBuffer), this worker's row. */
    private readonly counters: Int32Array,
    private readonly phase: Int32Array,
  ) {
    this.ike = proposalOf(opts.ikeProposal, 'ike');
    this.esp = opts.espProposal ? proposalOf(opts.espProposal, 'esp') : undefined;
    const logger: EngineLogger = {
      // Only retransmissions are counted; formatting every line would load the generator.
      log: (_level, _sa, message) => {
        if (message.startsWith('retransmit ')) this.add(Counter.retransmits);
      },
    };
    this.engine = new Ikev2Engine(
      {
        network: {
          send: (data, _local, remote) => {
            this.add(Counter.datagramsSent);
            this.socket.send(data, remote.port, remote.address, (err) => {
              if (err) this.add(Counter.sendErrors);
            });
          },
        },
        clock: systemClock,
        random: systemRandom,
        logger,
      },
      // A seed of its own per worker: equal seeds give equal SPI sequences, and
      // the responder's outbound SAs (our SPIs) would collide (EEXIST).
      new MemoryKernel({ seed: opts.spiSeed ?? randomInt(1, 2 ** 31) }),
      {
        retransmit: {
          timeoutMs: opts.retransmitTimeoutMs,
          base: 1.8,
          tries: opts.retransmitTries,
          maxTimeoutMs: 0,
        },
      },
    );
    this.engine.onEvent((ev) => {
      if (ev.type === 'ike-up') this.onEstablished(ev.sa);
      else if (ev.type === 'ike-down') this.onClosed(ev.sa);
    });
  }

  private add(slot: number, n = 1): void {
    Atomics.add(this.counters, slot, n);
  }

  /** Binds the socket and starts `concurrency` setups (at most `limit` in all). */
  async start(limit = Number.POSITIVE_INFINITY): Promise<void> {
    this.limit = limit;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.opts.local, port: 0 }, () => resolve());
    });
    this.localPort = this.socket.address().port;
    // A larger receive buffer than the default keeps bursts of responses.
    this.socket.setRecvBufferSize(4 * 1024 * 1024);
    this.socket.on('message', (msg, rinfo) => {
      this.add(Counter.datagramsReceived);
      void this.engine
        .receive({
          data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
          remote: { address: rinfo.address, port: rinfo.port },
          local: { address: this.opts.local, port: this.localPort },
        })
        .catch((e: unknown) => this.fail(`engine error: ${(e as Error).message}`));
    });
    for (let i = 0; i < this.opts.concurrency; i++) this.launch();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Raises the number of setups to start in all and refills the setups in flight. */
  runUpTo(limit: number): void {
    this.limit = limit;
    const inFlight = Atomics.load(this.counters, Counter.inFlight);
    for (let i = inFlight; i < this.opts.concurrency; i++) this.launch();
  }

  /** SAs of our engine that are established, for the probe's bookkeeping. */
  establishedCount(): number {
    return this.engine.listSas().filter((sa) => sa.state === 'established').length;
  }

  close(): void {
    this.stopped = true;
    this.socket.close();
  }

  report(): DriverReport {
    return {
      workerId: this.opts.workerId,
      latenciesMs: this.latencies,
      failures: this.failures,
      engineCounters: { ...this.engine.counters },
    };
  }

  private connectionFor(n: number): IkeConnection {
    const name = `h${n}`;
    const children: ChildConnection[] = this.esp
      ? [
          {
            name: 'c',
            mode: 'tunnel',
            protocol: 'esp',
            proposals: [this.esp],
            localTs: [selectorFromCidr(childSubnetFor(this.opts.workerId, n))],
            remoteTs: [selectorFromCidr(this.opts.remoteTs)],
            ipcomp: false,
            rekeyMs: 0,
            lifeMs: 3_600_000,
            replayWindow: 32,
          },
        ]
      : [];
    const psk = new TextEncoder().encode(this.opts.psk);
    return {
      name,
      localAddrs: [this.opts.local],
      remoteAddrs: [this.opts.target],
      // The port the socket really has: NAT detection (RFC 7296 §2.23) hashes it.
      localPort: this.localPort,
      remotePort: this.opts.targetPort,
      proposals: [this.ike],
      local: { method: 'psk', id: fqdnIdentity(`${name}.w${this.opts.workerId}.loadgen.bench`) },
      remote: { method: 'psk', id: ANY_IDENTITY },
      psk: { reveal: () => psk },
      children,
      fragmentation: true,
      fragmentSize: 1280,
      rekeyMs: 0,
      dpdDelayMs: 0,
    };
  }

  /** Starts one setup; another starts when it ends, until stopped. */
  private launch(): void {
    if (this.stopped || Atomics.load(this.phase, 0) === Phase.stopping) return;
    if (this.next >= this.limit) return;
    const n = this.next++;
    const conn = this.connectionFor(n);
    this.pending.set(conn.name, conn);
    this.engine.setConnections([...this.pending.values()]);
    this.add(Counter.initiated);
    this.add(Counter.inFlight);
    this.engine.initiate(conn.name).then(
      (sa) => {
        this.started.set(sa.uniqueId, performance.now());
        this.pending.delete(conn.name);
      },
      (e: unknown) => {
        this.pending.delete(conn.name);
        this.add(Counter.inFlight, -1);
        this.fail(`initiate: ${(e as Error).message}`);
        setImmediate(() => this.launch());
      },
    );
  }

  private onEstablished(sa: IkeSa): void {
    const t0 = this.started.get(sa.uniqueId);
    this.started.delete(sa.uniqueId);
    this.add(Counter.established);
    this.add(Counter.inFlight, -1);
    if (t0 !== undefined && Atomics.load(this.phase, 0) === Phase.measuring) {
      this.latencies.push(performance.now() - t0);
    }
    const name = sa.conn!.name;
    // The CHILD_SA is installed right after 'established'; count it once the
    // IKE_AUTH response has been fully processed, then delete the IKE_SA.
    setImmediate(() => {
      if (sa.children.length > 0) this.add(Counter.childrenEstablished);
      if (this.opts.keepEstablished) return;
      void this.engine.terminate(name).then(
        () => this.add(Counter.deleted),
        (e: unknown) => this.fail(`delete: ${(e as Error).message}`),
      );
    });
    this.launch();
  }

  private onClosed(sa: IkeSa): void {
    if (sa.establishedAt > 0) return;
    this.started.delete(sa.uniqueId);
    this.add(Counter.failed);
    this.add(Counter.inFlight, -1);
    this.fail(sa.closeReason);
    this.launch();
  }

  private fail(reason: string): void {
    const kind = reasonKind(reason);
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
  }
}
