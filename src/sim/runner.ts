/**
 * Runs one scenario: boots the gateways, plays the timeline on the manual
 * clock one due time at a time, checks the safety invariants after every
 * step and the settled invariants whenever the world settles, then heals the
 * network, lets it settle, brings every wanted tunnel up (the operator's
 * reconcile) and checks that it came up within the bound.
 *
 * Settled (docs/simulator.md): no datagram in flight, every IKE_SA the
 * engines list is established with no request outstanding, and no datagram
 * sent and no scenario event for `quietMs`.
 */

import { isRedundantIkeSa } from '../ikev2/duplicates.js';
import { DEFAULT_ENGINE_OPTIONS } from '../ikev2/engine.js';
import { wasSuperseded } from '../ikev2/ike-rekey.js';
import { DEFAULT_DPD_TIMEOUT_MS } from '../ikev2/liveness.js';
import { giveUpAfterMs } from '../ikev2/retransmit.js';
import {
  checkAgreement,
  checkDuplicates,
  checkIntent,
  checkKernelOwnership,
  checkMirror,
  type StaleTolerance,
  type Violation,
} from './invariants.js';
import {
  describeEvent,
  describeLink,
  type Scenario,
  type SimEvent,
  startsAtBoot,
  trapsTraffic,
} from './scenario.js';
import { type HostSnapshot, ikeKey, snapshotHost } from './snapshot.js';
import { type OperatorMode, SimWorld } from './world.js';

export interface RunOptions {
  readonly operator: OperatorMode;
  /** Quiet time that makes a calm world settled. */
  readonly quietMs: number;
  /** Invariants not to report (known engine faults while hunting others). */
  readonly ignore: ReadonlySet<string>;
  readonly logDatagrams: boolean;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  operator: 'guarded',
  quietMs: 1000,
  ignore: new Set(),
  logDatagrams: false,
};

export interface RecordedViolation extends Violation {
  readonly at: number;
  /** The event log's last lines when it was found. */
  readonly trace: readonly string[];
}

export interface RunResult {
  readonly seed: number;
  readonly violations: readonly RecordedViolation[];
  readonly log: readonly string[];
  readonly simulatedMs: number;
  readonly steps: number;
  /** Stale IKE_SAs left alone for a legitimate reason (no DPD yet), by reason. */
  readonly tolerated: readonly string[];
}

/** How often the simulated kernel applies lifetimes (larval SAs die after 30 s). */
const KERNEL_TICK_MS = 1000;
/** An exchange is answered or given up within this (RFC 7296 §2.1 schedule). */
const EXCHANGE_BOUND_MS = giveUpAfterMs(DEFAULT_ENGINE_OPTIONS.retransmit);
/**
 * Reconcile rounds in the final phase: a stale IKE_SA (no DPD) is found only
 * by the exchange a reconcile starts on it, after which a second `up` works.
 */
const RECONCILE_ROUNDS = 3;
/** strongSwan's half-open timeout, which the engine uses too. */
const HALF_OPEN_MS = 30_000;

export class ScenarioRun {
  readonly world: SimWorld;
  private readonly violations: RecordedViolation[] = [];
  private readonly seen = new Set<string>();
  private readonly tolerated = new Set<string>();
  private steps = 0;
  private settledChecked = false;
  /** Kernel request counts at the last ownership check, and whether an expiry happened since. */
  private readonly checkedRequests = new WeakMap<object, number>();
  private expired = false;

  constructor(
    readonly scenario: Scenario,
    readonly options: RunOptions = DEFAULT_RUN_OPTIONS,
  ) {
    this.world = new SimWorld(scenario, options);
  }

  async run(): Promise<RunResult> {
    const w = this.world;
    this.kernelTick();
    w.start();
    await this.afterStep();
    for (const e of this.scenario.events) {
      await this.advanceTo(e.at);
      this.apply(e);
      await this.afterStep();
    }
    await this.finalPhase();
    return {
      seed: this.scenario.seed,
      violations: this.violations,
      log: w.log.lines,
      simulatedMs: w.clock.now(),
      steps: this.steps,
      tolerated: [...this.tolerated],
    };
  }

  private kernelTick(): void {
    this.world.clock.setTimer(KERNEL_TICK_MS, () => {
      for (const h of this.world.hosts.values())
        if (h.kernel.checkLifetimes().length > 0) this.expired = true;
      this.kernelTick();
    });
  }

  private apply(e: SimEvent): void {
    const w = this.world;
    w.lastEventAt = w.clock.now();
    w.log.add('sim', describeEvent(e));
    switch (e.kind) {
      case 'up':
        w.up(e.host, e.conn);
        break;
      case 'down':
        w.down(e.host, e.conn);
        break;
      case 'restart':
        w.restart(e.host);
        break;
      case 'traffic':
        w.traffic(e.host, e.conn, e.child);
        break;
      case 'partition':
      case 'heal':
        w.partition(e.hosts[0], e.hosts[1], e.kind === 'partition');
        break;
      case 'link':
        w.net.conditions = e.conditions;
        break;
    }
  }

  /** Runs every timer due up to `t`, one due time per step. */
  private async advanceTo(t: number): Promise<void> {
    const clock = this.world.clock;
    for (;;) {
      const next = clock.nextDueIn();
      if (next === undefined || clock.now() + next > t) {
        clock.advance(Math.max(0, t - clock.now()));
        await this.afterStep();
        return;
      }
      clock.advance(next);
      await this.afterStep();
    }
  }

  /** Lets the engines finish what the step started (all memory work is microtasks). */
  private async drain(): Promise<void> {
    do {
      await this.world.net.settle();
      await new Promise((r) => setImmediate(r));
    } while (this.world.net.pendingHandlers > 0);
  }

  private async afterStep(): Promise<void> {
    await this.drain();
    this.steps++;
    const w = this.world;
    for (const e of w.errors.splice(0)) this.record(e);
    if (this.kernelsChanged()) {
      const snaps = await this.snapshots();
      for (const s of snaps) for (const v of checkKernelOwnership(s, false)) this.record(v);
      this.markKernelsChecked();
    }
    if (!this.isSettled()) {
      this.settledChecked = false;
      return;
    }
    if (!this.settledChecked) {
      this.settledChecked = true;
      this.checkSettled(await this.snapshots(), false);
      this.markKernelsChecked();
    }
  }

  /**
   * Ownership can only break through a kernel change: a request (the engine
   * adds or removes every SA and policy through one) or an expiry. Checking
   * only then keeps a step cheap; the snapshot's own list requests are not
   * counted.
   */
  private kernelsChanged(): boolean {
    if (this.expired) return true;
    for (const h of this.world.hosts.values())
      if (this.checkedRequests.get(h.kernel) !== h.kernel.stats().requests) return true;
    return false;
  }

  private markKernelsChecked(): void {
    this.expired = false;
    for (const h of this.world.hosts.values())
      this.checkedRequests.set(h.kernel, h.kernel.stats().requests);
  }

  private snapshots(): Promise<HostSnapshot[]> {
    return Promise.all([...this.world.hosts.values()].map(snapshotHost));
  }

  /** No datagram in flight, every IKE_SA established and idle, quiet for quietMs. */
  isSettled(): boolean {
    const w = this.world;
    const now = w.clock.now();
    if (w.net.inFlight > 0) return false;
    if (now - w.net.lastSendAt < this.options.quietMs) return false;
    if (now - w.lastEventAt < this.options.quietMs) return false;
    for (const h of w.hosts.values())
      for (const sa of h.sas()) if (sa.state !== 'established' || sa.outstanding) return false;
    return true;
  }

  private checkSettled(snaps: HostSnapshot[], final: boolean): void {
    const agreement = checkAgreement(snaps, this.staleTolerance());
    for (const s of snaps) {
      const stale = new Set(agreement.tolerated.filter((t) => t.host === s.name).map((t) => t.ike));
      for (const v of checkKernelOwnership(s, true)) this.record(v);
      for (const v of checkDuplicates(s, stale)) this.record(v);
    }
    for (const v of agreement.violations) this.record(v);
    for (const t of agreement.tolerated) this.tolerated.add(`${t.host} ${t.conn}: ${t.reason}`);
    for (const v of checkMirror(agreement.pairs)) this.record(v);
    for (const v of checkIntent(snaps, this.world.pairIntents(), agreement, final)) this.record(v);
  }

  /**
   * A gateway cannot notice at once that its peer lost an IKE_SA silently:
   * the peer restarted, or gave up retransmitting while the network was cut.
   * Such a stale SA is tolerated and counted, without DPD for ever, with DPD
   * until the holder's liveness check must have found it (dpdBoundMs).
   */
  private staleTolerance(): StaleTolerance {
    const w = this.world;
    const now = w.clock.now();
    return (holder, sa) => {
      const peer = [...w.hosts.values()].find((h) => h.address === sa.peer);
      if (!peer) return undefined;
      const bound = this.dpdBoundMs(holder, sa.conn);
      const detail = bound === undefined ? 'no DPD' : 'DPD pending';
      const young = (lostAt: number) => bound === undefined || now - lostAt <= bound;
      // The peer may have established its side up to one exchange earlier than we did.
      const restartedAt = (w.restarts.get(peer.name) ?? []).filter(
        (t) => t >= sa.establishedAt - EXCHANGE_BOUND_MS,
      );
      // A restarted peer that initiated the connection again sent INITIAL_CONTACT (RFC 7296
      // §2.4), which must have removed this SA; otherwise nothing tells us.
      const contacted = sa.conn !== undefined && w.initiatedSinceBoot.get(peer.name)?.has(sa.conn);
      const lastRestart = restartedAt[restartedAt.length - 1];
      if (lastRestart !== undefined && !contacted && young(lastRestart))
        return `stale after ${peer.name} restarted (${detail})`;
      const givenUp = (c: { reason: string; at: number }) =>
        /did not answer|not answered|half-open timeout|peer is dead/.test(c.reason) && young(c.at);
      const closed = w.closes.get(ikeKey(sa));
      if (closed && givenUp(closed))
        return `stale after ${peer.name} gave up: ${closed.reason} (${detail})`;
      // Ours may be the successor of the IKE_SA the peer gave up (a rekey whose
      // answer the peer never got): the peer's copy has other SPIs.
      const later = (w.closesByConn.get(`${peer.name}/${sa.conn}`) ?? []).find(
        (c) => c.at >= sa.establishedAt && givenUp(c),
      );
      if (later) return `stale after ${peer.name} gave up: ${later.reason} (${detail})`;
      return undefined;
    };
  }

  /**
   * How long after its peer lost an IKE_SA the holder's DPD must have noticed
   * (undefined without DPD): one delay of quiet, then the check with its
   * timeout, which may wait behind an exchange already running; a second
   * delay and a second of slack cover the timers' alignment.
   */
  private dpdBoundMs(holder: string, conn: string | undefined): number | undefined {
    const pair = this.scenario.pairs.find((p) => p.name === conn);
    const i = pair?.hosts.indexOf(holder) ?? -1;
    const cfg = i >= 0 ? pair!.conns[i] : undefined;
    if (!cfg?.dpdDelayMs) return undefined;
    const timeout = cfg.dpdTimeoutMs ?? DEFAULT_DPD_TIMEOUT_MS;
    return 2 * cfg.dpdDelayMs + timeout + 1000;
  }

  /** The longest DPD bound of any gateway's connection (0 without DPD). */
  private maxDpdBoundMs(): number {
    let max = 0;
    for (const p of this.scenario.pairs)
      for (const h of p.hosts) max = Math.max(max, this.dpdBoundMs(h, p.name) ?? 0);
    return max;
  }

  /** Lets the world run for `ms` (timers fire, checks run), whatever it does. */
  private async runFor(ms: number): Promise<void> {
    await this.advanceTo(this.world.clock.now() + ms);
  }

  /** Runs until settled or `boundMs` passed; records `not-settled` then. */
  private async settle(boundMs: number, what: string): Promise<boolean> {
    const clock = this.world.clock;
    const end = clock.now() + boundMs;
    while (clock.now() < end) {
      if (this.isSettled()) return true;
      const next = clock.nextDueIn() ?? KERNEL_TICK_MS;
      clock.advance(Math.min(next, end - clock.now()));
      await this.afterStep();
    }
    if (this.isSettled()) return true;
    this.record({
      invariant: 'not-settled',
      detail: `${what}: not settled within ${boundMs} ms (${this.pending()})`,
    });
    return false;
  }

  private pending(): string {
    const w = this.world;
    const busy = [...w.hosts.values()].flatMap((h) =>
      h
        .sas()
        .filter((sa) => sa.state !== 'established' || sa.outstanding)
        .map((sa) => `${h.name} ${sa.label} ${sa.state}${sa.outstanding ? ' outstanding' : ''}`),
    );
    return `${w.net.inFlight} datagram(s) in flight; ${busy.join(', ') || 'no busy IKE_SA'}`;
  }

  private async finalPhase(): Promise<void> {
    const w = this.world;
    w.healAll();
    const calm = { ...w.net.conditions, loss: 0 };
    w.net.conditions = calm;
    w.lastEventAt = w.clock.now();
    w.log.add('sim', `final phase: network healed, ${describeLink(calm)}`);
    const healBound = 2 * EXCHANGE_BOUND_MS + HALF_OPEN_MS;
    if (!(await this.settle(healBound, 'after healing'))) return;
    // DPD clears the SAs the peer lost (the stale tolerance ends with its bound).
    const dpd = this.maxDpdBoundMs();
    if (dpd > 0) {
      await this.runFor(dpd);
      if (!(await this.settle(healBound, 'after DPD'))) return;
    }
    this.checkSettled(await this.snapshots(), false);
    const maxChildren = Math.max(...this.scenario.pairs.map((p) => p.conns[0].children.length));
    // Every exchange of the bring-up may need its whole retransmission schedule.
    const upBound = (2 + maxChildren) * EXCHANGE_BOUND_MS + HALF_OPEN_MS;
    for (let round = 1; ; round++) {
      this.reconcile();
      if (!(await this.settle(upBound, 'after reconcile'))) return;
      const snaps = await this.snapshots();
      // A reconcile may itself find an IKE_SA stale (its exchange not answered,
      // the SA closed): the operator brings the tunnel up once more.
      if (round < RECONCILE_ROUNDS && this.tunnelsDown(snaps)) {
        this.world.log.add('sim', `reconcile round ${round} left a tunnel down: again`);
        continue;
      }
      this.checkSettled(snaps, true);
      return;
    }
  }

  /** Would the final check find a wanted tunnel down? */
  private tunnelsDown(snaps: HostSnapshot[]): boolean {
    const agreement = checkAgreement(snaps, this.staleTolerance());
    return checkIntent(snaps, this.world.pairIntents(), agreement, true).some(
      (v) => v.invariant === 'tunnel-down',
    );
  }

  /**
   * Brings every wanted tunnel up: `up` where no IKE_SA exists, missing
   * CHILD_SAs otherwise; a connection only trap policies start gets traffic
   * for each child instead (on-demand).
   */
  private reconcile(): void {
    const w = this.world;
    w.lastEventAt = w.clock.now();
    for (const p of this.scenario.pairs) {
      const intent = w.intents.get(p.name);
      if (intent?.intent !== 'up') continue;
      const starters = p.hosts.filter((_, i) => startsAtBoot(p.policies[i]!));
      const trappers = p.hosts.filter((_, i) => trapsTraffic(p.policies[i]!));
      const by = intent.by && starters.includes(intent.by) ? intent.by : starters[0];
      if (!by) {
        const t = trappers[0];
        if (!t) continue;
        w.log.add('sim', `reconcile: traffic from ${t} for ${p.name}`);
        for (const c of p.conns[p.hosts.indexOf(t)]!.children) w.traffic(t, p.name, c.name);
        continue;
      }
      const h = w.host(by);
      const est = h
        .sas()
        .find(
          (sa) =>
            sa.conn?.name === p.name &&
            sa.state === 'established' &&
            !wasSuperseded(sa) &&
            !isRedundantIkeSa(sa),
        );
      w.log.add('sim', `reconcile: ${by} ${est ? 'completes' : 'brings up'} ${p.name}`);
      if (est) w.createMissingChildren(h, est);
      else w.up(by, p.name);
    }
  }

  private record(v: Violation): void {
    if (this.options.ignore.has(v.invariant)) return;
    const key = `${v.invariant}|${v.host ?? ''}|${v.detail}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const w = this.world;
    w.log.add('sim', `VIOLATION ${v.invariant}${v.host ? ` on ${v.host}` : ''}: ${v.detail}`);
    this.violations.push({ ...v, at: w.clock.now(), trace: w.log.tail(14) });
  }
}

export async function runScenario(
  scenario: Scenario,
  options: RunOptions = DEFAULT_RUN_OPTIONS,
): Promise<RunResult> {
  return new ScenarioRun(scenario, options).run();
}
