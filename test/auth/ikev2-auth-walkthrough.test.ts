/**
 * The IKE_AUTH calls the engine makes, walked through in memory without the
 * engine: certificate AUTH both ways with CERTREQ/CERT selection and
 * SIGNATURE_HASH_ALGORITHMS, then a second round (RFC 4739) of EAP-MSCHAPv2
 * whose MSK keys both AUTH payloads (RFC 7296 §2.16).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPeerCertificateAuth } from '../../src/auth/cert-auth.js';
import {
  certPayloads,
  certReqData,
  parseCertReqData,
  selectCertificateForCertReq,
} from '../../src/auth/certreq.js';
import {
  createEapPeer,
  createEapServer,
  eapAuthData,
  verifyEapAuthData,
} from '../../src/auth/eap-auth.js';
import type { IkeIdentity } from '../../src/auth/identity.js';
import { identityMatchesConfig, localIdentity } from '../../src/auth/identity-config.js';
import { signAuth } from '../../src/auth/signature.js';
import {
  decodeSignatureHashAlgorithms,
  encodeSignatureHashAlgorithms,
} from '../../src/auth/signature-hash.js';
import { parseIdentity } from '../../src/config/identity.js';
import { authSignedOctets } from '../../src/crypto/kdf/index.js';
import { getPrf } from '../../src/crypto/registry.js';
import { converse, seededRandom } from './eap/eap-harness.js';
import { cert, crl, key, NOW } from './test-pki.js';

const prf = getPrf(5)!; // PRF_HMAC_SHA2_256
const bytes = (n: number) => new Uint8Array(randomBytes(n));
const idBody = (id: IkeIdentity) => Uint8Array.from([id.type, 0, 0, 0, ...id.data]);
const spec = (text: string) => {
  const s = parseIdentity(text);
  if ('error' in s) throw new Error(s.error);
  return s;
};

describe('IKE_AUTH walkthrough', () => {
  // IKE_SA_INIT results both sides share.
  const msg1 = bytes(300);
  const msg2 = bytes(300);
  const ni = bytes(32);
  const nr = bytes(32);
  const skPi = bytes(32);
  const skPr = bytes(32);
  const root = cert('root');
  const inter = cert('inter');

  it('certificate round, then EAP-MSCHAPv2 round keyed by the MSK', async () => {
    // IKE_SA_INIT: both announce their hashes.
    const hashesFromResponder = decodeSignatureHashAlgorithms(encodeSignatureHashAlgorithms());
    const hashesFromInitiator = decodeSignatureHashAlgorithms(encodeSignatureHashAlgorithms());
    if ('error' in hashesFromInitiator || 'error' in hashesFromResponder) throw new Error('notify');
    const responderCertReq = certReqData([root]);

    // Initiator (sun, ECDSA under the intermediate): IDi, CERT, CERTREQ, AUTH.
    const ours = [{ certificate: cert('sun-p256'), intermediates: [inter] }];
    const requested = parseCertReqData(responderCertReq);
    if ('error' in requested) throw new Error(requested.error);
    const mine = selectCertificateForCertReq(ours, requested, [root])!;
    const idi = localIdentity({ type: 'address' }, { certificate: mine.certificate });
    if ('error' in idi) throw new Error(idi.error);
    const iOctets = authSignedOctets(prf, msg1, nr, skPi, idBody(idi));
    const iAuth = signAuth(key('sun-p256'), iOctets, { peerHashes: hashesFromResponder });
    if ('error' in iAuth) throw new Error(iAuth.error);

    // Responder checks it: configured remote id pattern, then certificate AUTH.
    expect(identityMatchesConfig(idi, spec('C=CH, O=Styx Test, CN=*')).ok).toBe(true);
    const checked = verifyPeerCertificateAuth({
      certPayloads: certPayloads(mine.certificate, mine.intermediates),
      identity: idi,
      authMethod: iAuth.method,
      authData: iAuth.data,
      signedOctets: authSignedOctets(prf, msg1, nr, skPi, idBody(idi)),
      trustAnchors: [root],
      crls: [crl('inter.crl')],
      now: NOW,
    });
    expect(checked).toMatchObject({ ok: true, scheme: 'ecdsa-sha256' });

    // Responder (moon, RSA): IDr, CERT, AUTH; the initiator verifies the same way.
    const idr = localIdentity(spec('moon.example.org'), { certificate: cert('moon-rsa') });
    if ('error' in idr) throw new Error(idr.error);
    const rAuth = signAuth(key('moon-rsa'), authSignedOctets(prf, msg2, ni, skPr, idBody(idr)), {
      peerHashes: hashesFromInitiator,
    });
    if ('error' in rAuth) throw new Error(rAuth.error);
    expect(
      verifyPeerCertificateAuth({
        certPayloads: certPayloads(cert('moon-rsa'), [inter]),
        identity: idr,
        authMethod: rAuth.method,
        authData: rAuth.data,
        signedOctets: authSignedOctets(prf, msg2, ni, skPr, idBody(idr)),
        trustAnchors: [root],
        now: NOW,
      }),
    ).toMatchObject({ ok: true, scheme: 'sha256WithRSA' });

    // Second round (ANOTHER_AUTH_FOLLOWS): EAP-MSCHAPv2, its own identity.
    const random = seededRandom('walkthrough');
    const server = createEapServer({
      methods: ['eap-mschapv2'],
      passwords: (u) => (u === 'carol' ? 'carol-pw' : undefined),
      random,
    });
    const peer = createEapPeer({
      methods: ['eap-mschapv2'],
      identity: 'carol',
      password: 'carol-pw',
      random,
    });
    const eap = await converse(server, peer);
    expect(eap.server).toMatchObject({ success: true, identity: 'carol' });

    // The final IKE_AUTH pair: AUTH from the MSK over each side's signed octets (same IDs as round 1
    // here; the engine uses the IDi/IDr of the messages it signs).
    const iOctets2 = authSignedOctets(prf, msg1, nr, skPi, idBody(idi));
    const iEapAuth = eapAuthData(prf, eap.peer!.msk, skPi, iOctets2);
    expect(verifyEapAuthData(prf, eap.server.msk, skPi, iOctets2, iEapAuth)).toBe(true);
    const rOctets2 = authSignedOctets(prf, msg2, ni, skPr, idBody(idr));
    expect(
      verifyEapAuthData(
        prf,
        eap.peer!.msk,
        skPr,
        rOctets2,
        eapAuthData(prf, eap.server.msk, skPr, rOctets2),
      ),
    ).toBe(true);
    // A wrong password gives a different MSK: the AUTH check fails too.
    expect(verifyEapAuthData(prf, new Uint8Array(64), skPi, iOctets2, iEapAuth)).toBe(false);
  });
});
