/**
 * Links, addresses and routes of {@link MemoryKernel}: a loopback at index 1,
 * XFRM interfaces, addresses and routes in tables, with the kernel's answers
 * (EEXIST, ENODEV, EADDRNOTAVAIL, ESRCH) and a link/address/route event for
 * each change. The kernel wraps every call (`run`) to count it and turn throws
 * into rejections.
 */
import { type AddressFamily, addressToBytes, familyOf, normalizeAddress } from '../address.js';
import { errnoOf, KernelError } from '../errors.js';
import { pickDefaultRoute } from '../routes.js';
import type {
  AddressInfo,
  AddressSpec,
  KernelEvent,
  LinkInfo,
  LinkRef,
  RouteInfo,
  RouteSpec,
  XfrmInterfaceSpec,
} from '../types.js';

const RT_TABLE_MAIN = 254;

const fail = (code: string, operation: string, subject: string, detail?: string): KernelError =>
  new KernelError(code, errnoOf(code), operation, subject, detail);

export interface NetworkHooks {
  run<T>(operation: string, subject: string, body: () => T): Promise<T>;
  emit(event: KernelEvent): void;
}

export class MemoryNetwork {
  private readonly links = new Map<number, LinkInfo>();
  private nextIfindex = 2;
  private readonly addresses: AddressInfo[] = [];
  private readonly routes: RouteInfo[] = [];
  private readonly run: NetworkHooks['run'];
  private readonly emit: NetworkHooks['emit'];

  constructor(hooks: NetworkHooks) {
    this.run = hooks.run;
    this.emit = hooks.emit;
    this.links.set(1, { index: 1, name: 'lo', up: true, flags: 0x49, mtu: 65536 });
  }

  private linkIndex(link: LinkRef, operation: string): number {
    if (typeof link === 'number') {
      if (this.links.has(link)) return link;
    } else {
      for (const l of this.links.values()) if (l.name === link) return l.index;
    }
    throw fail('ENODEV', operation, String(link));
  }

  addXfrmInterface(spec: XfrmInterfaceSpec): Promise<number> {
    const subject = `${spec.name} if_id ${spec.ifId}`;
    return this.run('add XFRM interface', subject, () => {
      for (const l of this.links.values())
        if (l.name === spec.name) throw fail('EEXIST', 'add XFRM interface', subject);
      const under =
        spec.underlying === undefined
          ? undefined
          : this.linkIndex(spec.underlying, 'add XFRM interface');
      const link: LinkInfo = {
        index: this.nextIfindex++,
        name: spec.name,
        up: false,
        flags: 0x80,
        mtu: 1500,
        kind: 'xfrm',
        xfrmIfId: spec.ifId,
      };
      if (under !== undefined) link.xfrmLink = under;
      this.links.set(link.index, link);
      this.emit({ type: 'link', action: 'new', link: { ...link } });
      return link.index;
    });
  }

  deleteLink(link: LinkRef): Promise<void> {
    return this.run('delete link', String(link), () => {
      const index = this.linkIndex(link, 'delete link');
      const info = this.links.get(index)!;
      this.links.delete(index);
      for (let i = this.addresses.length - 1; i >= 0; i--)
        if (this.addresses[i]?.index === index) this.addresses.splice(i, 1);
      for (let i = this.routes.length - 1; i >= 0; i--)
        if (this.routes[i]?.oif === index) this.routes.splice(i, 1);
      this.emit({ type: 'link', action: 'del', link: { ...info } });
    });
  }

  setLinkUp(link: LinkRef, up: boolean): Promise<void> {
    return this.run(`set link ${up ? 'up' : 'down'}`, String(link), () => {
      const info = this.links.get(this.linkIndex(link, 'set link'))!;
      info.up = up;
      info.flags = up ? info.flags | 1 : info.flags & ~1;
      this.emit({ type: 'link', action: 'new', link: { ...info } });
    });
  }

  listLinks(): Promise<LinkInfo[]> {
    return this.run('list links', 'all', () => [...this.links.values()].map((l) => ({ ...l })));
  }

  private findAddress(a: AddressSpec, index: number): number {
    const address = normalizeAddress(a.address);
    return this.addresses.findIndex(
      (x) => x.index === index && x.address === address && x.prefixLen === a.prefixLen,
    );
  }

  addAddress(addr: AddressSpec): Promise<void> {
    const subject = `${addr.address}/${addr.prefixLen} dev ${addr.link}`;
    return this.run('add address', subject, () => {
      const index = this.linkIndex(addr.link, 'add address');
      if (this.findAddress(addr, index) >= 0) throw fail('EEXIST', 'add address', subject);
      const info: AddressInfo = {
        index,
        family: familyOf(addr.address),
        address: normalizeAddress(addr.address),
        prefixLen: addr.prefixLen,
        scope: 0,
      };
      if (addr.peer) info.peer = normalizeAddress(addr.peer);
      this.addresses.push(info);
      this.emit({ type: 'address', action: 'new', address: { ...info } });
    });
  }

  deleteAddress(addr: AddressSpec): Promise<void> {
    const subject = `${addr.address}/${addr.prefixLen} dev ${addr.link}`;
    return this.run('delete address', subject, () => {
      const at = this.findAddress(addr, this.linkIndex(addr.link, 'delete address'));
      if (at < 0) throw fail('EADDRNOTAVAIL', 'delete address', subject);
      const [info] = this.addresses.splice(at, 1);
      this.emit({ type: 'address', action: 'del', address: { ...info! } });
    });
  }

  listAddresses(family?: AddressFamily): Promise<AddressInfo[]> {
    return this.run('list addresses', 'all', () =>
      this.addresses.filter((a) => !family || a.family === family).map((a) => ({ ...a })),
    );
  }

  private routeAt(r: RouteSpec): number {
    const dst = normalizeAddress(r.dst);
    const table = r.table ?? RT_TABLE_MAIN;
    return this.routes.findIndex(
      (x) =>
        x.dst === dst &&
        x.prefixLen === r.prefixLen &&
        x.table === table &&
        (x.metric ?? 0) === (r.metric ?? 0),
    );
  }

  addRoute(route: RouteSpec): Promise<void> {
    const subject = `${route.dst}/${route.prefixLen} table ${route.table ?? RT_TABLE_MAIN}`;
    return this.run('add route', subject, () => {
      const oif = route.link === undefined ? undefined : this.linkIndex(route.link, 'add route');
      if (this.routeAt(route) >= 0) throw fail('EEXIST', 'add route', subject);
      const info: RouteInfo = {
        family: familyOf(route.dst),
        dst: normalizeAddress(route.dst),
        prefixLen: route.prefixLen,
        table: route.table ?? RT_TABLE_MAIN,
        protocol: route.protocol ?? 4,
        scope: route.gateway === undefined && oif !== undefined ? 253 : 0,
        type: 1,
      };
      if (route.gateway) info.gateway = normalizeAddress(route.gateway);
      if (oif !== undefined) info.oif = oif;
      if (route.src) info.src = normalizeAddress(route.src);
      if (route.metric !== undefined) info.metric = route.metric;
      this.routes.push(info);
      this.emit({ type: 'route', action: 'new', route: { ...info } });
    });
  }

  deleteRoute(route: RouteSpec): Promise<void> {
    const subject = `${route.dst}/${route.prefixLen} table ${route.table ?? RT_TABLE_MAIN}`;
    return this.run('delete route', subject, () => {
      const at = this.routeAt(route);
      if (at < 0) throw fail('ESRCH', 'delete route', subject);
      const [info] = this.routes.splice(at, 1);
      this.emit({ type: 'route', action: 'del', route: { ...info! } });
    });
  }

  listRoutes(opts: { family?: AddressFamily; table?: number } = {}): Promise<RouteInfo[]> {
    const table = opts.table ?? RT_TABLE_MAIN;
    return this.run('list routes', 'all', () =>
      this.routes
        .filter(
          (r) => (!opts.family || r.family === opts.family) && (table === 0 || r.table === table),
        )
        .map((r) => ({ ...r })),
    );
  }

  /** Longest prefix match in the main table; the source is the route's, else the link's first address. */
  async routeTo(dst: string): Promise<RouteInfo | undefined> {
    const family = familyOf(dst);
    const target = addressToBytes(dst);
    const candidates = (await this.listRoutes({ family })).filter((r) =>
      prefixContains(addressToBytes(r.dst), r.prefixLen, target),
    );
    const best = candidates.sort(
      (a, b) => b.prefixLen - a.prefixLen || (a.metric ?? 0) - (b.metric ?? 0),
    )[0];
    if (!best) return undefined;
    const src =
      best.src ?? this.addresses.find((a) => a.index === best.oif && a.family === family)?.address;
    return { ...best, ...(src !== undefined && { src }) };
  }

  async defaultGateway(family: AddressFamily): Promise<RouteInfo | undefined> {
    return pickDefaultRoute(await this.listRoutes({ family }));
  }
}

function prefixContains(network: Uint8Array, prefixLen: number, address: Uint8Array): boolean {
  if (network.length !== address.length) return false;
  for (let bit = 0; bit < prefixLen; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((network[bit >> 3]! & mask) !== (address[bit >> 3]! & mask)) return false;
  }
  return true;
}
