// Styx against strongSwan with EAP in IKE_AUTH (RFC 7296 §2.16) and two
// authentication rounds (RFC 4739): EAP-MD5, EAP-MSCHAPv2 and EAP-TLS with
// moon as the EAP client (initiator) and sun as the EAP server (responder,
// authenticated by its ECDSA certificate under the test PKI's intermediate).
// Styx plays the client against strongSwan's server and the server against
// strongSwan's client. A wrong EAP password ends with EAP-Failure and a log
// line on both sides while the good tunnel keeps working.
import { join } from 'node:path';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  type Gateway,
  lanNets,
  type RawAuth,
  styxctl,
  styxDaemon,
  tsharkClean,
} from './styx-pair.js';
import { tunnelChecks } from './styx-strongswan-psk.js';

const PKI = join(process.env.STYX_LAB_ROOT ?? process.cwd(), 'test-vectors/auth/pki');
const pki = (name: string) => join(PKI, name);

const IKE = 'aes256gcm16-prfsha256-x25519';
const net = { name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') };
/** Lab-only EAP credentials (throwaway; never a real secret). */
const USER = 'dave';
const PASSWORD = 'lab-only-eap-password-7f3a';

type Method = 'eap-md5' | 'eap-mschapv2' | 'eap-tls';

/** sun: the EAP server, authenticated by its certificate. */
const SUN_ID = 'sun.example.org';
const MOON_ID = 'moon.example.org';

/** Styx as the EAP client on moon (`local`, or `local2` after a certificate round). */
function styxClient(method: Method, twoRounds: boolean, password = PASSWORD): string[] {
  const eapRound =
    method === 'eap-tls'
      ? `{ auth: eap-tls, id: "${MOON_ID}", certs: [${pki('moon-rsa.crt')}, ${pki('inter.crt')}], key: ${pki('moon-rsa.key')} }`
      : `{ auth: ${method}, id: "${twoRounds ? 'dave@example.org' : MOON_ID}", eap_id: ${USER}, eap_password: { secret: ${password} } }`;
  const certRound = `{ auth: pubkey, id: "${MOON_ID}", certs: [${pki('moon-rsa.crt')}, ${pki('inter.crt')}], key: ${pki('moon-rsa.key')} }`;
  return [
    ...(twoRounds
      ? [`    local: ${certRound}`, `    local2: ${eapRound}`]
      : [`    local: ${eapRound}`]),
    `    remote: { auth: pubkey, id: "${SUN_ID}", cacerts: [${pki('root.crt')}] }`,
  ];
}

/** Styx as the EAP server on sun, its users in `eap_users`. */
function styxServer(method: Method, twoRounds: boolean): RawAuth {
  const eapRound =
    method === 'eap-tls'
      ? `{ auth: eap-tls, cacerts: [${pki('root.crt')}] }`
      : `{ auth: ${method}, eap_id: "%any" }`;
  return {
    styx: [
      `    local: { auth: pubkey, id: "${SUN_ID}", certs: [${pki('sun-p256.crt')}, ${pki('inter.crt')}], key: ${pki('sun-p256.key')} }`,
      ...(twoRounds
        ? [
            `    remote: { auth: pubkey, id: "${MOON_ID}", cacerts: [${pki('root.crt')}] }`,
            `    remote2: ${eapRound}`,
          ]
        : [`    remote: ${eapRound}`]),
    ],
    // mallory exists too, with a password strongSwan's `bad` connection does not know.
    styxTop:
      method === 'eap-tls'
        ? []
        : [
            'eap_users:',
            `  ${USER}: { secret: ${PASSWORD} }`,
            '  mallory: { secret: lab-only-other-7c1e }',
          ],
    charon: '',
  };
}

const section = (name: string, lines: readonly string[]) =>
  `    ${name} {\n${lines.map((l) => `      ${l}`).join('\n')}\n    }`;

/** strongSwan as the EAP client on moon. */
function charonClient(method: Method, twoRounds: boolean): RawAuth {
  const eap =
    method === 'eap-tls'
      ? ['auth = eap-tls', `certs = ${pki('moon-rsa.crt')}`, `id = ${MOON_ID}`]
      : [
          `auth = ${method}`,
          `id = ${twoRounds ? 'dave@example.org' : MOON_ID}`,
          `eap_id = ${USER}`,
        ];
  const cert = ['auth = pubkey', `certs = ${pki('moon-rsa.crt')}`, `id = ${MOON_ID}`];
  const remote = ['auth = pubkey', `id = ${SUN_ID}`, `cacerts = ${pki('root.crt')}`];
  return {
    styx: [],
    charon: [
      ...(twoRounds
        ? [section('local-1', cert), section('local-2', eap)]
        : [section('local', eap)]),
      section('remote', remote),
    ].join('\n'),
    charonSecrets:
      method === 'eap-tls'
        ? []
        : [`  eap-${USER} {\n    id = ${USER}\n    secret = ${PASSWORD}\n  }`],
    ...(method === 'eap-tls' || twoRounds ? { charonKeys: [pki('moon-rsa.key')] } : {}),
    charonIntermediates: [pki('inter.crt')],
  };
}

/** strongSwan as the EAP server on sun. */
function charonServer(method: Method, twoRounds: boolean): RawAuth {
  const eap =
    method === 'eap-tls'
      ? ['auth = eap-tls', `cacerts = ${pki('root.crt')}`]
      : [`auth = ${method}`, 'eap_id = %any'];
  const cert = ['auth = pubkey', `id = ${MOON_ID}`, `cacerts = ${pki('root.crt')}`];
  return {
    styx: [],
    charon: [
      section('local', ['auth = pubkey', `certs = ${pki('sun-p256.crt')}`, `id = ${SUN_ID}`]),
      ...(twoRounds
        ? [section('remote-1', cert), section('remote-2', eap)]
        : [section('remote', eap)]),
    ].join('\n'),
    charonSecrets:
      method === 'eap-tls'
        ? []
        : [`  eap-${USER} {\n    id = ${USER}\n    secret = ${PASSWORD}\n  }`],
    charonKeys: [pki('sun-p256.key')],
    charonIntermediates: [pki('inter.crt')],
  };
}

const conn = (name: string, moon: RawAuth, sun: RawAuth): ConnSpec => ({
  name,
  ike: IKE,
  children: [net],
  rawAuth: { moon, sun },
});

const styxSaw = (ns: Gateway, pattern: RegExp): Step => ({
  do: 'daemon-output',
  name: `styxd-${ns}`,
  expect: { match: [pattern] },
});

const METHOD_NAME: Record<Method, string> = {
  'eap-md5': 'EAP-MD5',
  'eap-mschapv2': 'EAP-MSCHAPv2',
  'eap-tls': 'EAP-TLS',
};

function styxAsClient(method: Method, twoRounds: boolean): Scenario {
  const client: RawAuth = { styx: styxClient(method, twoRounds), charon: '' };
  const c = conn('gw', client, charonServer(method, twoRounds));
  const tag = twoRounds ? `pubkey-${method}` : method;
  return {
    name: `styx-initiator-${tag}`,
    summary: `Styx on moon authenticates ${twoRounds ? 'with its certificate, then ' : ''}with ${METHOD_NAME[method]} to strongSwan's EAP server on sun${twoRounds ? ' (two rounds, RFC 4739)' : ''}; alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon('sun', [c]), styxDaemon('moon', [c])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      styxSaw('moon', new RegExp(`EAP method ${METHOD_NAME[method]} succeeded`)),
      styxSaw('moon', /authentication of sun\.example\.org with certificate .* successful/),
      ...tunnelChecks('moon', 'sun', /ESP:AES_GCM_16-256/),
      tsharkClean,
    ],
    timeoutMs: 120_000,
  };
}

function styxAsServer(method: Method, twoRounds: boolean): Scenario {
  const c = conn('gw', charonClient(method, twoRounds), styxServer(method, twoRounds));
  const tag = twoRounds ? `pubkey-${method}` : method;
  const who = method === 'eap-tls' ? MOON_ID : USER;
  return {
    name: `styx-responder-${tag}`,
    summary: `strongSwan on moon authenticates ${twoRounds ? 'with its certificate, then ' : ''}with ${METHOD_NAME[method]} to Styx's EAP server on sun${twoRounds ? ' (two rounds, RFC 4739)' : ''}; alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon('moon', [c]), styxDaemon('sun', [c])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      {
        do: 'swanctl',
        ns: 'moon',
        args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
      },
      styxSaw(
        'sun',
        new RegExp(`EAP method ${METHOD_NAME[method]} of "${who.replace(/\./g, '\\.')}" succeeded`),
      ),
      ...(twoRounds
        ? [
            styxSaw(
              'sun',
              /authentication of C=CH, O=Styx Test, CN=moon\.example\.org with certificate|authentication of moon\.example\.org with certificate/,
            ),
          ]
        : []),
      ...tunnelChecks('sun', 'moon', /ESP:AES_GCM_16-256/),
      tsharkClean,
    ],
    timeoutMs: 120_000,
  };
}

/** Styx on moon with a wrong password next to the good tunnel. */
const clientWrongPassword: Scenario = (() => {
  const good = conn(
    'gw',
    { styx: styxClient('eap-mschapv2', false), charon: '' },
    charonServer('eap-mschapv2', false),
  );
  const bad = conn(
    'bad',
    { styx: styxClient('eap-mschapv2', false, 'not-daves-password'), charon: '' },
    charonServer('eap-mschapv2', false),
  );
  return {
    name: 'styx-initiator-eap-wrong-password',
    summary:
      'Styx on moon tries EAP-MSCHAPv2 with a wrong password: strongSwan answers EAP-Failure, Styx logs why, the good tunnel keeps working',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [good]), styxDaemon('moon', [good, bad])],
    steps: [
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      styxctl('moon', ['up', 'bad'], undefined, 1),
      styxSaw('moon', /\[bad\|#\d+\] IKE_SA closed: EAP authentication failed \(EAP-MSCHAPv2\)/),
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
      styxctl('moon', ['status', 'gw'], { match: [/gw: #\d+, ESTABLISHED, IKEv2/] }),
    ],
    timeoutMs: 120_000,
  };
})();

/** strongSwan on moon with mallory's wrong password against Styx's server, next to the good tunnel. */
const serverWrongPassword: Scenario = (() => {
  const server = styxServer('eap-mschapv2', false);
  const good = conn('gw', charonClient('eap-mschapv2', false), server);
  const badClient = charonClient('eap-mschapv2', false);
  const bad = conn(
    'bad',
    {
      ...badClient,
      charon: badClient.charon.replace(`eap_id = ${USER}`, 'eap_id = mallory'),
      charonSecrets: ['  eap-mallory {\n    id = mallory\n    secret = wrong-password\n  }'],
    },
    server,
  );
  return {
    name: 'styx-responder-eap-wrong-password',
    summary:
      'strongSwan on moon tries EAP-MSCHAPv2 with a wrong password: Styx fails the exchange (MSCHAPv2 Failure) and logs why, strongSwan gives up with AUTHENTICATION_FAILED, the good tunnel keeps working',
    topology: 'net2net',
    daemons: [charonDaemon('moon', [good, bad]), styxDaemon('sun', [good])],
    steps: [
      {
        do: 'swanctl',
        ns: 'moon',
        args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
      },
      {
        do: 'run',
        what: "strongSwan's EAP with the wrong credentials is refused",
        async run(lab) {
          const scenario = lab.dir.split('/').pop();
          const uri = `unix:///tmp/lab/${scenario}/moon/charon.vici`;
          const r = await lab.exec(
            'moon',
            [
              'swanctl',
              '--initiate',
              '--uri',
              uri,
              '--ike',
              'bad',
              '--child',
              'net',
              '--timeout',
              '20',
            ],
            30_000,
          );
          if (r.code === 0)
            throw new Error('swanctl --initiate bad succeeded; it should have failed');
          if (!/EAP_MSCHAPV2 method failed|EAP_FAILURE|AUTH_FAILED/.test(r.stdout + r.stderr))
            throw new Error(`no EAP failure in strongSwan's output:\n${r.stdout.slice(-800)}`);
        },
      },
      styxSaw(
        'sun',
        /EAP authentication failing \(EAP-MSCHAPv2\): EAP-MSCHAPv2 NT-Response of "mallory" is wrong/,
      ),
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
      styxctl('sun', ['status', 'gw'], { match: [/gw: #\d+, ESTABLISHED, IKEv2/] }),
    ],
    timeoutMs: 120_000,
  };
})();

/**
 * EAP-only authentication (RFC 5998): sun sends no AUTH of its own; EAP-TLS
 * (mutual: sun's TLS certificate) and the MSK AUTH authenticate it.
 */
const EAP_ONLY_STYX = {
  moon: [
    `    local: { auth: eap-tls, id: "${MOON_ID}", certs: [${pki('moon-rsa.crt')}, ${pki('inter.crt')}], key: ${pki('moon-rsa.key')} }`,
    `    remote: { auth: eap-tls, id: "${SUN_ID}", cacerts: [${pki('root.crt')}] }`,
  ],
  sun: [
    `    local: { auth: eap-tls, id: "${SUN_ID}", certs: [${pki('sun-p256.crt')}, ${pki('inter.crt')}], key: ${pki('sun-p256.key')} }`,
    `    remote: { auth: eap-tls, cacerts: [${pki('root.crt')}] }`,
  ],
};

const EAP_ONLY_CHARON = {
  moon: {
    styx: [],
    charon: [
      section('local', ['auth = eap-tls', `certs = ${pki('moon-rsa.crt')}`, `id = ${MOON_ID}`]),
      // No cacerts constraint: strongSwan records no CA for a peer authenticated
      // by EAP; its TLS layer checks sun's certificate against the loaded root.
      section('remote', ['auth = eap-tls', `id = ${SUN_ID}`]),
    ].join('\n'),
    charonKeys: [pki('moon-rsa.key')],
    charonIntermediates: [pki('inter.crt'), pki('root.crt')],
  },
  sun: {
    styx: [],
    charon: [
      section('local', ['auth = eap-tls', `certs = ${pki('sun-p256.crt')}`, `id = ${SUN_ID}`]),
      section('remote', ['auth = eap-tls', `cacerts = ${pki('root.crt')}`]),
    ].join('\n'),
    charonKeys: [pki('sun-p256.key')],
    charonIntermediates: [pki('inter.crt')],
  },
} satisfies Record<Gateway, RawAuth>;

function eapOnly(role: 'initiator' | 'responder'): Scenario {
  const styx: Gateway = role === 'initiator' ? 'moon' : 'sun';
  const charon: Gateway = role === 'initiator' ? 'sun' : 'moon';
  const side = (ns: Gateway): RawAuth =>
    ns === styx ? { styx: EAP_ONLY_STYX[ns], charon: '' } : EAP_ONLY_CHARON[ns];
  const c = conn('gw', side('moon'), side('sun'));
  const up: Step =
    role === 'initiator'
      ? styxctl('moon', ['up', 'gw'], { match: [/established/] })
      : {
          do: 'swanctl',
          ns: 'moon',
          args: ['--initiate', '--ike', 'gw', '--child', 'net', '--timeout', '30'],
        };
  return {
    name: `styx-${role}-eap-only-tls`,
    summary: `EAP-only authentication (RFC 5998) with EAP-TLS, Styx as ${role === 'initiator' ? 'client' : 'server'}: sun sends no AUTH before EAP; alice pings bob`,
    topology: 'net2net',
    daemons: [charonDaemon(charon, [c]), styxDaemon(styx, [c])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      up,
      styxSaw(
        styx,
        role === 'initiator'
          ? /authentication of sun\.example\.org with EAP-only authentication \(RFC 5998, EAP-TLS\) successful/
          : /EAP method EAP-TLS of "moon\.example\.org" succeeded/,
      ),
      ...tunnelChecks(styx, charon, /ESP:AES_GCM_16-256/),
      tsharkClean,
    ],
    timeoutMs: 120_000,
  };
}

const METHODS: readonly Method[] = ['eap-md5', 'eap-mschapv2', 'eap-tls'];

export const STYX_EAP_SCENARIOS: readonly Scenario[] = [
  ...METHODS.map((m) => styxAsClient(m, false)),
  ...METHODS.map((m) => styxAsServer(m, false)),
  styxAsClient('eap-mschapv2', true),
  styxAsServer('eap-mschapv2', true),
  clientWrongPassword,
  serverWrongPassword,
  eapOnly('initiator'),
  eapOnly('responder'),
];
