/**
 * CREATE_CHILD_SA for additional CHILD_SAs (RFC 7296 §1.3.1), with an optional
 * key exchange for perfect forward secrecy: KEYMAT = prf+(SK_d, g^ir | Ni | Nr)
 * (§2.17). Rekeys (§1.3.3, §2.8) are routed to child-rekey.ts and ike-rekey.ts.
 */

import { getKe } from '../crypto/registry.js';
import type { KeyExchange } from '../crypto/types.js';
import { ExchangeType, type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import {
  acceptChildAnswer,
  answerChildOffer,
  buildChildOffer,
  insertAfterSa,
  nonceAndKeyExchange,
  releaseSpis,
} from './child-negotiation.js';
import { processChildRekeyRequest } from './child-rekey.js';
import type { ChildSa } from './child-sa.js';
import type { ChildConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { CREATE_CHILD_TAG, isRedundantIkeSa, noteChildOrigin } from './duplicates.js';
import { installNegotiatedChild } from './ike-auth.js';
import { ikeRekeyPending, processIkeRekeyRequest, wasSuperseded } from './ike-rekey.js';
import type { IkeSa } from './ike-sa.js';
import { findErrorNotify, findNotify, findPayload, notify, u16 } from './payloads.js';

/** Initiates an additional CHILD_SA for `cfg` on an established IKE_SA. */
export function startCreateChild(ctx: EngineContext, sa: IkeSa, cfg: ChildConnection): void {
  let offer: Awaited<ReturnType<typeof buildChildOffer>> | undefined;
  let ke: KeyExchange | undefined;
  let keGroup = 0;
  const ni = ctx.ports.random(ctx.options.nonceLength);
  ctx.queueRequest(
    sa,
    ExchangeType.CREATE_CHILD_SA,
    async () => {
      offer = await buildChildOffer(ctx, sa, cfg, { withKe: true });
      const ours = nonceAndKeyExchange(ctx, cfg, ni);
      ke = ours.ke;
      keGroup = ours.keGroup;
      return insertAfterSa(offer.payloads, ours.extra);
    },
    async (payloads) => {
      if (!offer) return;
      const reason = acceptChildAnswer(offer, payloads, false);
      const nr = findPayload(payloads, 'Nonce');
      const peerKe = findPayload(payloads, 'KE');
      let secret: Uint8Array | undefined;
      let problem = reason ?? (nr ? undefined : 'answer lacks a nonce');
      if (!problem && offer.child.chosen?.ke) {
        if (!ke || !peerKe || peerKe.group !== keGroup || offer.child.chosen.ke !== keGroup) {
          problem = 'answer key exchange does not match ours';
        } else {
          try {
            secret = ke.computeSharedSecret(peerKe.data);
          } catch {
            problem = 'peer key exchange value is invalid';
          }
        }
      }
      if (problem) {
        await releaseSpis(ctx, sa, offer.child);
        ctx.ports.logger.log('warn', sa.label, `CHILD_SA ${cfg.name} not established: ${problem}`);
        // RFC 7296 §2.25: TEMPORARY_FAILURE asks us to try again a little later.
        if (findErrorNotify(payloads)?.notifyType === NotifyType.TEMPORARY_FAILURE)
          retryCreateChild(ctx, sa, cfg);
        return;
      }
      noteChildOrigin(offer.child, { ni, nr: nr!.nonce, weInitiated: true });
      await installNegotiatedChild(ctx, sa, offer.child, true, { ni, nr: nr!.nonce }, secret);
      secret?.fill(0);
    },
    undefined,
    CREATE_CHILD_TAG,
    (to) => startCreateChild(ctx, to, cfg),
  );
}

/** Retry delay after TEMPORARY_FAILURE (strongSwan: 1–5 s at random, as for rekeys). */
const RETRY_MIN_MS = 1000;
const RETRY_SPREAD_MS = 4000;

function retryCreateChild(ctx: EngineContext, refused: IkeSa, cfg: ChildConnection): void {
  const b = ctx.ports.random(2);
  const ms = RETRY_MIN_MS + Math.floor((((b[0]! << 8) | b[1]!) / 65536) * RETRY_SPREAD_MS);
  // A rekey may replace the IKE_SA meanwhile: the retry goes to the current one.
  const current = () =>
    refused.conn
      ? ctx
          .sasOf(refused.conn)
          .find(
            (s) =>
              s.state === 'established' &&
              s.remote.address === refused.remote.address &&
              !wasSuperseded(s) &&
              !isRedundantIkeSa(s),
          )
      : undefined;
  ctx.schedule(current() ?? refused, ms, async () => {
    const sa = current();
    if (!sa || sa.children.some((c) => c.config.name === cfg.name && c.state !== 'deleted')) return;
    startCreateChild(ctx, sa, cfg);
  });
}

/** Responder side of CREATE_CHILD_SA for a new CHILD_SA, or a rekey (RFC 7296 §2.8). */
export async function processCreateChildRequest(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
): Promise<IkePayload[]> {
  const conn = sa.conn;
  const saPayload = findPayload(payloads, 'SA');
  const nonce = findPayload(payloads, 'Nonce');
  // Our IKE_AUTH answer has not arrived yet, though the peer (its responder)
  // already holds the IKE_SA established: ask it to try again (RFC 7296 §2.25).
  // §2.25.2: an IKE_SA we are deleting is neither rekeyed nor given new CHILD_SAs.
  if (sa.state === 'authenticating' || sa.state === 'deleting')
    return [notify(NotifyType.TEMPORARY_FAILURE)];
  if (!conn || sa.state !== 'established' || !saPayload || !nonce) {
    return [notify(NotifyType.INVALID_SYNTAX)];
  }
  if (saPayload.proposals.some((p) => p.protocolId === 1)) {
    return processIkeRekeyRequest(ctx, sa, payloads);
  }
  const rekey = findNotify(payloads, NotifyType.REKEY_SA);
  if (rekey) return processChildRekeyRequest(ctx, sa, payloads, rekey);
  // §2.25.2: no new CHILD_SA on an IKE_SA being rekeyed or already replaced;
  // it would move to (or die with) the old one. The peer retries on the new one.
  if (ikeRekeyPending(sa)) return [notify(NotifyType.TEMPORARY_FAILURE)];
  const out = await answerCreateChild(ctx, sa, payloads, {});
  return out.payloads;
}

export interface CreateChildAnswer {
  readonly payloads: IkePayload[];
  /** The CHILD_SA installed, and the nonces of the exchange (for rekey collisions). */
  readonly child?: ChildSa;
  readonly ni?: Uint8Array;
  readonly nr?: Uint8Array;
}

/**
 * Answers a CREATE_CHILD_SA offer: picks a proposal and selectors, runs the
 * key exchange when the proposal has one, installs the CHILD_SA. A rekey
 * passes the old CHILD_SA's reqid and config in `opts`.
 */
export async function answerCreateChild(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: IkePayload[],
  opts: { reqid?: number; only?: ChildConnection; deferOutbound?: boolean; rekeyOf?: ChildSa },
): Promise<CreateChildAnswer> {
  const nonce = findPayload(payloads, 'Nonce')!;
  const { deferOutbound, rekeyOf, ...which } = opts;
  const answer = await answerChildOffer(ctx, sa, sa.conn!, payloads, { ignoreKe: false, ...which });
  if (!answer.ok) {
    ctx.ports.logger.log('warn', sa.label, `CHILD_SA not established: ${answer.reason}`);
    return { payloads: answer.payloads };
  }
  const child = answer.child;
  const nr = ctx.ports.random(ctx.options.nonceLength);
  let secret: Uint8Array | undefined;
  const extra: IkePayload[] = [{ kind: 'Nonce', nonce: nr }];
  const group = child.chosen?.ke;
  if (group) {
    const peerKe = findPayload(payloads, 'KE');
    if (!peerKe || peerKe.group !== group) {
      await releaseSpis(ctx, sa, child);
      return { payloads: [notify(NotifyType.INVALID_KE_PAYLOAD, u16(group))] };
    }
    try {
      const ke = getKe(group)!.respond(ctx.ports.random, peerKe.data);
      secret = ke.computeSharedSecret(peerKe.data);
      extra.push({ kind: 'KE', group, data: ke.publicValue });
    } catch {
      await releaseSpis(ctx, sa, child);
      return { payloads: [notify(NotifyType.INVALID_SYNTAX)] };
    }
  }
  noteChildOrigin(child, {
    ni: nonce.nonce,
    nr,
    weInitiated: false,
    ...(rekeyOf ? { rekeyOf } : {}),
  });
  const installed = await installNegotiatedChild(
    ctx,
    sa,
    child,
    false,
    { ni: nonce.nonce, nr },
    secret,
    {
      deferOutbound: deferOutbound === true,
    },
  );
  secret?.fill(0);
  if (!installed) return { payloads: [notify(NotifyType.NO_PROPOSAL_CHOSEN)] };
  let response = [...answer.payloads];
  response = insertAfterSa(response, extra);
  return { payloads: response, child, ni: nonce.nonce, nr };
}
