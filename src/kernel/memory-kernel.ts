/**
 * {@link IpsecKernel} in memory: deterministic, synchronous underneath, with
 * the kernel's answers for the cases the engines rely on (EEXIST on a duplicate
 * add, ESRCH for a missing SA, ENOENT for a missing policy, ENOSYS for an
 * unknown algorithm, EINVAL for bad key sizes). Unit tests and the simulator
 * use it; they drive what the kernel would do on its own through hooks:
 * {@link MemoryKernel.triggerAcquire} (a packet hits a policy without SA),
 * {@link MemoryKernel.addTraffic} (counters), {@link MemoryKernel.checkLifetimes}
 * (soft/hard expiry against the injected clock) and {@link MemoryKernel.inject}.
 *
 * Events are delivered synchronously, after the state change, in order.
 */
import { type AddressFamily, familyOf, normalizeAddress } from './address.js';
import { KERNEL_ALGORITHMS } from './algorithms.js';
import { describePolicy, describeSa, errnoOf, KernelError } from './errors.js';
import { type Flow, selectorMatches } from './memory/flow.js';
import { MemoryNetwork } from './memory/network.js';
import type {
  AcquireEvent,
  AddressInfo,
  AddressSpec,
  AllocSpiRequest,
  IpsecKernel,
  KernelEvent,
  KernelEventListener,
  KernelStats,
  LinkInfo,
  LinkRef,
  Mark,
  PolicyDir,
  PolicyId,
  PolicyInfo,
  PolicySpec,
  RouteInfo,
  RouteSpec,
  SaId,
  SaInfo,
  SaSpec,
  Selector,
  XfrmInterfaceSpec,
  XfrmProto,
} from './types.js';
import { XFRM_POLICY_DIR } from './xfrm/constants.js';
import { validateSaSpec } from './xfrm/sa.js';
import { isAnySelector, normalizeSelector, normalizeTemplate } from './xfrm/structs.js';

export interface MemoryKernelOptions {
  /** Milliseconds since the epoch; Date.now by default. The simulator passes its manual clock. */
  now?: () => number;
  /** Seed of the SPI generator (the same seed gives the same SPIs). */
  seed?: number;
}

/** Seconds a larval SA lives (XFRM_ACQ_EXPIRES in include/net/xfrm.h). */
const LARVAL_SECONDS = 30;

interface SaRecord {
  info: SaInfo;
  larval: boolean;
  softExpired: boolean;
}

interface PolicyRecord {
  info: PolicyInfo;
  softExpired: boolean;
}

const fail = (code: string, operation: string, subject: string, detail?: string): KernelError =>
  new KernelError(code, errnoOf(code), operation, subject, detail);

const markKey = (m: Mark | undefined): string =>
  m ? `${m.value >>> 0}/${(m.mask ?? 0xffffffff) >>> 0}` : '-';

function saKey(proto: XfrmProto, dst: string, spi: number): string {
  return `${proto} ${normalizeAddress(dst)} ${spi >>> 0}`;
}

function policyKey(p: {
  selector: Selector;
  dir: PolicyDir;
  mark?: Mark;
  ifId?: number;
  type?: 'main' | 'sub';
}): string {
  return JSON.stringify([
    p.dir,
    normalizeSelector(p.selector),
    markKey(p.mark),
    p.ifId ?? 0,
    p.type ?? 'main',
  ]);
}

export class MemoryKernel implements IpsecKernel {
  private readonly now: () => number;
  private rng: number;
  private readonly sas = new Map<string, SaRecord>();
  private readonly policies = new Map<string, PolicyRecord>();
  private policyIndexGen = 0;
  private acquireSeq = 0;
  /** Acquires sent and not yet answered: key -> time sent (ms). */
  private readonly pendingAcquires = new Map<string, number>();
  private readonly network: MemoryNetwork;
  private readonly listeners = new Set<KernelEventListener>();
  private readonly counters: KernelStats = { requests: 0, errors: 0, events: 0, unparsable: 0 };
  private closed = false;

  constructor(opts: MemoryKernelOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.rng = (opts.seed ?? 1) >>> 0 || 1;
    this.network = new MemoryNetwork({
      run: (operation, subject, body) => this.run(operation, subject, body),
      emit: (event) => this.emit(event),
    });
  }

  private seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** xorshift32: deterministic stand-in for the kernel's random SPI choice. */
  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  private run<T>(operation: string, subject: string, body: () => T): Promise<T> {
    this.counters.requests++;
    try {
      if (this.closed) throw fail('ECLOSED', operation, subject, 'kernel closed');
      return Promise.resolve(body());
    } catch (e) {
      this.counters.errors++;
      if (e instanceof KernelError) return Promise.reject(e);
      // Spec validation (TypeError) becomes EINVAL, as the kernel would answer.
      return Promise.reject(
        fail('EINVAL', operation, subject, e instanceof Error ? e.message : String(e)),
      );
    }
  }

  private emit(event: KernelEvent): void {
    this.counters.events++;
    for (const l of [...this.listeners]) l(event);
  }

  // ---------------------------------------------------------------- SAs

  private checkAlgorithms(sa: SaSpec, operation: string): void {
    const subject = describeSa(sa);
    validateSaSpec(sa);
    const check = (
      kind: string,
      alg: { name: string; key?: Uint8Array } | undefined,
      bits?: number,
    ) => {
      if (!alg) return;
      const known = KERNEL_ALGORITHMS.get(alg.name);
      if (!known || known.kind !== kind)
        throw fail('ENOSYS', operation, subject, `unknown ${kind} algorithm ${alg.name}`);
      if (!known.keyBytes.includes(alg.key?.length ?? 0)) {
        throw fail(
          'EINVAL',
          operation,
          subject,
          `${alg.name} takes no ${alg.key?.length ?? 0}-byte key`,
        );
      }
      if (bits !== undefined && known.icvBits && !known.icvBits.includes(bits)) {
        throw fail('EINVAL', operation, subject, `${alg.name} takes no ${bits}-bit ICV`);
      }
    };
    check('aead', sa.aead, sa.aead?.icvBits);
    check('crypt', sa.crypt);
    check('auth', sa.auth, sa.auth?.truncBits);
    check('comp', sa.comp);
    const missing =
      (sa.proto === 'esp' && !sa.aead && !sa.crypt) ||
      (sa.proto === 'ah' && !sa.auth) ||
      (sa.proto === 'comp' && !sa.comp);
    if (missing) throw fail('EINVAL', operation, subject, `${sa.proto} SA without its algorithm`);
  }

  private makeInfo(sa: SaSpec, addTime: number): SaInfo {
    const copy = structuredClone(sa);
    const info: SaInfo = {
      ...copy,
      src: normalizeAddress(sa.src),
      dst: normalizeAddress(sa.dst),
      reqid: sa.reqid ?? 0,
      replayWindow: sa.replayWindow ?? 0,
      lifetime: { ...sa.lifetime },
      counters: { bytes: 0, packets: 0, addTime, useTime: 0 },
      stats: { replayWindow: 0, replay: 0, integrityFailed: 0 },
    };
    // As the kernel reports it: a 0/0 selector reads back as none (see readUsersaInfo).
    if (sa.selector && !isAnySelector(normalizeSelector(sa.selector)))
      info.selector = normalizeSelector(sa.selector);
    else delete info.selector;
    if (sa.mark) info.mark = { value: sa.mark.value, mask: sa.mark.mask ?? 0xffffffff };
    return info;
  }

  private answerAcquires(sa: SaSpec): void {
    const dst = normalizeAddress(sa.dst);
    for (const key of [...this.pendingAcquires.keys()]) {
      const [proto, d, reqid] = JSON.parse(key) as [string, string, number];
      if (proto === sa.proto && d === dst && reqid === (sa.reqid ?? 0))
        this.pendingAcquires.delete(key);
    }
  }

  allocSpi(req: AllocSpiRequest): Promise<number> {
    const subject = describeSa({ proto: req.proto, spi: 0, src: req.src, dst: req.dst });
    return this.run('allocate SPI for SA', subject, () => {
      const min = req.min ?? 0x100;
      const max = req.max ?? (req.proto === 'comp' ? 0xffff : 0x0fffffff);
      if (min > max) throw fail('EINVAL', 'allocate SPI for SA', subject, 'empty range');
      const span = max - min + 1;
      // Random probes first (like the kernel), then a scan so a nearly full range still succeeds.
      let spi: number | undefined;
      for (let i = 0; i < 64 && spi === undefined; i++) {
        const candidate = min + (this.random() % span);
        if (!this.sas.has(saKey(req.proto, req.dst, candidate))) spi = candidate;
      }
      for (let c = min; spi === undefined && c <= max && c - min < 1 << 20; c++) {
        if (!this.sas.has(saKey(req.proto, req.dst, c))) spi = c;
      }
      if (spi === undefined)
        throw fail('ENOENT', 'allocate SPI for SA', subject, 'no free SPI in range');
      const info = this.makeInfo(
        {
          src: req.src,
          dst: req.dst,
          proto: req.proto,
          spi,
          mode: req.mode ?? 'transport',
          reqid: req.reqid ?? 0,
        },
        this.seconds(),
      );
      info.lifetime = { hardAddSeconds: LARVAL_SECONDS };
      if (req.mark) info.mark = { value: req.mark.value, mask: req.mark.mask ?? 0xffffffff };
      if (req.ifId !== undefined) info.ifId = req.ifId;
      this.sas.set(saKey(req.proto, req.dst, spi), { info, larval: true, softExpired: false });
      return spi;
    });
  }

  addSa(sa: SaSpec): Promise<void> {
    return this.run('add SA', describeSa(sa), () => {
      this.checkAlgorithms(sa, 'add SA');
      const key = saKey(sa.proto, sa.dst, sa.spi);
      if (this.sas.has(key)) throw fail('EEXIST', 'add SA', describeSa(sa));
      this.sas.set(key, {
        info: this.makeInfo(sa, this.seconds()),
        larval: false,
        softExpired: false,
      });
      this.answerAcquires(sa);
    });
  }

  updateSa(sa: SaSpec): Promise<void> {
    return this.run('update SA', describeSa(sa), () => {
      this.checkAlgorithms(sa, 'update SA');
      const key = saKey(sa.proto, sa.dst, sa.spi);
      const old = this.sas.get(key);
      if (!old) throw fail('ESRCH', 'update SA', describeSa(sa));
      const addTime = old.larval ? this.seconds() : old.info.counters.addTime;
      const info = this.makeInfo(sa, addTime);
      if (!old.larval) info.counters = { ...old.info.counters };
      this.sas.set(key, { info, larval: false, softExpired: false });
      this.answerAcquires(sa);
    });
  }

  private findSa(id: SaId, operation: string): SaRecord {
    const rec = this.sas.get(saKey(id.proto, id.dst, id.spi));
    if (!rec || (id.src !== undefined && normalizeAddress(id.src) !== rec.info.src)) {
      throw fail('ESRCH', operation, describeSa(id));
    }
    return rec;
  }

  deleteSa(id: SaId): Promise<void> {
    return this.run('delete SA', describeSa(id), () => {
      this.findSa(id, 'delete SA');
      this.sas.delete(saKey(id.proto, id.dst, id.spi));
    });
  }

  getSa(id: SaId): Promise<SaInfo> {
    return this.run('get SA', describeSa(id), () =>
      structuredClone(this.findSa(id, 'get SA').info),
    );
  }

  listSas(): Promise<SaInfo[]> {
    return this.run('list SAs', 'all', () =>
      [...this.sas.values()].map((r) => structuredClone(r.info)),
    );
  }

  flushSas(proto?: XfrmProto): Promise<void> {
    return this.run('flush SAs', proto ?? 'all', () => {
      for (const [key, rec] of this.sas)
        if (!proto || rec.info.proto === proto) this.sas.delete(key);
    });
  }

  // ---------------------------------------------------------------- policies

  private makePolicy(p: PolicySpec, index: number, addTime: number): PolicyInfo {
    const info: PolicyInfo = {
      ...structuredClone(p),
      selector: normalizeSelector(p.selector),
      action: p.action ?? 'allow',
      priority: p.priority ?? 0,
      index,
      templates: (p.templates ?? []).map(normalizeTemplate),
      lifetime: { ...p.lifetime },
      counters: { bytes: 0, packets: 0, addTime, useTime: 0 },
    };
    if (p.mark) info.mark = { value: p.mark.value, mask: p.mark.mask ?? 0xffffffff };
    if (p.type === 'main') delete info.type;
    return info;
  }

  private newIndex(dir: PolicyDir): number {
    // xfrm_gen_index: a counter in steps of 8 with the direction in the low bits.
    const index = this.policyIndexGen + XFRM_POLICY_DIR[dir];
    this.policyIndexGen += 8;
    return index;
  }

  addPolicy(policy: PolicySpec): Promise<void> {
    return this.run('add policy', describePolicy(policy), () => {
      const key = policyKey(policy);
      if (this.policies.has(key)) throw fail('EEXIST', 'add policy', describePolicy(policy));
      const index = policy.index || this.newIndex(policy.dir);
      this.policies.set(key, {
        info: this.makePolicy(policy, index, this.seconds()),
        softExpired: false,
      });
    });
  }

  updatePolicy(policy: PolicySpec): Promise<void> {
    return this.run('update policy', describePolicy(policy), () => {
      const key = policyKey(policy);
      const old = this.policies.get(key);
      const index = policy.index || old?.info.index || this.newIndex(policy.dir);
      const info = this.makePolicy(policy, index, old?.info.counters.addTime ?? this.seconds());
      this.policies.set(key, { info, softExpired: false });
    });
  }

  private findPolicyKey(id: PolicyId, operation: string): string {
    if (id.index) {
      for (const [key, rec] of this.policies) if (rec.info.index === id.index) return key;
    } else {
      const key = policyKey(id);
      if (this.policies.has(key)) return key;
    }
    throw fail('ENOENT', operation, describePolicy(id));
  }

  deletePolicy(id: PolicyId): Promise<void> {
    return this.run('delete policy', describePolicy(id), () => {
      this.policies.delete(this.findPolicyKey(id, 'delete policy'));
    });
  }

  getPolicy(id: PolicyId): Promise<PolicyInfo> {
    return this.run('get policy', describePolicy(id), () => {
      const rec = this.policies.get(this.findPolicyKey(id, 'get policy'));
      return structuredClone(rec!.info);
    });
  }

  listPolicies(): Promise<PolicyInfo[]> {
    return this.run('list policies', 'all', () =>
      [...this.policies.values()].map((r) => structuredClone(r.info)),
    );
  }

  flushPolicies(): Promise<void> {
    return this.run('flush policies', 'all', () => {
      for (const [key, rec] of this.policies)
        if (!rec.info.type || rec.info.type === 'main') this.policies.delete(key);
    });
  }

  // ---------------------------------------------------------------- links, addresses, routes

  addXfrmInterface(spec: XfrmInterfaceSpec): Promise<number> {
    return this.network.addXfrmInterface(spec);
  }
  deleteLink(link: LinkRef): Promise<void> {
    return this.network.deleteLink(link);
  }
  setLinkUp(link: LinkRef, up: boolean): Promise<void> {
    return this.network.setLinkUp(link, up);
  }
  listLinks(): Promise<LinkInfo[]> {
    return this.network.listLinks();
  }
  addAddress(addr: AddressSpec): Promise<void> {
    return this.network.addAddress(addr);
  }
  deleteAddress(addr: AddressSpec): Promise<void> {
    return this.network.deleteAddress(addr);
  }
  listAddresses(family?: AddressFamily): Promise<AddressInfo[]> {
    return this.network.listAddresses(family);
  }
  addRoute(route: RouteSpec): Promise<void> {
    return this.network.addRoute(route);
  }
  deleteRoute(route: RouteSpec): Promise<void> {
    return this.network.deleteRoute(route);
  }
  listRoutes(opts: { family?: AddressFamily; table?: number } = {}): Promise<RouteInfo[]> {
    return this.network.listRoutes(opts);
  }
  defaultGateway(family: AddressFamily): Promise<RouteInfo | undefined> {
    return this.network.defaultGateway(family);
  }

  routeTo(dst: string): Promise<RouteInfo | undefined> {
    return this.network.routeTo(dst);
  }

  // ---------------------------------------------------------------- events and hooks

  onEvent(listener: KernelEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): KernelStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  /** Delivers any event as if the kernel had sent it (MIGRATE, MAPPING, link changes...). */
  inject(event: KernelEvent): void {
    this.emit(structuredClone(event));
  }

  /**
   * A packet of `flow` leaves the host: if the best outbound policy matching it
   * has a template with no SA (and no acquire pending for it), emits ACQUIRE
   * and returns it, as xfrm_state_find does. Returns undefined otherwise.
   */
  triggerAcquire(flow: Flow): AcquireEvent | undefined {
    const policy = [...this.policies.values()]
      .map((r) => r.info)
      .filter((p) => p.dir === 'out' && selectorMatches(p.selector, flow))
      .sort((a, b) => a.priority - b.priority || a.index - b.index)[0];
    if (!policy || policy.action === 'block') return undefined;
    const now = this.now();
    for (const t of policy.templates) {
      const dst = t.dst ?? normalizeAddress(flow.dst);
      const src = t.src ?? normalizeAddress(flow.src);
      const reqid = t.reqid ?? 0;
      const hasSa = [...this.sas.values()].some(
        (r) =>
          !r.larval &&
          r.info.proto === t.proto &&
          r.info.dst === dst &&
          (reqid === 0 || r.info.reqid === reqid),
      );
      if (hasSa) continue;
      const key = JSON.stringify([t.proto, dst, reqid]);
      const sent = this.pendingAcquires.get(key);
      if (sent !== undefined && now - sent < LARVAL_SECONDS * 1000) return undefined;
      this.pendingAcquires.set(key, now);
      const full = familyOf(flow.src) === 4 ? 32 : 128;
      const selector: Selector = normalizeSelector({
        src: flow.src,
        dst: flow.dst,
        srcPrefixLen: full,
        dstPrefixLen: full,
        proto: flow.proto,
        sport: flow.sport,
        dport: flow.dport,
        ifindex: flow.ifindex,
      });
      const event: AcquireEvent = {
        type: 'acquire',
        selector,
        src,
        dst,
        proto: t.proto,
        reqid,
        mode: t.mode,
        policy: {
          index: policy.index,
          dir: policy.dir,
          selector: policy.selector,
          priority: policy.priority,
        },
        seq: ++this.acquireSeq,
      };
      if (policy.mark) event.mark = policy.mark;
      if (policy.ifId !== undefined) event.ifId = policy.ifId;
      this.emit(structuredClone(event));
      return event;
    }
    return undefined;
  }

  /** Counts traffic on an SA (and marks first use), then applies byte/packet limits. */
  addTraffic(id: SaId, bytes: number, packets = 1): void {
    const rec = this.findSa(id, 'count traffic');
    const c = rec.info.counters;
    c.bytes += bytes;
    c.packets += packets;
    if (!c.useTime) c.useTime = this.seconds();
    this.checkLifetimes();
  }

  /**
   * Applies soft and hard limits against the clock and the counters: a soft
   * limit emits EXPIRE(hard=false) once; a hard one deletes the SA or policy
   * and emits EXPIRE(hard=true) / POLEXPIRE. Returns the events it emitted.
   */
  checkLifetimes(): KernelEvent[] {
    const now = this.seconds();
    const emitted: KernelEvent[] = [];
    for (const [key, rec] of [...this.sas]) {
      const { lifetime: l = {}, counters: c } = rec.info;
      const age = now - c.addTime;
      const used = c.useTime ? now - c.useTime : -1;
      const over = (limit: number | undefined, value: number) =>
        limit !== undefined && limit > 0 && value >= limit;
      const hard =
        over(l.hardAddSeconds, age) ||
        (used >= 0 && over(l.hardUseSeconds, used)) ||
        over(l.hardBytes, c.bytes) ||
        over(l.hardPackets, c.packets);
      const soft =
        over(l.softAddSeconds, age) ||
        (used >= 0 && over(l.softUseSeconds, used)) ||
        over(l.softBytes, c.bytes) ||
        over(l.softPackets, c.packets);
      const sa = rec.info;
      const id = {
        src: sa.src,
        dst: sa.dst,
        spi: sa.spi,
        proto: sa.proto,
        reqid: sa.reqid,
        mode: sa.mode,
        ...(sa.mark ? { mark: sa.mark } : {}),
      };
      if (hard) {
        this.sas.delete(key);
        emitted.push({ type: 'expire', hard: true, sa: id });
      } else if (soft && !rec.softExpired && !rec.larval) {
        rec.softExpired = true;
        emitted.push({ type: 'expire', hard: false, sa: id });
      }
    }
    for (const [key, rec] of [...this.policies]) {
      const { lifetime: l = {}, counters: c } = rec.info;
      const age = now - c.addTime;
      const p = { index: rec.info.index, dir: rec.info.dir, selector: rec.info.selector };
      if (l.hardAddSeconds && age >= l.hardAddSeconds) {
        this.policies.delete(key);
        emitted.push({ type: 'polexpire', hard: true, policy: p });
      } else if (l.softAddSeconds && age >= l.softAddSeconds && !rec.softExpired) {
        rec.softExpired = true;
        emitted.push({ type: 'polexpire', hard: false, policy: p });
      }
    }
    for (const e of emitted) this.emit(structuredClone(e));
    return emitted;
  }
}
