/** Paths and loaders for the test PKI made by test-vectors/auth/make-certs.sh. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCertificates, parseCrls, parsePrivateKey } from '../../src/auth/credentials.js';
import type { Crl } from '../../src/auth/crl.js';
import type { PrivateKey } from '../../src/auth/keys.js';
import type { Certificate } from '../../src/auth/x509.js';

export const PKI_DIR = fileURLToPath(new URL('../../test-vectors/auth/pki/', import.meta.url));
export const VECTORS_DIR = fileURLToPath(new URL('../../test-vectors/auth/', import.meta.url));
/** The "now" every test PKI certificate is valid at (see make-certs.sh). */
export const NOW = new Date('2026-06-01T00:00:00Z');
export const PASSPHRASE = readFileSync(`${PKI_DIR}passphrase.txt`, 'utf8').trim();

export const pkiPath = (name: string) => `${PKI_DIR}${name}`;
export const pkiBytes = (name: string) => new Uint8Array(readFileSync(pkiPath(name)));

export function cert(name: string): Certificate {
  return parseCertificates(pkiBytes(`${name}.crt`), name)[0]!;
}

export function key(name: string): PrivateKey {
  return parsePrivateKey(pkiBytes(`${name}.key`), name);
}

export function crl(name: string): Crl {
  return parseCrls(pkiBytes(name), name)[0]!;
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
