/**
 * EAP rounds of IKE_AUTH (RFC 7296 §2.16): the engine carries the EAP
 * conversation of src/auth/eap in EAP payloads, and once it succeeded both
 * sides send an AUTH payload keyed with the method's MSK (SK_pi / SK_pr for
 * methods without one, such as EAP-MD5).
 */

import { timingSafeEqual } from 'node:crypto';
import { parseCertificates } from '../auth/credentials.js';
import type { EapPacket } from '../auth/eap/packet.js';
import { EapType } from '../auth/eap/packet.js';
import type { EapPeer } from '../auth/eap/peer.js';
import type { EapServer } from '../auth/eap/server.js';
import { createEapPeer, createEapServer, eapAuthData } from '../auth/eap-auth.js';
import { certificateMatchesIdentity } from '../auth/identity.js';
import { AuthMethod, type IkePayload } from '../wire/ikev2/index.js';
import { signedOctets } from './auth-methods.js';
import type { AuthRound, EapSettings, Identity } from './connection.js';
import type { EngineContext } from './context.js';
import { formatIdentity } from './identities.js';
import type { IkeSa } from './ike-sa.js';

/** The EAP packet of a message as an EAP payload (RFC 7296 §3.16). */
export function eapPayload(p: EapPacket): IkePayload {
  return {
    kind: 'EAP',
    code: p.code,
    identifier: p.identifier,
    ...(p.eapType !== undefined && { eapType: p.eapType }),
    data: p.data,
  };
}

/** The EAP packet a message carries, if any. */
export function findEap(payloads: readonly IkePayload[]): EapPacket | undefined {
  const p = payloads.find((x) => x.kind === 'EAP');
  if (p?.kind !== 'EAP') return undefined;
  return {
    code: p.code,
    identifier: p.identifier,
    ...(p.eapType !== undefined && { eapType: p.eapType }),
    data: p.data,
  };
}

function settingsOf(round: AuthRound): EapSettings {
  if (!round.eap) throw new Error('EAP round without EAP settings');
  return round.eap;
}

/** The EAP identity an IKE identity stands for (strongSwan's `eap_id` default). */
export const eapIdentityOf = (id: Identity): string => formatIdentity(id);

/** Our side of an EAP round (we are the initiator, RFC 7296 §2.16). */
export function newEapPeer(
  ctx: EngineContext,
  round: AuthRound,
  ourId: Identity,
  serverId: Identity,
): EapPeer {
  const eap = settingsOf(round);
  return createEapPeer({
    methods: eap.methods,
    identity: eap.identity ?? eapIdentityOf(ourId),
    // A copy the method keeps for the conversation; never logged.
    ...(eap.password && { password: eap.password.reveal() }),
    // strongSwan checks that the EAP-TLS server's certificate carries the responder's IKE identity.
    ...(eap.tls && { tls: { ...eap.tls, serverIdentity: serverId } }),
    random: ctx.ports.random,
  });
}

/** The server side of an EAP round (we are the responder). */
export function newEapServer(ctx: EngineContext, round: AuthRound, peerId: Identity): EapServer {
  const eap = settingsOf(round);
  // strongSwan: eap_id defaults to the IKE identity; `%any` asks with EAP-Identity.
  const identity = eap.askIdentity ? undefined : (eap.identity ?? eapIdentityOf(peerId));
  return createEapServer({
    methods: eap.methods,
    ...(identity !== undefined && { identity }),
    passwords: (user) => eap.passwords?.(user)?.reveal(),
    ...(eap.tls && { tls: eap.tls }),
    random: ctx.ports.random,
  });
}

/**
 * Methods that authenticate the server too, as EAP-only authentication
 * requires (RFC 5998 §4): EAP-TLS (the server's certificate) and
 * EAP-MSCHAPv2 (the authenticator response); EAP-MD5 does not.
 */
export function isMutualEapType(eapType: number | undefined): boolean {
  return eapType === EapType.TLS || eapType === EapType.MSCHAPV2;
}

/**
 * AUTH after EAP for one side: prf(prf(key, "Key Pad for IKEv2"),
 * SignedOctets) with key = MSK, or SK_pi / SK_pr without one (§2.16).
 */
function mskAuthData(
  sa: IkeSa,
  msk: Uint8Array | undefined,
  ofInitiator: boolean,
  id: Identity,
): Uint8Array {
  const keys = sa.keys!;
  const skP = ofInitiator ? keys.skPi : keys.skPr;
  return eapAuthData(sa.prf!, msk, skP, signedOctets(sa, ofInitiator, id));
}

/** Our AUTH payload after EAP. */
export function eapAuthPayload(
  sa: IkeSa,
  msk: Uint8Array | undefined,
  ofInitiator: boolean,
  id: Identity,
): IkePayload {
  return {
    kind: 'AUTH',
    method: AuthMethod.SHARED_KEY_MIC,
    data: mskAuthData(sa, msk, ofInitiator, id),
  };
}

/** Checks the peer's AUTH after EAP (constant time); a reason for the log when it fails. */
export function verifyEapAuth(
  sa: IkeSa,
  msk: Uint8Array | undefined,
  ofInitiator: boolean,
  peerId: Identity,
  payloads: readonly IkePayload[],
): string | undefined {
  const auth = payloads.find((p) => p.kind === 'AUTH');
  const who = formatIdentity(peerId);
  if (auth?.kind !== 'AUTH') return `no AUTH payload from ${who} after EAP`;
  if (auth.method !== AuthMethod.SHARED_KEY_MIC)
    return `AUTH method ${auth.method} from ${who} after EAP, expected shared key MIC`;
  const expected = mskAuthData(sa, msk, ofInitiator, peerId);
  const ok = expected.length === auth.data.length && timingSafeEqual(expected, auth.data);
  return ok ? undefined : `AUTH of ${who} after EAP does not match (EAP keys differ)`;
}

/**
 * The EAP-TLS client's certificate must name the peer's identity, as
 * strongSwan requires of the EAP identity (by default the IKE identity); the
 * chain itself was validated by the TLS handshake against the round's CAs.
 */
export function eapTlsCertificateProblem(
  der: Uint8Array | undefined,
  peerId: Identity,
): string | undefined {
  if (!der) return undefined;
  try {
    const [cert] = parseCertificates(der, 'EAP-TLS client certificate');
    if (!cert) return 'EAP-TLS client sent no certificate';
    const m = certificateMatchesIdentity(cert, peerId);
    return m.ok
      ? undefined
      : `EAP-TLS certificate "${cert.subjectText}" does not match ${formatIdentity(peerId)}: ${m.reason}`;
  } catch (e) {
    return `EAP-TLS client certificate unreadable: ${(e as Error).message}`;
  }
}
