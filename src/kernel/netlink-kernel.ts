/**
 * {@link IpsecKernel} over netlink: NETLINK_XFRM for SAs and policies,
 * NETLINK_ROUTE for links, addresses and routes, and two more sockets joined
 * to the multicast groups for events (opened on the first onEvent call).
 */
import type { AddressFamily } from './address.js';
import { describePolicy, describeSa, KernelError } from './errors.js';
import { NETLINK_ROUTE, NETLINK_XFRM } from './netlink/constants.js';
import { NetlinkParseError, type NlMessage } from './netlink/message.js';
import {
  NetlinkChannel,
  type NetlinkTransport,
  openRawTransport,
  type RawTransportOptions,
} from './netlink/socket.js';
import { pickDefaultRoute } from './routes.js';
import { RT_TABLE_MAIN, RTNLGRP } from './rtnl/constants.js';
import {
  decodeAddress,
  decodeLink,
  decodeRoute,
  decodeRtnlEvent,
  encodeAddress,
  encodeDeleteLink,
  encodeDumpAddresses,
  encodeDumpLinks,
  encodeDumpRoutes,
  encodeGetLinkByName,
  encodeGetRouteTo,
  encodeNewXfrmInterface,
  encodeRoute,
  encodeSetLinkUp,
} from './rtnl/messages.js';
import type {
  AddressInfo,
  AddressSpec,
  AllocSpiRequest,
  IpsecKernel,
  KernelEvent,
  KernelEventListener,
  KernelLogger,
  KernelStats,
  LinkInfo,
  LinkRef,
  PolicyId,
  PolicyInfo,
  PolicySpec,
  RouteInfo,
  RouteSpec,
  SaId,
  SaInfo,
  SaSpec,
  XfrmInterfaceSpec,
  XfrmProto,
} from './types.js';
import { XFRMNLGRP } from './xfrm/constants.js';
import { decodeXfrmEvent } from './xfrm/events.js';
import {
  decodePolicy,
  encodeDeletePolicy,
  encodeDumpPolicies,
  encodeFlushPolicies,
  encodeGetPolicy,
  encodePolicyRequest,
} from './xfrm/policy.js';
import {
  decodeSa,
  encodeAllocSpi,
  encodeDeleteSa,
  encodeDumpSas,
  encodeFlushSas,
  encodeGetSa,
  encodeSaRequest,
  isKernelHelperState,
} from './xfrm/sa.js';

export type TransportFactory = (protocol: number, opts: RawTransportOptions) => NetlinkTransport;

export interface NetlinkKernelOptions {
  logger?: KernelLogger;
  /** How long to wait for the kernel's answer (default 5000 ms). */
  timeoutMs?: number;
  /** Replaces the `netlink` package's sockets (tests). */
  transport?: TransportFactory;
}

const silent: KernelLogger = { warn: () => {} };

/** XFRM groups we listen to; POLEXPIRE is multicast on XFRMNLGRP_EXPIRE. */
const XFRM_EVENT_GROUPS = [
  XFRMNLGRP.ACQUIRE,
  XFRMNLGRP.EXPIRE,
  XFRMNLGRP.MIGRATE,
  XFRMNLGRP.MAPPING,
];
const RTNL_EVENT_GROUPS = [
  RTNLGRP.LINK,
  RTNLGRP.IPV4_IFADDR,
  RTNLGRP.IPV6_IFADDR,
  RTNLGRP.IPV4_ROUTE,
  RTNLGRP.IPV6_ROUTE,
];

export class NetlinkKernel implements IpsecKernel {
  private readonly logger: KernelLogger;
  private readonly transport: TransportFactory;
  private readonly timeoutMs: number;
  private readonly xfrm: NetlinkChannel;
  private readonly rtnl: NetlinkChannel;
  private eventChannels: NetlinkChannel[] | undefined;
  private readonly listeners = new Set<KernelEventListener>();
  private readonly counters: KernelStats = { requests: 0, errors: 0, events: 0, unparsable: 0 };

  constructor(opts: NetlinkKernelOptions = {}) {
    this.logger = opts.logger ?? silent;
    this.transport = opts.transport ?? openRawTransport;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.xfrm = this.channel(NETLINK_XFRM, {}, 'xfrm');
    this.rtnl = this.channel(NETLINK_ROUTE, {}, 'rtnetlink');
  }

  private channel(
    protocol: number,
    opts: RawTransportOptions,
    name: string,
    events = false,
  ): NetlinkChannel {
    return new NetlinkChannel(
      this.transport(protocol, opts),
      {
        onUnparsable: (reason, offset) => this.unparsable(name, reason, offset),
        onUnsolicited: events ? (msg) => this.event(name, msg) : undefined,
        onTransportError: (e) => {
          // ENOBUFS: the kernel dropped multicast messages because we were slow.
          this.counters.errors++;
          this.logger.warn(`netlink ${name} socket error`, { code: e.code, message: e.message });
        },
      },
      this.timeoutMs,
    );
  }

  private unparsable(channel: string, reason: string, offset: number): void {
    this.counters.unparsable++;
    this.logger.warn(`dropped a ${channel} netlink message that does not parse`, {
      reason,
      offset,
    });
  }

  private event(channel: string, msg: NlMessage): void {
    let event: KernelEvent | undefined;
    try {
      event = channel === 'xfrm-events' ? decodeXfrmEvent(msg) : decodeRtnlEvent(msg);
    } catch (e) {
      const offset = e instanceof NetlinkParseError ? e.offset : 0;
      this.unparsable(
        channel,
        `type ${msg.type}: ${e instanceof Error ? e.message : String(e)}`,
        offset,
      );
      return;
    }
    if (!event) return;
    this.counters.events++;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.logger.warn('kernel event listener threw', { event: event.type, error: String(e) });
      }
    }
  }

  private async call(
    channel: NetlinkChannel,
    build: (seq: number, pid: number) => Uint8Array,
    mode: 'ack' | 'reply' | 'dump',
    operation: string,
    subject: string,
  ): Promise<NlMessage[]> {
    this.counters.requests++;
    try {
      return await channel.request(build, mode, operation, subject);
    } catch (e) {
      this.counters.errors++;
      throw e;
    }
  }

  /** Decodes each part of a dump, dropping (and counting) the ones that do not parse. */
  private decodeEach<T>(
    parts: NlMessage[],
    channel: string,
    decode: (m: NlMessage) => T | undefined,
  ): T[] {
    const out: T[] = [];
    for (const m of parts) {
      try {
        const v = decode(m);
        if (v !== undefined) out.push(v);
      } catch (e) {
        this.unparsable(
          channel,
          e instanceof Error ? e.message : String(e),
          e instanceof NetlinkParseError ? e.offset : 0,
        );
      }
    }
    return out;
  }

  private decodeOne<T>(
    parts: NlMessage[],
    operation: string,
    subject: string,
    decode: (m: NlMessage) => T,
  ): T {
    const [m] = parts;
    try {
      if (!m) throw new NetlinkParseError('empty answer', 0);
      return decode(m);
    } catch (e) {
      this.unparsable(
        'xfrm',
        e instanceof Error ? e.message : String(e),
        e instanceof NetlinkParseError ? e.offset : 0,
      );
      throw new KernelError('EBADMSG', 0, operation, subject, 'the kernel answer did not parse');
    }
  }

  // ---------------------------------------------------------------- SAs

  async allocSpi(req: AllocSpiRequest): Promise<number> {
    const subject = describeSa({ proto: req.proto, spi: 0, src: req.src, dst: req.dst });
    const parts = await this.call(
      this.xfrm,
      (s, p) => encodeAllocSpi(req, s, p),
      'reply',
      'allocate SPI for SA',
      subject,
    );
    return this.decodeOne(parts, 'allocate SPI for SA', subject, (m) => decodeSa(m.payload).spi);
  }

  async addSa(sa: SaSpec): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodeSaRequest('add', sa, s, p),
      'ack',
      'add SA',
      describeSa(sa),
    );
  }

  async updateSa(sa: SaSpec): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodeSaRequest('update', sa, s, p),
      'ack',
      'update SA',
      describeSa(sa),
    );
  }

  async deleteSa(id: SaId): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodeDeleteSa(id, s, p),
      'ack',
      'delete SA',
      describeSa(id),
    );
  }

  async getSa(id: SaId): Promise<SaInfo> {
    const subject = describeSa(id);
    const parts = await this.call(
      this.xfrm,
      (s, p) => encodeGetSa(id, s, p),
      'reply',
      'get SA',
      subject,
    );
    return this.decodeOne(parts, 'get SA', subject, (m) => decodeSa(m.payload));
  }

  async listSas(): Promise<SaInfo[]> {
    const parts = await this.call(
      this.xfrm,
      (s, p) => encodeDumpSas(s, p),
      'dump',
      'list SAs',
      'all',
    );
    return this.decodeEach(parts, 'xfrm', (m) =>
      isKernelHelperState(m.payload) ? undefined : decodeSa(m.payload),
    );
  }

  async flushSas(proto?: XfrmProto): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodeFlushSas(proto, s, p),
      'ack',
      'flush SAs',
      proto ?? 'all',
    );
  }

  // ---------------------------------------------------------------- policies

  async addPolicy(policy: PolicySpec): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodePolicyRequest('add', policy, s, p),
      'ack',
      'add policy',
      describePolicy(policy),
    );
  }

  async updatePolicy(policy: PolicySpec): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodePolicyRequest('update', policy, s, p),
      'ack',
      'update policy',
      describePolicy(policy),
    );
  }

  async deletePolicy(id: PolicyId): Promise<void> {
    await this.call(
      this.xfrm,
      (s, p) => encodeDeletePolicy(id, s, p),
      'ack',
      'delete policy',
      describePolicy(id),
    );
  }

  async getPolicy(id: PolicyId): Promise<PolicyInfo> {
    const subject = describePolicy(id);
    const parts = await this.call(
      this.xfrm,
      (s, p) => encodeGetPolicy(id, s, p),
      'reply',
      'get policy',
      subject,
    );
    return this.decodeOne(parts, 'get policy', subject, (m) => decodePolicy(m.payload));
  }

  async listPolicies(): Promise<PolicyInfo[]> {
    const parts = await this.call(
      this.xfrm,
      (s, p) => encodeDumpPolicies(s, p),
      'dump',
      'list policies',
      'all',
    );
    return this.decodeEach(parts, 'xfrm', (m) => decodePolicy(m.payload));
  }

  async flushPolicies(): Promise<void> {
    await this.call(this.xfrm, (s, p) => encodeFlushPolicies(s, p), 'ack', 'flush policies', 'all');
  }

  // ---------------------------------------------------------------- links, addresses, routes

  private async resolveLink(link: LinkRef): Promise<number> {
    if (typeof link === 'number') return link;
    const parts = await this.call(
      this.rtnl,
      (s, p) => encodeGetLinkByName(link, s, p),
      'reply',
      'find link',
      link,
    );
    return this.decodeOne(parts, 'find link', link, (m) => decodeLink(m.payload).index);
  }

  async addXfrmInterface(spec: XfrmInterfaceSpec): Promise<number> {
    const underlyingIndex =
      spec.underlying === undefined ? undefined : await this.resolveLink(spec.underlying);
    const subject = `${spec.name} if_id ${spec.ifId}`;
    await this.call(
      this.rtnl,
      (s, p) => encodeNewXfrmInterface({ name: spec.name, ifId: spec.ifId, underlyingIndex }, s, p),
      'ack',
      'add XFRM interface',
      subject,
    );
    return this.resolveLink(spec.name);
  }

  async deleteLink(link: LinkRef): Promise<void> {
    const index = await this.resolveLink(link);
    await this.call(
      this.rtnl,
      (s, p) => encodeDeleteLink(index, s, p),
      'ack',
      'delete link',
      String(link),
    );
  }

  async setLinkUp(link: LinkRef, up: boolean): Promise<void> {
    const index = await this.resolveLink(link);
    await this.call(
      this.rtnl,
      (s, p) => encodeSetLinkUp(index, up, s, p),
      'ack',
      `set link ${up ? 'up' : 'down'}`,
      String(link),
    );
  }

  async listLinks(): Promise<LinkInfo[]> {
    const parts = await this.call(
      this.rtnl,
      (s, p) => encodeDumpLinks(s, p),
      'dump',
      'list links',
      'all',
    );
    return this.decodeEach(parts, 'rtnetlink', (m) => decodeLink(m.payload));
  }

  async addAddress(addr: AddressSpec): Promise<void> {
    const index = await this.resolveLink(addr.link);
    await this.call(
      this.rtnl,
      (s, p) => encodeAddress('add', addr, index, s, p),
      'ack',
      'add address',
      `${addr.address}/${addr.prefixLen} dev ${addr.link}`,
    );
  }

  async deleteAddress(addr: AddressSpec): Promise<void> {
    const index = await this.resolveLink(addr.link);
    await this.call(
      this.rtnl,
      (s, p) => encodeAddress('delete', addr, index, s, p),
      'ack',
      'delete address',
      `${addr.address}/${addr.prefixLen} dev ${addr.link}`,
    );
  }

  async listAddresses(family?: AddressFamily): Promise<AddressInfo[]> {
    const parts = await this.call(
      this.rtnl,
      (s, p) => encodeDumpAddresses(family, s, p),
      'dump',
      'list addresses',
      'all',
    );
    return this.decodeEach(parts, 'rtnetlink', (m) => decodeAddress(m.payload));
  }

  private async routeRequest(op: 'add' | 'delete', route: RouteSpec): Promise<void> {
    const oif = route.link === undefined ? undefined : await this.resolveLink(route.link);
    const subject = `${route.dst}/${route.prefixLen}${route.gateway ? ` via ${route.gateway}` : ''} table ${route.table ?? RT_TABLE_MAIN}`;
    await this.call(
      this.rtnl,
      (s, p) => encodeRoute(op, route, oif, s, p),
      'ack',
      `${op} route`,
      subject,
    );
  }

  addRoute(route: RouteSpec): Promise<void> {
    return this.routeRequest('add', route);
  }

  deleteRoute(route: RouteSpec): Promise<void> {
    return this.routeRequest('delete', route);
  }

  async listRoutes(opts: { family?: AddressFamily; table?: number } = {}): Promise<RouteInfo[]> {
    const parts = await this.call(
      this.rtnl,
      (s, p) => encodeDumpRoutes(opts.family, s, p),
      'dump',
      'list routes',
      'all',
    );
    const table = opts.table ?? RT_TABLE_MAIN;
    return this.decodeEach(parts, 'rtnetlink', (m) => decodeRoute(m.payload)).filter(
      (r) => table === 0 || r.table === table,
    );
  }

  async routeTo(dst: string): Promise<RouteInfo | undefined> {
    try {
      const parts = await this.call(
        this.rtnl,
        (s, p) => encodeGetRouteTo(dst, s, p),
        'reply',
        'get route',
        dst,
      );
      return this.decodeOne(parts, 'get route', dst, (m) => decodeRoute(m.payload));
    } catch (e) {
      // ENETUNREACH / EHOSTUNREACH: no route, which is an answer, not a failure.
      if (e instanceof KernelError && /UNREACH/.test(e.code)) return undefined;
      throw e;
    }
  }

  async defaultGateway(family: AddressFamily): Promise<RouteInfo | undefined> {
    const routes = await this.listRoutes({ family, table: RT_TABLE_MAIN });
    return pickDefaultRoute(routes);
  }

  // ---------------------------------------------------------------- events

  onEvent(listener: KernelEventListener): () => void {
    if (!this.eventChannels) {
      this.eventChannels = [
        this.channel(NETLINK_XFRM, { groups: XFRM_EVENT_GROUPS, unref: true }, 'xfrm-events', true),
        this.channel(
          NETLINK_ROUTE,
          { groups: RTNL_EVENT_GROUPS, unref: true },
          'rtnetlink-events',
          true,
        ),
      ];
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): KernelStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.xfrm.close();
    this.rtnl.close();
    for (const c of this.eventChannels ?? []) c.close();
    this.eventChannels = undefined;
    this.listeners.clear();
  }
}
