/**
 * IKE_AUTH with pre-shared keys (RFC 7296 §1.2, §2.15): identities, the AUTH
 * payloads computed over the IKE_SA_INIT messages, INITIAL_CONTACT, and the
 * first CHILD_SA. A CHILD_SA that fails here does not fail the IKE_SA
 * (RFC 7296 §2.21.3).
 */

import { ExchangeType, type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import { type Authenticator, pskAuthenticator } from './auth-methods.js';
import {
  certReqPayloads,
  isIdentityPattern,
  notePeerAuthHints,
  peerIdentityMatches,
  pubkeyAuthenticator,
} from './auth-pubkey.js';
import {
  acceptChildAnswer,
  answerChildOffer,
  buildChildOffer,
  type ChildOffer,
  releaseSpis,
} from './child-negotiation.js';
import type { ChildSa } from './child-sa.js';
import { installChildSa, removeChildSa } from './child-sa.js';
import type { AuthMethod as ConfiguredAuth, Identity, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { sealPayloads, sendPackets } from './exchange-io.js';
import { addressIdentity, formatIdentity, identityMatches, isAnyIdentity } from './identities.js';
import type { IkeSa } from './ike-sa.js';
import { findNotify, findPayload, notify } from './payloads.js';

function ourIdentity(sa: IkeSa, conn: IkeConnection): Identity {
  return isAnyIdentity(conn.local.id) ? addressIdentity(sa.local.address) : conn.local.id;
}

/** Each side proves itself with its own configured method (RFC 7296 §2.15). */
function authenticatorFor(method: ConfiguredAuth): Authenticator {
  return method === 'pubkey' ? pubkeyAuthenticator : pskAuthenticator;
}

function logAuthenticated(ctx: EngineContext, sa: IkeSa, peerId: Identity, how: string): void {
  ctx.ports.logger.log(
    'info',
    sa.label,
    `authentication of ${formatIdentity(peerId)} with ${how} successful`,
  );
}

function natEncap(sa: IkeSa) {
  return sa.natLocal || sa.natRemote ? { sport: sa.local.port, dport: sa.remote.port } : undefined;
}

export async function installNegotiatedChild(
  ctx: EngineContext,
  sa: IkeSa,
  child: ChildSa,
  weInitiated: boolean,
  nonces: { ni: Uint8Array; nr: Uint8Array },
  pfsSecret?: Uint8Array,
  opts: { deferOutbound?: boolean } = {},
): Promise<boolean> {
  const encap = natEncap(sa);
  try {
    await installChildSa(child, {
      kernel: ctx.kernel,
      prf: sa.prf!,
      skD: sa.keys!.skD,
      ni: nonces.ni,
      nr: nonces.nr,
      weInitiated,
      local: sa.local,
      remote: sa.remote,
      ...(pfsSecret ? { pfsSecret } : {}),
      ...(encap ? { encap } : {}),
      ...(opts.deferOutbound ? { deferOutbound: true } : {}),
    });
  } catch (e) {
    // RFC 7296 §2.21.3: a CHILD_SA that cannot be set up does not fail the
    // IKE_SA; undo what reached the kernel and let the caller tell the peer.
    ctx.ports.logger.log(
      'warn',
      sa.label,
      `CHILD_SA ${child.config.name} not installed: ${(e as Error).message}`,
    );
    await removeChildSa(child, ctx.kernel);
    await releaseSpis(ctx, sa, child);
    return false;
  }
  child.installedAt = ctx.ports.clock.now();
  sa.children.push(child);
  ctx.childInstalled(sa, child);
  ctx.ports.logger.log(
    'info',
    sa.label,
    `CHILD_SA ${child.config.name}{${child.uniqueId}} established`,
    {
      spi_in: child.spiIn.toString(16).padStart(8, '0'),
      spi_out: child.spiOut.toString(16).padStart(8, '0'),
      mode: child.mode,
      reqid: child.reqid,
    },
  );
  return true;
}

// ------------------------------------------------------------------ initiator

/** Queues our IKE_AUTH request: IDi, [IDr], AUTH, INITIAL_CONTACT and the first CHILD_SA. */
export function startIkeAuth(ctx: EngineContext, sa: IkeSa, initialContact: boolean): void {
  const conn = sa.conn!;
  let offer: ChildOffer | undefined;
  sa.state = 'authenticating';
  ctx.queueRequest(
    sa,
    ExchangeType.IKE_AUTH,
    async () => {
      const idi = ourIdentity(sa, conn);
      const proof = authenticatorFor(conn.local.method).prove({
        ctx,
        sa,
        conn,
        id: idi,
        ofInitiator: true,
      });
      if (!Array.isArray(proof)) throw new Error(proof.error);
      // RFC 7296 §1.2: IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr.
      const certs = proof.filter((p) => p.kind === 'CERT');
      const payloads: IkePayload[] = [
        { kind: 'IDi', idType: idi.type, data: idi.data },
        ...certs,
        ...certReqPayloads([conn]),
      ];
      if (!isAnyIdentity(conn.remote.id) && !isIdentityPattern(conn.remote)) {
        payloads.push({ kind: 'IDr', idType: conn.remote.id.type, data: conn.remote.id.data });
      }
      payloads.push(...proof.filter((p) => p.kind !== 'CERT'));
      if (initialContact) payloads.push(notify(NotifyType.INITIAL_CONTACT));
      const first = conn.children[0];
      if (first) {
        offer = await buildChildOffer(ctx, sa, first, { withKe: false });
        payloads.push(...offer.payloads);
      }
      return payloads;
    },
    async (payloads) => {
      await processAuthResponse(ctx, sa, conn, payloads, offer);
    },
  );
}

async function processAuthResponse(
  ctx: EngineContext,
  sa: IkeSa,
  conn: IkeConnection,
  payloads: IkePayload[],
  offer: ChildOffer | undefined,
): Promise<void> {
  const fail = async (reason: string) => {
    if (offer) await releaseSpis(ctx, sa, offer.child);
    await ctx.closeSa(sa, reason);
  };
  // RFC 7296 §2.21.2: an initiator that refuses the responder says so in a
  // separate INFORMATIONAL (the responder has installed its CHILD_SA); we
  // close without waiting for the answer.
  const refuse = async (reason: string) => {
    const refusal = [notify(NotifyType.AUTHENTICATION_FAILED)];
    const id = sa.nextRequestId;
    sendPackets(ctx, sa, sealPayloads(ctx, sa, ExchangeType.INFORMATIONAL, id, false, refusal));
    await fail(reason);
  };
  if (findNotify(payloads, NotifyType.AUTHENTICATION_FAILED)) {
    return fail('peer answered AUTHENTICATION_FAILED');
  }
  const idr = findPayload(payloads, 'IDr');
  const auth = findPayload(payloads, 'AUTH');
  if (!idr || !auth) return refuse('IKE_AUTH response lacks IDr or AUTH');
  const peerId: Identity = { type: idr.idType, data: idr.data };
  if (!peerIdentityMatches(conn.remote, peerId, sa.remote.address)) {
    return refuse(
      `peer identity ${formatIdentity(peerId)} does not match ${formatIdentity(conn.remote.id)}`,
    );
  }
  const verdict = authenticatorFor(conn.remote.method).verify({
    ctx,
    sa,
    conn,
    peerId,
    payloads,
    ofInitiator: false,
  });
  if (!verdict.ok) return refuse(verdict.reason);
  logAuthenticated(ctx, sa, peerId, verdict.how);
  sa.peerId = peerId;
  ctx.onEstablished(sa);
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

// ------------------------------------------------------------------ responder

export interface AuthRequestResult {
  readonly payloads: IkePayload[];
  /** Close the SA once the response is sent (authentication failed). */
  readonly close?: string;
}

/** Handles the initiator's IKE_AUTH request and returns our response. */
export async function processAuthRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
): Promise<AuthRequestResult> {
  const idi = findPayload(payloads, 'IDi');
  const auth = findPayload(payloads, 'AUTH');
  const failed = (why: string): AuthRequestResult => ({
    payloads: [notify(NotifyType.AUTHENTICATION_FAILED)],
    close: why,
  });
  if (!idi || !auth) return failed('IKE_AUTH request lacks IDi or AUTH');
  const peerId: Identity = { type: idi.idType, data: idi.data };
  const idrP = findPayload(payloads, 'IDr');
  const wanted: Identity | undefined = idrP ? { type: idrP.idType, data: idrP.data } : undefined;
  const fits = sa.candidates.filter(
    (c) =>
      authenticatorFor(c.remote.method).accepts(auth.method) &&
      peerIdentityMatches(c.remote, peerId, sa.remote.address),
  );
  // IDr picks among them; a DN the peer encoded differently from ours still finds its connection.
  const conn =
    fits.find((c) => !wanted || isAnyIdentity(c.local.id) || identityMatches(c.local.id, wanted)) ??
    fits[0];
  if (!conn)
    return failed(
      `no connection matches peer identity ${formatIdentity(peerId)} with AUTH method ${auth.method}`,
    );
  sa.conn = conn;
  notePeerAuthHints(ctx, sa, payloads);
  const verdict = authenticatorFor(conn.remote.method).verify({
    ctx,
    sa,
    conn,
    peerId,
    payloads,
    ofInitiator: true,
  });
  if (!verdict.ok) return failed(verdict.reason);
  logAuthenticated(ctx, sa, peerId, verdict.how);
  sa.peerId = peerId;
  if (findNotify(payloads, NotifyType.INITIAL_CONTACT)) {
    // RFC 7296 §2.4: the peer restarted; our older SAs with it are stale.
    for (const old of ctx.sasOf(conn)) {
      if (old !== sa && old.peerId && identityMatches(old.peerId, peerId)) {
        await ctx.closeSa(old, 'peer sent INITIAL_CONTACT');
      }
    }
  }
  const idr = ourIdentity(sa, conn);
  const proof = authenticatorFor(conn.local.method).prove({
    ctx,
    sa,
    conn,
    id: idr,
    ofInitiator: false,
  });
  if (!Array.isArray(proof)) return failed(`cannot authenticate ourselves: ${proof.error}`);
  // RFC 7296 §1.2: IDr, [CERT,] AUTH, SAr2, TSi, TSr.
  const response: IkePayload[] = [{ kind: 'IDr', idType: idr.type, data: idr.data }, ...proof];
  ctx.onEstablished(sa);
  if (findPayload(payloads, 'SA')) {
    const answer = await answerChildOffer(ctx, sa, conn, payloads, { ignoreKe: true });
    if (!answer.ok) {
      ctx.ports.logger.log('warn', sa.label, `CHILD_SA not established: ${answer.reason}`);
      response.push(...answer.payloads);
    } else if (
      await installNegotiatedChild(ctx, sa, answer.child, false, { ni: sa.ni, nr: sa.nr })
    ) {
      response.push(...answer.payloads);
    } else {
      response.push(notify(NotifyType.NO_PROPOSAL_CHOSEN));
    }
  }
  return { payloads: response };
}
