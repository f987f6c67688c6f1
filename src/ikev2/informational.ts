/**
 * INFORMATIONAL exchanges (RFC 7296 §1.4): deleting IKE_SAs and CHILD_SAs
 * (§1.4.1, both directions of a CHILD_SA go together) and empty requests as
 * liveness checks (§2.4).
 */

import { ExchangeType, type IkePayload, NotifyType, ProtocolId } from '../wire/ikev2/index.js';
import { beforeChildRemoved } from './child-rekey.js';
import { type ChildSa, removeChildSa } from './child-sa.js';
import type { EngineContext } from './context.js';
import { followPeerRekey } from './ike-rekey.js';
import type { IkeSa } from './ike-sa.js';
import { numberToSpi, spiToNumber } from './payloads.js';

const PROTO_IDS = { esp: ProtocolId.ESP, ah: ProtocolId.AH } as const;

export interface InformationalResult {
  readonly payloads: IkePayload[];
  readonly close?: string;
}

/** Answers the peer's INFORMATIONAL request. */
export async function processInformationalRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
): Promise<InformationalResult> {
  const response: IkePayload[] = [];
  if (payloads.some((p) => p.kind === 'N' && p.notifyType === NotifyType.AUTHENTICATION_FAILED)) {
    // RFC 7296 §2.21.2: the initiator refused our authentication after IKE_AUTH.
    return { payloads: [], close: 'peer refused our authentication (AUTHENTICATION_FAILED)' };
  }
  for (const p of payloads) {
    if (p.kind !== 'D') continue;
    if (p.protocolId === ProtocolId.IKE) {
      followPeerRekey(ctx, sa);
      // The response to an IKE_SA delete is empty (RFC 7296 §1.4.1).
      return { payloads: [], close: 'deleted by peer' };
    }
    const proto =
      p.protocolId === ProtocolId.ESP ? 'esp' : p.protocolId === ProtocolId.AH ? 'ah' : undefined;
    if (!proto) continue;
    const ours: Uint8Array[] = [];
    for (const spi of p.spis) {
      // The peer names its inbound SPI, which is our outbound one. A delete sent
      // on an IKE_SA just rekeyed may name a CHILD_SA that moved to the new one.
      const found = findChild(ctx, sa, (c) => c.proto === proto && c.spiOut === spiToNumber(spi));
      if (!found) {
        noteEarlyDelete(sa, proto, spiToNumber(spi));
        continue;
      }
      ours.push(numberToSpi(found.child.spiIn));
      await dropChild(ctx, found.sa, found.child, 'deleted by peer');
    }
    if (ours.length > 0)
      response.push({ kind: 'D', protocolId: PROTO_IDS[proto], spiSize: 4, spis: ours });
  }
  return { payloads: response };
}

/**
 * CHILD_SAs the peer deleted before the exchange that creates them completed
 * here (our IKE_AUTH or CREATE_CHILD_SA answer still on its way, e.g. lost
 * while the peer's hard lifetime ran out): by proto and our outbound SPI.
 */
const earlyDeletes = new WeakMap<IkeSa, Set<string>>();

function noteEarlyDelete(sa: IkeSa, proto: string, spi: number): void {
  const set = earlyDeletes.get(sa) ?? new Set<string>();
  set.add(`${proto}/${spi}`);
  earlyDeletes.set(sa, set);
}

/** Did the peer already delete `child` (just installed) before we had it? */
export function deletedBeforeInstalled(sa: IkeSa, child: ChildSa): boolean {
  return earlyDeletes.get(sa)?.has(`${child.proto}/${child.spiOut}`) ?? false;
}

/** A CHILD_SA of `sa`, or of another IKE_SA of its connection with the same peer. */
function findChild(
  ctx: EngineContext,
  sa: IkeSa,
  match: (c: ChildSa) => boolean,
): { sa: IkeSa; child: ChildSa } | undefined {
  const here = sa.children.find(match);
  if (here) return { sa, child: here };
  if (!sa.conn) return undefined;
  for (const o of ctx.sasOf(sa.conn)) {
    if (o === sa || o.remote.address !== sa.remote.address) continue;
    const child = o.children.find(match);
    if (child) return { sa: o, child };
  }
  return undefined;
}

export async function dropChild(ctx: EngineContext, held: IkeSa, child: ChildSa, reason: string) {
  if (child.state === 'deleted') return;
  // An IKE_SA rekey may have moved the CHILD_SA since its delete was queued.
  const sa = findChild(ctx, held, (c) => c === child)?.sa ?? held;
  await beforeChildRemoved(ctx, sa, child);
  await ctx.childRemoving(sa, child);
  const i = sa.children.indexOf(child);
  if (i >= 0) sa.children.splice(i, 1);
  await removeChildSa(child, ctx.kernel);
  ctx.ports.logger.log(
    'info',
    sa.label,
    `CHILD_SA ${child.config.name}{${child.uniqueId}} closed: ${reason}`,
  );
}

/** Sends a delete for the IKE_SA and closes it once answered (or given up). */
export function deleteIkeSa(ctx: EngineContext, sa: IkeSa, reason: string): Promise<void> {
  // Already gone (its keys wiped): nothing to tell the peer.
  if (sa.state === 'closed') return Promise.resolve();
  return new Promise((resolve) => {
    sa.state = 'deleting';
    ctx.queueRequest(
      sa,
      ExchangeType.INFORMATIONAL,
      () => [{ kind: 'D', protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }],
      async () => {
        await ctx.closeSa(sa, reason);
        resolve();
      },
      async () => {
        await ctx.closeSa(sa, `${reason} (delete not answered)`);
        resolve();
      },
    );
  });
}

/** CHILD_SA deletes queued or in flight on each IKE_SA. */
const pendingDeletes = new WeakMap<IkeSa, Set<ChildSa>>();

/**
 * `closed` ended with CHILD_SA deletes unanswered. Those whose CHILD_SA moved
 * on to another IKE_SA (an IKE_SA rekey took it over) are asked again there,
 * or the peer would keep its half.
 */
export function reissueChildDeletes(ctx: EngineContext, closed: IkeSa): void {
  const set = pendingDeletes.get(closed);
  pendingDeletes.delete(closed);
  for (const child of set ?? []) {
    if (child.state === 'deleted') continue;
    const owner = findChild(ctx, closed, (c) => c === child);
    if (owner && owner.sa !== closed) void deleteChildSa(ctx, owner.sa, child);
  }
}

/** Sends a delete for one CHILD_SA; its kernel state goes when the peer answers. */
export function deleteChildSa(ctx: EngineContext, sa: IkeSa, child: ChildSa): Promise<void> {
  const pending = pendingDeletes.get(sa) ?? new Set<ChildSa>();
  pending.add(child);
  pendingDeletes.set(sa, pending);
  return new Promise((resolve) => {
    child.state = 'deleting';
    ctx.queueRequest(
      sa,
      ExchangeType.INFORMATIONAL,
      () => [
        {
          kind: 'D',
          protocolId: PROTO_IDS[child.proto as 'esp' | 'ah'],
          spiSize: 4,
          spis: [numberToSpi(child.spiIn)],
        },
      ],
      async () => {
        pending.delete(child);
        await dropChild(ctx, sa, child, 'deleted');
        resolve();
      },
      async () => {
        pending.delete(child);
        await dropChild(ctx, sa, child, 'deleted (not answered)');
        // RFC 7296 §2.4: a request unanswered after the retransmissions means
        // the peer lost the IKE_SA (or is gone): the IKE_SA is dead too.
        await ctx.closeSa(sa, 'peer did not answer a CHILD_SA delete', 'failed');
        resolve();
      },
    );
  });
}

/** An empty INFORMATIONAL request: the peer's answer proves it is alive (RFC 7296 §2.4). */
export function sendLivenessCheck(ctx: EngineContext, sa: IkeSa, onDead: () => void): void {
  ctx.queueRequest(
    sa,
    ExchangeType.INFORMATIONAL,
    () => [],
    async () => undefined,
    async () => onDead(),
  );
}
