/**
 * Two engines in memory authenticating with certificates (RFC 7296 §2.15,
 * RFC 7427): RSA, ECDSA and Ed25519 end entities under an intermediate CA,
 * mixed PSK/certificate, a chain carried in IKE fragments, and the failures
 * (expired, unknown CA, revoked, identity mismatch) with their log reasons.
 */
import { describe, expect, it } from 'vitest';
import type { AuthRound } from '../../src/ikev2/connection.js';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import { decodeIkeMessage, ExchangeType } from '../../src/wire/ikev2/index.js';
import { cert } from '../auth/test-pki.js';
import { authPair, establish, failBoth } from '../support/auth-pair.js';
import { ownRound, trustRound } from '../support/cert-rounds.js';

const MOON = 'C=CH, O=Styx Test, CN=moon.example.org';
const SUN = 'C=CH, O=Styx Test, CN=sun.example.org';

describe('two engines in memory, certificates', () => {
  it('RSA initiator and ECDSA responder under an intermediate, DN identities (method 14)', async () => {
    const pair = authPair(
      'rsa-ecdsa',
      { local: ownRound('moon-rsa'), remote: trustRound('C=CH, O=Styx Test, CN=*') },
      { local: ownRound('sun-p256'), remote: trustRound(MOON) },
    );
    expect(await establish(pair)).toBe(true);
    const a = pair.a.logger.lines.join('\n');
    const b = pair.b.logger.lines.join('\n');
    // SIGNATURE_HASH_ALGORITHMS went both ways, so both signed with RFC 7427 schemes.
    expect(b).toContain(`authentication of ${MOON} with certificate "${MOON}" (sha256WithRSA)`);
    expect(a).toContain(`authentication of ${SUN} with certificate "${SUN}" (ecdsa-sha256)`);
    expect(pair.a.engine.listSas()[0]?.peerHashes).toEqual([2, 3, 4, 5]);
    // The responder's IKE_SA_INIT carried a CERTREQ with the root's key hash.
    const initResponse = pair.net.sent
      .map((s) => decodeIkeMessage(s.data))
      .find((m) => m.header.exchangeType === ExchangeType.IKE_SA_INIT && m.header.flags.response)!;
    const certReq = initResponse.payloads.find((p) => p.kind === 'CERTREQ');
    expect(certReq?.kind === 'CERTREQ' && Buffer.from(certReq.data)).toEqual(
      Buffer.from(cert('root').spkiSha1),
    );
    expect(pair.b.engine.listSas()[0]?.peerCertReq.map((h) => Buffer.from(h))).toEqual([
      Buffer.from(cert('root').spkiSha1),
    ]);
    expect(await pair.a.kernel.listSas()).toHaveLength(2);
  });

  it('Ed25519 on both sides with FQDN identities from the subjectAltName', async () => {
    const pair = authPair(
      'ed25519',
      {
        local: ownRound('ed25519', 'ed25519.example.org'),
        remote: trustRound('ed25519.example.org'),
      },
      {
        local: ownRound('ed25519', 'ed25519.example.org'),
        remote: trustRound('ed25519.example.org'),
      },
    );
    expect(await establish(pair)).toBe(true);
    expect(pair.b.logger.lines.join('\n')).toMatch(
      /authentication of ed25519\.example\.org with certificate .* \(ed25519\) successful/,
    );
  });

  it('mixed: the initiator uses a PSK, the responder a certificate (each side its own method)', async () => {
    const pair = authPair(
      'mixed',
      {
        local: { method: 'psk', id: fqdnIdentity('carol.example.org') },
        remote: trustRound('sun.example.org'),
      },
      {
        local: ownRound('sun-p256', 'sun.example.org'),
        remote: { method: 'psk', id: fqdnIdentity('carol.example.org') },
      },
    );
    expect(await establish(pair)).toBe(true);
    expect(pair.b.logger.lines.join('\n')).toContain(
      'authentication of carol.example.org with pre-shared key successful',
    );
    expect(pair.a.logger.lines.join('\n')).toMatch(
      /authentication of sun\.example\.org with certificate .*ecdsa-sha256/,
    );
  });

  it('a chain larger than the fragment size rides on IKE fragments (RFC 7383)', async () => {
    const pair = authPair(
      'frag',
      { local: ownRound('moon-rsa'), remote: trustRound(SUN), fragmentSize: 576 },
      { local: ownRound('sun-p256'), remote: trustRound(MOON), fragmentSize: 576 },
    );
    expect(await establish(pair)).toBe(true);
    const skf = pair.net.sent.filter((s) => s.data[16] === 53);
    expect(skf.length).toBeGreaterThan(4);
    // 576 octets of IPv4 datagram: 548 of IKE message (RFC 7383 §2.5.1).
    expect(Math.max(...pair.net.sent.map((s) => s.data.length))).toBeLessThanOrEqual(548);
  });

  const negatives: {
    name: string;
    initiator: AuthRound;
    responderRemote: AuthRound;
    reason: RegExp;
  }[] = [
    {
      name: 'expired certificate',
      initiator: ownRound('expired'),
      responderRemote: trustRound('C=CH, O=Styx Test, CN=*'),
      reason: /expired\.example\.org" expired on 2025-01-01/,
    },
    {
      name: 'unknown CA',
      initiator: ownRound('rogue-moon', 'address', []),
      responderRemote: trustRound('C=CH, O=Styx Test, CN=*'),
      reason: /issuer not trusted/,
    },
    {
      name: 'revoked by CRL',
      initiator: ownRound('revoked'),
      responderRemote: trustRound('C=CH, O=Styx Test, CN=*'),
      reason: /revoked\.example\.org" revoked by CRL/,
    },
    {
      name: 'identity not in the certificate',
      initiator: ownRound('sun-p256', 'moon.example.org'),
      responderRemote: trustRound('moon.example.org'),
      reason:
        /identity moon\.example\.org not in certificate "C=CH, O=Styx Test, CN=sun\.example\.org"/,
    },
  ];
  for (const n of negatives) {
    it(`responder refuses: ${n.name}, AUTHENTICATION_FAILED and the reason in its log`, async () => {
      const pair = authPair(
        `neg-${n.name}`,
        { local: n.initiator, remote: trustRound(SUN) },
        { local: ownRound('sun-p256'), remote: n.responderRemote },
      );
      const logs = await failBoth(pair);
      expect(logs.b).toMatch(new RegExp(`IKE_SA closed: .*${n.reason.source}`));
      expect(logs.a).toContain('peer answered AUTHENTICATION_FAILED');
    });
  }

  it('responder refuses a peer ID that matches no configured identity', async () => {
    const pair = authPair(
      'neg-id-config',
      { local: ownRound('sun-p256', 'sun.example.org'), remote: trustRound(SUN) },
      { local: ownRound('moon-rsa'), remote: trustRound('moon.example.org') },
    );
    const logs = await failBoth(pair);
    expect(logs.b).toMatch(/IKE_SA closed: no connection matches peer identity sun\.example\.org/);
  });

  it('initiator refuses a responder identity outside its pattern (no IDr sent for a pattern)', async () => {
    const pair = authPair(
      'neg-initiator-id',
      { local: ownRound('moon-rsa'), remote: trustRound('*.other.example') },
      { local: ownRound('sun-p256', 'sun.example.org'), remote: trustRound(MOON) },
    );
    const logs = await failBoth(pair);
    expect(logs.a).toContain(
      'IKE_SA closed: peer identity sun.example.org does not match *.other.example',
    );
    expect(logs.b).toContain('IKE_SA closed: peer refused our authentication');
  });

  it('initiator refuses a revoked responder certificate and says why', async () => {
    const pair = authPair(
      'neg-initiator',
      { local: ownRound('moon-rsa'), remote: trustRound('C=CH, O=Styx Test, CN=*') },
      { local: ownRound('revoked'), remote: trustRound(MOON) },
    );
    const logs = await failBoth(pair);
    expect(logs.a).toMatch(
      /IKE_SA closed: authentication of .*revoked\.example\.org failed: .*revoked by CRL/,
    );
    // The responder learnt it from our INFORMATIONAL (RFC 7296 §2.21.2) and removed its CHILD_SA.
    expect(logs.b).toContain('IKE_SA closed: peer refused our authentication');
  });
});
