/**
 * The IKE_SA's hard lifetime. RFC 7296 §2.8 leaves lifetimes to local policy;
 * like strongSwan (`over_time`), an IKE_SA that was not replaced by a rekey
 * within rekey_time + over_time is deleted, so a peer that keeps refusing
 * rekeys cannot keep keys alive for ever. Rekey off (`rekey: no`) keeps the
 * limit: the peer is expected to rekey before it.
 */

import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';
import { deleteIkeSa } from './informational.js';

/** Arms the hard lifetime of a new IKE_SA (established or created by a rekey). */
export function scheduleIkeHardLifetime(ctx: EngineContext, sa: IkeSa): void {
  const conn = sa.conn;
  if (!conn?.rekeyMs || !conn.overTimeMs) return;
  const { rekeyMs, overTimeMs } = conn;
  const ms = rekeyMs + overTimeMs;
  ctx.schedule(sa, ms, async () => {
    // A rekey replaced it, or it is already going.
    if (sa.state !== 'established') return;
    ctx.ports.logger.log(
      'info',
      sa.label,
      `IKE_SA hard lifetime reached (${rekeyMs / 1000} s + ${overTimeMs / 1000} s), deleting`,
    );
    // Not awaited: the delete's answer is handled by the work queue this runs in.
    void deleteIkeSa(ctx, sa, 'hard lifetime reached');
  });
}
