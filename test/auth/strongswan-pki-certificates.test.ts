/**
 * Certificates, keys and CRLs made by strongSwan's own `pki` tool (the encoder
 * the lab's peers use; test-vectors/auth/make-strongswan-pki.sh): they load,
 * chain, match identities and revoke like ours, including RSASSA-PSS-signed
 * certificates and CRLs and an Ed25519 leaf.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateChain } from '../../src/auth/chain.js';
import {
  checkKeyMatchesCertificate,
  parseCertificates,
  parseCrls,
  parsePrivateKey,
} from '../../src/auth/credentials.js';
import { crlSignedBy } from '../../src/auth/crl.js';
import { readDerSequence } from '../../src/auth/der.js';
import { certificateMatchesIdentity } from '../../src/auth/identity.js';
import { signAuth, verifyAuth } from '../../src/auth/signature.js';
import { SIGNATURE_SCHEMES } from '../../src/auth/signature-schemes.js';
import { HashAlgorithm, IdType } from '../../src/wire/ikev2/constants.js';
import { NOW, VECTORS_DIR } from './test-pki.js';

const file = (name: string) => new Uint8Array(readFileSync(`${VECTORS_DIR}strongswan-pki/${name}`));
const cert = (name: string) => parseCertificates(file(`${name}.crt`), name)[0]!;
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('strongSwan pki certificates', () => {
  const ca = cert('ca');
  const pssCa = cert('pss-ca');

  it('parse with the names and SANs strongSwan wrote', () => {
    const carol = cert('carol');
    expect(carol.subjectText).toBe('C=CH, O=strongSwan Test, CN=carol@strongswan.org');
    expect(carol.subjectAltNames.map((s) => s.type)).toEqual(['email', 'ip']);
    expect(ca.isCa).toBe(true);
    expect(pssCa.pathLenConstraint).toBe(0);
  });

  it('keys load and match their certificates (RSA, Ed25519, ECDSA)', () => {
    for (const name of ['carol', 'dave', 'erin']) {
      const k = parsePrivateKey(file(`${name}.key`), `${name}.key`);
      expect(() => checkKeyMatchesCertificate(k, cert(name), name)).not.toThrow();
    }
  });

  it('chains validate, including a leaf signed with RSASSA-PSS', () => {
    expect(
      validateChain({ endEntity: cert('carol'), intermediates: [], trustAnchors: [ca], now: NOW })
        .ok,
    ).toBe(true);
    expect(
      validateChain({
        endEntity: cert('erin'),
        intermediates: [pssCa],
        trustAnchors: [ca],
        now: NOW,
      }).ok,
    ).toBe(true);
  });

  it('CRLs verify (ECDSA and RSASSA-PSS signed) and revoke', () => {
    const crl = parseCrls(file('ca.crl'), 'ca.crl')[0]!;
    const pssCrl = parseCrls(file('pss-ca.crl'), 'pss-ca.crl')[0]!;
    expect(crlSignedBy(crl, ca)).toBe(true);
    expect(crlSignedBy(pssCrl, pssCa)).toBe(true);
    expect(crlSignedBy(pssCrl, ca)).toBe(false);
    expect(
      validateChain({
        endEntity: cert('dave'),
        intermediates: [],
        trustAnchors: [ca],
        crls: [crl],
        now: NOW,
      }),
    ).toEqual({
      ok: false,
      reason:
        '"C=CH, O=strongSwan Test, CN=dave.strongswan.org" revoked by CRL of C=CH, O=strongSwan Test, CN=strongSwan Root CA on 2026-01-01',
    });
    expect(
      validateChain({
        endEntity: cert('erin'),
        intermediates: [pssCa],
        trustAnchors: [ca],
        crls: [crl, pssCrl],
        now: NOW,
      }).ok,
    ).toBe(false);
  });

  it("strongSwan's RSASSA-PSS AlgorithmIdentifier is byte for byte the one we put in AUTH", () => {
    const der = cert('erin').der;
    const outer = readDerSequence(der)!;
    const theirs = der.slice(outer[1]!.offset, outer[1]!.end);
    const ours = SIGNATURE_SCHEMES.find((s) => s.name === 'rsa-pss-sha256')!.algorithmId;
    expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
  });

  it('identities match as strongSwan would accept them', () => {
    const carol = cert('carol');
    expect(
      certificateMatchesIdentity(carol, {
        type: IdType.ID_RFC822_ADDR,
        data: utf8('carol@strongswan.org'),
      }).ok,
    ).toBe(true);
    expect(
      certificateMatchesIdentity(carol, {
        type: IdType.ID_IPV4_ADDR,
        data: Uint8Array.of(10, 3, 0, 1),
      }).ok,
    ).toBe(true);
    expect(
      certificateMatchesIdentity(carol, {
        type: IdType.ID_FQDN,
        data: utf8('carol@strongswan.org'),
      }).ok,
    ).toBe(false);
  });

  it('an Ed25519 key from pki signs AUTH that its certificate verifies', () => {
    const k = parsePrivateKey(file('dave.key'), 'dave.key');
    const octets = utf8('signed octets');
    const auth = signAuth(k, octets, { peerHashes: [HashAlgorithm.IDENTITY] }) as {
      method: number;
      data: Uint8Array;
    };
    expect(verifyAuth(cert('dave').publicKey, auth.method, auth.data, octets)).toEqual({
      ok: true,
      scheme: 'ed25519',
    });
  });
});
