/**
 * IKE_AUTH as the responder (RFC 7296 §1.2, §2.15, §2.16; RFC 4739): the
 * first request picks the connection by the initiator's identity and
 * method; we answer with IDr and our AUTH, then run the initiator's rounds
 * (`remote`, and `remote2` for the manual's "Use Two Authentications"): a
 * PSK or certificate round in one exchange, an EAP round as EAP server over
 * several. The CHILD_SA offered in the first request is answered in the
 * last response, once every round passed.
 */

import { eapTypeName } from '../auth/eap/packet.js';
import type { EapServer } from '../auth/eap/server.js';
import { type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import {
  eapAuthPayload,
  eapPayload,
  eapTlsCertificateProblem,
  findEap,
  isMutualEapType,
  newEapServer,
  verifyEapAuth,
} from './auth-eap.js';
import { notePeerAuthHints, peerIdentityMatches } from './auth-pubkey.js';
import { answerChildOffer } from './child-negotiation.js';
import type { AuthRound, Identity, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { formatIdentity, identityMatches, isAnyIdentity } from './identities.js';
import {
  authenticatorFor,
  configuredRounds,
  installNegotiatedChild,
  logAuthenticated,
  ourIdentity,
} from './ike-auth-common.js';
import type { IkeSa } from './ike-sa.js';
import { findNotify, findPayload, notify } from './payloads.js';

export interface AuthRequestResult {
  readonly payloads: IkePayload[];
  /** Close the SA once the response is sent (authentication failed). */
  readonly close?: string;
}

/** Where the initiator's authentication stands on one IKE_SA. */
interface Progress {
  readonly conn: IkeConnection;
  readonly rounds: readonly AuthRound[];
  index: number;
  /** The IDi of the round in progress, once its first message arrived. */
  roundId?: Identity;
  eap?: EapServer;
  /** The EAP conversation succeeded; the initiator's AUTH keyed with the MSK comes next. */
  eapDone?: { readonly msk: Uint8Array | undefined; readonly how: string };
  /** Our IDr, sent in the first response and covered by our AUTH after EAP. */
  readonly ourId: Identity;
  /** The first request: its CHILD_SA offer is answered at the end. */
  readonly firstRequest: readonly IkePayload[];
  /** We authenticate only through the peer's EAP round (RFC 5998). */
  readonly eapOnly: boolean;
}

const progressOf = new WeakMap<IkeSa, Progress>();

const failed = (why: string): { payloads: IkePayload[]; close: string } => ({
  payloads: [notify(NotifyType.AUTHENTICATION_FAILED)],
  close: why,
});

/** Handles one IKE_AUTH request of the initiator and returns our response. */
export async function processAuthRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
): Promise<AuthRequestResult> {
  const st = progressOf.get(sa);
  const result = st
    ? await roundStep(ctx, sa, st, payloads)
    : await firstRequest(ctx, sa, payloads);
  if (result.close) {
    progressOf.get(sa)?.eap?.abort();
    progressOf.delete(sa);
  }
  return result;
}

/** A candidate's first round fits the request: a signature/PSK AUTH, or none for EAP (§2.16). */
function firstRoundFits(round: AuthRound, authMethod: number | undefined): boolean {
  if (authMethod === undefined) return round.method === 'eap';
  return round.method !== 'eap' && authenticatorFor(round.method).accepts(authMethod);
}

async function firstRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
): Promise<AuthRequestResult> {
  const idi = findPayload(payloads, 'IDi');
  if (!idi) return failed('IKE_AUTH request lacks IDi');
  const auth = findPayload(payloads, 'AUTH');
  const peerId: Identity = { type: idi.idType, data: idi.data };
  const idrP = findPayload(payloads, 'IDr');
  const wanted: Identity | undefined = idrP ? { type: idrP.idType, data: idrP.data } : undefined;
  const fits = sa.candidates.filter(
    (c) =>
      firstRoundFits(c.remote, auth?.method) &&
      peerIdentityMatches(c.remote, peerId, sa.remote.address),
  );
  // IDr picks among them; a DN the peer encoded differently from ours still finds its connection.
  const conn =
    fits.find((c) => !wanted || isAnyIdentity(c.local.id) || identityMatches(c.local.id, wanted)) ??
    fits[0];
  if (!conn) {
    const how = auth ? `AUTH method ${auth.method}` : 'EAP (no AUTH payload)';
    return failed(`no connection matches peer identity ${formatIdentity(peerId)} with ${how}`);
  }
  sa.conn = conn;
  notePeerAuthHints(ctx, sa, payloads);
  // RFC 5998: our own round configured as EAP means EAP-only: no AUTH now, the
  // MSK AUTH after the peer's (mutual) EAP round proves us.
  const eapOnly = conn.local.method === 'eap';
  if (eapOnly && !findNotify(payloads, NotifyType.EAP_ONLY_AUTHENTICATION))
    return failed(
      'EAP-only authentication (RFC 5998) is configured, but the peer does not offer it',
    );
  if (eapOnly && conn.remote.method !== 'eap')
    return failed("EAP-only authentication (RFC 5998) needs an EAP round of the peer's first");
  const st: Progress = {
    conn,
    rounds: configuredRounds(conn.remote, conn.remote2),
    index: 0,
    ourId: ourIdentity(sa, conn.local),
    firstRequest: payloads,
    eapOnly,
  };
  const proof = eapOnly
    ? []
    : authenticatorFor(conn.local.method).prove({
        ctx,
        sa,
        conn,
        round: conn.local,
        id: st.ourId,
        ofInitiator: false,
      });
  if (!Array.isArray(proof)) return failed(`cannot authenticate ourselves: ${proof.error}`);
  progressOf.set(sa, st);
  const round = await roundStep(ctx, sa, st, payloads);
  if (round.close) return round;
  // RFC 7296 §1.2: IDr, [CERT,] AUTH, then EAP or SAr2, TSi, TSr.
  const idr: IkePayload = { kind: 'IDr', idType: st.ourId.type, data: st.ourId.data };
  return { payloads: [idr, ...proof, ...round.payloads] };
}

/** Runs the round in progress one message further; finishes when the last round passed. */
async function roundStep(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
): Promise<AuthRequestResult> {
  const round = st.rounds[st.index]!;
  let out: IkePayload[];
  if (!st.roundId) {
    const r = await beginRound(ctx, sa, st, round, payloads);
    if ('close' in r) return r;
    if (r.more) return { payloads: r.payloads };
    out = r.payloads;
  } else if (st.eap && !st.eapDone) {
    return eapStep(ctx, sa, st, payloads);
  } else if (st.eapDone) {
    const problem = verifyEapAuth(sa, st.eapDone.msk, true, st.roundId, payloads);
    if (problem) return failed(problem);
    logAuthenticated(ctx, sa, st.roundId, st.eapDone.how);
    out = [eapAuthPayload(sa, st.eapDone.msk, false, st.ourId)];
    st.eap = undefined;
    st.eapDone = undefined;
  } else {
    return failed('unexpected IKE_AUTH request');
  }
  return roundDone(ctx, sa, st, payloads, out);
}

type BeginResult =
  | { readonly payloads: IkePayload[]; readonly more: boolean }
  | { readonly payloads: IkePayload[]; readonly close: string };

/** The first message of a round: IDi and AUTH (done at once) or IDi alone (EAP starts). */
async function beginRound(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  round: AuthRound,
  payloads: IkePayload[],
): Promise<BeginResult> {
  const idi = findPayload(payloads, 'IDi');
  if (!idi) return failed(`IKE_AUTH request of round ${st.index + 1} lacks IDi`);
  const id: Identity = { type: idi.idType, data: idi.data };
  if (!peerIdentityMatches(round, id, sa.remote.address))
    return failed(
      `peer identity ${formatIdentity(id)} of round ${st.index + 1} does not match ${formatIdentity(round.id)}`,
    );
  st.roundId = id;
  if (st.index === 0) sa.peerId = id;
  const auth = findPayload(payloads, 'AUTH');
  if (!auth) {
    if (round.method !== 'eap')
      return failed(`peer wants EAP in round ${st.index + 1}, but ${round.method} is configured`);
    st.eap = newEapServer(ctx, round, id);
    const step = st.eap.start();
    if (step.done) return failed(`EAP not started: ${step.done.reason ?? 'no method'}`);
    return { payloads: step.send ? [eapPayload(step.send)] : [], more: true };
  }
  if (round.method === 'eap')
    return failed(`peer sent AUTH in round ${st.index + 1}, but EAP is configured`);
  const verdict = authenticatorFor(round.method).verify({
    ctx,
    sa,
    conn: st.conn,
    round,
    peerId: id,
    payloads,
    ofInitiator: true,
  });
  if (!verdict.ok) return failed(verdict.reason);
  logAuthenticated(ctx, sa, id, verdict.how);
  return { payloads: [], more: false };
}

/** One EAP Response: the next Request, or Success / Failure (then the initiator's AUTH follows). */
async function eapStep(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
): Promise<AuthRequestResult> {
  const packet = findEap(payloads);
  if (!packet) return failed('IKE_AUTH request lacks the EAP payload');
  const step = await st.eap!.process(packet);
  const send = step.send ? [eapPayload(step.send)] : [];
  if (!step.done) {
    const failing = st.eap!.pendingFailure;
    if (failing) {
      // The peer may give up rather than acknowledge (strongSwan does): say why now.
      const name = eapTypeName(st.eap!.eapType ?? 0);
      ctx.ports.logger.log('warn', sa.label, `EAP authentication failing (${name}): ${failing}`);
    }
    return { payloads: send };
  }
  const method = step.done.eapType === undefined ? 'EAP' : eapTypeName(step.done.eapType);
  const who = step.done.identity === undefined ? '' : ` of "${step.done.identity}"`;
  if (!step.done.success) {
    // RFC 3748 §4.2: EAP-Failure ends it; strongSwan sends no AUTHENTICATION_FAILED with it.
    const close = `EAP authentication${who} failed (${method}): ${step.done.reason ?? 'no reason'}`;
    return { payloads: send, close };
  }
  const certProblem = eapTlsCertificateProblem(step.done.peerCertificate, st.roundId!);
  if (certProblem) return failed(certProblem);
  // RFC 5998 §4: only a method that authenticates us too may replace our AUTH.
  if (st.eapOnly && !isMutualEapType(step.done.eapType))
    return failed(`EAP-only authentication needs a mutual method, not ${method}`);
  ctx.ports.logger.log('info', sa.label, `EAP method ${method}${who} succeeded`);
  st.eapDone = { msk: step.done.msk, how: `${method}${who}` };
  return { payloads: send };
}

/**
 * A round passed. RFC 4739 §3.2: the initiator announces another round with
 * ANOTHER_AUTH_FOLLOWS next to its AUTH; it must match the rounds we require.
 */
async function roundDone(
  ctx: EngineContext,
  sa: IkeSa,
  st: Progress,
  payloads: IkePayload[],
  out: IkePayload[],
): Promise<AuthRequestResult> {
  const announced = !!findNotify(payloads, NotifyType.ANOTHER_AUTH_FOLLOWS);
  const more = st.index + 1 < st.rounds.length;
  if (more && !announced)
    return failed(`peer skipped authentication round ${st.index + 2} (remote2 is configured)`);
  if (!more && announced)
    return failed(`peer announced authentication round ${st.index + 2}, none is configured`);
  if (more) {
    st.index++;
    st.roundId = undefined;
    return { payloads: out };
  }
  progressOf.delete(sa);
  return { payloads: [...out, ...(await establish(ctx, sa, st))] };
}

/** Every round passed: stale SAs go (INITIAL_CONTACT), the IKE_SA is up, the CHILD_SA answered. */
async function establish(ctx: EngineContext, sa: IkeSa, st: Progress): Promise<IkePayload[]> {
  const { conn, firstRequest: first } = st;
  // RFC 7296 §2.4: the peer restarted; our older SAs with it are stale (only
  // those established before this IKE_SA's IKE_SA_INIT was answered).
  if (findNotify(first, NotifyType.INITIAL_CONTACT)) await ctx.closeForInitialContact(sa);
  ctx.onEstablished(sa);
  if (!findPayload(first, 'SA')) return [];
  const answer = await answerChildOffer(ctx, sa, conn, [...first], { ignoreKe: true });
  if (!answer.ok) {
    ctx.ports.logger.log('warn', sa.label, `CHILD_SA not established: ${answer.reason}`);
    return answer.payloads;
  }
  if (await installNegotiatedChild(ctx, sa, answer.child, false, { ni: sa.ni, nr: sa.nr }))
    return answer.payloads;
  return [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
}
