/**
 * The appliance's per-connection features beside the tunnels: the manual's
 * Interfaces with a VRRP virtual IP (standby while the address is elsewhere),
 * IPSec Interface (XFRM interfaces), Associate Firewall Rule and Restart
 * Gateway Change, in the order the manager applies them.
 */
import type { IpsecKernel } from '../../kernel/types.js';
import type { ConnectionFeature, ManagerLog } from '../connection-manager.js';
import { LocalAddressWatch } from './address-watch.js';
import { FirewallRules, type NftRunner } from './firewall.js';
import type { FirewallOptions } from './firewall-rules.js';
import { GatewayWatch } from './gateway-watch.js';
import { XfrmInterfaces } from './xfrm-interface.js';

export function applianceFeatures(
  kernel: IpsecKernel,
  log: ManagerLog,
  firewall: FirewallOptions,
  nft?: NftRunner,
): ConnectionFeature[] {
  return [
    new LocalAddressWatch(kernel, log),
    new XfrmInterfaces(kernel, log),
    new FirewallRules(firewall, log, nft),
    new GatewayWatch(kernel, log),
  ];
}
