/**
 * The manual's Interfaces with a VRRP virtual IP: "only the Master holding
 * the IP has the tunnel activated. The Slave will be on standby". Styx needs
 * no VRRP of its own: keepalived (or any VRRP daemon) moves the virtual IP,
 * and a connection whose `local_addrs` are explicit addresses runs only while
 * one of them is assigned on this host. On the backup it is on standby: the
 * engine neither initiates it nor answers for it, and when the address
 * arrives (the node became master) its start action runs.
 *
 * Addresses are watched through rtnetlink address events
 * (RTM_NEWADDR/RTM_DELADDR), then read back with RTM_GETADDR: an event says
 * something changed, the table says what is there now.
 */

import { parseAddress } from '../../ikev2/traffic-selectors.js';
import type { IpsecKernel } from '../../kernel/types.js';
import type {
  ConnectionFeature,
  FeatureControl,
  ManagedConnection,
  ManagerLog,
} from '../connection-manager.js';
import { SettledCheck } from './settled-check.js';

/** keepalived adds or removes several addresses at once: settle first. */
const SETTLE_MS = 100;

/** One spelling per address (fd00::1 and fd00:0::1 are the same). */
function addressKey(text: string): string | undefined {
  const p = parseAddress(text);
  return p ? `${p.family}/${Buffer.from(p.bytes).toString('hex')}` : undefined;
}

export class LocalAddressWatch implements ConnectionFeature {
  readonly name = 'local address watch';
  private watched = false;
  private present = new Set<string>();
  private control: FeatureControl | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly settled = new SettledCheck(
    SETTLE_MS,
    () => this.check(),
    (e) => this.log('error', `local address watch: ${e.message}`),
  );

  constructor(
    private readonly kernel: IpsecKernel,
    private readonly log: ManagerLog,
  ) {}

  attach(control: FeatureControl): void {
    this.control = control;
  }

  async configure(conns: readonly ManagedConnection[]): Promise<void> {
    this.watched = conns.some((c) => c.engine.localAddrs.length > 0);
    if (!this.watched) {
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.present.clear();
      return;
    }
    this.unsubscribe ??= this.kernel.onEvent((ev) => {
      if (ev.type === 'address') this.settled.schedule();
    });
    this.present = await this.read();
  }

  standbyReason(conn: ManagedConnection): string | undefined {
    const addrs = conn.engine.localAddrs;
    if (addrs.length === 0) return undefined;
    if (addrs.some((a) => this.present.has(addressKey(a) ?? a))) return undefined;
    return `none of its local addresses (${addrs.join(', ')}) is on this host`;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.settled.stop();
  }

  private async read(): Promise<Set<string>> {
    const all = await this.kernel.listAddresses();
    return new Set(all.map((a) => addressKey(a.address) ?? a.address));
  }

  private async check(): Promise<void> {
    if (!this.watched) return;
    const now = await this.read();
    const same = now.size === this.present.size && [...now].every((a) => this.present.has(a));
    this.present = now;
    if (!same) await this.control?.standbyChanged();
  }
}
