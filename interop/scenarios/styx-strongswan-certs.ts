// Styx against strongSwan with certificates (RFC 7296 §2.15, RFC 7427): RSA,
// ECDSA and Ed25519 end entities under the test PKI's intermediate CA
// (test-vectors/auth/pki), Styx as initiator and as responder, over WAN links
// with MTU 1280 so the IKE_AUTH carrying the chain must be split into IKE
// fragments (RFC 7383). Negatives: an expired certificate, an unknown CA, a
// certificate revoked by the intermediate's CRL and an identity that matches
// no connection each end with AUTHENTICATION_FAILED and a log line that says
// why, while the good tunnel keeps working.
import { join } from 'node:path';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type CertAuthSpec,
  type CertSide,
  type ConnSpec,
  charonDaemon,
  type Gateway,
  lanNets,
  styxctl,
  styxDaemon,
  TSHARK_MS,
} from './styx-pair.js';
import { tunnelChecks } from './styx-strongswan-psk.js';

/** Inside UML the host's paths are the same; the runner starts in the repository. */
const PKI = join(process.env.STYX_LAB_ROOT ?? process.cwd(), 'test-vectors/auth/pki');
const pki = (name: string) => join(PKI, name);

const IKE = 'aes256gcm16-prfsha256-x25519';
const net = { name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') };

/** An end entity of the test PKI under its intermediate, claiming `id`. */
const side = (name: string, id: string, intermediates = [pki('inter.crt')]): CertSide => ({
  cert: pki(`${name}.crt`),
  key: pki(`${name}.key`),
  intermediates,
  id,
});

const MOON_RSA = side('moon-rsa', 'C=CH, O=Styx Test, CN=moon.example.org');
const SUN_ECDSA = side('sun-p256', 'sun.example.org');
const ED25519 = side('ed25519', 'ed25519.example.org');

const certs = (moon: CertSide, sun: CertSide, over: Partial<CertAuthSpec> = {}): CertAuthSpec => ({
  moon,
  sun,
  cacerts: [pki('root.crt')],
  crls: [pki('inter.crl')],
  ...over,
});

const conn = (name: string, auth: CertAuthSpec): ConnSpec => ({
  name,
  ike: IKE,
  children: [net],
  certs: auth,
});

/** WAN links with MTU 1280 on both gateways and the bridge. */
const mtu1280: Step[] = [
  ...(['moon', 'sun'] as const).map(
    (ns): Step => ({ do: 'exec', ns, argv: ['ip', 'link', 'set', 'dev', 'eth1', 'mtu', '1280'] }),
  ),
  ...(['moon', 'sun'] as const).map(
    (dev): Step => ({
      do: 'exec',
      ns: 'wan',
      argv: ['ip', 'link', 'set', 'dev', dev, 'mtu', '1280'],
    }),
  ),
];

/** The IKE_AUTH went in SKF fragments (RFC 7383) and no IP datagram was fragmented. */
const fragmented: Step = {
  do: 'run',
  what: 'IKE_AUTH was split into IKE fragments, with no IP fragmentation',
  async run(lab) {
    const pcap = `${lab.dir}/wan.pcap`;
    const all = await lab.exec('wan', ['tshark', '-n', '-r', pcap, '-V', '-Y', 'udp'], TSHARK_MS);
    if (all.code !== 0) throw new Error(`tshark failed: ${all.stderr}`);
    const skf = all.stdout.match(/Encrypted and Authenticated Fragment/g)?.length ?? 0;
    if (skf < 4) throw new Error(`expected IKE fragments in both directions, saw ${skf}`);
    const ipFrags = await lab.exec(
      'wan',
      ['tshark', '-n', '-r', pcap, '-Y', 'ip.flags.mf == 1 || ip.frag_offset > 0'],
      TSHARK_MS,
    );
    if (ipFrags.stdout.trim() !== '')
      throw new Error(`IP fragments on the wire:\n${ipFrags.stdout.slice(0, 1000)}`);
  },
};

const styxSaw = (ns: Gateway, pattern: RegExp): Step => ({
  do: 'daemon-output',
  name: `styxd-${ns}`,
  expect: { match: [pattern] },
});

function initiator(tag: string, auth: CertAuthSpec, peerSeen: RegExp): Scenario {
  return {
    name: `styx-initiator-certs-${tag}`,
    summary: `Styx on moon initiates with a ${tag} certificate under an intermediate CA to strongSwan on sun over MTU 1280 (IKE fragments); alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon('sun', [conn('gw', auth)]), styxDaemon('moon', [conn('gw', auth)])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      ...mtu1280,
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      styxSaw('moon', peerSeen),
      fragmented,
      ...tunnelChecks('moon', 'sun', /ESP:AES_GCM_16-256/),
    ],
    timeoutMs: 120_000,
  };
}

function responder(tag: string, auth: CertAuthSpec, peerSeen: RegExp): Scenario {
  return {
    name: `styx-responder-certs-${tag}`,
    summary: `strongSwan on moon initiates to Styx on sun, which authenticates with a ${tag} certificate under an intermediate CA, over MTU 1280 (IKE fragments); alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon('moon', [conn('gw', auth)]), styxDaemon('sun', [conn('gw', auth)])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      ...mtu1280,
      {
        do: 'swanctl',
        ns: 'moon',
        args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
      },
      styxSaw('sun', peerSeen),
      fragmented,
      ...tunnelChecks('sun', 'moon', /ESP:AES_GCM_16-256/),
    ],
    timeoutMs: 120_000,
  };
}

/** swanctl --initiate of `ike` on moon must fail: Styx refuses it. */
const initiateFails = (ike: string): Step => ({
  do: 'run',
  what: `strongSwan's initiation of ${ike} is refused`,
  async run(lab) {
    const scenario = lab.dir.split('/').pop();
    const uri = `unix:///tmp/lab/${scenario}/moon/charon.vici`;
    const r = await lab.exec(
      'moon',
      ['swanctl', '--initiate', '--uri', uri, '--ike', ike, '--child', 'net', '--timeout', '20'],
      30_000,
    );
    if (r.code === 0) throw new Error(`swanctl --initiate ${ike} succeeded; it should have failed`);
    if (!/AUTHENTICATION_FAILED/.test(r.stdout + r.stderr))
      throw new Error(`no AUTHENTICATION_FAILED in strongSwan's output:\n${r.stdout.slice(-800)}`);
  },
});

const stillServing = (styx: Gateway): Step[] => [
  { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
  styxctl(styx, ['status', 'gw'], {
    match: [/gw: #\d+, ESTABLISHED, IKEv2/, /net: #\d+, reqid \d+, INSTALLED/],
  }),
];

/** Styx on sun accepts any *.example.org certificate under the root; strongSwan tries bad ones. */
const MOON_FQDN = side('moon-rsa', 'moon.example.org');
const styxAcceptsExampleOrg = certs(MOON_FQDN, SUN_ECDSA, { expect: { sun: '*.example.org' } });
const badPeer = (name: string, moon: CertSide): ConnSpec =>
  conn(name, certs(moon, SUN_ECDSA, { cacerts: [pki('root.crt')] }));

const responderNegative: Scenario = {
  name: 'styx-responder-certs-negative',
  summary:
    'Styx on sun refuses an expired certificate, an unknown CA, a revoked certificate and an identity no connection expects, with AUTHENTICATION_FAILED and the reason in its log, while gw keeps working',
  topology: 'net2net',
  daemons: [
    charonDaemon('moon', [
      conn('gw', styxAcceptsExampleOrg),
      badPeer('expired', side('expired', 'expired.example.org')),
      badPeer('rogue', side('rogue-moon', 'moon.example.org', [])),
      badPeer('revoked', side('revoked', 'revoked.example.org')),
      // The DN is in the certificate, but Styx expects an FQDN under example.org.
      badPeer('wrongid', side('moon-rsa', 'C=CH, O=Styx Test, CN=moon.example.org')),
    ]),
    styxDaemon('sun', [conn('gw', styxAcceptsExampleOrg)]),
  ],
  steps: [
    {
      do: 'swanctl',
      ns: 'moon',
      args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
    },
    ...stillServing('sun'),
    initiateFails('expired'),
    styxSaw(
      'sun',
      /IKE_SA closed: authentication of expired\.example\.org failed: certificate ".*CN=expired\.example\.org" expired on 2025-01-01/,
    ),
    initiateFails('rogue'),
    styxSaw(
      'sun',
      /IKE_SA closed: authentication of moon\.example\.org failed: .*(issuer not trusted|signature)/,
    ),
    initiateFails('revoked'),
    styxSaw(
      'sun',
      /IKE_SA closed: authentication of revoked\.example\.org failed: ".*CN=revoked\.example\.org" revoked by CRL/,
    ),
    initiateFails('wrongid'),
    styxSaw(
      'sun',
      /IKE_SA closed: no connection matches peer identity C=CH, O=Styx Test, CN=moon\.example\.org/,
    ),
    ...stillServing('sun'),
  ],
  timeoutMs: 180_000,
};

/** Styx on moon refuses strongSwan's revoked and expired certificates (it checks the responder). */
const badResponder = (name: string, sun: CertSide): ConnSpec =>
  conn(name, certs(MOON_RSA, sun, {}));

const initiatorNegative: Scenario = {
  name: 'styx-initiator-certs-negative',
  summary:
    "Styx on moon refuses strongSwan's revoked and expired certificates and an unexpected identity, says why, and tells strongSwan with AUTHENTICATION_FAILED; gw keeps working",
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [
      conn('gw', certs(MOON_RSA, SUN_ECDSA)),
      badResponder('revoked', side('revoked', 'revoked.example.org')),
      badResponder('expired', side('expired', 'expired.example.org')),
    ]),
    styxDaemon('moon', [
      conn('gw', certs(MOON_RSA, SUN_ECDSA)),
      badResponder('revoked', side('revoked', 'revoked.example.org')),
      badResponder('expired', side('expired', 'expired.example.org')),
      // strongSwan answers as sun.example.org; this connection expects someone else
      // (a pattern, so no IDr is sent and strongSwan picks its gw connection).
      conn('wrongid', certs(MOON_RSA, SUN_ECDSA, { expect: { moon: '*.other.example' } })),
    ]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    ...stillServing('moon'),
    styxctl('moon', ['up', 'revoked'], undefined, 1),
    styxSaw(
      'moon',
      /\[revoked\|#\d+\] IKE_SA closed: authentication of revoked\.example\.org failed: .*revoked by CRL/,
    ),
    styxctl('moon', ['up', 'expired'], undefined, 1),
    styxSaw(
      'moon',
      /\[expired\|#\d+\] IKE_SA closed: authentication of expired\.example\.org failed: .*expired on 2025-01-01/,
    ),
    styxctl('moon', ['up', 'wrongid'], undefined, 1),
    styxSaw(
      'moon',
      /\[wrongid\|#\d+\] IKE_SA closed: peer identity sun\.example\.org does not match/,
    ),
    ...stillServing('moon'),
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas'],
      expect: {
        match: [/gw: #\d+, ESTABLISHED/],
        noMatch: [/revoked: #\d+, ESTABLISHED/, /expired: #\d+, ESTABLISHED/],
      },
    },
  ],
  timeoutMs: 180_000,
};

/** Each side its own method (RFC 7296 §2.15): one gateway uses the PSK, the other its certificate. */
function mixed(role: 'initiator' | 'responder'): Scenario {
  const styx: Gateway = role === 'initiator' ? 'moon' : 'sun';
  const charon: Gateway = role === 'initiator' ? 'sun' : 'moon';
  // moon authenticates with the PSK, sun with its ECDSA certificate.
  const auth = certs({ ...MOON_RSA, id: 'moon.psk.example' }, SUN_ECDSA, { psk: 'moon' });
  const up: Step =
    role === 'initiator'
      ? styxctl('moon', ['up', 'gw'], { match: [/established/] })
      : {
          do: 'swanctl',
          ns: 'moon',
          args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
        };
  return {
    name: `styx-${role}-certs-mixed-psk`,
    summary: `Styx as ${role}: moon authenticates with a PSK, sun with an ECDSA certificate; alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon(charon, [conn('gw', auth)]), styxDaemon(styx, [conn('gw', auth)])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      up,
      styxSaw(
        styx,
        styx === 'moon'
          ? /authentication of sun\.example\.org with certificate .*\(ecdsa-sha256\) successful/
          : /authentication of moon\.psk\.example with pre-shared key successful/,
      ),
      ...tunnelChecks(styx, charon, /ESP:AES_GCM_16-256/),
    ],
    timeoutMs: 120_000,
  };
}

export const STYX_CERT_SCENARIOS: readonly Scenario[] = [
  initiator(
    'rsa',
    certs(MOON_RSA, SUN_ECDSA),
    /authentication of sun\.example\.org with certificate ".*CN=sun\.example\.org" \(ecdsa-sha256\) successful/,
  ),
  responder(
    'ecdsa',
    certs(MOON_RSA, SUN_ECDSA),
    /authentication of C=CH, O=Styx Test, CN=moon\.example\.org with certificate .* \(sha256WithRSA\) successful/,
  ),
  initiator(
    'ed25519',
    certs(ED25519, SUN_ECDSA),
    /authentication of sun\.example\.org with certificate .*\(ecdsa-sha256\) successful/,
  ),
  responder(
    'ed25519',
    certs(MOON_RSA, ED25519),
    /authentication of C=CH, O=Styx Test, CN=moon\.example\.org with certificate .* \(sha256WithRSA\) successful/,
  ),
  responderNegative,
  initiatorNegative,
  mixed('initiator'),
  mixed('responder'),
];
