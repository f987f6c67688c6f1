/**
 * The manual's "Restart Gateway Change": when the main routing table's
 * default gateway changes (multi-WAN failover, a DHCP renewal with a new
 * router), the connections with `restart_on_gateway_change: yes` are torn
 * down and initiated again, so their next IKE_SA is sent through the new
 * gateway from the new source address (the manager asks the kernel's routing
 * for the source of `%any` at each initiation). The gateway is watched
 * through rtnetlink route events (RTM_NEWROUTE/RTM_DELROUTE on the route
 * groups), then read back from the routing table: an event says something
 * changed, the table says what the default route now is.
 */

import { pickDefaultRoute } from '../../kernel/routes.js';
import type { IpsecKernel, RouteInfo } from '../../kernel/types.js';
import type {
  ConnectionFeature,
  FeatureControl,
  ManagedConnection,
  ManagerLog,
} from '../connection-manager.js';
import { SettledCheck } from './settled-check.js';

/** Route events come in bursts (a link going down removes several): settle first. */
const SETTLE_MS = 200;

const describe = (r: RouteInfo | undefined) =>
  r ? `${r.gateway ?? 'on-link'} (ifindex ${r.oif ?? '?'})` : 'none';

/** One family's default route as a comparable key. */
const keyOf = (r: RouteInfo | undefined) => (r ? `${r.gateway ?? ''}%${r.oif ?? ''}` : '');

export class GatewayWatch implements ConnectionFeature {
  readonly name = 'gateway watch';
  private watched: readonly ManagedConnection[] = [];
  private control: FeatureControl | undefined;
  private unsubscribe: (() => void) | undefined;
  private last: { v4: RouteInfo | undefined; v6: RouteInfo | undefined } | undefined;
  private readonly settled = new SettledCheck(
    SETTLE_MS,
    () => this.check(),
    (e) => this.log('error', `gateway watch: ${e.message}`),
  );

  constructor(
    private readonly kernel: IpsecKernel,
    private readonly log: ManagerLog,
  ) {}

  attach(control: FeatureControl): void {
    this.control = control;
  }

  async configure(conns: readonly ManagedConnection[]): Promise<void> {
    this.watched = conns.filter((c) => c.config?.appliance.restartOnGatewayChange);
    if (this.watched.length === 0) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.last = undefined;
      return;
    }
    if (this.unsubscribe) return;
    this.last = await this.defaults();
    this.unsubscribe = this.kernel.onEvent((ev) => {
      if (ev.type === 'route' && ev.route.prefixLen === 0) this.settled.schedule();
    });
    this.log('info', `watching the default gateway: ${describe(this.last.v4)}`);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.settled.stop();
  }

  private async defaults() {
    const [v4, v6] = await Promise.all([
      this.kernel.listRoutes({ family: 4 }),
      this.kernel.listRoutes({ family: 6 }),
    ]);
    return { v4: pickDefaultRoute(v4), v6: pickDefaultRoute(v6) };
  }

  private async check(): Promise<void> {
    const now = await this.defaults();
    const before = this.last;
    this.last = now;
    if (!before) return;
    const changed = (['v4', 'v6'] as const).filter((f) => keyOf(before[f]) !== keyOf(now[f]));
    if (changed.length === 0) return;
    const what = changed
      .map((f) => `${f} default gateway ${describe(before[f])} -> ${describe(now[f])}`)
      .join(', ');
    for (const c of this.watched) {
      this.log('info', `connection ${c.name}: ${what}; restarting it`);
      await this.control?.restart(c.name, 'default gateway changed');
    }
  }
}
