/**
 * What the kernel tells the engine: ACQUIRE (a packet hit a trap policy:
 * start the tunnel), EXPIRE (a CHILD_SA's SA reached its soft limit: rekey;
 * its hard limit: the kernel removed it, so the CHILD_SA is deleted), and
 * MAPPING (a NAT changed the peer's port for ESP-in-UDP).
 */

import type { AcquireEvent, ExpireEvent, KernelEvent, MappingEvent } from '../kernel/types.js';
import { startChildRekey } from './child-rekey.js';
import type { ChildSa } from './child-sa.js';
import type { IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { startCreateChild } from './create-child-sa.js';
import type { IkeSa } from './ike-sa.js';
import { deleteChildSa } from './informational.js';
import { followPeerPort } from './nat-keepalive.js';
import type { TrapTable } from './on-demand.js';

/** The engine as kernel events need it. */
export interface KernelEventTarget extends EngineContext {
  readonly traps: TrapTable;
  listSas(): IkeSa[];
  getConnections(): readonly IkeConnection[];
  startIkeSa(conn: IkeConnection): IkeSa;
}

export async function handleKernelEvent(engine: KernelEventTarget, ev: KernelEvent) {
  switch (ev.type) {
    case 'acquire':
      return onAcquire(engine, ev);
    case 'expire':
      return onExpire(engine, ev);
    case 'mapping':
      return onMapping(engine, ev);
    default:
      return;
  }
}

function onAcquire(engine: KernelEventTarget, ev: AcquireEvent): void {
  const trap = engine.traps.match(ev);
  if (!trap) return;
  const conn = engine.getConnections().find((c) => c.name === trap.conn.name) ?? trap.conn;
  const sas = engine.sasOf(conn);
  const up = sas.find((s) => s.state === 'established');
  engine.ports.logger.log(
    'info',
    conn.name,
    `ACQUIRE for ${ev.selector.src} -> ${ev.selector.dst}`,
  );
  if (up) {
    const cfg = conn.children.find((c) => c.name === trap.child.name);
    if (cfg && !up.children.some((c) => c.config.name === cfg.name))
      startCreateChild(engine, up, cfg);
    return;
  }
  // One IKE_SA per connection: an ACQUIRE while one is being set up waits for it.
  if (sas.some((s) => s.state === 'connecting' || s.state === 'authenticating')) return;
  engine.startIkeSa(conn);
}

function findChild(engine: KernelEventTarget, spi: number, dst: string) {
  for (const sa of engine.listSas()) {
    for (const child of sa.children) {
      if (child.installedSas.some((s) => s.spi === spi && s.dst === dst)) return { sa, child };
    }
  }
  return undefined;
}

async function onExpire(engine: KernelEventTarget, ev: ExpireEvent): Promise<void> {
  const found = findChild(engine, ev.sa.spi, ev.sa.dst);
  if (!found) return;
  const { sa, child } = found;
  if (!ev.hard) {
    // Soft limit (bytes, packets, or time): make the successor now.
    startChildRekey(engine, sa, child);
    return;
  }
  // The kernel already removed the SA: the CHILD_SA cannot carry traffic any more.
  forgetSa(child, ev.sa.spi, ev.sa.dst);
  engine.ports.logger.log('info', sa.label, `CHILD_SA {${child.uniqueId}} expired (hard limit)`);
  // Not awaited: the answer is processed by the work queue this runs in.
  if (child.state !== 'deleting' && child.state !== 'deleted')
    void deleteChildSa(engine, sa, child);
}

function forgetSa(child: ChildSa, spi: number, dst: string): void {
  const i = child.installedSas.findIndex((s) => s.spi === spi && s.dst === dst);
  if (i >= 0) child.installedSas.splice(i, 1);
}

async function onMapping(engine: KernelEventTarget, ev: MappingEvent): Promise<void> {
  const found = findChild(engine, ev.sa.spi, ev.sa.dst);
  if (!found) return;
  await followPeerPort(engine, found.sa, { address: ev.newSrc, port: ev.newSport });
}
