/**
 * The simulated world of one run: the manual clock, the memory network with
 * its partitions, the gateways, and the simulator's stand-in for each
 * gateway's connection manager (start action, operator `up`/`down`, and the
 * final reconcile that creates CHILD_SAs a tunnel lacks). It records what the
 * invariants need to judge stale SAs: why each IKE_SA closed and when each
 * gateway restarted.
 */

import { isRedundantIkeSa } from '../ikev2/duplicates.js';
import { wasSuperseded } from '../ikev2/ike-rekey.js';
import type { IkeSa } from '../ikev2/ike-sa.js';
import { spiHex } from '../ikev2/ike-sa.js';
import type { Endpoint } from '../ikev2/ports.js';
import { formatAddress } from '../ikev2/traffic-selectors.js';
import { EventLog } from './event-log.js';
import { type HostObserver, SimHost } from './host.js';
import type { PairIntent, Violation } from './invariants.js';
import { ManualClock } from './manual-clock.js';
import { MemoryNetwork } from './memory-network.js';
import { deriveSeed, seededRandom } from './random.js';
import type { PairSpec, Scenario } from './scenario.js';
import { describeLink, startsAtBoot } from './scenario.js';

/**
 * raw: `up` always calls Ikev2Engine.initiate and `down` always
 * Ikev2Engine.terminate, as styxd's control handler does today; guarded: a
 * command already in progress is not repeated (`up` while the host has an
 * IKE_SA of the connection only creates missing CHILD_SAs of an idle one;
 * `down` while every IKE_SA of it is being deleted does nothing).
 */
export type OperatorMode = 'raw' | 'guarded';

export interface WorldOptions {
  readonly operator: OperatorMode;
  /** Log every datagram's fate (the determinism test and --verbose). */
  readonly logDatagrams: boolean;
}

export interface CloseRecord {
  readonly host: string;
  readonly reason: string;
  readonly at: number;
}

export class SimWorld implements HostObserver {
  readonly clock = new ManualClock();
  readonly net: MemoryNetwork;
  readonly log: EventLog;
  readonly hosts = new Map<string, SimHost>();
  readonly errors: Violation[] = [];
  readonly closes = new Map<string, CloseRecord>();
  /** Every close by host and connection, in order (for IKE_SAs a rekey replaced). */
  readonly closesByConn = new Map<string, CloseRecord[]>();
  readonly restarts = new Map<string, number[]>();
  /** Connections each gateway initiated with INITIAL_CONTACT since it last booted. */
  readonly initiatedSinceBoot = new Map<string, Set<string>>();
  readonly intents = new Map<
    string,
    { intent: 'up' | 'down'; by: string | undefined; since: number }
  >();
  private readonly cuts = new Set<string>();
  lastEventAt = 0;

  constructor(
    readonly scenario: Scenario,
    readonly options: WorldOptions,
  ) {
    this.log = new EventLog(() => this.clock.now());
    this.net = new MemoryNetwork(this.clock, seededRandom(deriveSeed(scenario.seed, 'network')));
    this.net.keepSent = false;
    this.net.conditions = scenario.link;
    this.net.blocked = (from, to) => this.cuts.has(cutKey(from.address, to.address));
    if (options.logDatagrams) {
      this.net.observer = (fate, from, to, size) => {
        if (fate !== 'sent') this.log.add('net', `${fate} ${ep(from)} -> ${ep(to)} ${size} bytes`);
      };
    }
    for (const h of scenario.hosts) {
      const sides = scenario.pairs.flatMap((p) =>
        p.hosts.flatMap((n, i) =>
          n === h.name ? [{ conn: p.conns[i]!, policy: p.policies[i]! }] : [],
        ),
      );
      const conns = sides.map((s) => s.conn);
      const policies = new Map(sides.map((s) => [s.conn.name, s.policy]));
      this.hosts.set(
        h.name,
        new SimHost(h.name, h.address, conns, policies, scenario.seed, this.clock, this.net, this),
      );
    }
    for (const p of scenario.pairs)
      this.intents.set(p.name, { intent: 'up', by: undefined, since: 0 });
  }

  host(name: string): SimHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  }

  /** Boots every gateway and applies the start actions. */
  start(): void {
    this.log.add(
      'sim',
      `scenario seed ${this.scenario.seed}: ${describeLink(this.net.conditions)}`,
    );
    for (const p of this.scenario.pairs)
      this.log.add(
        'sim',
        `connection ${p.name}: ${p.hosts.map((h, i) => `${h} ${p.policies[i]!.startAction}`).join(', ')}; children ${p.conns[0].children.length}`,
      );
    for (const h of this.hosts.values()) this.bootHost(h);
  }

  private bootHost(h: SimHost): void {
    this.initiatedSinceBoot.set(h.name, new Set());
    h.boot();
    for (const p of this.pairsOf(h.name)) {
      if (startsAtBoot(p.policies[p.hosts.indexOf(h.name)]!))
        this.intents.set(p.name, { intent: 'up', by: h.name, since: this.clock.now() });
    }
    // The real manager applies the start actions (initiate, trap policies).
    h.startManager();
  }

  /**
   * A packet from the first address of a child's local subnet to the first of
   * its remote one: it hits the trap policy (if the tunnel is down), the
   * kernel sends ACQUIRE and the engine starts the tunnel.
   */
  traffic(hostName: string, conn: string, childName: string): void {
    const h = this.host(hostName);
    const cfg = h.connections
      .find((c) => c.name === conn)
      ?.children.find((c) => c.name === childName);
    const [l, r] = [cfg?.localTs[0], cfg?.remoteTs[0]];
    if (!l || !r) return;
    this.intents.set(conn, { intent: 'up', by: hostName, since: this.clock.now() });
    const ev = h.kernel.triggerAcquire({ src: firstHost(l.start), dst: firstHost(r.start) });
    this.log.add(
      hostName,
      `traffic ${conn}/${childName}: ${ev ? 'ACQUIRE' : 'no ACQUIRE (tunnel up or pending)'}`,
    );
  }

  pairsOf(host: string): PairSpec[] {
    return this.scenario.pairs.filter((p) => p.hosts.includes(host));
  }

  restart(name: string): void {
    this.restarts.set(name, [...(this.restarts.get(name) ?? []), this.clock.now()]);
    this.bootHost(this.host(name));
  }

  partition(a: string, b: string, cut: boolean): void {
    const [x, y] = [this.host(a).address, this.host(b).address];
    for (const k of [cutKey(x, y), cutKey(y, x)]) {
      if (cut) this.cuts.add(k);
      else this.cuts.delete(k);
    }
  }

  healAll(): void {
    this.cuts.clear();
  }

  /** Operator (or start action) `up`: initiate, unless guarded and an IKE_SA exists. */
  up(hostName: string, conn: string): void {
    this.intents.set(conn, { intent: 'up', by: hostName, since: this.clock.now() });
    const h = this.host(hostName);
    const existing = h.sas().filter((sa) => sa.conn?.name === conn);
    if (this.options.operator === 'guarded' && existing.length > 0) {
      // Only an idle IKE_SA: one with a request in flight may be creating the missing
      // child; and the current one, not one a rekey replaced or a duplicate on its way out.
      const est = existing.find(
        (sa) =>
          sa.state === 'established' &&
          !sa.outstanding &&
          !wasSuperseded(sa) &&
          !isRedundantIkeSa(sa),
      );
      if (est) this.createMissingChildren(h, est);
      return;
    }
    h.call(`initiate ${conn}`, (e) => e.initiate(conn));
  }

  /** Operator `down`: terminate, unless guarded and every IKE_SA of it is already being deleted. */
  down(hostName: string, conn: string): void {
    this.intents.set(conn, { intent: 'down', by: hostName, since: this.clock.now() });
    const h = this.host(hostName);
    const existing = h.sas().filter((sa) => sa.conn?.name === conn);
    if (this.options.operator === 'guarded' && existing.every((sa) => sa.state === 'deleting'))
      return;
    h.call(`terminate ${conn}`, (e) => e.terminate(conn));
  }

  /** The manager's part after IKE_AUTH: the connection's further CHILD_SAs. */
  createMissingChildren(h: SimHost, sa: IkeSa): void {
    const conn = sa.conn;
    if (!conn) return;
    for (const child of conn.children) {
      if (sa.children.some((c) => c.config.name === child.name)) continue;
      h.call(
        `createChild ${conn.name}/${child.name}`,
        async (e) => {
          // The IKE_SA may have gone in the meantime; that is no engine fault.
          if (sa.state !== 'established') return;
          await e.createChild(conn.name, child.name);
        },
        /no established IKE_SA/,
      );
    }
  }

  pairIntents(): PairIntent[] {
    return this.scenario.pairs.map((p) => ({
      conn: p.name,
      hosts: p.hosts,
      intent: this.intents.get(p.name)?.intent ?? 'up',
      since: this.intents.get(p.name)?.since ?? 0,
      children: p.conns[0].children.map((c) => c.name),
    }));
  }

  // ---------------------------------------------------------------- HostObserver

  engineLog(host: string, level: string, sa: string, message: string): void {
    if (level !== 'debug') this.log.add(host, `${level} [${sa}] ${message}`);
  }

  established(host: SimHost, sa: IkeSa): void {
    // The engine creates the connection's further CHILD_SAs itself after IKE_AUTH.
    // The engine sends INITIAL_CONTACT when it holds no other established IKE_SA of the connection.
    const alone = !host
      .sas()
      .some((o) => o !== sa && o.conn === sa.conn && o.state === 'established');
    if (sa.role === 'initiator' && sa.conn && alone)
      this.initiatedSinceBoot.get(host.name)?.add(sa.conn.name);
    this.log.add(host.name, `listener: IKE_SA ${sa.label} established (${sa.role})`);
  }

  closed(host: SimHost, sa: IkeSa): void {
    const record = { host: host.name, reason: sa.closeReason, at: this.clock.now() };
    this.closes.set(`${spiHex(sa.spiI)}_${spiHex(sa.spiR)}`, record);
    const key = `${host.name}/${sa.conn?.name ?? '?'}`;
    this.closesByConn.set(key, [...(this.closesByConn.get(key) ?? []), record]);
  }

  error(host: string, what: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.log.add(host, `ENGINE ERROR in ${what}: ${message}`);
    this.errors.push({ invariant: 'engine-error', host, detail: `${what}: ${message}` });
  }
}

const cutKey = (from: string, to: string) => `${from}>${to}`;
/** The address after the network address (x.x.x.1 of a /24). */
function firstHost(start: Uint8Array): string {
  const b = Uint8Array.from(start);
  b[b.length - 1] = (b[b.length - 1] ?? 0) | 1;
  return formatAddress(b);
}
const ep = (e: Endpoint) => `${e.address}[${e.port}]`;
