/**
 * Two engines in memory with EAP rounds in IKE_AUTH (RFC 7296 §2.16) and a
 * second authentication round (RFC 4739): EAP-MD5, EAP-MSCHAPv2 and EAP-TLS
 * with the initiator as EAP peer and the responder as EAP server, the AUTH
 * payloads keyed with the MSK, EAP-Identity, and the failures (wrong
 * password, a skipped or unexpected second round) with their log reasons.
 */
import { describe, expect, it } from 'vitest';
import type { EapMethodName } from '../../src/auth/eap-auth.js';
import type { AuthRound } from '../../src/ikev2/connection.js';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import { decodeIkeMessage, ExchangeType, NotifyType } from '../../src/wire/ikev2/index.js';
import { cert, key, NOW } from '../auth/test-pki.js';
import { type AuthPair, authPair, establish, failBoth } from '../support/auth-pair.js';
import { ownRound, trustRound } from '../support/cert-rounds.js';
import { secret } from '../support/engine-pair.js';

const SUN = 'C=CH, O=Styx Test, CN=sun.example.org';
const USERS: Record<string, string> = { carol: 'Ch4rly-p4ss', dave: 'd4ve!' };

/** The initiator's EAP round as user `user` with `password`. */
function eapClient(method: EapMethodName, user: string, password: string): AuthRound {
  return {
    method: 'eap',
    id: fqdnIdentity(`${user}.example.org`),
    eap: { methods: [method], identity: user, password: secret(password) },
  };
}

/** The responder's view of that round: any FQDN peer, users from USERS, EAP-Identity asked. */
function eapServer(method: EapMethodName, over: Partial<AuthRound['eap']> = {}): AuthRound {
  return {
    method: 'eap',
    id: { type: 0, data: new Uint8Array(0) },
    eap: {
      methods: [method],
      askIdentity: true,
      passwords: (id) => (USERS[id] === undefined ? undefined : secret(USERS[id]!)),
      ...over,
    },
  };
}

/** The IKE_AUTH requests the initiator sent, decrypted payload kinds aside: count and notifies. */
function ikeAuthRequests(pair: AuthPair): number {
  return pair.net.sent
    .filter((s) => s.from.address === '192.0.2.1')
    .map((s) => decodeIkeMessage(s.data).header)
    .filter((h) => h.exchangeType === ExchangeType.IKE_AUTH && !h.flags.response).length;
}

/** Both kernels hold the CHILD_SA with crossed SPIs and the same keys. */
async function expectMirroredChild(pair: AuthPair) {
  const a = await pair.a.kernel.listSas();
  const b = await pair.b.kernel.listSas();
  expect(a).toHaveLength(2);
  for (const sa of a) {
    const twin = b.find((x) => x.spi === sa.spi && x.dst === sa.dst);
    expect(twin).toBeDefined();
    expect(sa.aead?.key).toBeDefined();
    expect(twin?.aead?.key).toEqual(sa.aead?.key);
  }
}

/** EAP-TLS settings with the test PKI's end entity `own` under its intermediate. */
const tlsOf = (own: string) => ({
  certificate: cert(own),
  intermediates: [cert('inter')],
  key: key(own),
  trustAnchors: [cert('root')],
  now: () => NOW,
});

const PSK_RESPONDER: Pick<AuthRound, 'method' | 'id'> = {
  method: 'psk',
  id: fqdnIdentity('sun.example.org'),
};

describe('two engines in memory, EAP in IKE_AUTH (RFC 7296 §2.16)', () => {
  it('EAP-MD5 with EAP-Identity: the AUTH after EAP is keyed with SK_pi/SK_pr (no MSK)', async () => {
    const pair = authPair(
      'eap-md5',
      { local: eapClient('eap-md5', 'carol', USERS.carol!), remote: PSK_RESPONDER },
      { local: PSK_RESPONDER, remote: eapServer('eap-md5') },
    );
    expect(await establish(pair)).toBe(true);
    await expectMirroredChild(pair);
    const a = pair.a.logger.lines.join('\n');
    const b = pair.b.logger.lines.join('\n');
    expect(a).toContain('EAP method EAP-MD5 succeeded, no MSK');
    expect(b).toContain('EAP method EAP-MD5 of "carol" succeeded');
    expect(b).toContain('authentication of carol.example.org with EAP-MD5 of "carol" successful');
    // IDi/AUTH-less request, Identity, MD5 response, AUTH: four IKE_AUTH requests.
    expect(ikeAuthRequests(pair)).toBe(4);
    // No password in any log line.
    expect(`${a}\n${b}`).not.toContain(USERS.carol);
  });

  it('EAP-MSCHAPv2 against a certificate responder, identity known from IDi (no Identity round)', async () => {
    const pair = authPair(
      'eap-mschapv2',
      {
        local: eapClient('eap-mschapv2', 'dave', USERS.dave!),
        remote: trustRound(SUN),
      },
      {
        local: ownRound('sun-p256'),
        // The IKE identity's text is the EAP identity unless eap_id is set (strongSwan's default).
        remote: eapServer('eap-mschapv2', { askIdentity: false, identity: 'dave' }),
      },
    );
    expect(await establish(pair)).toBe(true);
    await expectMirroredChild(pair);
    expect(pair.a.logger.lines.join('\n')).toContain(
      'EAP method EAP-MSCHAPv2 succeeded, MSK established',
    );
    expect(pair.a.logger.lines.join('\n')).toContain(`authentication of ${SUN} with certificate`);
    // Challenge, Response+Success-Request, Success-Response, AUTH: four requests.
    expect(ikeAuthRequests(pair)).toBe(4);
  });

  it('EAP-TLS: client certificate checked by the server, MSK from the TLS exporter', async () => {
    const tls = tlsOf;
    const pair = authPair(
      'eap-tls',
      {
        local: {
          method: 'eap',
          id: fqdnIdentity('moon.example.org'),
          eap: { methods: ['eap-tls'], tls: tls('moon-rsa') },
        },
        remote: trustRound(SUN),
      },
      {
        local: ownRound('sun-p256'),
        remote: eapServer('eap-tls', { askIdentity: false, tls: tls('sun-p256') }),
      },
    );
    expect(await establish(pair)).toBe(true);
    await expectMirroredChild(pair);
    expect(pair.b.logger.lines.join('\n')).toContain(
      'EAP method EAP-TLS of "moon.example.org" succeeded',
    );
  });

  it('EAP-TLS: a client certificate that does not name the IKE identity is refused', async () => {
    const pair = authPair(
      'eap-tls-wrong-id',
      {
        local: {
          method: 'eap',
          id: fqdnIdentity('other.example.org'),
          eap: { methods: ['eap-tls'], tls: tlsOf('moon-rsa') },
        },
        remote: trustRound(SUN),
      },
      {
        local: ownRound('sun-p256'),
        remote: eapServer('eap-tls', { askIdentity: false, tls: tlsOf('sun-p256') }),
      },
    );
    const logs = await failBoth(pair);
    expect(logs.b).toMatch(/EAP-TLS certificate ".*moon.*" does not match other\.example\.org/);
  });

  it('EAP-only (RFC 5998): the responder sends no AUTH before EAP-TLS; the MSK AUTH proves it', async () => {
    const sunId = fqdnIdentity('sun.example.org');
    const pair = authPair(
      'eap-only',
      {
        local: {
          method: 'eap',
          id: fqdnIdentity('moon.example.org'),
          eap: { methods: ['eap-tls'], tls: tlsOf('moon-rsa') },
        },
        remote: { method: 'eap', id: sunId, eap: { methods: ['eap-tls'] } },
      },
      {
        local: { method: 'eap', id: sunId, eap: { methods: ['eap-tls'] } },
        remote: eapServer('eap-tls', { askIdentity: false, tls: tlsOf('sun-p256') }),
      },
    );
    expect(await establish(pair)).toBe(true);
    await expectMirroredChild(pair);
    expect(pair.a.logger.lines.join('\n')).toContain(
      'authentication of sun.example.org with EAP-only authentication (RFC 5998, EAP-TLS) successful',
    );
  });

  it('EAP-only is refused with a method that does not authenticate the server (EAP-MD5)', async () => {
    const sunId = fqdnIdentity('sun.example.org');
    const pair = authPair(
      'eap-only-md5',
      {
        local: eapClient('eap-md5', 'carol', USERS.carol!),
        remote: { method: 'eap', id: sunId, eap: { methods: ['eap-md5'] } },
      },
      {
        local: { method: 'eap', id: sunId, eap: { methods: ['eap-md5'] } },
        remote: eapServer('eap-md5'),
      },
    );
    const logs = await failBoth(pair);
    expect(logs.b).toContain('EAP-only authentication needs a mutual method, not EAP-MD5');
  });

  it('a wrong EAP-MSCHAPv2 password ends with EAP-Failure and a log line on both sides', async () => {
    const pair = authPair(
      'eap-wrong',
      { local: eapClient('eap-mschapv2', 'dave', 'not-daves'), remote: PSK_RESPONDER },
      { local: PSK_RESPONDER, remote: eapServer('eap-mschapv2') },
    );
    const logs = await failBoth(pair);
    expect(logs.b).toMatch(/EAP authentication of "dave" failed \(EAP-MSCHAPv2\)/);
    expect(logs.a).toMatch(/EAP authentication failed \(EAP-MSCHAPv2\)/);
    expect(`${logs.a}\n${logs.b}`).not.toContain('not-daves');
  });

  it('an unknown EAP user is refused', async () => {
    const pair = authPair(
      'eap-unknown',
      { local: eapClient('eap-md5', 'mallory', 'x'), remote: PSK_RESPONDER },
      { local: PSK_RESPONDER, remote: eapServer('eap-md5') },
    );
    const logs = await failBoth(pair);
    expect(logs.b).toMatch(/EAP authentication of "mallory" failed/);
  });
});

describe('two authentication rounds (RFC 4739)', () => {
  const roundsA = {
    local: ownRound('moon-rsa'),
    local2: eapClient('eap-mschapv2', 'dave', USERS.dave!),
    remote: trustRound(SUN),
  };
  const roundsB = {
    local: ownRound('sun-p256'),
    remote: trustRound('C=CH, O=Styx Test, CN=moon.example.org'),
    remote2: eapServer('eap-mschapv2'),
  };

  it('certificate, then EAP-MSCHAPv2 with its own identity', async () => {
    const pair = authPair('two-rounds', roundsA, roundsB);
    expect(await establish(pair)).toBe(true);
    await expectMirroredChild(pair);
    const b = pair.b.logger.lines.join('\n');
    expect(b).toContain(
      'authentication of C=CH, O=Styx Test, CN=moon.example.org with certificate',
    );
    expect(b).toContain(
      'authentication of dave.example.org with EAP-MSCHAPv2 of "dave" successful',
    );
    // The responder announced the extension; the first request followed it up.
    const first = pair.net.sent
      .map((s) => decodeIkeMessage(s.data))
      .find((m) => m.header.exchangeType === ExchangeType.IKE_SA_INIT && m.header.flags.response)!;
    expect(
      first.payloads.some(
        (p) => p.kind === 'N' && p.notifyType === NotifyType.MULTIPLE_AUTH_SUPPORTED,
      ),
    ).toBe(true);
  });

  it('a responder that requires a second round refuses an initiator with one', async () => {
    const { local2: _, ...oneRound } = roundsA;
    const logs = await failBoth(authPair('two-rounds-skipped', oneRound, roundsB));
    expect(logs.b).toContain('peer skipped authentication round 2 (remote2 is configured)');
  });

  it('a responder with one round refuses an announced second round', async () => {
    const { remote2: _, ...oneRound } = roundsB;
    const logs = await failBoth(authPair('two-rounds-unexpected', roundsA, oneRound));
    expect(logs.b).toContain('peer announced authentication round 2, none is configured');
  });
});
