/**
 * Rekeying CHILD_SAs (RFC 7296 §1.3.3, §2.8): CREATE_CHILD_SA with REKEY_SA
 * naming the old SA, with a new key exchange when the proposal has one (PFS).
 *
 * Make-before-break: the initiator installs the new SAs (inbound, outbound,
 * same reqid so the policies stay) before it deletes the old CHILD_SA. The
 * responder installs the new inbound SA at once but holds back the outbound
 * one until the initiator deletes the old CHILD_SA, because the initiator has
 * no inbound SA for it before our answer arrives.
 *
 * Collisions (§2.8.1): when both peers rekey the same CHILD_SA, the exchange
 * that holds the lowest of the four nonces made a redundant SA; its initiator
 * deletes that one, the other initiator deletes the old CHILD_SA.
 */

import type { KeyExchange } from '../crypto/types.js';
import {
  ExchangeType,
  type IkePayload,
  type NotifyPayload,
  NotifyType,
  nameOf,
  ProtocolId,
} from '../wire/ikev2/index.js';
import {
  acceptChildAnswer,
  buildChildOffer,
  insertAfterSa,
  nonceAndKeyExchange,
  releaseSpis,
} from './child-negotiation.js';
import { type ChildSa, installPendingOutbound } from './child-sa.js';
import type { EngineContext } from './context.js';
import { answerCreateChild } from './create-child-sa.js';
import { isRedundantIkeSa, noteChildOrigin } from './duplicates.js';
import { installNegotiatedChild } from './ike-auth.js';
import { ikeRekeyPending, wasSuperseded } from './ike-rekey.js';
import type { IkeSa } from './ike-sa.js';
import { deleteChildSa, dropChild } from './informational.js';
import { findErrorNotify, findPayload, numberToSpi, spiToNumber } from './payloads.js';
import { selectorsToWire } from './wire-convert.js';

const PROTO_IDS = { esp: ProtocolId.ESP, ah: ProtocolId.AH } as const;

/** A rekey of one CHILD_SA, by us or by the peer: its nonces and the new CHILD_SA. */
interface RekeyRecord {
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  readonly child: ChildSa;
}

/** The peer's rekey of an old CHILD_SA (we answered it). */
const rekeyedByPeer = new WeakMap<ChildSa, RekeyRecord>();
/** The CHILD_SA that replaces an old one once the old is deleted. */
const successorOf = new WeakMap<ChildSa, ChildSa>();
/** Old CHILD_SAs that a completed rekey replaced: never rekeyed again. */
const replaced = new WeakSet<ChildSa>();

/** `child` is on its way out (a redundant duplicate): it is never rekeyed. */
export function retireChild(child: ChildSa): void {
  replaced.add(child);
}

/** Seconds to wait before retrying after TEMPORARY_FAILURE (strongSwan: 1–5 s at random). */
const RETRY_MIN_MS = 1000;
const RETRY_SPREAD_MS = 4000;

/** When each CHILD_SA is due for its rekey (clock ms), kept across IKE_SA rekeys. */
const rekeyDue = new WeakMap<ChildSa, number>();

/** Arms the timer that rekeys `child` (rekey time minus random jitter, strongSwan's rand_time). */
export function scheduleChildRekey(ctx: EngineContext, sa: IkeSa, child: ChildSa): void {
  const cfg = child.config;
  if (!cfg.rekeyMs || sa.conn?.rekey === false) return;
  const jitter = Math.min(cfg.rekeyJitterMs ?? 0, cfg.rekeyMs - 1000);
  const ms = cfg.rekeyMs - randomFraction(ctx) * Math.max(0, jitter);
  rekeyDue.set(child, ctx.ports.clock.now() + Math.round(ms));
  armChildRekey(ctx, sa, child);
}

/**
 * (Re-)arms the rekey timer of `child` on `sa`: after an IKE_SA rekey the
 * CHILD_SAs move to the new IKE_SA and the old one's timers are gone.
 */
export function armChildRekey(ctx: EngineContext, sa: IkeSa, child: ChildSa): void {
  const due = rekeyDue.get(child);
  if (due === undefined) return;
  const ms = Math.max(0, due - ctx.ports.clock.now());
  ctx.schedule(sa, ms, async () => {
    // Only the IKE_SA that holds the CHILD_SA now rekeys it.
    if (sa.children.includes(child)) startChildRekey(ctx, sa, child);
  });
}

function randomFraction(ctx: EngineContext): number {
  const b = ctx.ports.random(2);
  return ((b[0]! << 8) | b[1]!) / 65536;
}

function retryLater(ctx: EngineContext, sa: IkeSa, old: ChildSa): void {
  const ms = RETRY_MIN_MS + Math.floor(randomFraction(ctx) * RETRY_SPREAD_MS);
  ctx.schedule(sa, ms, async () => startChildRekey(ctx, sa, old));
}

/** Can `old` be rekeyed now (installed, not already being rekeyed or replaced)? */
function rekeyable(sa: IkeSa, old: ChildSa): boolean {
  return (
    sa.state === 'established' &&
    // During an IKE_SA rekey the CHILD_SAs wait; the new IKE_SA re-arms their timers.
    !ikeRekeyPending(sa) &&
    // A duplicate IKE_SA about to be deleted keeps its CHILD_SAs as they are.
    !isRedundantIkeSa(sa) &&
    old.state === 'installed' &&
    !replaced.has(old) &&
    sa.children.includes(old)
  );
}

/** Starts a rekey of `old` (timer, soft EXPIRE, or operator). */
export function startChildRekey(ctx: EngineContext, sa: IkeSa, old: ChildSa): void {
  if (!rekeyable(sa, old)) return;
  old.state = 'rekeying';
  const cfg = old.config;
  const ni = ctx.ports.random(ctx.options.nonceLength);
  let offer: Awaited<ReturnType<typeof buildChildOffer>> | undefined;
  let ke: KeyExchange | undefined;
  let keGroup = 0;
  ctx.ports.logger.log('info', sa.label, `rekeying CHILD_SA ${cfg.name}{${old.uniqueId}}`);
  ctx.queueRequest(
    sa,
    ExchangeType.CREATE_CHILD_SA,
    async () => {
      offer = await buildChildOffer(ctx, sa, cfg, { withKe: true, reqid: old.reqid });
      // The rekeyed SA keeps the (possibly narrowed) selectors of the old one.
      offer.child.localTs = [...old.localTs];
      offer.child.remoteTs = [...old.remoteTs];
      const payloads: IkePayload[] = offer.payloads.map((p) => {
        if (p.kind === 'TSi') return { kind: 'TSi', selectors: selectorsToWire(old.localTs) };
        if (p.kind === 'TSr') return { kind: 'TSr', selectors: selectorsToWire(old.remoteTs) };
        return p;
      });
      const rekeyNotify: NotifyPayload = {
        kind: 'N',
        protocolId: PROTO_IDS[old.proto as 'esp' | 'ah'],
        spi: numberToSpi(old.spiIn),
        notifyType: NotifyType.REKEY_SA,
        data: new Uint8Array(0),
      };
      // RFC 7296 §1.3.3: SA, Ni, [KEi], TSi, TSr, with N(REKEY_SA) first.
      const ours = nonceAndKeyExchange(ctx, cfg, ni);
      ke = ours.ke;
      keGroup = ours.keGroup;
      return [rekeyNotify, ...insertAfterSa(payloads, ours.extra)];
    },
    async (payloads) => {
      if (!offer) return;
      await finishChildRekey(ctx, sa, old, offer, payloads, { ni, ke, keGroup });
    },
    async () => {
      if (offer) await releaseSpis(ctx, sa, offer.child);
      await ctx.closeSa(sa, 'peer did not answer a CHILD_SA rekey', 'failed');
    },
    undefined,
    (to) => {
      // Not sent yet: the rekey starts again on the IKE_SA that now holds `old`.
      if (old.state === 'rekeying') old.state = 'installed';
      if (to.children.includes(old)) startChildRekey(ctx, to, old);
    },
  );
}

async function finishChildRekey(
  ctx: EngineContext,
  sa: IkeSa,
  old: ChildSa,
  offer: Awaited<ReturnType<typeof buildChildOffer>>,
  payloads: IkePayload[],
  ours: { ni: Uint8Array; ke: KeyExchange | undefined; keGroup: number },
): Promise<void> {
  const error = findErrorNotify(payloads);
  if (error) {
    await releaseSpis(ctx, sa, offer.child);
    return rekeyRefused(ctx, sa, old, error.notifyType);
  }
  const nr = findPayload(payloads, 'Nonce');
  const peerKe = findPayload(payloads, 'KE');
  let problem = acceptChildAnswer(offer, payloads, false) ?? (nr ? undefined : 'no nonce');
  let secret: Uint8Array | undefined;
  if (!problem && offer.child.chosen?.ke) {
    if (!ours.ke || !peerKe || peerKe.group !== ours.keGroup) {
      problem = 'answer key exchange does not match ours';
    } else {
      try {
        secret = ours.ke.computeSharedSecret(peerKe.data);
      } catch {
        problem = 'peer key exchange value is invalid';
      }
    }
  }
  if (problem) {
    await releaseSpis(ctx, sa, offer.child);
    ctx.ports.logger.log('warn', sa.label, `CHILD_SA rekey failed: ${problem}`);
    if (old.state === 'rekeying') old.state = 'installed';
    return;
  }
  const fresh = offer.child;
  noteChildOrigin(fresh, { ni: ours.ni, nr: nr!.nonce, weInitiated: true, rekeyOf: old });
  await installNegotiatedChild(ctx, sa, fresh, true, { ni: ours.ni, nr: nr!.nonce }, secret);
  secret?.fill(0);
  handOverPolicies(old, fresh);
  const theirs = rekeyedByPeer.get(old);
  if (theirs && holdsLowestNonce({ ni: ours.ni, nr: nr!.nonce }, theirs)) {
    // §2.8.1: our exchange has the lowest nonce, so our new SA is the redundant one.
    ctx.ports.logger.log(
      'info',
      sa.label,
      `CHILD_SA rekey collision: deleting our redundant CHILD_SA {${fresh.uniqueId}}`,
    );
    replaced.add(fresh);
    // Not awaited: the answer is processed by the work queue this runs in.
    void deleteChildSa(ctx, sa, fresh);
    return;
  }
  successorOf.set(old, fresh);
  replaced.add(old);
  ctx.ports.logger.log(
    'info',
    sa.label,
    `CHILD_SA ${old.config.name}{${old.uniqueId}} rekeyed to {${fresh.uniqueId}}`,
  );
  void deleteChildSa(ctx, sa, old);
}

async function rekeyRefused(ctx: EngineContext, sa: IkeSa, old: ChildSa, type: number) {
  const name = nameOf(NotifyType, type);
  ctx.ports.logger.log('info', sa.label, `CHILD_SA rekey of {${old.uniqueId}} refused: ${name}`);
  if (!sa.children.includes(old) || old.state === 'deleting' || old.state === 'deleted') return;
  if (old.state === 'rekeying') old.state = 'installed';
  if (replaced.has(old)) return;
  if (type === NotifyType.CHILD_SA_NOT_FOUND) {
    // The peer no longer has it: ours is useless (RFC 7296 §3.10.1, RFC 7296bis).
    await dropChild(ctx, sa, old, 'peer does not know it (CHILD_SA_NOT_FOUND)');
    return;
  }
  // TEMPORARY_FAILURE (§2.25) and others: try again shortly; the hard lifetime bounds it.
  retryLater(ctx, sa, old);
}

/** Does exchange `a` hold the lowest of the four nonces (RFC 7296 §2.8.1)? */
export function holdsLowestNonce(
  a: { ni: Uint8Array; nr: Uint8Array },
  b: { ni: Uint8Array; nr: Uint8Array },
): boolean {
  const minA = compareBytes(a.ni, a.nr) <= 0 ? a.ni : a.nr;
  const minB = compareBytes(b.ni, b.nr) <= 0 ? b.ni : b.nr;
  return compareBytes(minA, minB) < 0;
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The new CHILD_SA owns the (identical) policies from now on. */
function handOverPolicies(from: ChildSa, to: ChildSa): void {
  if (to.installedPolicies.length === 0) to.installedPolicies.push(...from.installedPolicies);
  from.installedPolicies.length = 0;
}

/** Responder side of a CHILD_SA rekey. */
export async function processChildRekeyRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
  rekey: NotifyPayload,
): Promise<IkePayload[]> {
  const proto =
    rekey.protocolId === ProtocolId.ESP ? 'esp' : rekey.protocolId === ProtocolId.AH ? 'ah' : '';
  // The peer names its inbound SPI, our outbound one.
  const spi = rekey.spi.length === 4 ? spiToNumber(rekey.spi) : -1;
  const old = sa.children.find((c) => c.proto === proto && c.spiOut === spi);
  const refuse = (type: number): IkePayload[] => [
    {
      kind: 'N',
      protocolId: rekey.protocolId,
      spi: rekey.spi,
      notifyType: type,
      data: new Uint8Array(0),
    },
  ];
  // The CHILD_SAs moved to a new IKE_SA: the peer should retry there (§2.25.2).
  if (wasSuperseded(sa)) return refuse(NotifyType.TEMPORARY_FAILURE);
  // Our own exchange that creates it may still await its answer (the peer,
  // its responder, installed the CHILD_SA already): try again later (§2.25).
  if (!old && sa.outstanding?.exchangeType === ExchangeType.CREATE_CHILD_SA)
    return refuse(NotifyType.TEMPORARY_FAILURE);
  // It lives on another IKE_SA of the connection: an IKE_SA rekey (a collision
  // not yet decided here) has not moved it to this one yet.
  if (!old && heldElsewhere(ctx, sa, proto, spi)) return refuse(NotifyType.TEMPORARY_FAILURE);
  if (!old) return refuse(NotifyType.CHILD_SA_NOT_FOUND);
  // §2.25.1: a rekey of a CHILD_SA we are deleting gets TEMPORARY_FAILURE.
  if (old.state === 'deleting' || old.state === 'deleted' || replaced.has(old)) {
    return refuse(NotifyType.TEMPORARY_FAILURE);
  }
  const out = await answerCreateChild(ctx, sa, payloads, {
    reqid: old.reqid,
    only: old.config,
    deferOutbound: true,
    rekeyOf: old,
  });
  if (!out.child) return out.payloads;
  handOverPolicies(old, out.child);
  rekeyedByPeer.set(old, { ni: out.ni!, nr: out.nr!, child: out.child });
  // If we are rekeying it too, our answer decides who wins (finishChildRekey).
  if (old.state !== 'rekeying') {
    successorOf.set(old, out.child);
    replaced.add(old);
  } else if (!successorOf.has(old)) {
    successorOf.set(old, out.child);
  }
  ctx.ports.logger.log(
    'info',
    sa.label,
    `CHILD_SA ${old.config.name}{${old.uniqueId}} rekeyed by peer to {${out.child.uniqueId}}`,
  );
  return out.payloads;
}

function heldElsewhere(ctx: EngineContext, sa: IkeSa, proto: string, spiOut: number): boolean {
  if (!sa.conn) return false;
  return ctx
    .sasOf(sa.conn)
    .some(
      (o) =>
        o !== sa &&
        o.remote.address === sa.remote.address &&
        o.children.some((c) => c.proto === proto && c.spiOut === spiOut),
    );
}

/**
 * A CHILD_SA is about to go: its successor's held-back outbound SA goes in
 * first (make-before-break), and a sibling with the same reqid keeps the
 * shared policies.
 */
export async function beforeChildRemoved(
  ctx: EngineContext,
  sa: IkeSa,
  child: ChildSa,
): Promise<void> {
  const next = successorOf.get(child);
  if (next && sa.children.includes(next)) await installPendingOutbound(next, ctx.kernel);
  const sibling = sa.children.find(
    (c) => c !== child && c.reqid === child.reqid && c.state !== 'deleted',
  );
  if (sibling) handOverPolicies(child, sibling);
}
