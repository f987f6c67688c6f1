/**
 * IKE_AUTH as the initiator (RFC 7296 §1.2, §2.15, §2.16; RFC 4739): one
 * exchange for a PSK or certificate round, several for EAP and for a second
 * authentication round. The first request carries the CHILD_SA offer; the
 * responder answers it in its last response, which also ends the rounds.
 *
 *   IDi, [CERT], [CERTREQ], [IDr], [AUTH], N(...), SA, TSi, TSr   -> IDr, [CERT], AUTH, [EAP]
 *   EAP (Response)                                                 -> EAP (Request | Success)
 *   AUTH (with the MSK)                                            -> AUTH (with the MSK)
 *   IDi (second round), [CERT], [AUTH]                             -> ...
 */

import { EapCode, eapTypeName } from '../auth/eap/packet.js';
import type { EapPeer } from '../auth/eap/peer.js';
import { ExchangeType, type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import {
  eapAuthPayload,
  eapPayload,
  findEap,
  isMutualEapType,
  newEapPeer,
  verifyEapAuth,
} from './auth-eap.js';
import { certReqPayloads, isIdentityPattern, peerIdentityMatches } from './auth-pubkey.js';
import {
  acceptChildAnswer,
  buildChildOffer,
  type ChildOffer,
  releaseSpis,
} from './child-negotiation.js';
import type { AuthRound, Identity, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { sealPayloads, sendPackets } from './exchange-io.js';
import { formatIdentity, isAnyIdentity } from './identities.js';
import {
  authenticatorFor,
  configuredRounds,
  installNegotiatedChild,
  logAuthenticated,
  ourIdentity,
} from './ike-auth-common.js';
import type { IkeSa } from './ike-sa.js';
import { findNotify, findPayload, notify } from './payloads.js';

/** Where our authentication stands on one IKE_SA. */
interface Progress {
  readonly conn: IkeConnection;
  readonly rounds: readonly AuthRound[];
  /** The round in progress. */
  index: number;
  /** IDi of the round in progress. */
  id: Identity;
  /** The EAP conversation of an EAP round. */
  eap?: EapPeer;
  /** Set when the EAP conversation succeeded and our AUTH is on its way. */
  eapDone?: { readonly msk: Uint8Array | undefined };
  /** The responder proved itself in its first response (or will with EAP, RFC 5998). */
  responderChecked: boolean;
  /** The responder omitted AUTH: it authenticates through the EAP method (RFC 5998). */
  eapOnly: boolean;
  offer?: ChildOffer;
}

/** Queues our IKE_AUTH request: IDi, [IDr], AUTH (unless EAP), notifies and the first CHILD_SA. */
export function startIkeAuth(ctx: EngineContext, sa: IkeSa, initialContact: boolean): void {
  const conn = sa.conn!;
  sa.state = 'authenticating';
  const st: Progress = {
    conn,
    rounds: configuredRounds(conn.local, conn.local2),
    index: 0,
    id: ourIdentity(sa, conn.local),
    responderChecked: false,
    eapOnly: false,
  };
  queueAuth(ctx, sa, st, async () => {
    if (conn.remote2)
      throw new Error('remote2 (a second round of the responder) is not supported as initiator');
    if (st.rounds.length > 1 && !sa.peerMultipleAuth)
      throw new Error('peer does not support a second authentication round (RFC 4739)');
    const payloads = roundPayloads(ctx, sa, st, true);
    // RFC 4739 §3.1 / RFC 5998 §2: announced in the first IKE_AUTH request.
    if (sa.peerMultipleAuth) payloads.push(notify(NotifyType.MULTIPLE_AUTH_SUPPORTED));
    if (conn.remote.method === 'eap') payloads.push(notify(NotifyType.EAP_ONLY_AUTHENTICATION));
    if (initialContact) payloads.push(notify(NotifyType.INITIAL_CONTACT));
    const first = conn.children[0];
    if (first) {
      st.offer = await buildChildOffer(ctx, sa, first, { withKe: false });
      payloads.push(...st.offer.payloads);
    }
    return payloads;
  });
}

function queueAuth(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  build: () => Promise<IkePayload[]> | IkePayload[],
): void {
  ctx.queueRequest(sa, ExchangeType.IKE_AUTH, build, (payloads) =>
    processAuthResponse(ctx, sa, st, payloads),
  );
}

/** RFC 4739 §3.2: an AUTH that another round follows says so. */
function anotherFollows(st: Progress): IkePayload[] {
  return st.index + 1 < st.rounds.length ? [notify(NotifyType.ANOTHER_AUTH_FOLLOWS)] : [];
}

/** IDi, our proof (none for EAP: the missing AUTH asks for it, §2.16) and, first, CERTREQ and IDr. */
function roundPayloads(ctx: EngineContext, sa: IkeSa, st: Progress, first: boolean): IkePayload[] {
  const { conn } = st;
  const round = st.rounds[st.index]!;
  st.id = ourIdentity(sa, round);
  const payloads: IkePayload[] = [{ kind: 'IDi', idType: st.id.type, data: st.id.data }];
  let proof: IkePayload[] = [];
  if (round.method !== 'eap') {
    const p = authenticatorFor(round.method).prove({
      ctx,
      sa,
      conn,
      round,
      id: st.id,
      ofInitiator: true,
    });
    if (!Array.isArray(p)) throw new Error(p.error);
    proof = p;
  }
  // RFC 7296 §1.2: IDi, [CERT,] [CERTREQ,] [IDr,] AUTH.
  payloads.push(...proof.filter((p) => p.kind === 'CERT'));
  if (first) {
    payloads.push(...certReqPayloads([conn]));
    if (!isAnyIdentity(conn.remote.id) && !isIdentityPattern(conn.remote))
      payloads.push({ kind: 'IDr', idType: conn.remote.id.type, data: conn.remote.id.data });
  }
  const auth = proof.filter((p) => p.kind !== 'CERT');
  payloads.push(...auth);
  if (auth.length > 0) payloads.push(...anotherFollows(st));
  return payloads;
}

async function processAuthResponse(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
): Promise<void> {
  // A delete (terminate) or a close overtook the exchange.
  if (sa.state !== 'authenticating') return;
  const fail = async (reason: string) => {
    st.eap?.abort();
    if (st.offer) await releaseSpis(ctx, sa, st.offer.child);
    await ctx.closeSa(sa, reason, 'failed');
  };
  // RFC 7296 §2.21.2: an initiator that refuses the responder says so in a
  // separate INFORMATIONAL; we close without waiting for the answer.
  const refuse = async (reason: string) => {
    const refusal = [notify(NotifyType.AUTHENTICATION_FAILED)];
    const id = sa.nextRequestId;
    sendPackets(ctx, sa, sealPayloads(ctx, sa, ExchangeType.INFORMATIONAL, id, false, refusal));
    await fail(reason);
  };
  if (findNotify(payloads, NotifyType.AUTHENTICATION_FAILED))
    return fail('peer answered AUTHENTICATION_FAILED');
  if (!st.responderChecked) {
    const problem = checkResponder(ctx, sa, st, payloads);
    if (problem) return refuse(problem);
  }
  const round = st.rounds[st.index]!;
  if (round.method === 'eap') {
    const outcome = await continueEap(ctx, sa, st, round, payloads);
    if (outcome === 'more') return;
    if (outcome !== 'done') return outcome.refuse ? refuse(outcome.reason) : fail(outcome.reason);
  }
  if (st.index + 1 < st.rounds.length) {
    st.index++;
    queueAuth(ctx, sa, st, () => roundPayloads(ctx, sa, st, false));
    return;
  }
  await finish(ctx, sa, st, payloads);
}

/** The responder's IDr and AUTH in its first response; a problem for the log, or undefined. */
function checkResponder(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
): string | undefined {
  const { conn } = st;
  const idr = findPayload(payloads, 'IDr');
  if (!idr) return 'IKE_AUTH response lacks IDr';
  const peerId: Identity = { type: idr.idType, data: idr.data };
  if (!peerIdentityMatches(conn.remote, peerId, sa.remote.address))
    return `peer identity ${formatIdentity(peerId)} does not match ${formatIdentity(conn.remote.id)}`;
  const auth = findPayload(payloads, 'AUTH');
  if (conn.remote.method === 'eap') {
    // RFC 5998: EAP-only; the MSK AUTH after our EAP round authenticates the responder.
    if (auth) return `responder sent AUTH, but EAP-only authentication of it is configured`;
    st.eapOnly = true;
  } else {
    if (!auth) return 'IKE_AUTH response lacks AUTH';
    const verdict = authenticatorFor(conn.remote.method).verify({
      ctx,
      sa,
      conn,
      round: conn.remote,
      peerId,
      payloads,
      ofInitiator: false,
    });
    if (!verdict.ok) return verdict.reason;
    logAuthenticated(ctx, sa, peerId, verdict.how);
  }
  sa.peerId = peerId;
  st.responderChecked = true;
  return undefined;
}

type EapOutcome = 'more' | 'done' | { readonly reason: string; readonly refuse: boolean };

/** One step of our EAP round: answer the server, send AUTH after success, check the responder's. */
async function continueEap(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  round: AuthRound,
  payloads: IkePayload[],
): Promise<EapOutcome> {
  const peerId = sa.peerId!;
  if (st.eapDone) {
    // RFC 7296 §2.16: the responder's AUTH, too, is keyed with the MSK.
    const problem = verifyEapAuth(sa, st.eapDone.msk, false, peerId, payloads);
    if (problem) return { reason: problem, refuse: true };
    if (st.eapOnly)
      logAuthenticated(ctx, sa, peerId, `EAP-only authentication (RFC 5998, ${methodName(st)})`);
    st.eap = undefined;
    st.eapDone = undefined;
    return 'done';
  }
  const packet = findEap(payloads);
  if (!packet) return { reason: 'IKE_AUTH response lacks the EAP payload', refuse: true };
  st.eap ??= newEapPeer(ctx, round, st.id, peerId);
  const step = await st.eap.process(packet);
  if (step.send) {
    const answer = eapPayload(step.send);
    queueAuth(ctx, sa, st, () => [answer]);
    return 'more';
  }
  if (!step.done?.success) {
    const why = step.done?.reason ?? 'no verdict';
    const failure = packet.code === EapCode.FAILURE;
    return { reason: `EAP authentication failed (${methodName(st)}): ${why}`, refuse: !failure };
  }
  // RFC 5998 §4: without the responder's AUTH only a mutual method may stand in for it.
  if (st.eapOnly && !isMutualEapType(st.eap.eapType))
    return {
      reason: `EAP-only authentication needs a mutual method, not ${methodName(st)}`,
      refuse: true,
    };
  ctx.ports.logger.log(
    'info',
    sa.label,
    `EAP method ${methodName(st)} succeeded${step.done.msk ? ', MSK established' : ', no MSK'}`,
  );
  const done = { msk: step.done.msk };
  st.eapDone = done;
  const auth = eapAuthPayload(sa, done.msk, true, st.id);
  queueAuth(ctx, sa, st, () => [auth, ...anotherFollows(st)]);
  return 'more';
}

const methodName = (st: Progress): string =>
  st.eap?.eapType === undefined ? 'EAP' : eapTypeName(st.eap.eapType);

/** Every round done: the IKE_SA is up, and the last response answers our CHILD_SA offer. */
async function finish(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
): Promise<void> {
  ctx.onEstablished(sa);
  const { offer } = st;
  if (!offer) return;
  const reason = acceptChildAnswer(offer, payloads, true);
  if (reason) {
    await releaseSpis(ctx, sa, offer.child);
    ctx.ports.logger.log(
      'warn',
      sa.label,
      `CHILD_SA ${offer.child.config.name} not established: ${reason}`,
    );
    return;
  }
  await installNegotiatedChild(ctx, sa, offer.child, true, { ni: sa.ni, nr: sa.nr });
}
