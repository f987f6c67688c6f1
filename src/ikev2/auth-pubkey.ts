/**
 * Certificate authentication in IKE_AUTH (RFC 7296 §2.15, §3.6-3.8; RFC 7427):
 * our CERT payloads and signature AUTH, the peer's checked against the
 * configured CAs and CRLs, and the IKE_SA_INIT side of it
 * (SIGNATURE_HASH_ALGORITHMS, CERTREQ). The X.509 and signature work is
 * src/auth's; this module only wires it to the SA.
 *
 * We send our certificate and its intermediates with every AUTH, asked for
 * or not (strongSwan's `send_cert = always`): a peer without a CERTREQ of its
 * own may still lack our certificate, and the chain rides on IKE
 * fragmentation when it is large (RFC 7383).
 */

import { verifyPeerCertificateAuth } from '../auth/cert-auth.js';
import { certPayloads, certReqData, parseCertReqData } from '../auth/certreq.js';
import { identityMatchesConfig } from '../auth/identity-config.js';
import { signAuth } from '../auth/signature.js';
import {
  decodeSignatureHashAlgorithms,
  encodeSignatureHashAlgorithms,
} from '../auth/signature-hash.js';
import type { Certificate } from '../auth/x509.js';
import { AuthMethod, CertEncoding, type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import { type Authenticator, signedOctets } from './auth-methods.js';
import type { AuthRound, Identity, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import { formatIdentity, identityMatches } from './identities.js';
import type { IkeSa } from './ike-sa.js';
import { findNotify, notify } from './payloads.js';
import { parseAddress } from './traffic-selectors.js';

const SIGNATURE_METHODS: ReadonlySet<number> = new Set([
  AuthMethod.RSA_DIGITAL_SIGNATURE,
  AuthMethod.ECDSA_SHA256_P256,
  AuthMethod.ECDSA_SHA384_P384,
  AuthMethod.ECDSA_SHA512_P521,
  AuthMethod.DIGITAL_SIGNATURE,
]);

const certificateTime = (ctx: EngineContext): Date => ctx.options.certificateTime?.() ?? new Date();

export const pubkeyAuthenticator: Authenticator = {
  prove({ sa, round, id, ofInitiator }) {
    const own = round.credentials;
    if (!own) return { error: 'no certificate and private key loaded' };
    const auth = signAuth(own.key, signedOctets(sa, ofInitiator, id), {
      ...(sa.peerHashes ? { peerHashes: sa.peerHashes } : {}),
    });
    if ('error' in auth) return { error: auth.error };
    const certs: IkePayload[] = certPayloads(own.certificate, own.intermediates).map((c) => ({
      kind: 'CERT',
      encoding: c.encoding,
      data: c.data,
    }));
    return [...certs, { kind: 'AUTH', method: auth.method, data: auth.data }];
  },
  verify({ ctx, sa, round, peerId, payloads, ofInitiator }) {
    const trust = round.trust;
    if (!trust) return { ok: false, reason: 'no CA certificates configured for the peer' };
    const auth = payloads.find((p) => p.kind === 'AUTH');
    if (auth?.kind !== 'AUTH') return { ok: false, reason: 'no AUTH payload' };
    const who = formatIdentity(peerId);
    if (!SIGNATURE_METHODS.has(auth.method))
      return {
        ok: false,
        reason: `authentication of ${who} failed: AUTH method ${auth.method} is not a signature`,
      };
    const certs = payloads.flatMap((p) =>
      p.kind === 'CERT' ? [{ encoding: p.encoding, data: p.data }] : [],
    );
    if (certs.length === 0)
      return { ok: false, reason: `authentication of ${who} failed: no CERT payload` };
    const r = verifyPeerCertificateAuth({
      certPayloads: certs,
      identity: peerId,
      authMethod: auth.method,
      authData: auth.data,
      signedOctets: signedOctets(sa, ofInitiator, peerId),
      trustAnchors: trust.trustAnchors,
      crls: trust.crls,
      now: certificateTime(ctx),
    });
    if (!r.ok) return { ok: false, reason: `authentication of ${who} failed: ${r.reason}` };
    return { ok: true, how: `certificate "${r.certificate.subjectText}" (${r.scheme})` };
  },
  accepts: (method) => SIGNATURE_METHODS.has(method),
};

/** Whether the peer's ID is the one the round expects (DNs attribute-wise, with `*`). */
export function peerIdentityMatches(round: AuthRound, peerId: Identity, peerAddress: string) {
  if (!round.idSpec) return identityMatches(round.id, peerId);
  return identityMatchesConfig(peerId, round.idSpec, parseAddress(peerAddress)?.bytes).ok;
}

/** A configured identity with `*` is a pattern: never sent as IDr (RFC 7296 §2.15 asks for a real one). */
export function isIdentityPattern(round: AuthRound): boolean {
  const s = round.idSpec;
  return (
    !!s && (s.type === 'fqdn' || s.type === 'rfc822' || s.type === 'dn') && s.value.includes('*')
  );
}

/** Every authentication round of a connection, ours and the peer's. */
export const roundsOf = (c: IkeConnection): AuthRound[] =>
  [c.local, c.remote, c.local2, c.remote2].filter((r): r is AuthRound => r !== undefined);

const usesCertificates = (c: IkeConnection): boolean =>
  roundsOf(c).some((r) => r.method === 'pubkey');

/** Trust anchors of the peer's certificate rounds. */
function anchorsOf(conns: readonly IkeConnection[]): Certificate[] {
  const seen = new Set<Certificate>();
  for (const c of conns)
    for (const r of [c.remote, c.remote2])
      if (r?.method === 'pubkey') for (const ca of r.trust?.trustAnchors ?? []) seen.add(ca);
  return [...seen];
}

/** A CERTREQ payload for our CAs (encoding X.509, §3.7), or nothing without any. */
export function certReqPayloads(conns: readonly IkeConnection[]): IkePayload[] {
  const anchors = anchorsOf(conns);
  if (anchors.length === 0) return [];
  return [{ kind: 'CERTREQ', encoding: CertEncoding.X509_SIGNATURE, data: certReqData(anchors) }];
}

/** The notify announcing our hashes when the connection uses certificates (RFC 7427 §4). */
export function signatureHashNotifies(conns: readonly IkeConnection[]): IkePayload[] {
  return conns.some(usesCertificates)
    ? [notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, encodeSignatureHashAlgorithms())]
    : [];
}

/**
 * Remembers the peer's SIGNATURE_HASH_ALGORITHMS and CERTREQ hashes from a
 * message; a malformed notify is logged and ignored.
 */
export function notePeerAuthHints(
  ctx: EngineContext,
  sa: IkeSa,
  payloads: readonly IkePayload[],
): void {
  const n = findNotify(payloads, NotifyType.SIGNATURE_HASH_ALGORITHMS);
  if (n) {
    const hashes = decodeSignatureHashAlgorithms(n.data);
    if ('error' in hashes)
      ctx.ports.logger.log('warn', sa.label, `ignoring SIGNATURE_HASH_ALGORITHMS: ${hashes.error}`);
    else sa.peerHashes = hashes;
  }
  for (const p of payloads) {
    if (p.kind !== 'CERTREQ' || p.encoding !== CertEncoding.X509_SIGNATURE) continue;
    const hashes = parseCertReqData(p.data);
    if ('error' in hashes) ctx.ports.logger.log('debug', sa.label, `ignoring ${hashes.error}`);
    else sa.peerCertReq = [...sa.peerCertReq, ...hashes];
  }
}
