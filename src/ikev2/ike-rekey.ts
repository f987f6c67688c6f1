/**
 * Rekeying IKE_SAs (RFC 7296 §1.3.2, §2.18): CREATE_CHILD_SA on the old IKE_SA
 * with SA (protocol IKE, the new SPI), Ni/Nr and a key exchange. The new keys
 * come from SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr); the side that
 * initiated the rekey is the new IKE_SA's initiator. The CHILD_SAs move to the
 * new IKE_SA, and the rekey's initiator deletes the old one.
 *
 * Collisions (§2.8.1 applies to IKE_SAs too): when both peers rekey at once,
 * the exchange holding the lowest nonce made the redundant IKE_SA, which its
 * initiator deletes; the other initiator deletes the old IKE_SA.
 */

import { deriveIkeSaKeys, rekeySkeyseed } from '../crypto/kdf/index.js';
import { getEncr, getInteg, getKe, getPrf } from '../crypto/registry.js';
import type { KeyExchange } from '../crypto/types.js';
import { ExchangeType, type IkePayload, NotifyType, nameOf } from '../wire/ikev2/index.js';
import { armChildRekey, holdsLowestNonce } from './child-rekey.js';
import type { EngineContext } from './context.js';
import { isRedundantIkeSa } from './duplicates.js';
import { scheduleIkeHardLifetime } from './ike-lifetime.js';
import { IkeSa } from './ike-sa.js';
import { chosenAsProposal } from './ike-sa-init.js';
import { deleteIkeSa } from './informational.js';
import { startLiveness } from './liveness.js';
import { startNatKeepalive } from './nat-keepalive.js';
import { findErrorNotify, findPayload, notify, readU16, u16 } from './payloads.js';
import {
  acceptChosenProposal,
  type ChosenProposal,
  type Proposal,
  selectProposal,
} from './proposals.js';
import { proposalsFromWire, proposalsToWire, proposalToWire } from './wire-convert.js';

const isAead = (e: { id: number; keyLen?: number }) => getEncr(e.id, e.keyLen)?.aead === true;

interface IkeRekeyRecord {
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  readonly sa: IkeSa;
}

/** The peer's rekey of an old IKE_SA (we answered it). */
const rekeyedByPeer = new WeakMap<IkeSa, IkeRekeyRecord>();
/** IKE_SAs being rekeyed by us. */
const rekeying = new WeakSet<IkeSa>();
/** IKE_SAs replaced by a rekey, or redundant after a collision: their delete is no close. */
const superseded = new WeakSet<IkeSa>();

/** Is an IKE_SA rekey of `sa` in flight, or is `sa` already replaced? CHILD_SA rekeys wait. */
export function ikeRekeyPending(sa: IkeSa): boolean {
  return rekeying.has(sa) || superseded.has(sa);
}

/**
 * A CHILD_SA of `sa` is being rekeyed or created: an IKE_SA rekey would have
 * to wait (§2.25.2). Our own CREATE_CHILD_SA in flight counts even when its
 * CHILD_SA meanwhile expired: its answer may install state the peer keeps.
 */
function childRekeyInFlight(sa: IkeSa): boolean {
  const out = sa.outstanding;
  return (
    sa.children.some((c) => c.state === 'rekeying') ||
    (out?.exchangeType === ExchangeType.CREATE_CHILD_SA &&
      out.messageId !== ikeRekeyMessageId.get(sa))
  );
}

/** The message ID of our IKE_SA rekey request on each IKE_SA (not a CHILD_SA exchange). */
const ikeRekeyMessageId = new WeakMap<IkeSa, number>();

/** Was `sa` replaced by a rekey (so its deletion must not trigger a close action)? */
export function wasSuperseded(sa: IkeSa): boolean {
  return superseded.has(sa);
}

/** Arms the IKE_SA rekey timer (rekey time minus random jitter). */
export function scheduleIkeRekey(ctx: EngineContext, sa: IkeSa): void {
  scheduleIkeHardLifetime(ctx, sa);
  const conn = sa.conn;
  if (!conn?.rekeyMs || conn.rekey === false) return;
  const jitter = Math.min(conn.rekeyJitterMs ?? 0, conn.rekeyMs - 1000);
  const b = ctx.ports.random(2);
  const fraction = ((b[0]! << 8) | b[1]!) / 65536;
  const ms = conn.rekeyMs - fraction * Math.max(0, jitter);
  ctx.schedule(sa, Math.round(ms), async () => startIkeRekey(ctx, sa));
}

function keyLengths(chosen: ChosenProposal) {
  const prf = chosen.prf !== undefined ? getPrf(chosen.prf) : undefined;
  const encr = chosen.encr ? getEncr(chosen.encr.id, chosen.encr.keyLen) : undefined;
  const integ = chosen.integ !== undefined ? getInteg(chosen.integ) : undefined;
  if (!prf || !encr || (!encr.aead && !integ)) return undefined;
  return { prf, encr, integ };
}

/** Builds the new IKE_SA from the old one, the exchange's nonces, SPIs and shared secret. */
function deriveNewSa(
  old: IkeSa,
  weInitiated: boolean,
  x: {
    chosen: ChosenProposal;
    ni: Uint8Array;
    nr: Uint8Array;
    spiI: Uint8Array;
    spiR: Uint8Array;
    secret: Uint8Array;
  },
): IkeSa | undefined {
  const algs = keyLengths(x.chosen);
  if (!algs) return undefined;
  // The rekey exchange belongs to the old SA: its PRF and SK_d make SKEYSEED.
  const seed = rekeySkeyseed(old.prf!, old.keys!.skD, x.secret, x.ni, x.nr);
  const sa = new IkeSa(weInitiated ? 'initiator' : 'responder', x.spiI, old.local, old.remote);
  sa.spiR = x.spiR;
  sa.keys = deriveIkeSaKeys(algs.prf, seed, x.ni, x.nr, x.spiI, x.spiR, {
    integKeyLen: algs.encr.aead ? 0 : algs.integ!.keyLen,
    encrKeyLen: algs.encr.keyLen + algs.encr.saltLen,
  });
  seed.fill(0);
  sa.prf = algs.prf;
  sa.suite = algs.encr.aead ? { encr: algs.encr } : { encr: algs.encr, integ: algs.integ! };
  sa.chosen = x.chosen;
  sa.keGroup = x.chosen.ke ?? 0;
  sa.ni = x.ni;
  sa.nr = x.nr;
  sa.conn = old.conn;
  sa.candidates = old.candidates;
  sa.peerId = old.peerId;
  sa.fragmentation = old.fragmentation;
  sa.natLocal = old.natLocal;
  sa.natRemote = old.natRemote;
  return sa;
}

/** The new IKE_SA takes over: CHILD_SAs move, timers start. */
function takeOver(ctx: EngineContext, from: IkeSa, to: IkeSa): void {
  const moved = from.children.splice(0);
  to.children.push(...moved);
  for (const child of moved) armChildRekey(ctx, to, child);
  superseded.add(from);
  if (to.state !== 'established') {
    to.state = 'established';
    to.establishedAt = ctx.ports.clock.now();
    ctx.adoptSa(to);
    startLiveness(ctx, to);
    startNatKeepalive(ctx, to);
    scheduleIkeRekey(ctx, to);
  }
  ctx.moveQueued(from, to);
}

function orderForGroup(proposals: readonly Proposal[], group: number): Proposal[] {
  const first = proposals.filter((p) => p.ke.includes(group));
  const rest = proposals.filter((p) => !p.ke.includes(group));
  return [...first, ...rest].map((p, i) => ({ ...p, num: i + 1 }));
}

/** Starts a rekey of the IKE_SA `old` (timer or operator). */
export function startIkeRekey(ctx: EngineContext, old: IkeSa, group?: number): void {
  const conn = old.conn;
  if (!conn || old.state !== 'established' || rekeying.has(old) || superseded.has(old)) return;
  // A duplicate IKE_SA about to be deleted is not rekeyed (duplicates.ts).
  if (isRedundantIkeSa(old)) return;
  if (childRekeyInFlight(old)) {
    // One rekey at a time: try again once the CHILD_SA rekey is done.
    ctx.schedule(old, 1000, async () => startIkeRekey(ctx, old, group));
    return;
  }
  rekeying.add(old);
  const keGroup = group ?? (old.keGroup || conn.proposals[0]?.ke[0] || 0);
  const spi = ctx.ports.random(8);
  const ni = ctx.ports.random(ctx.options.nonceLength);
  const proposals = orderForGroup(conn.proposals, keGroup);
  let ke: KeyExchange | undefined;
  ctx.ports.logger.log('info', old.label, 'rekeying IKE_SA');
  ctx.queueRequest(
    old,
    ExchangeType.CREATE_CHILD_SA,
    () => {
      ikeRekeyMessageId.set(old, old.nextRequestId);
      ke = getKe(keGroup)!.initiate(ctx.ports.random);
      return [
        { kind: 'SA', proposals: proposalsToWire(proposals, spi) },
        { kind: 'Nonce', nonce: ni },
        { kind: 'KE', group: keGroup, data: ke.publicValue },
      ];
    },
    async (payloads) => {
      rekeying.delete(old);
      await finishIkeRekey(ctx, old, payloads, { spi, ni, ke: ke!, keGroup, proposals });
    },
  );
}

async function finishIkeRekey(
  ctx: EngineContext,
  old: IkeSa,
  payloads: IkePayload[],
  ours: {
    spi: Uint8Array;
    ni: Uint8Array;
    ke: KeyExchange;
    keGroup: number;
    proposals: Proposal[];
  },
): Promise<void> {
  const error = findErrorNotify(payloads);
  if (error) {
    const name = nameOf(NotifyType, error.notifyType);
    ctx.ports.logger.log('info', old.label, `IKE_SA rekey refused: ${name}`);
    if (old.state !== 'established' || superseded.has(old)) return;
    const wanted =
      error.notifyType === NotifyType.INVALID_KE_PAYLOAD ? readU16(error.data) : undefined;
    if (wanted !== undefined && wanted !== ours.keGroup && getKe(wanted)) {
      startIkeRekey(ctx, old, wanted);
    } else if (error.notifyType === NotifyType.TEMPORARY_FAILURE) {
      ctx.schedule(old, 2000, async () => startIkeRekey(ctx, old));
    }
    return;
  }
  const saP = findPayload(payloads, 'SA');
  const nr = findPayload(payloads, 'Nonce');
  const peerKe = findPayload(payloads, 'KE');
  const reply = saP ? proposalsFromWire(saP.proposals) : [];
  const chosen =
    reply.length === 1 ? acceptChosenProposal(ours.proposals, reply[0]!, { isAead }) : null;
  if (chosen?.spi?.length !== 8 || !nr || !peerKe || peerKe.group !== ours.keGroup) {
    ctx.ports.logger.log('warn', old.label, 'IKE_SA rekey answer unusable');
    return;
  }
  let secret: Uint8Array;
  try {
    secret = ours.ke.computeSharedSecret(peerKe.data);
  } catch {
    ctx.ports.logger.log('warn', old.label, 'IKE_SA rekey: invalid peer key exchange value');
    return;
  }
  const fresh = deriveNewSa(old, true, {
    chosen,
    ni: ours.ni,
    nr: nr.nonce,
    spiI: ours.spi,
    spiR: chosen.spi,
    secret,
  });
  secret.fill(0);
  if (!fresh) return;
  const theirs = rekeyedByPeer.get(old);
  const closing = old.state === 'deleting';
  if (theirs && holdsLowestNonce({ ni: ours.ni, nr: nr.nonce }, theirs)) {
    // §2.8.1: ours is redundant; the peer deletes the old IKE_SA.
    ctx.ports.logger.log(
      'info',
      old.label,
      'IKE_SA rekey collision: deleting our redundant IKE_SA',
    );
    fresh.state = 'established';
    ctx.adoptSa(fresh);
    superseded.add(fresh);
    void deleteIkeSa(ctx, fresh, 'redundant after a rekey collision');
    if (theirs.sa.state === 'established') {
      takeOver(ctx, old, theirs.sa);
      scheduleIkeRekey(ctx, theirs.sa);
      if (closing) void deleteIkeSa(ctx, theirs.sa, CLOSED_WITH_PREDECESSOR);
    }
    return;
  }
  // Ours survives: the CHILD_SAs come to it, wherever they are now.
  if (theirs) {
    superseded.add(theirs.sa);
    takeOver(ctx, theirs.sa, fresh);
    // §2.8.1 has the peer delete its redundant IKE_SA, but if our delete of the
    // old one reaches it before its answer, it never makes it and ours would
    // linger: we delete it as well (crossing deletes are answered, §1.4.1).
    if (theirs.sa.state === 'established')
      void deleteIkeSa(ctx, theirs.sa, 'redundant after a rekey collision');
  }
  takeOver(ctx, old, fresh);
  ctx.ports.logger.log('info', old.label, `IKE_SA rekeyed to ${fresh.label}`);
  // An IKE_SA being deleted (operator down) already has its delete queued; its
  // successor goes the same way, or the down would leave the tunnel up.
  if (closing) void deleteIkeSa(ctx, fresh, CLOSED_WITH_PREDECESSOR);
  else void deleteIkeSa(ctx, old, 'rekeyed');
}

const CLOSED_WITH_PREDECESSOR = 'the IKE_SA it replaced was being deleted';

/**
 * The peer deletes `old`, which it rekeyed while our own rekey of it was in
 * flight: the peer's exchange won the collision (§2.8.1, the winner's
 * initiator deletes the old IKE_SA), so the CHILD_SAs held back on `old` move
 * to the peer's new IKE_SA before `old` goes.
 */
export function followPeerRekey(ctx: EngineContext, old: IkeSa): void {
  const theirs = rekeyedByPeer.get(old);
  if (!theirs || superseded.has(old) || theirs.sa.state !== 'established') return;
  takeOver(ctx, old, theirs.sa);
  scheduleIkeRekey(ctx, theirs.sa);
  ctx.ports.logger.log('info', old.label, `IKE_SA rekey collision: ${theirs.sa.label} survives`);
}

/** Responder side of an IKE_SA rekey. */
export async function processIkeRekeyRequest(
  ctx: EngineContext,
  old: IkeSa,
  payloads: IkePayload[],
): Promise<IkePayload[]> {
  const conn = old.conn!;
  // §2.25.2: not while this IKE_SA is replaced or a CHILD_SA rekey of ours is in flight.
  if (
    superseded.has(old) ||
    rekeyedByPeer.has(old) ||
    childRekeyInFlight(old) ||
    isRedundantIkeSa(old)
  )
    return [notify(NotifyType.TEMPORARY_FAILURE)];
  const saP = findPayload(payloads, 'SA')!;
  const ni = findPayload(payloads, 'Nonce')!;
  const peerKe = findPayload(payloads, 'KE');
  const offered = proposalsFromWire(saP.proposals);
  const chosen = selectProposal(conn.proposals, offered, { isAead });
  if (chosen?.spi?.length !== 8 || chosen.ke === undefined || !getKe(chosen.ke)) {
    return [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
  }
  if (!peerKe || peerKe.group !== chosen.ke) {
    return [notify(NotifyType.INVALID_KE_PAYLOAD, u16(chosen.ke))];
  }
  const spi = ctx.ports.random(8);
  const nr = ctx.ports.random(ctx.options.nonceLength);
  let secret: Uint8Array;
  let ours: KeyExchange;
  try {
    ours = getKe(chosen.ke)!.respond(ctx.ports.random, peerKe.data);
    secret = ours.computeSharedSecret(peerKe.data);
  } catch {
    return [notify(NotifyType.INVALID_SYNTAX)];
  }
  const fresh = deriveNewSa(old, false, {
    chosen,
    ni: ni.nonce,
    nr,
    spiI: chosen.spi,
    spiR: spi,
    secret,
  });
  secret.fill(0);
  if (!fresh) return [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
  rekeyedByPeer.set(old, { ni: ni.nonce, nr, sa: fresh });
  // While our own rekey is in flight, the CHILD_SAs wait for the collision's outcome.
  if (!rekeying.has(old)) {
    takeOver(ctx, old, fresh);
  } else {
    fresh.state = 'established';
    fresh.establishedAt = ctx.ports.clock.now();
    ctx.adoptSa(fresh);
    startLiveness(ctx, fresh);
  }
  ctx.ports.logger.log('info', old.label, `IKE_SA rekeyed by peer to ${fresh.label}`);
  return [
    { kind: 'SA', proposals: [proposalToWire(chosenAsProposal(chosen), chosen.num, spi)] },
    { kind: 'Nonce', nonce: nr },
    { kind: 'KE', group: chosen.ke, data: ours.publicValue },
  ];
}
