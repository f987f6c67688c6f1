/**
 * Loading certificates, CA certificates, CRLs and private keys from PEM and
 * DER (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8), and the typed errors that name
 * the file and what is wrong without leaking the passphrase.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkKeyMatchesCertificate,
  loadCaCertificates,
  loadCertificates,
  loadCrls,
  loadLocalCredentials,
  loadPrivateKey,
  parseCertificates,
  parsePrivateKey,
} from '../../src/auth/credentials.js';
import { CredentialError } from '../../src/auth/errors.js';
import { Secret } from '../../src/config/secret.js';
import { cert, hex, key, NOW, PASSPHRASE, pkiBytes, pkiPath } from './test-pki.js';

async function failure(p: Promise<unknown>): Promise<CredentialError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CredentialError);
  return e as CredentialError;
}

describe('certificates', () => {
  it('loads PEM and DER forms of the same certificate', async () => {
    const [pem] = await loadCertificates(pkiPath('moon-rsa.crt'));
    const [der] = await loadCertificates(pkiPath('moon-rsa.crt.der'));
    expect(hex(der!.der)).toBe(hex(pem!.der));
    expect(pem!.subjectText).toBe('C=CH, O=Styx Test, CN=moon.example.org');
    expect(pem!.issuerText).toBe('C=CH, O=Styx Test, OU=Gateways, CN=Styx Intermediate CA');
    expect(pem!.notAfter.toISOString()).toBe('2033-01-01T00:00:00.000Z');
    expect(pem!.keyUsage).toEqual(new Set(['digitalSignature']));
    expect(pem!.isCa).toBe(false);
    expect(pem!.subjectAltNames.map((s) => s.type)).toEqual(['dns', 'ip', 'ip', 'email']);
  });

  it('loads every certificate of a PEM bundle in order', async () => {
    const certs = await loadCertificates(pkiPath('chain.pem'));
    expect(certs.map((c) => c.subjectText)).toEqual([
      'C=CH, O=Styx Test, OU=Gateways, CN=Styx Intermediate CA',
      'C=CH, O=Styx Test, CN=Styx Root CA',
    ]);
    expect(certs[1]!.isCa).toBe(true);
    expect(certs[0]!.pathLenConstraint).toBe(0);
  });

  it('rejects an expired certificate when given the time, naming the date', async () => {
    const e = await failure(loadCertificates(pkiPath('expired.crt'), { now: NOW }));
    expect(e.code).toBe('EXPIRED');
    expect(e.message).toBe(
      `${pkiPath('expired.crt')}: certificate "C=CH, O=Styx Test, CN=expired.example.org" expired on 2025-01-01`,
    );
  });

  it('rejects a certificate before its validity period', () => {
    expect(() =>
      parseCertificates(pkiBytes('moon-rsa.crt'), 'moon', {
        now: new Date('2024-12-31T00:00:00Z'),
      }),
    ).toThrow(/not valid before 2025-01-01/);
  });

  it('rejects an end-entity certificate loaded as a CA', async () => {
    const e = await failure(loadCaCertificates(pkiPath('moon-rsa.crt')));
    expect(e.code).toBe('NOT_A_CERTIFICATE');
    expect(e.message).toMatch(/is not a CA certificate/);
    await expect(loadCaCertificates(pkiPath('root.crt'), { now: NOW })).resolves.toHaveLength(1);
  });

  it('says a key file is not a certificate', async () => {
    const e = await failure(loadCertificates(pkiPath('moon-rsa.key')));
    expect(e.code).toBe('NOT_PEM_OR_DER');
    expect(e.message).toMatch(/expected a PEM certificate .* found PRIVATE KEY/);
    expect(() => parseCertificates(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), 'x.der')).toThrow(
      /x\.der: not a DER X\.509 certificate/,
    );
  });

  it('names a missing file', async () => {
    const e = await failure(loadCertificates('/nonexistent/ca.pem'));
    expect(e.code).toBe('READ_FAILED');
    expect(e.message).toBe('/nonexistent/ca.pem: cannot read the file (ENOENT)');
  });
});

describe('CRLs', () => {
  it('loads PEM and DER CRLs with their revoked serials', async () => {
    const [pem] = await loadCrls(pkiPath('inter.crl'));
    const [der] = await loadCrls(pkiPath('inter.crl.der'));
    expect(pem!.issuerText).toBe('C=CH, O=Styx Test, OU=Gateways, CN=Styx Intermediate CA');
    expect(pem!.revoked.map((r) => hex(r.serial))).toEqual([hex(cert('revoked').serial)]);
    expect(hex(der!.tbs)).toBe(hex(pem!.tbs));
    expect(pem!.nextUpdate?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('says a certificate is not a CRL', async () => {
    const e = await failure(loadCrls(pkiPath('root.crt')));
    expect(e.message).toMatch(/expected a PEM CRL \(X509 CRL\), found CERTIFICATE/);
  });
});

describe('private keys', () => {
  const moonSpki = hex(cert('moon-rsa').publicKey.spki);

  it.each([
    ['PKCS#8 PEM', 'moon-rsa.key'],
    ['PKCS#8 DER', 'moon-rsa.pkcs8.der'],
    ['PKCS#1 PEM', 'moon-rsa.pkcs1.pem'],
    ['PKCS#1 DER', 'moon-rsa.pkcs1.der'],
  ])('loads an RSA key as %s', async (_, file) => {
    const k = await loadPrivateKey(pkiPath(file));
    expect(k.algorithm).toBe('rsa');
    expect(k.bits).toBe(2048);
    expect(hex(k.publicKey.spki)).toBe(moonSpki);
  });

  it.each([
    ['encrypted PKCS#8 PEM', 'moon-rsa.enc.pem'],
    ['encrypted PKCS#8 DER', 'moon-rsa.enc.der'],
    ['legacy encrypted PEM (RFC 1421 headers)', 'moon-rsa.legacy-enc.pem'],
  ])('decrypts an %s with the passphrase (string or Secret)', async (_, file) => {
    expect(hex((await loadPrivateKey(pkiPath(file), PASSPHRASE)).publicKey.spki)).toBe(moonSpki);
    expect(
      hex((await loadPrivateKey(pkiPath(file), Secret.fromUtf8(PASSPHRASE))).publicKey.spki),
    ).toBe(moonSpki);
  });

  it.each([
    ['SEC1 PEM', 'sun-p256.sec1.pem', 'ecdsa-p256'],
    ['SEC1 DER', 'sun-p256.sec1.der', 'ecdsa-p256'],
    ['P-384 PKCS#8', 'p384.key', 'ecdsa-p384'],
    ['P-521 PKCS#8', 'p521.key', 'ecdsa-p521'],
    ['Ed25519 PKCS#8', 'ed25519.key', 'ed25519'],
    ['Ed448 PKCS#8', 'ed448.key', 'ed448'],
  ])('loads an EC/EdDSA key as %s', async (_, file, algorithm) => {
    expect((await loadPrivateKey(pkiPath(file))).algorithm).toBe(algorithm);
  });

  it('asks for a passphrase for an encrypted key', async () => {
    expect((await failure(loadPrivateKey(pkiPath('moon-rsa.legacy-enc.pem')))).code).toBe(
      'PASSPHRASE_REQUIRED',
    );
    expect((await failure(loadPrivateKey(pkiPath('moon-rsa.legacy-enc.pem'), 'nope'))).code).toBe(
      'WRONG_PASSPHRASE',
    );
    const e = await failure(loadPrivateKey(pkiPath('sun-p256.enc.pem')));
    expect(e.code).toBe('PASSPHRASE_REQUIRED');
    expect(e.message).toBe(
      `${pkiPath('sun-p256.enc.pem')}: the private key is encrypted and no passphrase is configured`,
    );
  });

  it('reports a wrong passphrase without echoing it', async () => {
    const wrong = 'not-the-passphrase-42';
    const e = await failure(loadPrivateKey(pkiPath('moon-rsa.enc.der'), wrong));
    expect(e.code).toBe('WRONG_PASSPHRASE');
    expect(e.message).not.toContain(wrong);
    expect(e.message).not.toContain(PASSPHRASE);
    expect(JSON.stringify(e)).not.toContain(wrong);
  });

  it('says a certificate is not a key, and garbage is not a key', async () => {
    const e = await failure(loadPrivateKey(pkiPath('moon-rsa.crt')));
    expect(e.code).toBe('NOT_A_KEY');
    expect(e.message).toMatch(/found CERTIFICATE/);
    expect(() => parsePrivateKey(Uint8Array.of(1, 2, 3), 'junk.der')).toThrow(
      /junk\.der: not a private key/,
    );
  });

  it('detects a key that does not match the certificate', () => {
    expect(() => checkKeyMatchesCertificate(key('sun-p256'), cert('moon-rsa'), 'sun.key')).toThrow(
      'sun.key: the private key does not match the certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    );
    expect(() =>
      checkKeyMatchesCertificate(key('moon-rsa'), cert('moon-rsa'), 'moon.key'),
    ).not.toThrow();
  });

  it('never shows key material when a key is inspected or serialised', async () => {
    const k = await loadPrivateKey(pkiPath('moon-rsa.key'));
    const pem = Buffer.from(pkiBytes('moon-rsa.key')).toString('latin1');
    const secretLine = pem.split('\n')[1]!;
    const { inspect } = await import('node:util');
    expect(inspect(k, { depth: 5 })).not.toContain(secretLine.slice(0, 20));
    expect(JSON.stringify(k)).not.toContain(secretLine.slice(0, 20));
  });
});

describe('local credentials of an authentication round', () => {
  it('loads certificate, intermediates and key and checks they belong together', async () => {
    const creds = await loadLocalCredentials({
      certFiles: [pkiPath('moon-rsa.crt'), pkiPath('inter.crt')],
      keyFile: pkiPath('moon-rsa.enc.pem'),
      passphrase: Secret.fromUtf8(PASSPHRASE),
      now: NOW,
    });
    expect(creds.certificate.subjectText).toMatch(/moon/);
    expect(creds.intermediates.map((c) => c.subjectText)).toEqual([
      'C=CH, O=Styx Test, OU=Gateways, CN=Styx Intermediate CA',
    ]);
  });

  it('fails with KEY_MISMATCH naming the key file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'styx-auth-'));
    const keyFile = join(dir, 'other.key');
    writeFileSync(keyFile, pkiBytes('sun-p256.key'));
    const e = await failure(
      loadLocalCredentials({ certFiles: [pkiPath('moon-rsa.crt')], keyFile, now: NOW }),
    );
    expect(e.code).toBe('KEY_MISMATCH');
    expect(e.source).toBe(keyFile);
  });
});
