/**
 * Keeping a NAT's mapping alive and following it when it changes.
 *
 * Behind a NAT we send a NAT-keepalive (RFC 3948 §2.3: a UDP datagram of one
 * octet 0xFF on the NAT-T port) whenever 20 seconds passed, so the mapping the
 * peer's ESP-in-UDP and IKE use does not expire. When the peer's port changes
 * (a kernel MAPPING event, or an authenticated IKE message from a new port,
 * RFC 7296 §2.23), the UDP encapsulation of the CHILD_SAs' kernel SAs follows.
 */

import { DEFAULTS } from '../defaults.js';
import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';
import type { Endpoint } from './ports.js';

/** The keepalive interval when a connection sets none (src/defaults.ts: strongSwan's charon.keep_alive). */
export const DEFAULT_NAT_KEEPALIVE_MS = DEFAULTS.natKeepaliveMs;

/** Arms periodic keepalives when we are behind a NAT. */
export function startNatKeepalive(ctx: EngineContext, sa: IkeSa): void {
  const interval = sa.conn?.natKeepaliveMs ?? DEFAULT_NAT_KEEPALIVE_MS;
  if (!sa.natLocal || interval <= 0 || !ctx.ports.network.sendNatKeepalive) return;
  const tick = async () => {
    if (sa.state !== 'established') return;
    ctx.ports.network.sendNatKeepalive?.(sa.local, sa.remote);
    ctx.schedule(sa, interval, tick);
  };
  ctx.schedule(sa, interval, tick);
}

/**
 * The peer now sends from `now`: IKE answers go there, and each CHILD_SA's
 * SAs get the new port in their UDP encapsulation (inbound: source port,
 * outbound: destination port).
 */
export async function followPeerPort(ctx: EngineContext, sa: IkeSa, now: Endpoint): Promise<void> {
  if (now.address !== sa.remote.address) return; // an address change is MOBIKE's business
  const oldPort = sa.remote.port;
  sa.remote = { ...sa.remote, port: now.port };
  let updated = 0;
  for (const child of sa.children) {
    for (const id of child.installedSas) {
      if (id.proto === 'comp') continue;
      const info = await ctx.kernel.getSa(id).catch(() => undefined);
      if (!info?.encap) continue;
      const inbound = info.dst === sa.local.address;
      const encap = inbound
        ? { ...info.encap, sport: now.port }
        : { ...info.encap, dport: now.port };
      if (encap.sport === info.encap.sport && encap.dport === info.encap.dport) continue;
      const { counters: _c, stats: _s, replayState: _r, lastUsed: _l, ...spec } = info;
      await ctx.kernel.updateSa({ ...spec, encap }).catch((e: Error) => {
        ctx.ports.logger.log('warn', sa.label, `cannot update NAT mapping: ${e.message}`);
      });
      updated++;
    }
  }
  if (updated > 0 || oldPort !== now.port)
    ctx.ports.logger.log(
      'info',
      sa.label,
      `peer's NAT port ${oldPort} -> ${now.port}; ${updated} SA(s) updated`,
    );
}
