/**
 * A simulated gateway: one host as styxd builds it (src/manager/host.ts: the
 * IKEv2 engine, its MemoryKernel and the connection manager), bound to an
 * address on the memory network. A restart replaces engine and kernel with
 * fresh ones (same configuration, empty kernel, new randomness) and silences
 * the old generation: its timers are cancelled and whatever it still tries to
 * send is dropped, as if the process had died.
 */

import type { IkeConnection } from '../ikev2/connection.js';
import type { Ikev2Engine } from '../ikev2/engine.js';
import type { IkeSa } from '../ikev2/ike-sa.js';
import type { ClockPort, EngineLogger, LogLevel, TimerHandle } from '../ikev2/ports.js';
import { MemoryKernel } from '../kernel/memory-kernel.js';
import type { ConnectionManager } from '../manager/connection-manager.js';
import { buildHost } from '../manager/host.js';
import { type ConnectionPolicy, DEFAULT_POLICY } from '../manager/policy.js';
import type { ManualClock } from './manual-clock.js';
import type { MemoryNetwork } from './memory-network.js';
import { deriveSeed, seededBytes } from './random.js';

/** Where a host reports what happens to it (the run's event log). */
export interface HostObserver {
  engineLog(host: string, level: LogLevel, sa: string, message: string): void;
  established(host: SimHost, sa: IkeSa): void;
  closed(host: SimHost, sa: IkeSa): void;
  /** An engine call or a datagram handler threw: always an engine fault. */
  error(host: string, what: string, e: unknown): void;
}

export class SimHost {
  engine!: Ikev2Engine;
  manager!: ConnectionManager;
  kernel!: MemoryKernel;
  /** 0 for the first boot, +1 for each restart. */
  generation = -1;
  private alive = { value: false };
  private timers = new Set<TimerHandle>();

  constructor(
    readonly name: string,
    readonly address: string,
    readonly connections: readonly IkeConnection[],
    /** Each connection's Init Type, Close Action and DPD Action: the manager acts on them. */
    readonly policies: ReadonlyMap<string, ConnectionPolicy>,
    private readonly seed: number,
    private readonly clock: ManualClock,
    private readonly net: MemoryNetwork,
    private readonly observer: HostObserver,
  ) {}

  /** Starts a fresh engine and kernel (the first boot or a restart). */
  boot(): void {
    this.alive.value = false;
    for (const t of this.timers) t.cancel();
    this.timers = new Set();
    const alive = { value: true };
    this.alive = alive;
    this.generation += 1;
    const gen = this.generation;
    const timers = this.timers;
    const clock: ClockPort = {
      now: () => this.clock.now(),
      setTimer: (ms, fn) => {
        const h = this.clock.setTimer(ms, () => {
          timers.delete(h);
          if (alive.value) fn();
        });
        timers.add(h);
        return {
          cancel: () => {
            timers.delete(h);
            h.cancel();
          },
        };
      },
    };
    const port = this.net.portFor();
    const logger: EngineLogger = {
      log: (level, sa, message) => {
        if (alive.value) this.observer.engineLog(this.name, level, sa, message);
      },
    };
    this.kernel = new MemoryKernel({
      now: () => this.clock.now(),
      seed: deriveSeed(this.seed, `${this.name}/kernel/${gen}`) || 1,
    });
    const report = (what: string) => (e: unknown) => {
      if (alive.value) this.observer.error(this.name, what, e);
    };
    const host = buildHost({
      network: { send: (d, l, r) => (alive.value ? port.send(d, l, r) : undefined) },
      clock,
      random: seededBytes(`${this.seed}/${this.name}/${gen}`),
      logger,
      kernel: this.kernel,
      managerLog: (level, message) => {
        if (alive.value) this.observer.engineLog(this.name, level, 'manager', message);
      },
      onError: (what, e) => report(what)(e),
    });
    host.engine.onEvent((ev) => {
      if (!alive.value) return;
      if (ev.type === 'ike-up') this.observer.established(this, ev.sa);
      else if (ev.type === 'ike-down') this.observer.closed(this, ev.sa);
    });
    this.engine = host.engine;
    this.manager = host.manager;
    // Configured from the first moment, as styxd's engine is before its manager starts.
    host.engine.setConnections(this.connections);
    this.net.bind(this.address, (d) => host.receive(d));
  }

  /** The real connection manager's start: start actions (initiate, trap policies). */
  startManager(): void {
    const alive = this.alive;
    this.manager
      .start(
        this.connections.map((engine) => ({
          name: engine.name,
          engine,
          policy: this.policies.get(engine.name) ?? DEFAULT_POLICY,
          endpoints: engine.remoteAddrs.map((address) => ({ kind: 'ip' as const, address })),
          fingerprint: engine.name,
        })),
      )
      .catch((e) => {
        if (alive.value) this.observer.error(this.name, 'manager start', e);
      });
  }

  /**
   * Runs an engine call, reporting a throw as an engine fault unless this
   * generation died or the error is one the caller expects (`expected`).
   */
  call(what: string, fn: (engine: Ikev2Engine) => Promise<unknown>, expected?: RegExp): void {
    const alive = this.alive;
    fn(this.engine).catch((e) => {
      if (!alive.value) return;
      const message = e instanceof Error ? e.message : String(e);
      if (expected?.test(message))
        this.observer.engineLog(this.name, 'info', '-', `${what}: ${message}`);
      else this.observer.error(this.name, what, e);
    });
  }

  /** IKE_SAs the engine lists (any state but closed). */
  sas(): IkeSa[] {
    return this.engine.listSas();
  }
}
