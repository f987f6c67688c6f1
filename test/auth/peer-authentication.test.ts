/**
 * The engine-facing entry points: certificate authentication of a peer in one
 * call (CERT payloads → chain → identity → AUTH signature), the peer identity
 * against the configured remote identity, and AUTH after EAP keyed by the MSK
 * or SK_p (RFC 7296 §2.16).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPeerCertificateAuth } from '../../src/auth/cert-auth.js';
import { certPayloads } from '../../src/auth/certreq.js';
import { encodeDn } from '../../src/auth/dn.js';
import {
  createEapPeer,
  createEapServer,
  eapAuthData,
  verifyEapAuthData,
} from '../../src/auth/eap-auth.js';
import { certificateIdentity, type IkeIdentity } from '../../src/auth/identity.js';
import { identityMatchesConfig, localIdentity } from '../../src/auth/identity-config.js';
import { signAuth } from '../../src/auth/signature.js';
import { parseDn, parseIdentity } from '../../src/config/identity.js';
import type { IdentitySpec } from '../../src/config/types.js';
import { getPrf } from '../../src/crypto/registry.js';
import { HashAlgorithm, IdType } from '../../src/wire/ikev2/constants.js';
import { converse, seededRandom } from './eap/eap-harness.js';
import { cert, crl, key, NOW } from './test-pki.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const octets = new Uint8Array(randomBytes(200));

describe('verifyPeerCertificateAuth', () => {
  const moon = cert('moon-rsa');
  const base = {
    certPayloads: certPayloads(moon, [cert('inter')]),
    identity: { type: IdType.ID_FQDN, data: utf8('moon.example.org') } as IkeIdentity,
    signedOctets: octets,
    trustAnchors: [cert('root')],
    crls: [crl('inter.crl')],
    now: NOW,
  };
  const auth = signAuth(key('moon-rsa'), octets, { peerHashes: [HashAlgorithm.SHA2_384] }) as {
    method: number;
    data: Uint8Array;
  };

  it('accepts a valid chain, identity and signature and says which scheme', () => {
    const r = verifyPeerCertificateAuth({ ...base, authMethod: auth.method, authData: auth.data });
    expect(r).toMatchObject({ ok: true, scheme: 'sha384WithRSA' });
    expect(r.ok && r.chain.length).toBe(2);
  });

  it('uses local intermediates when the peer sends only its own certificate', () => {
    const onlyLeaf = {
      ...base,
      certPayloads: certPayloads(moon, []),
      authMethod: auth.method,
      authData: auth.data,
    };
    expect(verifyPeerCertificateAuth(onlyLeaf).ok).toBe(false);
    expect(verifyPeerCertificateAuth({ ...onlyLeaf, localIntermediates: [cert('inter')] }).ok).toBe(
      true,
    );
  });

  it('reports the first failing step', () => {
    const a = { authMethod: auth.method, authData: auth.data };
    expect(
      verifyPeerCertificateAuth({ ...base, ...a, now: new Date('2034-01-01T00:00:00Z') }),
    ).toEqual({
      ok: false,
      reason: 'certificate "C=CH, O=Styx Test, CN=moon.example.org" expired on 2033-01-01',
    });
    expect(
      verifyPeerCertificateAuth({
        ...base,
        ...a,
        identity: { type: IdType.ID_FQDN, data: utf8('sun.example.org') },
      }),
    ).toEqual({
      ok: false,
      reason:
        'identity sun.example.org not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    });
    const other = new Uint8Array(octets);
    other[0]! ^= 0xff;
    expect(verifyPeerCertificateAuth({ ...base, ...a, signedOctets: other })).toEqual({
      ok: false,
      reason: 'Digital Signature (sha384WithRSA) does not verify',
    });
    expect(verifyPeerCertificateAuth({ ...base, ...a, certPayloads: [] })).toEqual({
      ok: false,
      reason: 'no X.509 certificate in the CERT payloads',
    });
  });
});

describe('identityMatchesConfig', () => {
  const spec = (text: string): IdentitySpec => {
    const parsed = parseIdentity(text);
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed;
  };
  const fqdn = (s: string): IkeIdentity => ({ type: IdType.ID_FQDN, data: utf8(s) });
  const dn = (s: string): IkeIdentity => {
    const p = parseDn(s);
    if ('error' in p) throw new Error(p.error);
    return { type: IdType.ID_DER_ASN1_DN, data: encodeDn(p.rdns)! };
  };

  it.each([
    ['%any', fqdn('anything'), true],
    ['moon.example.org', fqdn('MOON.example.org'), true],
    ['moon.example.org', fqdn('sun.example.org'), false],
    ['*.example.org', fqdn('moon.example.org'), true],
    ['*.example.org', fqdn('example.org'), false],
    ['*@example.org', { type: IdType.ID_RFC822_ADDR, data: utf8('carol@example.org') }, true],
    ['C=CH, O=Styx Test, CN=*', dn('C=CH, O=Styx Test, CN=moon.example.org'), true],
    ['C=CH, O=Styx Test, CN=*', dn('C=DE, O=Styx Test, CN=moon.example.org'), false],
    ['192.0.2.1', { type: IdType.ID_IPV4_ADDR, data: Uint8Array.of(192, 0, 2, 1) }, true],
    ['192.0.2.1', fqdn('192.0.2.1'), false],
    ['keyid:0a0b', { type: IdType.ID_KEY_ID, data: Uint8Array.of(10, 11) }, true],
  ] as const)('%s against %j: %s', (config, id, ok) => {
    expect(identityMatchesConfig(id, spec(config)).ok).toBe(ok);
  });

  it('the peer address setting compares with the address the IKE_SA uses', () => {
    const id = { type: IdType.ID_IPV4_ADDR, data: Uint8Array.of(192, 0, 2, 7) };
    expect(identityMatchesConfig(id, { type: 'address' }, Uint8Array.of(192, 0, 2, 7)).ok).toBe(
      true,
    );
    expect(identityMatchesConfig(id, { type: 'address' }, Uint8Array.of(192, 0, 2, 8))).toEqual({
      ok: false,
      reason: 'peer identity 192.0.2.7 does not match the configured remote identity',
    });
  });

  it('a certificate subject as the default identity matches a DN pattern', () => {
    expect(
      identityMatchesConfig(certificateIdentity(cert('moon-rsa')), spec('C=CH, O=Styx Test, CN=*'))
        .ok,
    ).toBe(true);
  });
});

describe('localIdentity', () => {
  const moon = cert('moon-rsa');
  it('defaults to the certificate subject DER, or to our address without a certificate', () => {
    expect(localIdentity({ type: 'address' }, { certificate: moon })).toEqual({
      type: IdType.ID_DER_ASN1_DN,
      data: moon.subject.der,
    });
    expect(
      localIdentity({ type: 'address' }, { localAddress: Uint8Array.of(192, 0, 2, 1) }),
    ).toEqual({
      type: IdType.ID_IPV4_ADDR,
      data: Uint8Array.of(192, 0, 2, 1),
    });
    expect(localIdentity({ type: 'any' })).toEqual({ error: 'the local identity cannot be %any' });
  });

  it('sends a configured DN equal to the subject as the certificate bytes', () => {
    const parsed = parseIdentity('c=ch, o=styx test, cn=MOON.example.org');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(localIdentity(parsed, { certificate: moon })).toEqual({
      type: IdType.ID_DER_ASN1_DN,
      data: moon.subject.der,
    });
    const fq = parseIdentity('moon.example.org');
    if ('error' in fq) throw new Error(fq.error);
    expect(localIdentity(fq, { certificate: moon })).toEqual({
      type: IdType.ID_FQDN,
      data: utf8('moon.example.org'),
    });
  });
});

describe('AUTH after EAP (RFC 7296 §2.16)', () => {
  const prf = getPrf(5)!; // PRF_HMAC_SHA2_256
  const skP = new Uint8Array(32).fill(7);

  it('is prf(prf(MSK, "Key Pad for IKEv2"), octets), or keyed by SK_p without an MSK', () => {
    const msk = new Uint8Array(64).fill(3);
    const hmac = (k: Uint8Array, d: Uint8Array) =>
      new Uint8Array(createHmac('sha256', k).update(d).digest());
    const pad = utf8('Key Pad for IKEv2');
    expect(Buffer.from(eapAuthData(prf, msk, skP, octets)).toString('hex')).toBe(
      Buffer.from(hmac(hmac(msk, pad), octets)).toString('hex'),
    );
    expect(Buffer.from(eapAuthData(prf, undefined, skP, octets)).toString('hex')).toBe(
      Buffer.from(hmac(hmac(skP, pad), octets)).toString('hex'),
    );
    expect(verifyEapAuthData(prf, msk, skP, octets, eapAuthData(prf, msk, skP, octets))).toBe(true);
    expect(verifyEapAuthData(prf, msk, skP, octets, eapAuthData(prf, undefined, skP, octets))).toBe(
      false,
    );
  });

  it('server and peer from configuration agree on the MSK (EAP-MSCHAPv2) and thus on AUTH', async () => {
    const random = seededRandom('config');
    const server = createEapServer({
      methods: ['eap-mschapv2', 'eap-md5'],
      passwords: (id) => (id === 'carol' ? 'pw' : undefined),
      random,
    });
    const peer = createEapPeer({
      methods: ['eap-mschapv2'],
      identity: 'carol',
      password: 'pw',
      random,
    });
    const c = await converse(server, peer);
    expect(c.server.success && c.peer?.success).toBe(true);
    expect(Buffer.from(eapAuthData(prf, c.peer?.msk, skP, octets))).toEqual(
      Buffer.from(eapAuthData(prf, c.server.msk, skP, octets)),
    );
  });

  it('a peer configured for EAP-MD5 only Naks MSCHAPv2 and gets MD5 (no MSK)', async () => {
    const random = seededRandom('md5-config');
    const server = createEapServer({
      methods: ['eap-mschapv2', 'eap-md5'],
      passwords: () => 'pw',
      random,
    });
    const peer = createEapPeer({ methods: ['eap-md5'], identity: 'dave', password: 'pw', random });
    const c = await converse(server, peer);
    expect(c.server).toMatchObject({ success: true, eapType: 4 });
    expect(c.server.msk).toBeUndefined();
  });
});
