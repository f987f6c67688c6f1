/**
 * Certificate path validation (RFC 5280 §6, the parts IKE peers rely on): from
 * the peer's end-entity certificate through the intermediates it sent (or we
 * hold) to one of the configured CA certificates, checking each certificate's
 * validity at an injected "now", issuer/subject chaining with the issuer's
 * signature, basicConstraints (cA, pathLenConstraint), keyUsage (keyCertSign
 * on CAs, digitalSignature or nonRepudiation on the end entity, RFC 4945
 * §5.1.3.2) and revocation by any loaded CRL of the issuing CA. Like strongSwan, a CRL
 * past its nextUpdate still revokes but does not by itself fail the path.
 */
import { type Crl, crlSignedBy, findRevocation } from './crl.js';
import { dnEquals } from './dn.js';
import { sameBytes } from './keys.js';
import { type Certificate, isoDate, isSignedBy, validityProblem } from './x509.js';

export interface ChainInput {
  readonly endEntity: Certificate;
  /** Intermediates from the peer's CERT payloads and from local files. */
  readonly intermediates: readonly Certificate[];
  /** Configured CA certificates (trust anchors). */
  readonly trustAnchors: readonly Certificate[];
  readonly crls?: readonly Crl[];
  readonly now: Date;
  /** Upper bound on the path length, against loops and hostile chains. */
  readonly maxDepth?: number;
  /** Skip the end entity's digitalSignature check (EAP-TLS servers check TLS usage instead). */
  readonly skipEndEntityKeyUsage?: boolean;
}

export type ChainResult =
  | { readonly ok: true; readonly chain: readonly Certificate[]; readonly anchor: Certificate }
  | { readonly ok: false; readonly reason: string };

const DEFAULT_MAX_DEPTH = 8;

function keyIdFits(child: Certificate, issuer: Certificate): boolean {
  // RFC 5280 §4.2.1.1: when both key identifiers exist they must agree.
  return (
    !child.authorityKeyId ||
    !issuer.subjectKeyId ||
    sameBytes(child.authorityKeyId, issuer.subjectKeyId)
  );
}

function candidateIssuers(cert: Certificate, pool: readonly Certificate[]): Certificate[] {
  return pool.filter((c) => dnEquals(c.subject, cert.issuer) && keyIdFits(cert, c));
}

/** Why `ca` cannot issue at this depth (number of CA certificates below it), or undefined. */
function caProblem(ca: Certificate, casBelow: number): string | undefined {
  if (!ca.isCa) return `"${ca.subjectText}" is not a CA (basicConstraints)`;
  if (ca.keyUsage && !ca.keyUsage.has('keyCertSign'))
    return `key usage of CA "${ca.subjectText}" lacks keyCertSign`;
  if (ca.pathLenConstraint !== undefined && casBelow > ca.pathLenConstraint)
    return `path length constraint ${ca.pathLenConstraint} of "${ca.subjectText}" exceeded`;
  return undefined;
}

/** RFC 4945 §5.1.3.2: with a KeyUsage extension, digitalSignature or nonRepudiation must be set. */
function signsAuth(cert: Certificate): boolean {
  const ku = cert.keyUsage;
  return !ku || ku.has('digitalSignature') || ku.has('nonRepudiation');
}

function revocationProblem(
  cert: Certificate,
  issuer: Certificate,
  crls: readonly Crl[],
): string | undefined {
  for (const crl of crls) {
    if (!dnEquals(crl.issuer, issuer.subject) || !crlSignedBy(crl, issuer)) continue;
    const entry = findRevocation(crl, cert);
    if (entry)
      return `"${cert.subjectText}" revoked by CRL of ${crl.issuerText} on ${isoDate(entry.revocationDate)}`;
  }
  return undefined;
}

function criticalProblem(cert: Certificate): string | undefined {
  const unknown = cert.unknownCriticalExtensions;
  return unknown.length
    ? `"${cert.subjectText}" has unknown critical extension ${unknown.join(', ')}`
    : undefined;
}

/**
 * Finds a path to a trust anchor. Where several issuers fit (re-keyed CAs,
 * cross-certificates), each is tried depth-first and the first failure reason
 * of the most promising branch is reported.
 */
export function validateChain(input: ChainInput): ChainResult {
  const { endEntity, now } = input;
  const maxDepth = input.maxDepth ?? DEFAULT_MAX_DEPTH;
  const crls = input.crls ?? [];
  const first =
    validityProblem(endEntity, now) ??
    criticalProblem(endEntity) ??
    (!input.skipEndEntityKeyUsage && !signsAuth(endEntity)
      ? `key usage of "${endEntity.subjectText}" lacks digitalSignature`
      : undefined);
  if (first) return { ok: false, reason: first };
  // A peer certificate configured as trusted by itself (strongSwan: a pinned remote cert).
  const pinned = input.trustAnchors.find((a) => sameBytes(a.der, endEntity.der));
  if (pinned) return { ok: true, chain: [endEntity], anchor: pinned };

  let lastReason = `issuer not trusted: no configured CA "${endEntity.issuerText}"`;
  const walk = (path: Certificate[]): ChainResult | undefined => {
    const cert = path[path.length - 1]!;
    const casBelow = path.length - 1;
    for (const anchor of candidateIssuers(cert, input.trustAnchors)) {
      if (!isSignedBy(cert, anchor)) {
        lastReason = `signature of "${cert.subjectText}" does not verify with CA "${anchor.subjectText}"`;
        continue;
      }
      const problem =
        validityProblem(anchor, now) ??
        caProblem(anchor, casBelow) ??
        revocationProblem(cert, anchor, crls);
      if (problem) {
        lastReason = problem;
        continue;
      }
      return { ok: true, chain: path, anchor };
    }
    if (path.length >= maxDepth) {
      lastReason = `no path to a configured CA within ${maxDepth} certificates`;
      return undefined;
    }
    for (const inter of candidateIssuers(cert, input.intermediates)) {
      if (path.some((p) => sameBytes(p.der, inter.der))) continue; // a loop
      if (!isSignedBy(cert, inter)) {
        lastReason = `signature of "${cert.subjectText}" does not verify with "${inter.subjectText}"`;
        continue;
      }
      const problem =
        validityProblem(inter, now) ??
        criticalProblem(inter) ??
        caProblem(inter, casBelow) ??
        revocationProblem(cert, inter, crls);
      if (problem) {
        lastReason = problem;
        continue;
      }
      const found = walk([...path, inter]);
      if (found) return found;
    }
    if (cert !== endEntity && lastReason.startsWith('issuer not trusted'))
      lastReason = `issuer not trusted: no configured CA "${cert.issuerText}"`;
    return undefined;
  };
  return walk([endEntity]) ?? { ok: false, reason: lastReason };
}
