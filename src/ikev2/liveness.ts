/**
 * Dead peer detection (RFC 7296 §2.4): when nothing authenticated arrived from
 * the peer for the DPD delay, an empty INFORMATIONAL request asks whether it
 * is alive; no answer within the DPD timeout means it is dead, and the
 * configured action follows (restart, trap policies back in place, or clear).
 *
 * What counts as hearing from the peer: any authenticated IKE message, and
 * ESP (or AH) arriving on a CHILD_SA's inbound SA, which the kernel's byte
 * counter shows (strongSwan reads the SA's use time for the same purpose).
 */

import { DEFAULTS } from '../defaults.js';
import { ExchangeType } from '../wire/ikev2/index.js';
import type { ChildSa } from './child-sa.js';
import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';

/** The DPD timeout when a connection sets none (src/defaults.ts: strongSwan's and the manual's). */
export const DEFAULT_DPD_TIMEOUT_MS = DEFAULTS.dpdTimeoutMs;

const lastHeard = new WeakMap<IkeSa, number>();
const inboundBytes = new WeakMap<ChildSa, number>();
const checking = new WeakSet<IkeSa>();

/** Something authenticated arrived from the peer of `sa`. */
export function noteHeard(ctx: EngineContext, sa: IkeSa): void {
  lastHeard.set(sa, ctx.ports.clock.now());
}

/** When the peer of `sa` was last heard from (its establishment if never since). */
export function lastHeardAt(sa: IkeSa): number {
  return lastHeard.get(sa) ?? sa.establishedAt;
}

/** Arms the first liveness check of a newly established IKE_SA. */
export function startLiveness(ctx: EngineContext, sa: IkeSa): void {
  const delay = sa.conn?.dpdDelayMs ?? 0;
  if (delay <= 0) return;
  ctx.schedule(sa, delay, () => checkLiveness(ctx, sa));
}

async function espArrived(ctx: EngineContext, sa: IkeSa): Promise<boolean> {
  let moved = false;
  for (const child of sa.children) {
    const id = child.installedSas[0];
    if (!id) continue;
    const bytes = await ctx.kernel
      .getSa(id)
      .then((info) => info.counters.bytes)
      .catch(() => undefined);
    if (bytes === undefined) continue;
    if (bytes > (inboundBytes.get(child) ?? 0)) moved = true;
    inboundBytes.set(child, bytes);
  }
  return moved;
}

async function checkLiveness(ctx: EngineContext, sa: IkeSa): Promise<void> {
  const conn = sa.conn;
  if (!conn || sa.state !== 'established' || checking.has(sa)) return;
  const delay = conn.dpdDelayMs;
  const now = ctx.ports.clock.now();
  if (await espArrived(ctx, sa)) noteHeard(ctx, sa);
  const quietFor = now - lastHeardAt(sa);
  if (quietFor < delay) {
    ctx.schedule(sa, delay - quietFor, () => checkLiveness(ctx, sa));
    return;
  }
  checking.add(sa);
  ctx.ports.logger.log('debug', sa.label, 'sending DPD (liveness check)');
  ctx.queueRequest(
    sa,
    ExchangeType.INFORMATIONAL,
    () => [],
    async () => {
      checking.delete(sa);
      noteHeard(ctx, sa);
      ctx.schedule(sa, delay, () => checkLiveness(ctx, sa));
    },
    () => peerDead(ctx, sa),
  );
  const timeout = conn.dpdTimeoutMs ?? DEFAULT_DPD_TIMEOUT_MS;
  ctx.schedule(sa, timeout, () => expireCheck(ctx, sa, timeout));
}

/**
 * The DPD timeout ran out: the peer is dead only if nothing authenticated
 * came from it for that long. The check may wait behind an exchange being
 * retransmitted while the peer's own requests keep arriving.
 */
async function expireCheck(ctx: EngineContext, sa: IkeSa, timeout: number): Promise<void> {
  if (!checking.has(sa)) return;
  const quietFor = ctx.ports.clock.now() - lastHeardAt(sa);
  if (quietFor >= timeout) return peerDead(ctx, sa);
  ctx.schedule(sa, timeout - quietFor, () => expireCheck(ctx, sa, timeout));
}

async function peerDead(ctx: EngineContext, sa: IkeSa): Promise<void> {
  const conn = sa.conn;
  if (sa.state === 'closed' || !conn) return;
  checking.delete(sa);
  ctx.ports.logger.log('info', sa.label, 'peer did not answer the liveness check: dead');
  ctx.emit({ type: 'dpd-timeout', sa });
  // The manager applies the DPD action on the ike-down that follows.
  await ctx.closeSa(sa, 'peer is dead (DPD)', 'dead-peer');
}
