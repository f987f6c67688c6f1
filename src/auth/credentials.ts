/**
 * Loading certificates, CA certificates, CRLs and private keys from PEM or DER
 * files. The parse* functions are pure (bytes + a source name for messages);
 * the load* functions read the file first. Every failure is a CredentialError
 * naming the file and what is wrong; none carries key material or a passphrase.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Secret } from '../config/secret.js';
import { type Crl, parseCrl } from './crl.js';
import { readDerElement, readDerSequence } from './der.js';
import { CredentialError } from './errors.js';
import { describeKeyObject, type PrivateKey, publicKeyFrom, sameBytes } from './keys.js';
import { decodePem, looksLikePem, type PemBlock } from './pem.js';
import { type Certificate, isoDate, parseCertificate } from './x509.js';

export type Passphrase = Secret | Uint8Array | string;

async function readSource(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CredentialError('READ_FAILED', path, `cannot read the file (${code})`);
  }
}

/** PEM blocks with one of `labels`, or the whole input as one DER object. */
function derObjects(
  bytes: Uint8Array,
  source: string,
  labels: readonly string[],
  what: string,
): Uint8Array[] {
  if (!looksLikePem(bytes)) return [bytes];
  const blocks = decodePem(new TextDecoder('latin1').decode(bytes));
  const wanted = blocks.filter((b) => labels.includes(b.label));
  if (wanted.length === 0) {
    const found = blocks.map((b) => b.label).join(', ') || 'no PEM block';
    throw new CredentialError(
      'NOT_PEM_OR_DER',
      source,
      `expected a PEM ${what} (${labels.join(' or ')}), found ${found}`,
    );
  }
  return wanted.map((b) => b.der);
}

export interface CertificateLoadOptions {
  /** When given, a certificate not valid at this time is an error (EXPIRED / NOT_YET_VALID). */
  readonly now?: Date;
}

export function checkValidity(cert: Certificate, source: string, now: Date): void {
  if (now < cert.notBefore)
    throw new CredentialError(
      'NOT_YET_VALID',
      source,
      `certificate "${cert.subjectText}" is not valid before ${isoDate(cert.notBefore)}`,
    );
  if (now > cert.notAfter)
    throw new CredentialError(
      'EXPIRED',
      source,
      `certificate "${cert.subjectText}" expired on ${isoDate(cert.notAfter)}`,
    );
}

/** All certificates in a PEM file (in order) or the one in a DER file. */
export function parseCertificates(
  bytes: Uint8Array,
  source: string,
  opts: CertificateLoadOptions = {},
): Certificate[] {
  const ders = derObjects(
    bytes,
    source,
    ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'],
    'certificate',
  );
  return ders.map((der, i) => {
    const cert = parseCertificate(der);
    if ('error' in cert) {
      const where = ders.length > 1 ? ` (certificate ${i + 1})` : '';
      throw new CredentialError('NOT_A_CERTIFICATE', source, `${cert.error}${where}`);
    }
    if (opts.now) checkValidity(cert, source, opts.now);
    return cert;
  });
}

export async function loadCertificates(
  path: string,
  opts: CertificateLoadOptions = {},
): Promise<Certificate[]> {
  return parseCertificates(await readSource(path), path, opts);
}

/** CA certificates: every certificate must be a CA (basicConstraints cA, RFC 5280 §4.2.1.9). */
export function parseCaCertificates(
  bytes: Uint8Array,
  source: string,
  opts: CertificateLoadOptions = {},
): Certificate[] {
  const certs = parseCertificates(bytes, source, opts);
  for (const c of certs) {
    if (!c.isCa)
      throw new CredentialError(
        'NOT_A_CERTIFICATE',
        source,
        `certificate "${c.subjectText}" is not a CA certificate (basicConstraints cA is not set)`,
      );
  }
  return certs;
}

export async function loadCaCertificates(
  path: string,
  opts: CertificateLoadOptions = {},
): Promise<Certificate[]> {
  return parseCaCertificates(await readSource(path), path, opts);
}

export function parseCrls(bytes: Uint8Array, source: string): Crl[] {
  return derObjects(bytes, source, ['X509 CRL'], 'CRL').map((der) => {
    const crl = parseCrl(der);
    if ('error' in crl) throw new CredentialError('NOT_A_CRL', source, crl.error);
    return crl;
  });
}

export async function loadCrls(path: string): Promise<Crl[]> {
  return parseCrls(await readSource(path), path);
}

const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

type DerKeyFormat = { type: 'pkcs8' | 'pkcs1' | 'sec1'; encrypted: boolean };

/**
 * Tells the DER key structures apart by shape: EncryptedPrivateKeyInfo starts
 * with an AlgorithmIdentifier SEQUENCE (RFC 5958 §3); PrivateKeyInfo with
 * INTEGER 0/1 then a SEQUENCE; RSAPrivateKey (RFC 8017 A.1.2) with INTEGER 0
 * then INTEGER; ECPrivateKey (RFC 5915 §3) with INTEGER 1 then OCTET STRING.
 */
function derKeyFormat(der: Uint8Array): DerKeyFormat | undefined {
  const items = readDerSequence(der);
  const first = items?.[0];
  const second = items?.[1];
  if (!first || !second) return undefined;
  if (first.tag === 0x30 && second.tag === 0x04) return { type: 'pkcs8', encrypted: true };
  if (first.tag !== 0x02) return undefined;
  if (second.tag === 0x30) return { type: 'pkcs8', encrypted: false };
  if (second.tag === 0x02) return { type: 'pkcs1', encrypted: false };
  if (second.tag === 0x04) return { type: 'sec1', encrypted: false };
  return undefined;
}

function passphraseBytes(p: Passphrase | undefined): Buffer | undefined {
  if (p === undefined) return undefined;
  if (typeof p === 'string') return Buffer.from(p, 'utf8');
  return Buffer.from(p instanceof Uint8Array ? p : p.reveal());
}

function keyObjectFrom(
  bytes: Uint8Array,
  source: string,
  passphrase: Buffer | undefined,
): KeyObject {
  let input: Parameters<typeof createPrivateKey>[0];
  let encrypted: boolean;
  if (looksLikePem(bytes)) {
    const blocks = decodePem(new TextDecoder('latin1').decode(bytes));
    const block: PemBlock | undefined = blocks.find((b) => KEY_LABELS.includes(b.label));
    if (!block) {
      const found = blocks.map((b) => b.label).join(', ') || 'no PEM block';
      throw new CredentialError(
        'NOT_A_KEY',
        source,
        `expected a PEM private key (${KEY_LABELS.join(', ')}), found ${found}`,
      );
    }
    encrypted =
      block.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(block.text);
    input = { key: block.text, format: 'pem' };
  } else {
    const fmt = readDerElement(bytes) ? derKeyFormat(bytes) : undefined;
    if (!fmt)
      throw new CredentialError(
        'NOT_A_KEY',
        source,
        'not a private key (expected PEM, or DER PKCS#8, PKCS#1 or SEC1)',
      );
    encrypted = fmt.encrypted;
    input = { key: Buffer.from(bytes), format: 'der', type: fmt.type };
  }
  if (encrypted && !passphrase)
    throw new CredentialError(
      'PASSPHRASE_REQUIRED',
      source,
      'the private key is encrypted and no passphrase is configured',
    );
  try {
    return createPrivateKey(encrypted ? { ...input, passphrase } : input);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (encrypted && /BAD_DECRYPT|DECRYPT|PKCS12/i.test(`${code} ${(e as Error).message}`))
      throw new CredentialError(
        'WRONG_PASSPHRASE',
        source,
        'wrong passphrase for the encrypted private key',
      );
    throw new CredentialError(
      'NOT_A_KEY',
      source,
      'not a valid private key (the key structure does not decode)',
    );
  } finally {
    passphrase?.fill(0);
  }
}

/** A private key from PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8) or DER bytes. */
export function parsePrivateKey(
  bytes: Uint8Array,
  source: string,
  passphrase?: Passphrase,
): PrivateKey {
  const key = keyObjectFrom(bytes, source, passphraseBytes(passphrase));
  const described = describeKeyObject(key);
  if ('unsupported' in described)
    throw new CredentialError(
      'UNSUPPORTED_KEY',
      source,
      `unsupported private key: ${described.unsupported}`,
    );
  const publicKey = publicKeyFrom(key);
  if ('unsupported' in publicKey)
    throw new CredentialError(
      'UNSUPPORTED_KEY',
      source,
      `unsupported private key: ${publicKey.unsupported}`,
    );
  return { ...described, key, publicKey };
}

export async function loadPrivateKey(path: string, passphrase?: Passphrase): Promise<PrivateKey> {
  return parsePrivateKey(await readSource(path), path, passphrase);
}

/** Throws KEY_MISMATCH unless `key` is the private half of `cert`'s public key. */
export function checkKeyMatchesCertificate(
  key: PrivateKey,
  cert: Certificate,
  keySource: string,
): void {
  if (!sameBytes(key.publicKey.spki, cert.publicKey.spki))
    throw new CredentialError(
      'KEY_MISMATCH',
      keySource,
      `the private key does not match the certificate "${cert.subjectText}"`,
    );
}

export interface LocalCredentials {
  /** Our end-entity certificate (the first file's first certificate). */
  readonly certificate: Certificate;
  /** Further certificates from the files: intermediates to send in CERT payloads. */
  readonly intermediates: readonly Certificate[];
  readonly key: PrivateKey;
}

/**
 * An authentication round's own credentials (`certs`, `key`, `key_passphrase`
 * in the configuration): the certificate must be valid now and match the key.
 */
export async function loadLocalCredentials(opts: {
  readonly certFiles: readonly string[];
  readonly keyFile: string;
  readonly passphrase?: Passphrase;
  readonly now: Date;
}): Promise<LocalCredentials> {
  const [first, ...rest] = opts.certFiles;
  if (first === undefined)
    throw new CredentialError('NOT_A_CERTIFICATE', '(configuration)', 'no certificate file given');
  const own = await loadCertificates(first, { now: opts.now });
  const certificate = own[0]!;
  const intermediates = own.slice(1);
  for (const file of rest) intermediates.push(...(await loadCertificates(file, { now: opts.now })));
  const key = await loadPrivateKey(opts.keyFile, opts.passphrase);
  checkKeyMatchesCertificate(key, certificate, opts.keyFile);
  return { certificate, intermediates, key };
}
