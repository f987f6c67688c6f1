/**
 * How each side proves itself in IKE_AUTH (RFC 7296 §2.15): every method
 * gives the payloads that carry our proof (AUTH, and CERT before it for
 * certificates) and checks the peer's. Each side uses its own method, so a
 * PSK initiator may face a certificate responder. PSK lives here, certificates
 * in auth-pubkey.ts; EAP rounds (auth-eap.ts) end with an AUTH keyed by the
 * method's MSK.
 */

import { timingSafeEqual } from 'node:crypto';
import { authSignedOctets, sharedKeyAuth } from '../crypto/kdf/index.js';
import { AuthMethod, type IkePayload } from '../wire/ikev2/index.js';
import type { AuthRound, Identity, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { formatIdentity, identityBody } from './identities.js';
import type { IkeSa } from './ike-sa.js';
import { findPayload } from './payloads.js';

export interface ProveInput {
  readonly ctx: EngineContext;
  readonly sa: IkeSa;
  readonly conn: IkeConnection;
  /** Our round being proven (`local`, or `local2` in a second round, RFC 4739). */
  readonly round: AuthRound;
  /** The IDi or IDr we send. */
  readonly id: Identity;
  /** True when we are the initiator of the IKE_SA. */
  readonly ofInitiator: boolean;
}

export interface VerifyInput {
  readonly ctx: EngineContext;
  readonly sa: IkeSa;
  readonly conn: IkeConnection;
  /** The peer's round being checked (`remote`, or `remote2`). */
  readonly round: AuthRound;
  readonly peerId: Identity;
  /** The peer's IKE_AUTH payloads (AUTH, CERT, ...). */
  readonly payloads: readonly IkePayload[];
  /** True when the peer is the initiator of the IKE_SA. */
  readonly ofInitiator: boolean;
}

export type VerifyOutcome =
  | { readonly ok: true /** for the log line, e.g. "pre-shared key" */; readonly how: string }
  | { readonly ok: false; readonly reason: string };

export interface Authenticator {
  /** Payloads that carry our proof, in message order (CERT..., AUTH). */
  prove(input: ProveInput): IkePayload[] | { readonly error: string };
  /** Checks the peer's proof; the reason of a failure goes to the log. */
  verify(input: VerifyInput): VerifyOutcome;
  /** Whether a received AUTH method belongs to this method (responder connection choice). */
  accepts(authMethod: number): boolean;
}

/**
 * The octets an AUTH payload covers (RFC 7296 §2.15): the side's
 * IKE_SA_INIT message, the other side's nonce, and prf(SK_px, ID body).
 */
export function signedOctets(sa: IkeSa, ofInitiator: boolean, id: Identity): Uint8Array {
  if (!sa.prf || !sa.keys) throw new Error('IKE_SA has no keys yet');
  return ofInitiator
    ? authSignedOctets(sa.prf, sa.initRequest, sa.nr, sa.keys.skPi, identityBody(id))
    : authSignedOctets(sa.prf, sa.initResponse, sa.ni, sa.keys.skPr, identityBody(id));
}

/** AUTH = prf(prf(PSK, "Key Pad for IKEv2"), SignedOctets) for the given side. */
function pskAuthData(
  sa: IkeSa,
  conn: IkeConnection,
  ofInitiator: boolean,
  id: Identity,
): Uint8Array | undefined {
  if (!conn.psk || !sa.prf) return undefined;
  return sharedKeyAuth(sa.prf, conn.psk.reveal(), signedOctets(sa, ofInitiator, id));
}

function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export const pskAuthenticator: Authenticator = {
  prove({ sa, conn, id, ofInitiator }) {
    const data = pskAuthData(sa, conn, ofInitiator, id);
    if (!data) return { error: 'no pre-shared key configured' };
    return [{ kind: 'AUTH', method: AuthMethod.SHARED_KEY_MIC, data }];
  },
  verify({ sa, conn, peerId, payloads, ofInitiator }) {
    const auth = findPayload(payloads, 'AUTH');
    if (!auth) return { ok: false, reason: 'no AUTH payload' };
    const failed = `authentication of ${formatIdentity(peerId)} with pre-shared key failed`;
    if (auth.method !== AuthMethod.SHARED_KEY_MIC)
      return { ok: false, reason: `${failed}: peer used AUTH method ${auth.method}` };
    const expected = pskAuthData(sa, conn, ofInitiator, peerId);
    if (!expected || !sameMac(expected, auth.data)) return { ok: false, reason: failed };
    return { ok: true, how: 'pre-shared key' };
  },
  accepts: (method) => method === AuthMethod.SHARED_KEY_MIC,
};
