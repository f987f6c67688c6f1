/**
 * The IKEv2 engine: routes datagrams to IKE_SAs by SPI, runs one exchange at
 * a time per IKE_SA, and carries out operator commands. It does no I/O of its
 * own: everything goes through its ports and the kernel interface, so two
 * engines can be run against each other in memory (architecture principle 1).
 *
 * Work is serialised: one datagram or command at a time, in arrival order, so
 * kernel calls (asynchronous) never interleave within the engine.
 */

import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../defaults.js';
import type { IpsecKernel, KernelEvent } from '../kernel/types.js';
import { isWireError } from '../wire/errors.js';
import {
  decodeIkeMessage,
  ExchangeType,
  encodeIkeMessage,
  type IkeMessage,
  type IkePayload,
  NotifyType,
  peekIkeHeader,
} from '../wire/ikev2/index.js';
import { releasePendingOffers } from './child-negotiation.js';
import { scheduleChildRekey } from './child-rekey.js';
import { bequeathPolicies, type ChildSa, removeChildSa } from './child-sa.js';
import type { ChildConnection, IkeConnection } from './connection.js';
import type { EngineContext, EngineOptions, ResponseHandler } from './context.js';
import { CookieJar } from './cookies.js';
import { processCreateChildRequest, startCreateChild } from './create-child-sa.js';
import {
  forgetIkeSa,
  isRedundantIkeSa,
  resolveDuplicateChild,
  resolveDuplicateIkeSa,
  survivorGrew,
} from './duplicates.js';
import type { DownCause, EngineEvent, EngineEventListener } from './events.js';
import { openProtected, sendPackets, sendResponse, transmitRequest } from './exchange-io.js';
import { identityMatches } from './identities.js';
import { processAuthRequest, startIkeAuth } from './ike-auth.js';
import { scheduleIkeRekey, wasSuperseded } from './ike-rekey.js';
import { type IkeSa, spiHex } from './ike-sa.js';
import {
  buildInitRequest,
  createInitiatorSa,
  processInitRequest,
  processInitResponse,
} from './ike-sa-init.js';
import {
  deletedBeforeInstalled,
  deleteIkeSa,
  dropChild,
  processInformationalRequest,
  reissueChildDeletes,
} from './informational.js';
import { handleKernelEvent } from './kernel-events.js';
import { noteHeard, startLiveness } from './liveness.js';
import { followPeerPort, startNatKeepalive } from './nat-keepalive.js';
import { TrapTable } from './on-demand.js';
import { notify } from './payloads.js';
import type { Datagram, Endpoint, EnginePorts } from './ports.js';
import { type QueuedRequest, RequestQueues } from './request-queue.js';
import { STRONGSWAN_RETRANSMIT } from './retransmit.js';
import { parseAddress } from './traffic-selectors.js';

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  // The daemon's defaults (src/defaults.ts says where each comes from).
  cookieThreshold: DEFAULTS.cookieThreshold,
  halfOpenLimit: DEFAULTS.halfOpenLimit,
  retransmit: STRONGSWAN_RETRANSMIT,
  nattPort: DEFAULTS.natTPort,
  maxReassemblyBytes: 64 * 1024,
  maxFragments: 64,
  nonceLength: 32,
  childless: false,
};

/** Counters for operators and tests: what was dropped and why. */
export interface EngineCounters {
  received: number;
  malformed: number;
  unknownSpi: number;
  integrityFailed: number;
  retransmitsAnswered: number;
  outOfWindow: number;
  initRefused: number;
}

export class Ikev2Engine implements EngineContext {
  readonly options: EngineOptions;
  readonly counters: EngineCounters = {
    received: 0,
    malformed: 0,
    unknownSpi: 0,
    integrityFailed: 0,
    retransmitsAnswered: 0,
    outOfWindow: 0,
    initRefused: 0,
  };
  private connections: IkeConnection[] = [];
  /** IKE_SAs by our SPI. */
  private readonly sas = new Map<string, IkeSa>();
  /** When each responder IKE_SA's IKE_SA_INIT was answered (INITIAL_CONTACT's reference). */
  private readonly initAnsweredAt = new WeakMap<IkeSa, number>();
  /** Responder half-open SAs by initiator SPI and peer, to spot retransmitted IKE_SA_INITs. */
  private readonly halfOpen = new Map<string, IkeSa>();
  private readonly requests = new RequestQueues(this, (fn) => this.serial(fn));
  /** Callers of terminate waiting for an IKE_SA whose delete is in flight. */
  private readonly closeWaiters = new Map<IkeSa, (() => void)[]>();
  private readonly cookies: CookieJar;
  private work: Promise<void> = Promise.resolve();
  private reqid = 0;
  /** Trap policies of on-demand connections (on-demand.ts). */
  readonly traps = new TrapTable(this);
  /** Observers of lifecycle events (the connection manager): see events.ts. */
  private readonly eventListeners = new Set<EngineEventListener>();

  constructor(
    readonly ports: EnginePorts,
    readonly kernel: IpsecKernel,
    options: Partial<EngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.cookies = new CookieJar(ports.random);
  }

  setConnections(conns: readonly IkeConnection[]): void {
    this.connections = [...conns];
  }

  getConnections(): readonly IkeConnection[] {
    return this.connections;
  }

  listSas(): IkeSa[] {
    return [...this.sas.values()].filter((sa) => sa.state !== 'closed');
  }

  /** Feeds a received datagram; resolves when it has been handled. */
  receive(d: Datagram): Promise<void> {
    return this.serial(() => this.handleDatagram(d));
  }

  /**
   * Starts an IKE_SA (and its first CHILD_SA) for a configured connection, to
   * `endpoints.remote` from `endpoints.local` when given (the manager picks
   * them: the next remote endpoint, a resolved name, the routing table's
   * source), else to the first configured remote address.
   */
  initiate(name: string, endpoints: { local?: string; remote?: string } = {}): Promise<IkeSa> {
    return this.serial(async () => {
      const conn = this.connections.find((c) => c.name === name);
      if (!conn) throw new Error(`no connection named ${name}`);
      return this.startIkeSa(conn, endpoints);
    });
  }

  /** Installs the trap policies of a connection (start_action trap): traffic starts it. */
  installTraps(name: string): Promise<number> {
    return this.serial(async () => {
      const conn = this.connections.find((c) => c.name === name);
      if (!conn) throw new Error(`no connection named ${name}`);
      return this.traps.install(conn);
    });
  }

  /** Removes trap policies (of one connection, or all on shutdown). */
  uninstallTraps(name?: string): Promise<void> {
    return this.serial(() => this.traps.uninstall(name));
  }

  /** Feeds a kernel event (ACQUIRE, EXPIRE, MAPPING); resolves when handled. */
  kernelEvent(ev: KernelEvent): Promise<void> {
    return this.serial(() => handleKernelEvent(this, ev));
  }

  /** Starts an IKE_SA for `conn`; runs inside the work queue. */
  startIkeSa(conn: IkeConnection, endpoints: { local?: string; remote?: string } = {}): IkeSa {
    const name = conn.name;
    const remoteAddr = endpoints.remote ?? conn.remoteAddrs.find((a) => parseAddress(a));
    if (!remoteAddr || !parseAddress(remoteAddr))
      throw new Error(`connection ${name} has no remote address to initiate to`);
    const family = parseAddress(remoteAddr)!.family;
    const localAddr =
      endpoints.local ??
      conn.localAddrs.find((a) => parseAddress(a)?.family === family) ??
      (family === 6 ? '::' : '0.0.0.0');
    const sa = createInitiatorSa(
      this,
      conn,
      { address: localAddr, port: conn.localPort },
      { address: remoteAddr, port: conn.remotePort },
    );
    this.sas.set(spiHex(sa.ourSpi), sa);
    this.ports.logger.log('info', sa.label, `initiating IKE_SA to ${remoteAddr}`);
    this.sendInit(sa);
    return sa;
  }

  /**
   * Deletes every IKE_SA of a connection (and their CHILD_SAs). Resolves once
   * the peer answered the deletes or they were given up; the waiting happens
   * outside the work queue, which must stay free to process the answers.
   */
  async terminate(name: string): Promise<void> {
    const pending = await this.serial(async () =>
      this.listSas()
        .filter((sa) => sa.conn?.name === name)
        .map((sa) => this.terminateSa(sa, 'closed by operator')),
    );
    await Promise.all(pending);
  }

  /** Deletes every IKE_SA: used on shutdown. */
  async shutdown(): Promise<void> {
    const pending = await this.serial(async () =>
      this.listSas().map((sa) => this.terminateSa(sa, 'shutting down')),
    );
    await Promise.all(pending);
  }

  /** Removes every remaining IKE_SA (or one connection's) locally, without telling the peer. */
  forceCloseAll(reason: string, name?: string): Promise<void> {
    return this.serial(async () => {
      for (const sa of this.listSas())
        if (name === undefined || sa.conn?.name === name) await this.closeSa(sa, reason);
    });
  }

  /** Creates an additional CHILD_SA on an established IKE_SA of the connection. */
  createChild(connName: string, childName: string): Promise<void> {
    return this.serial(async () => {
      const sa = this.listSas().find(
        (s) =>
          s.conn?.name === connName &&
          s.state === 'established' &&
          !isRedundantIkeSa(s) &&
          !wasSuperseded(s),
      );
      const cfg = sa?.conn?.children.find((c) => c.name === childName);
      if (!sa || !cfg)
        throw new Error(`no established IKE_SA with child ${childName} for ${connName}`);
      startCreateChild(this, sa, cfg);
    });
  }

  private terminateSa(sa: IkeSa, reason: string): Promise<void> {
    if (sa.state === 'established' || sa.state === 'authenticating')
      return deleteIkeSa(this, sa, reason);
    // A delete is already on its way (and may be retransmitting): wait for it
    // rather than dropping the SA without telling the peer.
    if (sa.state === 'deleting') return this.whenClosed(sa);
    return this.closeSa(sa, reason);
  }

  private whenClosed(sa: IkeSa): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.closeWaiters.get(sa) ?? [];
      waiters.push(resolve);
      this.closeWaiters.set(sa, waiters);
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.work.then(fn);
    this.work = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  // ---------------------------------------------------------------- EngineContext

  queueRequest(
    sa: IkeSa,
    exchangeType: number,
    build: QueuedRequest['build'],
    onResponse: ResponseHandler,
    onGiveUp?: () => Promise<void>,
    tag?: string,
    retarget?: (to: IkeSa) => void,
  ): void {
    this.requests.add(sa, {
      exchangeType,
      build,
      onResponse,
      ...(onGiveUp ? { onGiveUp } : {}),
      ...(tag ? { tag } : {}),
      ...(retarget ? { retarget } : {}),
    });
  }

  dropQueued(sa: IkeSa, tag: string): void {
    this.requests.drop(sa, tag);
  }

  moveQueued(from: IkeSa, to: IkeSa): void {
    this.requests.move(from, to);
  }

  /** Subscribes to the engine's events; returns the function that unsubscribes. */
  onEvent(listener: EngineEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch (e) {
        this.ports.logger.log(
          'error',
          event.sa.label,
          `event listener failed: ${(e as Error).message}`,
        );
      }
    }
  }

  async closeSa(sa: IkeSa, reason: string, cause: DownCause = 'local'): Promise<void> {
    if (sa.state === 'closed') return;
    sa.state = 'closed';
    sa.closeReason = reason;
    sa.outstanding?.timer?.cancel();
    sa.outstanding = undefined;
    for (const t of sa.timers) t.cancel();
    sa.timers.clear();
    for (const child of sa.children.splice(0)) {
      await bequeathPolicies(child, this.heirsOf(sa, child), this.kernel);
      if (sa.conn) await this.traps.claimPolicies(sa.conn.name, child);
      await removeChildSa(child, this.kernel);
      this.emit({ type: 'child-down', sa, child, reason });
    }
    forgetIkeSa(this, sa);
    reissueChildDeletes(this, sa);
    await releasePendingOffers(this, sa);
    this.sas.delete(spiHex(sa.ourSpi));
    this.halfOpen.delete(this.halfOpenKey(sa.spiI, sa.remote));
    this.requests.forget(sa);
    sa.wipe();
    this.ports.logger.log('info', sa.label, `IKE_SA closed: ${reason}`);
    if (sa.conn) await this.traps.restore(sa.conn.name);
    this.emit({ type: 'ike-down', sa, reason, cause });
    for (const resolve of this.closeWaiters.get(sa) ?? []) resolve();
    this.closeWaiters.delete(sa);
  }

  schedule(sa: IkeSa, ms: number, fn: () => Promise<void>): void {
    const t = this.ports.clock.setTimer(ms, () => {
      sa.timers.delete(t);
      if (sa.state !== 'closed') void this.serial(fn);
    });
    sa.timers.add(t);
  }

  childInstalled(sa: IkeSa, child: ChildSa): void {
    if (deletedBeforeInstalled(sa, child)) {
      // RFC 7296 §1.4.1: the peer's half is gone; ours goes too, without a delete.
      this.schedule(sa, 0, () => dropChild(this, sa, child, 'deleted by peer before completed'));
      return;
    }
    scheduleChildRekey(this, sa, child);
    resolveDuplicateChild(this, sa, child);
    survivorGrew(this, sa);
    this.emit({ type: 'child-up', sa, child });
  }

  async childRemoving(sa: IkeSa, child: ChildSa): Promise<void> {
    // A duplicate's policies pass to the CHILD_SA that stays (duplicates.ts).
    await bequeathPolicies(child, this.heirsOf(sa, child), this.kernel);
    if (sa.conn && !sa.children.some((c) => c !== child && c.reqid === child.reqid))
      await this.traps.claimPolicies(sa.conn.name, child);
    this.emit({ type: 'child-down', sa, child, reason: 'deleted' });
  }

  /** Other live CHILD_SAs of the same configured child that may take over `child`'s policies. */
  private heirsOf(sa: IkeSa, child: ChildSa): ChildSa[] {
    if (!sa.conn) return [];
    return this.sasOf(sa.conn).flatMap((o) =>
      o.children.filter(
        (c) =>
          c !== child &&
          c.config.name === child.config.name &&
          (c.state === 'installed' || c.state === 'rekeying') &&
          c.installedPolicies.length > 0,
      ),
    );
  }

  adoptSa(sa: IkeSa): void {
    this.sas.set(spiHex(sa.ourSpi), sa);
  }

  allocateReqid(): number {
    this.reqid += 1;
    return this.reqid;
  }

  reqidFor(sa: IkeSa, cfg: ChildConnection): number {
    const trapped = sa.conn ? this.traps.reqidOf(sa.conn.name, cfg.name) : undefined;
    // One CHILD_SA per trap reqid: a second one of the same config gets its own.
    if (
      trapped !== undefined &&
      !this.listSas().some((o) => o.children.some((c) => c.reqid === trapped))
    )
      return trapped;
    return this.allocateReqid();
  }

  async closeForInitialContact(sa: IkeSa): Promise<void> {
    const conn = sa.conn;
    const peerId = sa.peerId;
    if (!conn || !peerId) return;
    this.emit({ type: 'peer-restart', sa });
    const since = this.initAnsweredAt.get(sa) ?? this.ports.clock.now();
    for (const old of this.sasOf(conn)) {
      if (old === sa || !old.peerId || !identityMatches(old.peerId, peerId)) continue;
      // Established after the peer chose INITIAL_CONTACT: not stale (see context.ts).
      if (old.state === 'established' && old.establishedAt > since) continue;
      await this.closeSa(old, 'peer sent INITIAL_CONTACT');
    }
  }

  sasOf(conn: IkeConnection): IkeSa[] {
    return this.listSas().filter((sa) => sa.conn?.name === conn.name);
  }

  onEstablished(sa: IkeSa): void {
    // Terminated while IKE_AUTH was in flight: the delete queued behind it
    // goes out next; the IKE_SA stays `deleting` and gets no CHILD_SAs, timers
    // or duplicate check (fault 7 in docs/simulator.md).
    if (sa.state === 'deleting') {
      sa.establishedAt = this.ports.clock.now();
      this.halfOpen.delete(this.halfOpenKey(sa.spiI, sa.remote));
      this.ports.logger.log('info', sa.label, 'IKE_SA established while being deleted');
      return;
    }
    sa.state = 'established';
    sa.establishedAt = this.ports.clock.now();
    this.halfOpen.delete(this.halfOpenKey(sa.spiI, sa.remote));
    this.ports.logger.log(
      'info',
      sa.label,
      `IKE_SA established between ${sa.local.address}[${sa.local.port}] and ${sa.remote.address}[${sa.remote.port}]`,
    );
    this.emit({ type: 'ike-up', sa });
    startLiveness(this, sa);
    startNatKeepalive(this, sa);
    scheduleIkeRekey(this, sa);
    const redundant = resolveDuplicateIkeSa(this, sa);
    if (sa.role === 'initiator' && sa.conn && !redundant) {
      // The first CHILD_SA rides in IKE_AUTH; the others follow with CREATE_CHILD_SA.
      for (const cfg of sa.conn.children.slice(1)) startCreateChild(this, sa, cfg);
    }
  }

  // ---------------------------------------------------------------- receiving

  private halfOpenKey(spiI: Uint8Array, remote: Endpoint): string {
    return `${spiHex(spiI)}/${remote.address}/${remote.port}`;
  }

  private halfOpenCount(): number {
    return this.halfOpen.size;
  }

  private async handleDatagram(d: Datagram): Promise<void> {
    this.counters.received++;
    let msg: IkeMessage;
    try {
      const hdr = peekIkeHeader(d.data);
      if (hdr.majorVersion !== 2) {
        this.counters.malformed++;
        return;
      }
      msg = decodeIkeMessage(d.data);
    } catch (e) {
      if (isWireError(e) && e.code === 'UNSUPPORTED_CRITICAL') {
        this.answerCriticalInInit(d, e.payloadType ?? 0);
      }
      this.dropMalformed(d, e);
      return;
    }
    const { header } = msg;
    if (header.exchangeType === ExchangeType.IKE_SA_INIT && header.messageId === 0) {
      if (!header.flags.response) return this.handleInitRequest(msg, d);
      return this.handleInitResponse(msg, d);
    }
    const ourSpi = header.flags.initiator ? header.responderSpi : header.initiatorSpi;
    const sa = this.sas.get(spiHex(ourSpi));
    if (!sa || sa.state === 'closed' || !sa.keys) {
      this.counters.unknownSpi++;
      return;
    }
    if (header.flags.response) return this.handleResponse(sa, msg, d);
    return this.handleRequest(sa, msg, d);
  }

  /**
   * RFC 7296 §2.5: an IKE_SA_INIT request with a critical payload we do not
   * understand is answered with UNSUPPORTED_CRITICAL_PAYLOAD naming its type.
   */
  private answerCriticalInInit(d: Datagram, payloadType: number): void {
    let hdr: ReturnType<typeof peekIkeHeader>;
    try {
      hdr = peekIkeHeader(d.data);
    } catch {
      return;
    }
    const isInitRequest =
      hdr.exchangeType === ExchangeType.IKE_SA_INIT && !hdr.flags.response && hdr.messageId === 0;
    if (!isInitRequest) return;
    this.ports.logger.log(
      'warn',
      '-',
      `IKE_SA_INIT from ${d.remote.address} carries unsupported critical payload ${payloadType}`,
    );
    const answer = encodeIkeMessage({
      header: {
        initiatorSpi: hdr.initiatorSpi,
        responderSpi: new Uint8Array(8),
        majorVersion: 2,
        minorVersion: 0,
        exchangeType: ExchangeType.IKE_SA_INIT,
        flags: { initiator: false, higherVersion: false, response: true },
        messageId: 0,
      },
      payloads: [notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, new Uint8Array([payloadType]))],
    });
    this.ports.network.send(answer, d.local, d.remote);
  }

  private dropMalformed(d: Datagram, e: unknown): void {
    this.counters.malformed++;
    if (!isWireError(e)) throw e;
    this.ports.logger.log(
      'debug',
      '-',
      `dropped malformed datagram from ${d.remote.address}: ${e.code} ${e.message}`,
    );
  }

  private async handleInitRequest(msg: IkeMessage, d: Datagram): Promise<void> {
    const key = this.halfOpenKey(msg.header.initiatorSpi, d.remote);
    const existing = this.halfOpen.get(key);
    if (existing) {
      // A retransmitted IKE_SA_INIT: answer with the same bytes (RFC 7296 §2.1).
      if (existing.lastResponse?.messageId === 0) {
        this.counters.retransmitsAnswered++;
        sendPackets(this, existing, existing.lastResponse.packets);
      }
      return;
    }
    if (this.halfOpen.size >= this.options.halfOpenLimit) {
      this.counters.initRefused++;
      return;
    }
    const candidates = await this.candidatesWithNames(d.local, d.remote);
    const out = processInitRequest(
      this,
      {
        candidatesFor: () => candidates,
        cookies: this.cookies,
        halfOpenCount: () => this.halfOpenCount(),
      },
      msg,
      d,
    );
    if (out.kind === 'refused') {
      this.counters.initRefused++;
      this.ports.logger.log(
        'info',
        '-',
        `IKE_SA_INIT from ${d.remote.address} refused: ${out.reason}`,
      );
      return;
    }
    this.sas.set(spiHex(out.sa.ourSpi), out.sa);
    this.halfOpen.set(key, out.sa);
    this.initAnsweredAt.set(out.sa, this.ports.clock.now());
    this.ports.logger.log(
      'info',
      out.sa.label,
      `IKE_SA_INIT from ${d.remote.address}[${d.remote.port}] answered`,
    );
    // A half-open SA that never authenticates is dropped (strongSwan: half_open_timeout 30 s).
    const t = this.ports.clock.setTimer(30_000, () => {
      if (out.sa.state === 'connecting')
        void this.serial(() => this.closeSa(out.sa, 'half-open timeout', 'failed'));
    });
    out.sa.timers.add(t);
  }

  private async handleInitResponse(msg: IkeMessage, d: Datagram): Promise<void> {
    const sa = this.sas.get(spiHex(msg.header.initiatorSpi));
    if (sa?.role !== 'initiator' || sa.state !== 'connecting' || sa.keys) {
      this.counters.unknownSpi++;
      return;
    }
    const out = processInitResponse(this, sa, msg, d);
    if (out.kind === 'ignore') {
      this.counters.outOfWindow++;
      return;
    }
    sa.outstanding?.timer?.cancel();
    sa.outstanding = undefined;
    if (out.kind === 'failed') return this.closeSa(sa, out.reason, 'failed');
    if (out.kind === 'resend') return this.sendInit(sa);
    sa.nextRequestId = 1;
    if (sa.natLocal || sa.natRemote) {
      // RFC 7296 §2.23: with a NAT in the path, continue on the NAT-T port.
      sa.local = { ...sa.local, port: this.options.nattPort };
      sa.remote = { ...sa.remote, port: this.options.nattPort };
      this.ports.logger.log(
        'info',
        sa.label,
        `NAT detected (local ${sa.natLocal}, remote ${sa.natRemote}), switching to port ${this.options.nattPort}`,
      );
    }
    // RFC 7296 §2.4: INITIAL_CONTACT only when we hold no other IKE_SA with this
    // peer, whatever connection it belongs to; else the peer would drop those.
    // One still being set up counts too: the peer may establish it before our
    // IKE_AUTH arrives and would then drop it although we keep it.
    const initialContact = !this.listSas().some(
      (o) => o !== sa && o.remote.address === sa.remote.address && o.state !== 'deleting',
    );
    startIkeAuth(this, sa, initialContact);
  }

  private sendInit(sa: IkeSa): void {
    const packet = buildInitRequest(sa);
    sa.nextRequestId = 0;
    transmitRequest(this, sa, ExchangeType.IKE_SA_INIT, [packet], () => {
      void this.serial(() => this.closeSa(sa, 'peer did not answer IKE_SA_INIT', 'no-answer'));
    });
  }

  private candidatesFor(local: Endpoint, remote: Endpoint): IkeConnection[] {
    return this.connections.filter(
      (c) =>
        addressListMatches(c.localAddrs, local.address) &&
        addressListMatches(c.remoteAddrs, remote.address),
    );
  }

  /**
   * The connections an IKE_SA_INIT from `remote` may be for: by address,
   * subnet or range, and by host name, each name resolved now (strongSwan
   * resolves remote_addrs names at every configuration lookup too).
   */
  private async candidatesWithNames(local: Endpoint, remote: Endpoint): Promise<IkeConnection[]> {
    const byAddress = new Set(this.candidatesFor(local, remote));
    const resolve = this.ports.resolveName;
    const named = this.connections.filter(
      (c) =>
        !byAddress.has(c) &&
        addressListMatches(c.localAddrs, local.address) &&
        c.remoteAddrs.some(isHostName),
    );
    if (!resolve || named.length === 0) return [...byAddress];
    const from = parseAddress(remote.address);
    const resolvesTo = async (name: string) => {
      const found = await resolve(name).catch(() => [] as string[]);
      return found.some((a) => {
        const p = parseAddress(a);
        return (
          !!p &&
          !!from &&
          p.bytes.every((b, i) => b === from.bytes[i]) &&
          p.bytes.length === from.bytes.length
        );
      });
    };
    const matched = new Set<IkeConnection>();
    for (const c of named) {
      for (const name of c.remoteAddrs.filter(isHostName)) {
        if (await resolvesTo(name)) {
          matched.add(c);
          break;
        }
      }
    }
    return this.connections.filter((c) => byAddress.has(c) || matched.has(c));
  }

  private async handleResponse(sa: IkeSa, msg: IkeMessage, d: Datagram): Promise<void> {
    const out = sa.outstanding;
    if (!out || out.messageId !== msg.header.messageId) {
      this.counters.outOfWindow++;
      return;
    }
    const opened = this.open(sa, msg, d);
    if (!opened) return;
    out.timer?.cancel();
    sa.outstanding = undefined;
    sa.nextRequestId = out.messageId + 1;
    noteHeard(this, sa);
    const handler = this.requests.takeAnswered(sa);
    const portBefore = sa.remote.port;
    this.followNatMapping(sa, d);
    if (sa.remote.port !== portBefore) await followPeerPort(this, sa, sa.remote);
    try {
      if (handler) await handler.onResponse(opened);
    } catch (e) {
      await this.closeSa(sa, `failed to process response: ${(e as Error).message}`, 'failed');
      return;
    }
    void this.requests.pump(sa);
  }

  private async handleRequest(sa: IkeSa, msg: IkeMessage, d: Datagram): Promise<void> {
    const id = msg.header.messageId;
    if (sa.lastResponse && id === sa.lastResponse.messageId) {
      // RFC 7296 §2.1: a retransmitted request gets the same response again.
      const frag = msg.payloads[msg.payloads.length - 1];
      if (frag?.kind !== 'SKF' || frag.fragmentNumber === 1) {
        this.counters.retransmitsAnswered++;
        sendPackets(this, sa, sa.lastResponse.packets);
      }
      return;
    }
    if (id !== sa.expectedPeerRequestId) {
      this.counters.outOfWindow++;
      return;
    }
    let payloads: IkePayload[] | undefined;
    try {
      payloads = this.open(sa, msg, d);
    } catch (e) {
      if (isWireError(e) && e.code === 'UNSUPPORTED_CRITICAL') {
        // RFC 7296 §2.5: answer with UNSUPPORTED_CRITICAL_PAYLOAD naming the type.
        this.ports.logger.log(
          'warn',
          sa.label,
          `request carries unsupported critical payload ${e.payloadType}`,
        );
        sendResponse(this, sa, msg.header.exchangeType, id, [
          notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, new Uint8Array([e.payloadType ?? 0])),
        ]);
        return;
      }
      throw e;
    }
    if (!payloads) return;
    noteHeard(this, sa);
    // RFC 7296 §2.11: a response goes back to where its request came from.
    const portBefore = sa.remote.port;
    this.answerFromRequestEndpoints(sa, d);
    // A NAT that changed its mapping: the ESP-in-UDP SAs follow (RFC 7296 §2.23).
    if (
      (sa.natLocal || sa.natRemote) &&
      sa.state === 'established' &&
      sa.remote.port !== portBefore
    )
      await followPeerPort(this, sa, sa.remote);
    await this.dispatchRequest(sa, msg.header.exchangeType, id, payloads);
  }

  /** Decrypts; returns undefined (and counts) when the message must be dropped. */
  private open(sa: IkeSa, msg: IkeMessage, d: Datagram): IkePayload[] | undefined {
    try {
      const r = openProtected(this, sa, d.data, msg);
      return r.kind === 'complete' ? r.payloads : undefined;
    } catch (e) {
      if (!isWireError(e)) throw e;
      if (e.code === 'UNSUPPORTED_CRITICAL' && !msg.header.flags.response) throw e;
      if (e.code === 'INTEGRITY') this.counters.integrityFailed++;
      else this.counters.malformed++;
      this.ports.logger.log(
        'debug',
        sa.label,
        `dropped message ${msg.header.messageId}: ${e.code}`,
      );
      return undefined;
    }
  }

  private async dispatchRequest(
    sa: IkeSa,
    exchangeType: number,
    id: number,
    payloads: IkePayload[],
  ) {
    let response: IkePayload[] = [];
    let close: string | undefined;
    try {
      switch (exchangeType) {
        case ExchangeType.IKE_AUTH: {
          if (sa.role !== 'responder' || sa.state !== 'connecting') {
            this.counters.outOfWindow++;
            return;
          }
          const r = await processAuthRequest(this, sa, payloads);
          response = r.payloads;
          close = r.close;
          break;
        }
        case ExchangeType.INFORMATIONAL: {
          const r = await processInformationalRequest(this, sa, payloads);
          response = r.payloads;
          close = r.close;
          break;
        }
        case ExchangeType.CREATE_CHILD_SA:
          response = await processCreateChildRequest(this, sa, payloads);
          break;
        default:
          this.counters.malformed++;
          return;
      }
    } catch (e) {
      this.ports.logger.log(
        'error',
        sa.label,
        `failed to process request: ${(e as Error).message}`,
      );
      response = [notify(NotifyType.TEMPORARY_FAILURE)];
    }
    sendResponse(this, sa, exchangeType, id, response);
    if (sa.requestsHeld && exchangeType === ExchangeType.IKE_AUTH && sa.state !== 'connecting') {
      // The last IKE_AUTH response is out: what was queued meanwhile may follow.
      sa.requestsHeld = false;
      void this.requests.pump(sa);
    }
    if (close) {
      const conn = sa.conn;
      // A rekeyed or duplicate IKE_SA's delete ends no tunnel: no close action.
      const replaced = wasSuperseded(sa) || isRedundantIkeSa(sa);
      // The manager applies the manual's Close Action on a delete by the peer.
      const cause: DownCause =
        close !== 'deleted by peer' ? 'local' : replaced ? 'replaced' : 'peer-deleted';
      await this.closeSa(sa, close, conn ? cause : 'local');
    }
  }

  /**
   * The peer may switch to the NAT-T port (RFC 7296 §2.23) or a NAT may change
   * its mapping; an authenticated request tells where it is now.
   */
  private answerFromRequestEndpoints(sa: IkeSa, d: Datagram): void {
    const moved =
      d.remote.address !== sa.remote.address ||
      d.remote.port !== sa.remote.port ||
      d.local.port !== sa.local.port;
    if (!moved) return;
    this.ports.logger.log(
      'debug',
      sa.label,
      `peer now at ${d.remote.address}[${d.remote.port}] to our port ${d.local.port}`,
    );
    sa.remote = d.remote;
    sa.local = { address: d.local.address, port: d.local.port };
  }

  /** RFC 7296 §2.23: a NATed peer's port may change; follow it on authenticated messages. */
  private followNatMapping(sa: IkeSa, d: Datagram): void {
    if (!sa.natRemote && !sa.natLocal) return;
    if (d.remote.address !== sa.remote.address || d.remote.port !== sa.remote.port) {
      this.ports.logger.log(
        'info',
        sa.label,
        `peer moved to ${d.remote.address}[${d.remote.port}]`,
      );
      sa.remote = d.remote;
    }
  }
}

/** `addr` inside a configured CIDR (`10.0.0.0/8`) or range (`a-b`)? */
function addressListMatches(list: readonly string[], addr: string): boolean {
  return (
    list.length === 0 || list.some((a) => a === '%any' || a === addr || addressInRange(a, addr))
  );
}

/** A remote_addrs entry that is neither an address, a subnet, a range nor %any. */
function isHostName(spec: string): boolean {
  if (spec === '%any' || parseAddress(spec)) return false;
  if (spec.includes('/')) return !parseAddress(spec.split('/')[0] ?? '');
  const [lo, hi] = spec.split('-');
  return !(hi !== undefined && parseAddress(lo!.trim()) && parseAddress(hi.trim()));
}

function addressInRange(spec: string, addr: string): boolean {
  const a = parseAddress(addr);
  if (!a) return false;
  const toBig = (b: Uint8Array) => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
  if (spec.includes('/')) {
    const [net, len] = spec.split('/');
    const n = parseAddress(net ?? '');
    if (!n || n.family !== a.family) return false;
    const bits = a.bytes.length * 8;
    const shift = BigInt(bits - Number(len));
    return toBig(n.bytes) >> shift === toBig(a.bytes) >> shift;
  }
  if (spec.includes('-')) {
    const [lo, hi] = spec.split('-').map((s) => parseAddress(s.trim()));
    if (!lo || !hi || lo.family !== a.family) return false;
    const v = toBig(a.bytes);
    return v >= toBig(lo.bytes) && v <= toBig(hi.bytes);
  }
  return false;
}

/** Cryptographic randomness for production use. */
export const systemRandom = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
