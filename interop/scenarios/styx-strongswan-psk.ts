// Styx against strongSwan: IKEv2 with a pre-shared key between the gateways
// moon and sun, with Styx as initiator on moon and as responder on sun. A
// tunnel counts when strongSwan negotiated it, both kernels hold the SAs, and
// alice's ping reaches bob through ESP on the WAN.
import type { TextExpectation } from '../runner/expect.js';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';

const PSK = 'lab-only-pre-shared-key-0123456789';
const SOCKET = (ns: string) => `/tmp/styx-${ns}.sock`;

export interface Suite {
  /** Name suffix, e.g. 'gcm-x25519'. */
  readonly tag: string;
  /** strongSwan proposal strings. */
  readonly ike: string;
  readonly esp: string;
  /** ESP algorithm as `swanctl --list-sas` prints it. */
  readonly espListed: RegExp;
}

export const SUITES: readonly Suite[] = [
  {
    tag: 'gcm-x25519',
    ike: 'aes256gcm16-prfsha256-x25519',
    esp: 'aes256gcm16',
    espListed: /ESP:AES_GCM_16-256/,
  },
  {
    tag: 'cbc-modp2048',
    ike: 'aes256-sha256-modp2048',
    esp: 'aes256-sha256',
    espListed: /ESP:AES_CBC-256\/HMAC_SHA2_256_128/,
  },
  {
    tag: 'chacha-ecp256',
    ike: 'chacha20poly1305-prfsha256-ecp256',
    esp: 'chacha20poly1305',
    espListed: /ESP:CHACHA20_POLY1305/,
  },
  {
    tag: 'ctr-ecp384',
    ike: 'aes256ctr-sha512-ecp384',
    esp: 'aes256ctr-sha512',
    espListed: /ESP:AES_CTR-256\/HMAC_SHA2_512_256/,
  },
];

function styxYaml(ns: 'moon' | 'sun', suite: Suite, start: boolean): string {
  const me = ns === 'moon' ? ADDR.moon.v4 : ADDR.sun.v4;
  const peer = ns === 'moon' ? ADDR.sun.v4 : ADDR.moon.v4;
  const myNet = ns === 'moon' ? NET.moonLan.v4 : NET.sunLan.v4;
  const peerNet = ns === 'moon' ? NET.sunLan.v4 : NET.moonLan.v4;
  return `daemon:
  socket: ${SOCKET(ns)}
  log:
    level: debug
connections:
  gw:
    version: 2
    local_addrs: [${me}]
    remote_addrs: [${peer}]
    proposals: [${suite.ike}]
    local: { auth: psk, id: ${me} }
    remote: { auth: psk, id: ${peer} }
    psk: { secret: ${PSK} }
    start_action: ${start ? 'start' : 'none'}
    children:
      net:
        local_ts: [${myNet}]
        remote_ts: [${peerNet}]
        esp_proposals: [${suite.esp}]
`;
}

function charonConf(ns: 'moon' | 'sun', suite: Suite): string {
  const me = ns === 'moon' ? ADDR.moon.v4 : ADDR.sun.v4;
  const peer = ns === 'moon' ? ADDR.sun.v4 : ADDR.moon.v4;
  const myNet = ns === 'moon' ? NET.moonLan.v4 : NET.sunLan.v4;
  const peerNet = ns === 'moon' ? NET.sunLan.v4 : NET.moonLan.v4;
  return `connections {
  gw {
    version = 2
    local_addrs = ${me}
    remote_addrs = ${peer}
    proposals = ${suite.ike}
    local {
      auth = psk
      id = ${me}
    }
    remote {
      auth = psk
      id = ${peer}
    }
    children {
      net {
        local_ts = ${myNet}
        remote_ts = ${peerNet}
        esp_proposals = ${suite.esp}
        start_action = none
      }
    }
  }
}
secrets {
  ike-gw {
    id-a = ${ADDR.moon.v4}
    id-b = ${ADDR.sun.v4}
    secret = ${PSK}
  }
}
`;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function styxctl(ns: string, args: string[], expect?: TextExpectation): Step {
  return {
    do: 'driver',
    ns,
    driver: 'styxctl',
    args: ['--socket', SOCKET(ns), ...args],
    ...(expect ? { expect } : {}),
    timeoutMs: 40_000,
  };
}

function tunnelChecks(styxNs: 'moon' | 'sun', charonNs: 'moon' | 'sun', suite: Suite): Step[] {
  return [
    {
      do: 'swanctl',
      ns: charonNs,
      args: ['--list-sas'],
      expect: {
        match: [
          /gw: #\d+, ESTABLISHED, IKEv2/,
          /net: #\d+, reqid \d+, INSTALLED, TUNNEL/,
          suite.espListed,
        ],
      },
    },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    { do: 'ping', from: 'bob', to: ADDR.alice.v4, count: 2, expect: 'reply' },
    // Both kernels counted the packets on the ESP SAs.
    {
      do: 'xfrm',
      ns: styxNs,
      show: 'stats',
      // Both ESP SAs (in and out) counted packets: `  420(bytes), 5(packets)`.
      expect: {
        match: [/proto esp/],
        count: [{ pattern: /^\s*[1-9]\d*\(bytes\), [1-9]\d*\(packets\)$/m, min: 2, max: 2 }],
      },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP echo request/] },
    },
    styxctl(styxNs, ['status'], {
      match: [
        /gw: #\d+, ESTABLISHED, IKEv2/,
        /net: #\d+, reqid \d+, INSTALLED, TUNNEL/,
        /in {2}[0-9a-f]{8}, [1-9]\d* bytes, [1-9]\d* packets/,
        /out [0-9a-f]{8}, [1-9]\d* bytes, [1-9]\d* packets/,
      ],
    }),
  ];
}

function initiatorScenario(suite: Suite): Scenario {
  return {
    name: `styx-initiator-psk-${suite.tag}`,
    summary: `Styx on moon initiates an IKEv2 PSK tunnel (${suite.ike} / ${suite.esp}) to strongSwan on sun; alice pings bob through ESP`,
    topology: 'net2net',
    daemons: [
      { kind: 'charon', ns: 'sun', swanctl: charonConf('sun', suite) },
      {
        kind: 'node',
        ns: 'moon',
        name: 'styxd-moon',
        driver: 'styxd',
        args: ['--config-b64', b64(styxYaml('moon', suite, false))],
        ready: /styxd started/,
      },
    ],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      ...tunnelChecks('moon', 'sun', suite),
    ],
    timeoutMs: 90_000,
  };
}

function responderScenario(suite: Suite): Scenario {
  return {
    name: `styx-responder-psk-${suite.tag}`,
    summary: `strongSwan on moon initiates an IKEv2 PSK tunnel (${suite.ike} / ${suite.esp}) to Styx on sun; alice pings bob through ESP`,
    topology: 'net2net',
    daemons: [
      { kind: 'charon', ns: 'moon', swanctl: charonConf('moon', suite) },
      {
        kind: 'node',
        ns: 'sun',
        name: 'styxd-sun',
        driver: 'styxd',
        args: ['--config-b64', b64(styxYaml('sun', suite, false))],
        ready: /styxd started/,
      },
    ],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
      ...tunnelChecks('sun', 'moon', suite),
    ],
    timeoutMs: 90_000,
  };
}

export const STYX_PSK_SCENARIOS: readonly Scenario[] = SUITES.flatMap((s) => [
  initiatorScenario(s),
  responderScenario(s),
]);
