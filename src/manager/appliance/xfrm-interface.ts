/**
 * The manual's "Interface" (route-based VPN): an XFRM interface per
 * `xfrm_interface` setting, created at load when absent (an existing one of
 * that name is reused and left in place), set up when the connection's first
 * IKE_SA is established and down when its last goes, with the configured
 * routes added on up and removed on down. The CHILD_SAs' SAs and policies
 * carry the interface's if_id (engine-connection.ts), so only traffic routed
 * into the interface is protected by them. Several connections may share one
 * interface when their Phase 2 pairs do not overlap (checked at load).
 */
import type { XfrmInterfaceSettings } from '../../config/types.js';
import type { IpsecKernel, RouteSpec } from '../../kernel/types.js';
import type { ConnectionFeature, ManagedConnection, ManagerLog } from '../connection-manager.js';

export const xfrmInterfaceName = (s: XfrmInterfaceSettings): string => s.name ?? `xfrm${s.ifId}`;

function routeSpecs(s: XfrmInterfaceSettings): RouteSpec[] {
  const link = xfrmInterfaceName(s);
  return s.routes.map((r) => ({
    dst: r.to.from.text,
    prefixLen: r.to.prefix,
    link,
    ...(r.metric !== undefined && { metric: r.metric }),
  }));
}

const settingsOf = (c: ManagedConnection) => c.config?.xfrmInterface;

export class XfrmInterfaces implements ConnectionFeature {
  readonly name = 'xfrm interface';
  /** Interfaces we created (and so delete when no connection uses them any more). */
  private readonly created = new Map<string, number>();
  private conns: readonly ManagedConnection[] = [];
  /** Connections whose tunnel is up, by interface name. */
  private readonly upBy = new Map<string, Set<string>>();

  constructor(
    private readonly kernel: IpsecKernel,
    private readonly log: ManagerLog,
  ) {}

  async configure(conns: readonly ManagedConnection[]): Promise<void> {
    this.conns = conns;
    const wanted = new Map<string, XfrmInterfaceSettings>();
    for (const c of conns) {
      const s = settingsOf(c);
      if (s) wanted.set(xfrmInterfaceName(s), s);
    }
    const existing = new Set((await this.kernel.listLinks()).map((l) => l.name));
    for (const [name, s] of wanted) {
      if (existing.has(name)) continue;
      await this.kernel.addXfrmInterface({ name, ifId: s.ifId });
      this.created.set(name, s.ifId);
      this.log(
        'info',
        `XFRM interface ${name} (if_id ${s.ifId}) created, down until a tunnel is up`,
      );
    }
    for (const name of [...this.created.keys()]) {
      if (wanted.has(name)) continue;
      await this.remove(name);
    }
  }

  async up(conn: ManagedConnection): Promise<void> {
    const s = settingsOf(conn);
    if (!s) return;
    const name = xfrmInterfaceName(s);
    const users = this.upBy.get(name) ?? new Set<string>();
    this.upBy.set(name, users);
    users.add(conn.name);
    await this.kernel.setLinkUp(name, true);
    for (const route of routeSpecs(s)) {
      await this.kernel.addRoute(route).catch((e: Error) => {
        if (!/EEXIST/.test(e.message)) throw e;
      });
    }
    this.log(
      'info',
      `XFRM interface ${name} up for ${conn.name}${s.routes.length ? ` with ${s.routes.length} route(s)` : ''}`,
    );
  }

  async down(conn: ManagedConnection): Promise<void> {
    const s = settingsOf(conn);
    if (!s) return;
    const name = xfrmInterfaceName(s);
    await this.removeRoutes(s);
    const users = this.upBy.get(name);
    users?.delete(conn.name);
    if (users && users.size > 0) return;
    this.upBy.delete(name);
    await this.kernel.setLinkUp(name, false).catch(() => undefined);
    this.log('info', `XFRM interface ${name} down (${conn.name} is down)`);
  }

  async stop(): Promise<void> {
    for (const c of this.conns) {
      const s = settingsOf(c);
      if (s) await this.removeRoutes(s);
    }
    for (const name of [...this.created.keys()]) await this.remove(name);
    // A reused interface stays, as it was found, but down.
    for (const name of this.upBy.keys())
      await this.kernel.setLinkUp(name, false).catch(() => undefined);
    this.upBy.clear();
  }

  private async removeRoutes(s: XfrmInterfaceSettings): Promise<void> {
    // The kernel drops routes of a link that goes down itself; ESRCH is that case.
    for (const route of routeSpecs(s)) await this.kernel.deleteRoute(route).catch(() => undefined);
  }

  private async remove(name: string): Promise<void> {
    this.created.delete(name);
    this.upBy.delete(name);
    await this.kernel.deleteLink(name).catch(() => undefined);
    this.log('info', `XFRM interface ${name} removed`);
  }
}
