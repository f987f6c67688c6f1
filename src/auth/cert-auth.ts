/**
 * Certificate authentication of an IKE peer in one call (RFC 7296 §2.15,
 * §3.6): the CERT payloads give the end entity and intermediates; the chain
 * must reach a configured CA; the peer's ID must be in the certificate; the
 * AUTH payload must verify with the certificate's key. The first failure is
 * the reason the engine logs with AUTHENTICATION_FAILED.
 */

import { type CertPayloadData, certificatesFromPayloads } from './certreq.js';
import { validateChain } from './chain.js';
import type { Crl } from './crl.js';
import { certificateMatchesIdentity, type IkeIdentity } from './identity.js';
import { type VerifyOptions, verifyAuth } from './signature.js';
import type { Certificate } from './x509.js';

export interface PeerCertificateAuthInput {
  /** The peer's CERT payloads (encoding, data), in order. */
  readonly certPayloads: readonly CertPayloadData[];
  /** Its IDi/IDr. */
  readonly identity: IkeIdentity;
  /** Its AUTH payload. */
  readonly authMethod: number;
  readonly authData: Uint8Array;
  /** `authSignedOctets(...)` for the peer's side. */
  readonly signedOctets: Uint8Array;
  readonly trustAnchors: readonly Certificate[];
  /** Intermediates held locally, for peers that do not send theirs. */
  readonly localIntermediates?: readonly Certificate[];
  readonly crls?: readonly Crl[];
  readonly now: Date;
  readonly verify?: VerifyOptions;
}

export type PeerCertificateAuthResult =
  | {
      readonly ok: true;
      readonly certificate: Certificate;
      readonly chain: readonly Certificate[];
      /** The signature scheme that verified, for the log line ("authentication of ... with ecdsa-sha256 successful"). */
      readonly scheme: string;
    }
  | { readonly ok: false; readonly reason: string };

export function verifyPeerCertificateAuth(
  input: PeerCertificateAuthInput,
): PeerCertificateAuthResult {
  const certs = certificatesFromPayloads(input.certPayloads);
  if ('error' in certs) return { ok: false, reason: certs.error };
  const { endEntity, intermediates } = certs;
  const chain = validateChain({
    endEntity,
    intermediates: [...intermediates, ...(input.localIntermediates ?? [])],
    trustAnchors: input.trustAnchors,
    crls: input.crls ?? [],
    now: input.now,
  });
  if (!chain.ok) return chain;
  const match = certificateMatchesIdentity(endEntity, input.identity);
  if (!match.ok) return match;
  const sig = verifyAuth(
    endEntity.publicKey,
    input.authMethod,
    input.authData,
    input.signedOctets,
    input.verify,
  );
  if (!sig.ok) return sig;
  return { ok: true, certificate: endEntity, chain: chain.chain, scheme: sig.scheme };
}
