/**
 * IKE identities against certificates (subjectAltName or subject DN), the
 * default identity (subject DN), DN comparison rules, and CERT/CERTREQ data.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificatesFromPayloads,
  certPayloads,
  certReqData,
  parseCertReqData,
  selectCertificateForCertReq,
} from '../../src/auth/certreq.js';
import { decodeDn, dnEquals, dnMatchesPattern, encodeDn, formatDn } from '../../src/auth/dn.js';
import {
  certificateIdentity,
  certificateMatchesIdentity,
  describeIdentity,
  type IkeIdentity,
  identityToWire,
} from '../../src/auth/identity.js';
import { parseDn } from '../../src/config/identity.js';
import { IdType } from '../../src/wire/ikev2/constants.js';
import { cert, hex, unhex } from './test-pki.js';

const moon = cert('moon-rsa');
const utf8 = (s: string) => new TextEncoder().encode(s);
const dnId = (text: string): IkeIdentity => {
  const parsed = parseDn(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return { type: IdType.ID_DER_ASN1_DN, data: encodeDn(parsed.rdns)! };
};

describe('identity matching against a certificate', () => {
  it.each([
    ['FQDN SAN', { type: IdType.ID_FQDN, data: utf8('moon.example.org') }],
    [
      'FQDN, other case and trailing dot',
      { type: IdType.ID_FQDN, data: utf8('MOON.Example.org.') },
    ],
    ['IPv4 SAN', { type: IdType.ID_IPV4_ADDR, data: Uint8Array.of(192, 0, 2, 1) }],
    ['IPv6 SAN', { type: IdType.ID_IPV6_ADDR, data: unhex('20010db8000000000000000000000001') }],
    ['RFC 822 SAN', { type: IdType.ID_RFC822_ADDR, data: utf8('Moon@Example.org') }],
    ['subject DN', dnId('C=CH, O=Styx Test, CN=moon.example.org')],
    ['subject DN, other case and spacing', dnId('c=ch,o=styx   test,cn=MOON.example.org')],
    ['key id = SHA-1 of the SubjectPublicKeyInfo', { type: IdType.ID_KEY_ID, data: moon.spkiSha1 }],
    ['key id = subjectKeyIdentifier', { type: IdType.ID_KEY_ID, data: moon.subjectKeyId! }],
  ])('matches by %s', (_, id) => {
    expect(certificateMatchesIdentity(moon, id)).toEqual({ ok: true });
  });

  it.each([
    [
      'an FQDN not in the SANs',
      { type: IdType.ID_FQDN, data: utf8('sun.example.org') },
      'identity sun.example.org not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    ],
    [
      'an address not in the SANs',
      { type: IdType.ID_IPV4_ADDR, data: Uint8Array.of(192, 0, 2, 2) },
      'identity 192.0.2.2 not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    ],
    [
      'a DN in another order',
      dnId('CN=moon.example.org, O=Styx Test, C=CH'),
      'identity CN=moon.example.org, O=Styx Test, C=CH not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    ],
    [
      'a DN with another value',
      dnId('C=CH, O=Styx Test, CN=moon'),
      'identity C=CH, O=Styx Test, CN=moon not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    ],
  ])('rejects %s with a reason', (_, id, reason) => {
    expect(certificateMatchesIdentity(moon, id)).toEqual({ ok: false, reason });
  });

  it('does not fall back to the subject CN for an FQDN (as strongSwan)', () => {
    const sun = cert('sun-p256');
    expect(
      certificateMatchesIdentity(sun, { type: IdType.ID_FQDN, data: utf8('sun.example.org') }).ok,
    ).toBe(true);
    const p384 = cert('p384');
    expect(
      certificateMatchesIdentity(p384, { type: IdType.ID_FQDN, data: utf8('sun.example.org') }).ok,
    ).toBe(false);
  });

  it('the default local identity is the subject DN and matches', () => {
    const id = certificateIdentity(moon);
    expect(id.type).toBe(IdType.ID_DER_ASN1_DN);
    expect(describeIdentity(id)).toBe('C=CH, O=Styx Test, CN=moon.example.org');
    expect(certificateMatchesIdentity(moon, id)).toEqual({ ok: true });
  });
});

describe('distinguished names', () => {
  it('encodes a configured DN that decodes and prints the same', () => {
    const der = encodeDn([
      { type: 'C', value: 'CH' },
      { type: 'O', value: 'Zürich AG' },
      { type: 'E', value: 'a@b.c' },
    ])!;
    const dn = decodeDn(der)!;
    expect(formatDn(dn)).toBe('C=CH, O=Zürich AG, E=a@b.c');
    expect(dn.rdns.map((r) => r[0]!.tag)).toEqual([0x13, 0x0c, 0x16]);
  });

  it('compares the certificate subject with a DER identity made by OpenSSL-independent encoding', () => {
    const mine = decodeDn(dnId('C=CH, O=Styx Test, CN=moon.example.org').data)!;
    // The certificate uses UTF8String for O and CN, we use PrintableString: equal anyway.
    expect(hex(mine.der)).not.toBe(hex(moon.subject.der));
    expect(dnEquals(mine, moon.subject)).toBe(true);
  });

  it('matches configured patterns with * wildcards', () => {
    const parsed = parseDn('C=CH, O=Styx Test, CN=*');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(dnMatchesPattern(moon.subject, parsed.rdns)).toBe(true);
    expect(dnMatchesPattern(cert('inter').subject, parsed.rdns)).toBe(false);
  });

  it('rejects malformed DER names', () => {
    expect(decodeDn(Uint8Array.of(0x30, 0x03, 0x31, 0x01, 0x30))).toBeUndefined();
    expect(decodeDn(Uint8Array.of(0x31, 0x00))).toBeUndefined();
  });

  it('converts configured identities to wire form', () => {
    expect(identityToWire({ type: 'ipv6', value: '2001:db8::1' })).toEqual({
      type: IdType.ID_IPV6_ADDR,
      data: unhex('20010db8000000000000000000000001'),
    });
    expect(identityToWire({ type: 'keyid', value: 'abcd' })).toEqual({
      type: IdType.ID_KEY_ID,
      data: Uint8Array.of(0xab, 0xcd),
    });
    expect(describeIdentity(identityToWire({ type: 'ipv4', value: '192.0.2.9' })!)).toBe(
      '192.0.2.9',
    );
  });
});

describe('CERT and CERTREQ', () => {
  const root = cert('root');
  const inter = cert('inter');

  it('CERTREQ data is the SHA-1 of each CA SubjectPublicKeyInfo (RFC 7296 §3.7)', () => {
    const data = certReqData([root, inter]);
    expect(data.length).toBe(40);
    const spkiDer = root.x509.publicKey.export({ type: 'spki', format: 'der' });
    expect(hex(data.subarray(0, 20))).toBe(createHash('sha1').update(spkiDer).digest('hex'));
    expect(parseCertReqData(data)).toEqual([root.spkiSha1, inter.spkiSha1]);
    expect(parseCertReqData(new Uint8Array(21))).toEqual({
      error: 'CERTREQ data of 21 octets is not a list of SHA-1 hashes',
    });
  });

  it('sends the end entity first, then intermediates, never the self-signed root', () => {
    const payloads = certPayloads(moon, [root, inter]);
    expect(payloads.map((p) => p.encoding)).toEqual([4, 4]);
    expect(payloads.map((p) => hex(p.data))).toEqual([hex(moon.der), hex(inter.der)]);
    const back = certificatesFromPayloads([...payloads, { encoding: 7, data: new Uint8Array(3) }]);
    expect('endEntity' in back && back.endEntity.subjectText).toBe(moon.subjectText);
    expect(certificatesFromPayloads([{ encoding: 4, data: Uint8Array.of(1, 2) }])).toEqual({
      error: 'CERT payload: not a DER X.509 certificate',
    });
  });

  it('selects the certificate whose chain answers the CERTREQ', () => {
    const underInter = { certificate: moon, intermediates: [inter] };
    const underRoot = { certificate: cert('p384'), intermediates: [] };
    const underRogue = { certificate: cert('rogue-moon'), intermediates: [] };
    const ours = [underRogue, underInter, underRoot];
    expect(selectCertificateForCertReq(ours, [inter.spkiSha1])).toBe(underInter);
    expect(selectCertificateForCertReq(ours, [root.spkiSha1], [root])).toBe(underInter);
    expect(selectCertificateForCertReq([underRogue, underRoot], [root.spkiSha1], [root])).toBe(
      underRoot,
    );
    expect(selectCertificateForCertReq(ours, [])).toBe(underRogue);
    expect(selectCertificateForCertReq(ours, [new Uint8Array(20)])).toBe(underRogue);
  });
});
