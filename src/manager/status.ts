/**
 * Builds the control API's status objects from the engine's SAs and the
 * kernel's counters (bytes, packets, last use).
 */

import type { ChildSaStatus, IkeSaStatus } from '../control/types.js';
import { getEncr, getInteg, getKe, getPrf } from '../crypto/registry.js';
import type { ChildSa } from '../ikev2/child-sa.js';
import { formatIdentity } from '../ikev2/identities.js';
import type { IkeSa } from '../ikev2/ike-sa.js';
import { formatSelector } from '../ikev2/traffic-selectors.js';
import type { IpsecKernel } from '../kernel/types.js';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

const IKE_STATES = {
  connecting: 'CONNECTING',
  authenticating: 'CONNECTING',
  established: 'ESTABLISHED',
  deleting: 'DELETING',
  closed: 'DESTROYING',
} as const;

const CHILD_STATES = {
  creating: 'INSTALLING',
  installed: 'INSTALLED',
  rekeying: 'REKEYING',
  deleting: 'DELETING',
  deleted: 'DESTROYING',
} as const;

async function childStatus(
  child: ChildSa,
  kernel: IpsecKernel,
  nowMs: number,
  local: string,
  remote: string,
) {
  const counters = async (dst: string, spi: number, src: string) => {
    try {
      const sa = await kernel.getSa({ dst, spi, proto: child.proto, src });
      return { bytes: sa.counters.bytes, packets: sa.counters.packets, use: sa.counters.useTime };
    } catch {
      return { bytes: 0, packets: 0, use: 0 };
    }
  };
  const inbound = await counters(local, child.spiIn, remote);
  const outbound = await counters(remote, child.spiOut, local);
  const algs = child.algorithms;
  const nowSec = Date.now() / 1000;
  const status: ChildSaStatus = {
    name: child.config.name,
    uniqueId: child.uniqueId,
    reqid: child.reqid,
    state: CHILD_STATES[child.state],
    mode: child.mode === 'transport' ? 'transport' : 'tunnel',
    protocol: child.proto === 'ah' ? 'ah' : 'esp',
    encap: false,
    spiIn: hex8(child.spiIn),
    spiOut: hex8(child.spiOut),
    ...(child.cpiIn ? { cpiIn: hex4(child.cpiIn), cpiOut: hex4(child.cpiOut) } : {}),
    ...(algs
      ? {
          algorithms: {
            ...(algs.encr ? { encryption: algs.encr.name, keySize: algs.encr.keyLen * 8 } : {}),
            ...(algs.integ ? { integrity: algs.integ.name } : {}),
            ...(child.chosen?.ke
              ? { ke: getKe(child.chosen.ke)?.name ?? String(child.chosen.ke) }
              : {}),
            esn: algs.esn,
          },
        }
      : {}),
    localTs: child.localTs.map(formatSelector),
    remoteTs: child.remoteTs.map(formatSelector),
    bytesIn: inbound.bytes,
    bytesOut: outbound.bytes,
    packetsIn: inbound.packets,
    packetsOut: outbound.packets,
    ...(inbound.use ? { lastInSeconds: Math.max(0, Math.round(nowSec - inbound.use)) } : {}),
    ...(outbound.use ? { lastOutSeconds: Math.max(0, Math.round(nowSec - outbound.use)) } : {}),
    installedSeconds: Math.round((nowMs - child.installedAt) / 1000),
    ...(child.config.lifeMs
      ? {
          lifeInSeconds: Math.max(
            0,
            Math.round((child.config.lifeMs - (nowMs - child.installedAt)) / 1000),
          ),
        }
      : {}),
  };
  return status;
}

export async function ikeSaStatus(
  sa: IkeSa,
  kernel: IpsecKernel,
  nowMs: number,
): Promise<IkeSaStatus> {
  const c = sa.chosen;
  const encr = c?.encr ? getEncr(c.encr.id, c.encr.keyLen) : undefined;
  const children = await Promise.all(
    sa.children.map((ch) => childStatus(ch, kernel, nowMs, sa.local.address, sa.remote.address)),
  );
  return {
    name: sa.conn?.name ?? '?',
    uniqueId: sa.uniqueId,
    state: IKE_STATES[sa.state],
    version: 2,
    initiator: sa.role === 'initiator',
    initiatorSpi: Buffer.from(sa.spiI).toString('hex'),
    responderSpi: Buffer.from(sa.spiR).toString('hex'),
    local: {
      address: sa.local.address,
      port: sa.local.port,
      id: sa.conn ? formatIdentity(sa.conn.local.id) : '',
      nat: sa.natLocal,
    },
    remote: {
      address: sa.remote.address,
      port: sa.remote.port,
      id: sa.peerId ? formatIdentity(sa.peerId) : '',
      nat: sa.natRemote,
    },
    ...(c && encr
      ? {
          algorithms: {
            encryption: encr.name,
            keySize: encr.keyLen * 8,
            ...(c.integ !== undefined
              ? { integrity: getInteg(c.integ)?.name ?? String(c.integ) }
              : {}),
            prf: c.prf !== undefined ? (getPrf(c.prf)?.name ?? String(c.prf)) : '',
            ke: c.ke !== undefined ? (getKe(c.ke)?.name ?? String(c.ke)) : '',
          },
        }
      : {}),
    ...(sa.establishedAt
      ? { establishedSeconds: Math.round((nowMs - sa.establishedAt) / 1000) }
      : {}),
    children,
  };
}
