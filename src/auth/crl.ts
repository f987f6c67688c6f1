/**
 * Certificate revocation lists (RFC 5280 §5) parsed with pkijs; the signature
 * is checked with `node:crypto` against the issuing CA's key.
 */
import { constants, verify as nodeVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID, parseAlgorithmId, parsePssParams, SIGNATURE_HASHES } from './algorithm-ids.js';
import { readDerSequence } from './der.js';
import { type DistinguishedName, decodeDn, formatDn } from './dn.js';
import type { Certificate } from './x509.js';

export interface RevokedEntry {
  readonly serial: Uint8Array;
  readonly revocationDate: Date;
}

export interface Crl {
  readonly der: Uint8Array;
  readonly issuer: DistinguishedName;
  readonly issuerText: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly revoked: readonly RevokedEntry[];
  /** The signed TBSCertList as received, its signature algorithm and the signature. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly signature: Uint8Array;
}

const copy = (v: Uint8Array) => Uint8Array.from(v);

export function parseCrl(der: Uint8Array): Crl | { error: string } {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(der);
  } catch {
    return { error: 'not a DER certificate revocation list' };
  }
  const rawIssuer = (crl.issuer as unknown as { valueBeforeDecode?: ArrayBuffer })
    .valueBeforeDecode;
  const issuer = rawIssuer ? decodeDn(new Uint8Array(rawIssuer)) : undefined;
  if (!issuer) return { error: 'CRL has a malformed issuer name' };
  // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }, read
  // directly so the signed bytes are exactly those received.
  const outer = readDerSequence(der);
  if (outer?.length !== 3) return { error: 'CRL is not a SEQUENCE of three elements' };
  const tbs = outer[0]!;
  const alg = outer[1]!;
  return {
    der: copy(der),
    issuer,
    issuerText: formatDn(issuer),
    thisUpdate: crl.thisUpdate.value,
    ...(crl.nextUpdate && { nextUpdate: crl.nextUpdate.value }),
    revoked: (crl.revokedCertificates ?? []).map((r) => ({
      serial: copy(r.userCertificate.valueBlock.valueHexView),
      revocationDate: r.revocationDate.value,
    })),
    tbs: der.slice(tbs.offset, tbs.end),
    signatureAlgorithm: der.slice(alg.offset, alg.end),
    signature: copy(crl.signatureValue.valueBlock.valueHexView),
  };
}

/** True when `ca`'s key verifies the CRL's signature. */
export function crlSignedBy(crl: Crl, ca: Certificate): boolean {
  const alg = parseAlgorithmId(crl.signatureAlgorithm);
  if (!alg) return false;
  try {
    if (alg.oid === OID.rsassaPss) {
      const pss = parsePssParams(alg.params);
      if (!pss || pss.mgfHash !== pss.hash) return false;
      return nodeVerify(
        pss.hash,
        crl.tbs,
        {
          key: ca.publicKey.key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: pss.saltLength,
        },
        crl.signature,
      );
    }
    const hash = SIGNATURE_HASHES[alg.oid];
    if (hash === undefined) return false;
    return nodeVerify(hash, crl.tbs, ca.publicKey.key, crl.signature);
  } catch {
    return false;
  }
}

/** The entry revoking `cert` in `crl`, if any (serials compared as encoded). */
export function findRevocation(crl: Crl, cert: Certificate): RevokedEntry | undefined {
  return crl.revoked.find(
    (r) => r.serial.length === cert.serial.length && r.serial.every((b, i) => b === cert.serial[i]),
  );
}
