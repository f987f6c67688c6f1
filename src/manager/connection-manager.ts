/**
 * The connection manager: owns the configured connections and every appliance
 * policy (start, close and DPD actions, responder only, reload, remote
 * endpoints, the source address of `%any`, and the per-connection features
 * such as XFRM interfaces and firewall rules). The engine reports typed
 * events (src/ikev2/events.ts); the manager decides and acts through the
 * engine's commands.
 */
import type { ConnectionConfig } from '../config/types.js';
import type { IkeConnection } from '../ikev2/connection.js';
import type { EngineEvent, EngineEventListener } from '../ikev2/events.js';
import type { IkeSa } from '../ikev2/ike-sa.js';
import { parseAddress } from '../ikev2/traffic-selectors.js';
import { type ConnectionPolicy, followUp, initiatesAtStart, trapsAtStart } from './policy.js';

/** What the manager needs of the engine (Ikev2Engine has all of it). */
export interface ManagedEngine {
  setConnections(conns: readonly IkeConnection[]): void;
  initiate(name: string, endpoints?: { local?: string; remote?: string }): Promise<IkeSa>;
  installTraps(name: string): Promise<number>;
  uninstallTraps(name?: string): Promise<void>;
  terminate(name: string): Promise<void>;
  listSas(): IkeSa[];
  onEvent(listener: EngineEventListener): () => void;
  shutdown(): Promise<void>;
  /** Removes IKE_SAs locally without telling the peer: all, or one connection's. */
  forceCloseAll(reason: string, name?: string): Promise<void>;
}

/** A remote endpoint as configured: an address, or a host name resolved at each use. */
export type RemoteEndpoint =
  | { readonly kind: 'ip'; readonly address: string }
  | {
      readonly kind: 'name';
      readonly name: string;
    };

export interface ManagedConnection {
  readonly name: string;
  readonly engine: IkeConnection;
  readonly policy: ConnectionPolicy;
  /** Remote endpoints to initiate to, in order (strongSwan: the next when one does not answer). */
  readonly endpoints: readonly RemoteEndpoint[];
  /** Everything that defines the connection, secrets hashed: equal means unchanged on reload. */
  readonly fingerprint: string;
  /** The configuration it came from (the appliance features read their settings here). */
  readonly config?: ConnectionConfig;
}

/** The host's view the manager needs for the manual's network settings. */
export interface NetworkLookups {
  /** A host name's addresses, looked up at every use (no caching: DynDNS names). */
  resolveName(name: string): Promise<string[]>;
  /** The source address the kernel's routing picks towards `dst` (RTM_GETROUTE), if any. */
  sourceFor(dst: string): Promise<string | undefined>;
}

/**
 * A per-connection feature that lives beside the tunnel (an XFRM interface,
 * a firewall table, a gateway watch): told the configured connections on
 * start and reload, and when a connection's first IKE_SA comes up and its
 * last goes down.
 */
export interface ConnectionFeature {
  readonly name: string;
  /** Given the manager's commands a feature may use (a restart on a gateway change). */
  attach?(control: FeatureControl): void;
  configure(conns: readonly ManagedConnection[]): Promise<void>;
  up?(conn: ManagedConnection, sa: IkeSa): Promise<void>;
  down?(conn: ManagedConnection): Promise<void>;
  /**
   * Why the connection must stay on standby now (a VRRP backup: its local
   * address is not on this host), or undefined when it may run. Asked after
   * `configure` and after the feature calls `standbyChanged`.
   */
  standbyReason?(conn: ManagedConnection): string | undefined;
  stop(): Promise<void>;
}

/** What a feature may ask of the manager. */
export interface FeatureControl {
  /** Tears the connection's IKE_SAs down and initiates it again (if it was up or starts itself). */
  restart(name: string, reason: string): Promise<void>;
  /** A connection's `standbyReason` may have changed: the manager asks again and acts. */
  standbyChanged(): Promise<void>;
}

export type ManagerLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ManagerDeps {
  readonly engine: ManagedEngine;
  readonly log: ManagerLog;
  readonly network?: NetworkLookups;
  readonly features?: readonly ConnectionFeature[];
}

export interface ReloadSummary {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly unchanged: string[];
}

export class ManagerError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** Every remote endpoint of a round stayed silent (or its name did not resolve). */
class NoAnswerError extends ManagerError {
  constructor(message: string) {
    super('FAILED', message);
  }
}

/** An IKE_SA that counts as the connection's tunnel (not one on its way out). */
const live = (sa: IkeSa) => sa.state !== 'deleting' && sa.state !== 'closed';

export class ConnectionManager {
  private conns = new Map<string, ManagedConnection>();
  private readonly unsubscribe: () => void;
  /** Connections whose features were told "up" (first IKE_SA established). */
  private readonly upConns = new Set<string>();
  /** Establishments in progress (start action, up, restart): one per connection. */
  private readonly establishing = new Map<string, Promise<IkeSa>>();
  private readonly waiters = new Set<(ev: EngineEvent) => void>();
  private stopping = false;
  /** Connections being restarted: their own teardown triggers no close action. */
  private readonly restarting = new Set<string>();
  /** Connections on standby (a VRRP backup), with the reason: the engine does not know them. */
  private standby = new Map<string, string>();
  /** Standby changes are applied one at a time, in order. */
  private standbySync: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ManagerDeps) {
    this.unsubscribe = deps.engine.onEvent((ev) => this.onEvent(ev));
    const control: FeatureControl = {
      restart: (n, why) => this.restart(n, why),
      standbyChanged: () => this.syncStandby(),
    };
    for (const f of deps.features ?? []) f.attach?.(control);
  }

  /** Why a connection is on standby, or undefined when it runs. */
  standbyReason(name: string): string | undefined {
    return this.standby.get(name);
  }

  connections(): ManagedConnection[] {
    return [...this.conns.values()];
  }

  get(name: string): ManagedConnection | undefined {
    return this.conns.get(name);
  }

  /** Loads the connections and carries out their start actions. */
  async start(conns: readonly ManagedConnection[]): Promise<void> {
    this.conns = new Map(conns.map((c) => [c.name, c]));
    await this.configureFeatures();
    this.standby = this.standbyNow();
    for (const [name, why] of this.standby)
      this.deps.log('info', `connection ${name}: on standby (${why})`);
    this.offerConnections();
    for (const c of conns) if (!this.standby.has(c.name)) await this.applyStartAction(c);
  }

  /**
   * A real diff: unchanged connections keep their SAs, changed ones are torn
   * down and established again under the new settings, removed ones are torn
   * down, added ones started.
   */
  async reload(next: readonly ManagedConnection[]): Promise<ReloadSummary> {
    const nextByName = new Map(next.map((c) => [c.name, c]));
    const summary: ReloadSummary = { added: [], removed: [], changed: [], unchanged: [] };
    for (const [name, old] of this.conns) {
      const now = nextByName.get(name);
      if (!now) summary.removed.push(name);
      else if (now.fingerprint !== old.fingerprint) summary.changed.push(name);
      else summary.unchanged.push(name);
    }
    for (const c of next) if (!this.conns.has(c.name)) summary.added.push(c.name);
    for (const name of [...summary.removed, ...summary.changed]) await this.teardown(name);
    // Unchanged connections keep their SAs; the engine gets the new objects.
    this.conns = nextByName;
    this.offerConnections();
    await this.configureFeatures();
    const restarted = new Set([...summary.changed, ...summary.added]);
    await this.syncStandby(restarted);
    for (const name of restarted) {
      if (!this.standby.has(name)) await this.applyStartAction(nextByName.get(name)!);
    }
    return summary;
  }

  /**
   * The operator's `up`: resolves with the established IKE_SA (an existing one
   * when the connection is already up: never a second tunnel).
   */
  async up(name: string): Promise<{ sa: IkeSa; already: boolean }> {
    const c = this.conns.get(name);
    if (!c) throw new ManagerError('NOT_FOUND', `no connection named ${name}`);
    const standby = this.standby.get(name);
    if (standby) throw new ManagerError('FAILED', `connection ${name} is on standby: ${standby}`);
    const existing = this.deps.engine
      .listSas()
      .find((sa) => sa.conn?.name === name && sa.state === 'established');
    if (existing) return { sa: existing, already: true };
    return { sa: await this.establish(c), already: false };
  }

  /** The operator's `down`: deletes the connection's IKE_SAs; trap policies stay. */
  async down(name: string): Promise<void> {
    if (!this.conns.has(name)) throw new ManagerError('NOT_FOUND', `no connection named ${name}`);
    await this.deps.engine.terminate(name);
  }

  /**
   * Closes the connection's IKE_SAs and initiates it again, when it had one
   * (established or on its way) or its start action initiates; trap policies
   * stay in place meanwhile, so nothing leaves in clear.
   */
  async restart(name: string, reason: string): Promise<void> {
    const c = this.conns.get(name);
    if (!c || this.stopping) return;
    const had = this.deps.engine.listSas().some((sa) => sa.conn?.name === name && live(sa));
    if (!had && !initiatesAtStart(c.policy)) return;
    this.deps.log('info', `connection ${name}: ${reason}; closing and initiating again`);
    this.restarting.add(name);
    try {
      await this.deps.engine.terminate(name);
    } finally {
      this.restarting.delete(name);
    }
    if (this.conns.get(name) === c) this.establishInBackground(c);
  }

  /** Deletes every SA (sending the deletes, waiting at most `graceMs`), traps and features. */
  async stop(graceMs = 3000): Promise<void> {
    this.stopping = true;
    await Promise.race([
      this.deps.engine.shutdown(),
      new Promise((r) => setTimeout(r, graceMs).unref?.()),
    ]);
    await this.deps.engine.forceCloseAll('daemon stopped');
    await this.deps.engine.uninstallTraps();
    for (const f of this.deps.features ?? []) {
      await f.stop().catch((e) => this.deps.log('error', `${f.name}: ${(e as Error).message}`));
    }
    this.unsubscribe();
  }

  // ------------------------------------------------------------ standby

  /** The engine knows only the connections that may run (a standby one neither initiates nor answers). */
  private offerConnections(): void {
    this.deps.engine.setConnections(
      this.connections()
        .filter((c) => !this.standby.has(c.name))
        .map((c) => c.engine),
    );
  }

  /** Every connection's standby reason as the features see it now. */
  private standbyNow(): Map<string, string> {
    const now = new Map<string, string>();
    for (const c of this.connections()) {
      for (const f of this.deps.features ?? []) {
        const why = f.standbyReason?.(c);
        if (why) {
          now.set(c.name, why);
          break;
        }
      }
    }
    return now;
  }

  /**
   * Applies standby changes: a connection going on standby loses its SAs
   * locally (its address has gone to the other node, which takes over: no
   * delete can be sent from it) and its trap policies; one coming back is
   * offered to the engine and its start action runs (unless `startedByCaller`).
   */
  private syncStandby(startedByCaller: ReadonlySet<string> = new Set()): Promise<void> {
    const run = this.standbySync.then(async () => {
      if (this.stopping) return;
      const before = this.standby;
      const now = this.standbyNow();
      const leaving = [...now.keys()].filter((n) => !before.has(n));
      const returning = [...before.keys()].filter((n) => !now.has(n) && this.conns.has(n));
      this.standby = now;
      if (leaving.length === 0 && returning.length === 0) return;
      for (const name of leaving) {
        this.deps.log('info', `connection ${name}: on standby (${now.get(name)}); closing its SAs`);
        await this.deps.engine.uninstallTraps(name);
        await this.deps.engine.forceCloseAll(`on standby: ${now.get(name)}`, name);
      }
      this.offerConnections();
      for (const name of returning) {
        this.deps.log('info', `connection ${name}: active again`);
        if (!startedByCaller.has(name)) await this.applyStartAction(this.conns.get(name)!);
      }
    });
    this.standbySync = run.catch((e: Error) => this.deps.log('error', `standby: ${e.message}`));
    return this.standbySync;
  }

  // ------------------------------------------------------------ decisions

  private async applyStartAction(c: ManagedConnection): Promise<void> {
    // The manual's Init Type: trap policies first, so no packet leaves unencrypted.
    if (trapsAtStart(c.policy)) {
      await this.deps.engine
        .installTraps(c.name)
        .catch((e) => this.deps.log('error', `cannot trap ${c.name}: ${(e as Error).message}`));
    }
    if (initiatesAtStart(c.policy)) this.establishInBackground(c);
  }

  private async teardown(name: string): Promise<void> {
    await this.deps.engine.uninstallTraps(name);
    await this.deps.engine.terminate(name);
  }

  private establishInBackground(c: ManagedConnection): void {
    this.establish(c).catch((e) =>
      this.deps.log('warn', `connection ${c.name} not established: ${(e as Error).message}`),
    );
  }

  /**
   * Initiates to the remote endpoints in order: the next one when one does not
   * answer IKE_SA_INIT (strongSwan with several remote_addrs), host names
   * resolved now, the local address from the routing table when it is `%any`.
   */
  private establish(c: ManagedConnection): Promise<IkeSa> {
    const running = this.establishing.get(c.name);
    if (running) return running;
    const attempt = this.tryRounds(c).finally(() => this.establishing.delete(c.name));
    this.establishing.set(c.name, attempt);
    return attempt;
  }

  /**
   * strongSwan's keyingtries: a round that found no endpoint answering is
   * repeated, up to `keyingTries` rounds in all (0 = until it works or the
   * connection goes); a definite failure (AUTH_FAILED, NO_PROPOSAL_CHOSEN)
   * ends the attempt at once.
   */
  private async tryRounds(c: ManagedConnection): Promise<IkeSa> {
    const tries = c.policy.keyingTries;
    for (let round = 1; ; round++) {
      try {
        return await this.tryEndpoints(c);
      } catch (e) {
        if (!(e instanceof NoAnswerError) || (tries !== 0 && round >= tries)) throw e;
        this.deps.log(
          'info',
          `connection ${c.name}: no remote endpoint answered, trying again (${round + 1}/${tries === 0 ? 'unlimited' : tries})`,
        );
      }
    }
  }

  private async tryEndpoints(c: ManagedConnection): Promise<IkeSa> {
    const failures: string[] = [];
    for (const endpoint of c.endpoints) {
      const addresses = await this.addressesOf(endpoint).catch((e: Error) => {
        failures.push(`${endpointText(endpoint)}: ${e.message}`);
        return [] as string[];
      });
      for (const remote of addresses) {
        if (this.stopping || this.conns.get(c.name) !== c)
          throw new ManagerError('FAILED', 'connection removed');
        const local = await this.localFor(c, remote);
        const sa = await this.deps.engine.initiate(c.name, { remote, ...(local && { local }) });
        const outcome = await this.settled(sa);
        if (outcome.type === 'ike-up') return sa;
        failures.push(`${remote}: ${outcome.reason}`);
        if (outcome.cause !== 'no-answer') throw new ManagerError('FAILED', failures.join('; '));
        this.deps.log(
          'info',
          `connection ${c.name}: ${remote} did not answer, trying the next remote endpoint`,
        );
      }
    }
    if (failures.length === 0)
      throw new ManagerError('FAILED', 'no remote endpoint to initiate to');
    throw new NoAnswerError(failures.join('; '));
  }

  private async addressesOf(e: RemoteEndpoint): Promise<string[]> {
    if (e.kind === 'ip') return [e.address];
    if (!this.deps.network) throw new Error('host names cannot be resolved here');
    const found = await this.deps.network.resolveName(e.name);
    if (found.length === 0) throw new Error(`${e.name} has no address`);
    return found;
  }

  /** A configured local address, else the routing table's source towards `remote`. */
  private async localFor(c: ManagedConnection, remote: string): Promise<string | undefined> {
    const family = parseAddress(remote)?.family;
    const configured = c.engine.localAddrs.find((a) => parseAddress(a)?.family === family);
    if (configured) return configured;
    return this.deps.network?.sourceFor(remote);
  }

  /** Resolves with the event that settles an initiated IKE_SA: up, or down with its cause. */
  private settled(sa: IkeSa): Promise<Extract<EngineEvent, { type: 'ike-up' | 'ike-down' }>> {
    if (sa.state === 'established') return Promise.resolve({ type: 'ike-up', sa });
    return new Promise((resolve) => {
      const waiter = (ev: EngineEvent) => {
        if (ev.sa !== sa || (ev.type !== 'ike-up' && ev.type !== 'ike-down')) return;
        this.waiters.delete(waiter);
        resolve(ev);
      };
      this.waiters.add(waiter);
    });
  }

  private onEvent(ev: EngineEvent): void {
    for (const w of [...this.waiters]) w(ev);
    const name = ev.sa.conn?.name;
    const c = name === undefined ? undefined : this.conns.get(name);
    if (!c) return;
    if (ev.type === 'ike-up') this.featuresUp(c, ev.sa);
    if (ev.type !== 'ike-down') return;
    const others = this.deps.engine.listSas().filter((o) => o !== ev.sa && o.conn?.name === c.name);
    if (!others.some((o) => o.state === 'established')) this.featuresDown(c);
    if (this.stopping || this.restarting.has(c.name) || this.standby.has(c.name)) return;
    const next = followUp(ev.cause, c.policy);
    if (next === 'none') return;
    this.deps.log(
      'info',
      `connection ${c.name}: ${ev.reason}; ${next === 'start' ? 'starting again' : 'trap policies back in place'}`,
    );
    if (next === 'trap') {
      void this.deps.engine
        .installTraps(c.name)
        .catch((e) => this.deps.log('error', `cannot trap ${c.name}: ${(e as Error).message}`));
    } else if (!others.some(live)) {
      // Never a second IKE_SA for the connection (the manual's duplicate tunnels).
      this.establishInBackground(c);
    }
  }

  // ------------------------------------------------------------ features

  private async configureFeatures(): Promise<void> {
    const conns = this.connections();
    for (const f of this.deps.features ?? []) {
      await f
        .configure(conns)
        .catch((e) => this.deps.log('error', `${f.name}: ${(e as Error).message}`));
    }
  }

  private featuresUp(c: ManagedConnection, sa: IkeSa): void {
    if (this.upConns.has(c.name)) return;
    this.upConns.add(c.name);
    for (const f of this.deps.features ?? []) {
      f.up?.(c, sa).catch((e) =>
        this.deps.log('error', `${f.name} ${c.name}: ${(e as Error).message}`),
      );
    }
  }

  private featuresDown(c: ManagedConnection): void {
    if (!this.upConns.delete(c.name)) return;
    for (const f of this.deps.features ?? []) {
      f.down?.(c).catch((e) =>
        this.deps.log('error', `${f.name} ${c.name}: ${(e as Error).message}`),
      );
    }
  }
}

function endpointText(e: RemoteEndpoint): string {
  return e.kind === 'ip' ? e.address : e.name;
}
