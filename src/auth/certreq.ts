/**
 * CERT and CERTREQ payload contents (RFC 7296 §3.6, §3.7): which certificates
 * we send, the CA hashes we request, and which of our certificates answers a
 * peer's request.
 */
import { CertEncoding } from '../wire/ikev2/constants.js';
import { dnEquals } from './dn.js';
import { sameBytes } from './keys.js';
import { type Certificate, isSignedBy, parseCertificate } from './x509.js';

/** SHA-1 is 20 octets; a CERTREQ's X.509 data is a concatenation of them (§3.7). */
export const CERTREQ_HASH_LENGTH = 20;

/** CERTREQ data (encoding X509_SIGNATURE): SHA-1 of each trusted CA's SubjectPublicKeyInfo. */
export function certReqData(trustAnchors: readonly Certificate[]): Uint8Array {
  const out = new Uint8Array(trustAnchors.length * CERTREQ_HASH_LENGTH);
  trustAnchors.forEach((ca, i) => {
    out.set(ca.spkiSha1, i * CERTREQ_HASH_LENGTH);
  });
  return out;
}

/** The CA key hashes in a CERTREQ; an error when the length is not a multiple of 20. */
export function parseCertReqData(data: Uint8Array): Uint8Array[] | { error: string } {
  if (data.length % CERTREQ_HASH_LENGTH !== 0)
    return { error: `CERTREQ data of ${data.length} octets is not a list of SHA-1 hashes` };
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += CERTREQ_HASH_LENGTH)
    out.push(data.slice(i, i + CERTREQ_HASH_LENGTH));
  return out;
}

export interface CertPayloadData {
  readonly encoding: number;
  readonly data: Uint8Array;
}

/**
 * The CERT payloads to send: our end-entity certificate first (RFC 7296 §3.6:
 * the first CERT payload holds the key that signs AUTH), then the intermediates
 * that lead from it towards a root; self-signed roots are left out, the peer
 * must hold them already.
 */
export function certPayloads(
  endEntity: Certificate,
  intermediates: readonly Certificate[],
): CertPayloadData[] {
  const out: CertPayloadData[] = [{ encoding: CertEncoding.X509_SIGNATURE, data: endEntity.der }];
  let current = endEntity;
  const used = new Set<Certificate>();
  for (;;) {
    const issuer = intermediates.find((c) => !used.has(c) && dnEquals(c.subject, current.issuer));
    if (!issuer || dnEquals(issuer.subject, issuer.issuer)) break;
    used.add(issuer);
    out.push({ encoding: CertEncoding.X509_SIGNATURE, data: issuer.der });
    current = issuer;
  }
  return out;
}

/** The peer's certificates from its CERT payloads: the first is the end entity. Unknown encodings are skipped. */
export function certificatesFromPayloads(
  payloads: readonly CertPayloadData[],
): { endEntity: Certificate; intermediates: Certificate[] } | { error: string } {
  const certs: Certificate[] = [];
  for (const p of payloads) {
    if (p.encoding !== CertEncoding.X509_SIGNATURE) continue;
    const cert = parseCertificate(p.data);
    if ('error' in cert) return { error: `CERT payload: ${cert.error}` };
    certs.push(cert);
  }
  const [endEntity, ...intermediates] = certs;
  return endEntity
    ? { endEntity, intermediates }
    : { error: 'no X.509 certificate in the CERT payloads' };
}

export interface OwnCertificate {
  readonly certificate: Certificate;
  readonly intermediates: readonly Certificate[];
}

/**
 * Which of our certificates answers the peer's CERTREQ hashes: the first whose
 * chain (itself or an intermediate) has a requested key, or was issued by a
 * CA in `knownCas` (e.g. the root we do not send) with a requested key.
 * Without a usable request (none sent, or nothing matches) the first
 * certificate is used, as strongSwan does.
 */
export function selectCertificateForCertReq(
  ours: readonly OwnCertificate[],
  requested: readonly Uint8Array[],
  knownCas: readonly Certificate[] = [],
): OwnCertificate | undefined {
  if (requested.length === 0) return ours[0];
  const wanted = (c: Certificate) => requested.some((h) => sameBytes(h, c.spkiSha1));
  const wantedCas = knownCas.filter(wanted);
  for (const own of ours) {
    const chain = [own.certificate, ...own.intermediates];
    if (chain.some(wanted)) return own;
    const issuedByWanted = chain.some((c) =>
      wantedCas.some((ca) => dnEquals(ca.subject, c.issuer) && isSignedBy(c, ca)),
    );
    if (issuedByWanted) return own;
  }
  return ours[0];
}
