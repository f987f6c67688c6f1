/**
 * Two engines in memory configured for lifecycle tests (rekey, DPD, on-demand):
 * one tunnel 10.1/16 <-> 10.2/16 between 192.0.2.1 (a) and 192.0.2.2 (b), with
 * kernel events routed to the engines as styxd routes them.
 */

import type { ChildConnection, IkeConnection } from '../../src/ikev2/connection.js';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import type { SaInfo } from '../../src/kernel/types.js';
import type { ConnectionPolicy } from '../../src/manager/policy.js';
import { child, configureSide, connection, makePair } from './engine-pair.js';

export interface SideOptions {
  readonly ike?: Partial<IkeConnection>;
  readonly child?: Partial<ChildConnection>;
  /** Start, close and DPD action: the side's connection manager acts on them. */
  readonly policy?: Partial<ConnectionPolicy>;
}

export function lifecyclePair(opts: { a?: SideOptions; b?: SideOptions; seed?: string } = {}) {
  const pair = makePair(opts.seed ?? 'lifecycle');
  const aConn = connection('a', '192.0.2.1', '192.0.2.2', {
    local: { method: 'psk', id: fqdnIdentity('moon') },
    remote: { method: 'psk', id: fqdnIdentity('sun') },
    children: [child('net', '10.1.0.0/16', '10.2.0.0/16', opts.a?.child)],
    ...opts.a?.ike,
  });
  const bConn = connection('b', '192.0.2.2', '192.0.2.1', {
    local: { method: 'psk', id: fqdnIdentity('sun') },
    remote: { method: 'psk', id: fqdnIdentity('moon') },
    children: [child('net', '10.2.0.0/16', '10.1.0.0/16', opts.b?.child)],
    ...opts.b?.ike,
  });
  void configureSide(pair.a, [aConn], opts.a?.policy);
  void configureSide(pair.b, [bConn], opts.b?.policy);
  for (const side of [pair.a, pair.b]) {
    side.kernel.onEvent((ev) => void side.engine.kernelEvent(ev));
  }
  const childrenOf = (side: typeof pair.a) =>
    side.engine.listSas().flatMap((sa) => sa.children.filter((c) => c.state !== 'deleted'));
  /** Both sides hold exactly one IKE_SA with one CHILD_SA and two kernel SAs. */
  const settledOne = async () =>
    pair.a.engine.listSas().length === 1 &&
    pair.b.engine.listSas().length === 1 &&
    childrenOf(pair.a).length === 1 &&
    childrenOf(pair.b).length === 1 &&
    (await pair.a.kernel.listSas()).length === 2 &&
    (await pair.b.kernel.listSas()).length === 2;
  return { ...pair, childrenOf, settledOne };
}

/**
 * What a packet from `from` would meet at `to`: the kernel sends on the newest
 * outbound SA (xfrm_state_find prefers the latest added), which must have its
 * inbound twin at the peer. Returns the SPIs that would be lost (empty = fine).
 */
export function lostSpis(fromSas: readonly SaInfo[], fromAddr: string, toSas: readonly SaInfo[]) {
  const outbound = fromSas.filter((s) => s.src === fromAddr && !!(s.aead || s.crypt || s.auth));
  const newest = outbound[outbound.length - 1];
  if (!newest) return [];
  // A larval SA (allocated SPI, no keys yet) cannot decrypt anything.
  const keyed = (s: SaInfo) => !!(s.aead || s.crypt || s.auth);
  const twin = toSas.some((s) => s.spi === newest.spi && s.dst === newest.dst && keyed(s));
  return twin ? [] : [newest.spi];
}
