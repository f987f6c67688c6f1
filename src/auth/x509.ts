/**
 * X.509 certificates (RFC 5280) parsed with pkijs into the fields IKEv2
 * authentication needs. Signatures are checked with `node:crypto`, which knows
 * every algorithm we accept (RSA, RSA-PSS, ECDSA, Ed25519, Ed448).
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { type DistinguishedName, decodeDn, formatDn } from './dn.js';
import { type PublicKey, publicKeyFrom } from './keys.js';

/** RFC 5280 §4.2.1.3 KeyUsage bits, in bit-string order. */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

/** RFC 5280 §4.2.1.6 GeneralName forms we use for identity matching. */
export type SubjectAltName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'ip'; readonly value: Uint8Array }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dn'; readonly value: DistinguishedName };

export interface Certificate {
  readonly der: Uint8Array;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** Subject DN as text, for log lines. */
  readonly subjectText: string;
  readonly issuerText: string;
  /** Serial number, big-endian octets as encoded. */
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** basicConstraints cA (false when the extension is absent). */
  readonly isCa: boolean;
  readonly pathLenConstraint?: number;
  /** Undefined when the certificate has no KeyUsage extension (then any use is allowed). */
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  readonly subjectAltNames: readonly SubjectAltName[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  readonly publicKey: PublicKey;
  /** SHA-1 of the DER SubjectPublicKeyInfo: the CERTREQ hash (RFC 7296 §3.7). */
  readonly spkiSha1: Uint8Array;
  /** Extension OIDs marked critical that we do not understand. */
  readonly unknownCriticalExtensions: readonly string[];
  /** node:crypto's view, used to verify signatures. */
  readonly x509: X509Certificate;
}

const EXT = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
} as const;

/** Critical extensions a path validator may accept without acting on them. */
const TOLERATED_CRITICAL = new Set<string>([
  ...Object.values(EXT),
  '2.5.29.37', // extKeyUsage: IKE does not restrict it (RFC 4945 §5.1.3.12)
  '2.5.29.32', // certificatePolicies
  '2.5.29.30', // nameConstraints: not enforced (documented in docs/auth.md)
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
]);

function bytesOf(view: ArrayBuffer | ArrayBufferView): Uint8Array {
  return view instanceof ArrayBuffer
    ? new Uint8Array(view.slice(0))
    : new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function parseKeyUsage(ext: pkijs.Extension): Set<KeyUsage> {
  const bits = bytesOf(
    (ext.parsedValue as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView,
  );
  const usage = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, i) => {
    if ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) usage.add(name);
  });
  return usage;
}

function parseAltNames(ext: pkijs.Extension): SubjectAltName[] {
  const names: SubjectAltName[] = [];
  for (const n of (ext.parsedValue as pkijs.AltName).altNames) {
    switch (n.type) {
      case 1:
        names.push({ type: 'email', value: String(n.value) });
        break;
      case 2:
        names.push({ type: 'dns', value: String(n.value) });
        break;
      case 6:
        names.push({ type: 'uri', value: String(n.value) });
        break;
      case 7:
        names.push({ type: 'ip', value: bytesOf(n.value.valueBlock.valueHexView) });
        break;
      case 4: {
        const raw = (n.value as { valueBeforeDecode?: ArrayBuffer }).valueBeforeDecode;
        const dn = raw ? decodeDn(new Uint8Array(raw)) : undefined;
        if (dn) names.push({ type: 'dn', value: dn });
        break;
      }
    }
  }
  return names;
}

function nameOf(name: pkijs.RelativeDistinguishedNames): DistinguishedName | undefined {
  const raw = (name as unknown as { valueBeforeDecode?: ArrayBuffer }).valueBeforeDecode;
  return raw ? decodeDn(new Uint8Array(raw)) : undefined;
}

/** Parses one DER certificate; an error string says what is wrong. */
export function parseCertificate(der: Uint8Array): Certificate | { error: string } {
  let cert: pkijs.Certificate;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
    cert = pkijs.Certificate.fromBER(der);
  } catch {
    return { error: 'not a DER X.509 certificate' };
  }
  const subject = nameOf(cert.subject);
  const issuer = nameOf(cert.issuer);
  if (!subject || !issuer) return { error: 'certificate has a malformed subject or issuer name' };
  const publicKey = publicKeyFrom(x509.publicKey);
  if ('unsupported' in publicKey)
    return { error: `certificate has an unsupported ${publicKey.unsupported}` };

  let isCa = false;
  let pathLenConstraint: number | undefined;
  let keyUsage: Set<KeyUsage> | undefined;
  let subjectAltNames: SubjectAltName[] = [];
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  const unknownCriticalExtensions: string[] = [];
  for (const ext of cert.extensions ?? []) {
    switch (ext.extnID) {
      case EXT.basicConstraints: {
        const bc = ext.parsedValue as pkijs.BasicConstraints;
        isCa = bc.cA === true;
        if (typeof bc.pathLenConstraint === 'number') pathLenConstraint = bc.pathLenConstraint;
        break;
      }
      case EXT.keyUsage:
        keyUsage = parseKeyUsage(ext);
        break;
      case EXT.subjectAltName:
        subjectAltNames = parseAltNames(ext);
        break;
      case EXT.subjectKeyId:
        subjectKeyId = bytesOf(
          (ext.parsedValue as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView,
        );
        break;
      case EXT.authorityKeyId: {
        const kid = (ext.parsedValue as pkijs.AuthorityKeyIdentifier).keyIdentifier;
        if (kid) authorityKeyId = bytesOf(kid.valueBlock.valueHexView);
        break;
      }
    }
    if (ext.critical && !TOLERATED_CRITICAL.has(ext.extnID))
      unknownCriticalExtensions.push(ext.extnID);
  }

  return {
    der: Uint8Array.from(der),
    subject,
    issuer,
    subjectText: formatDn(subject),
    issuerText: formatDn(issuer),
    serial: bytesOf(cert.serialNumber.valueBlock.valueHexView),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    isCa,
    ...(pathLenConstraint !== undefined && { pathLenConstraint }),
    ...(keyUsage && { keyUsage }),
    subjectAltNames,
    ...(subjectKeyId && { subjectKeyId }),
    ...(authorityKeyId && { authorityKeyId }),
    publicKey,
    spkiSha1: new Uint8Array(createHash('sha1').update(publicKey.spki).digest()),
    unknownCriticalExtensions,
    x509,
  };
}

/** True when `issuer`'s key verifies the signature on `cert`. */
export function isSignedBy(cert: Certificate, issuer: Certificate): boolean {
  try {
    return cert.x509.verify(issuer.publicKey.key);
  } catch {
    return false;
  }
}

/** YYYY-MM-DD (UTC) for log lines. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Why `cert` is not valid at `now`, or undefined when it is. */
export function validityProblem(cert: Certificate, now: Date): string | undefined {
  if (now < cert.notBefore)
    return `certificate "${cert.subjectText}" not valid before ${isoDate(cert.notBefore)}`;
  if (now > cert.notAfter)
    return `certificate "${cert.subjectText}" expired on ${isoDate(cert.notAfter)}`;
  return undefined;
}
