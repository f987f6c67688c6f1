// Styx against strongSwan: IKEv2 with a pre-shared key between the gateways
// moon and sun, with Styx as initiator on moon and as responder on sun, for
// the four suites issue 4 names. A tunnel counts when strongSwan negotiated it,
// both kernels hold the SAs, and alice's ping reaches bob through ESP.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  countersMoved,
  type Gateway,
  lanNets,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

export interface Suite {
  readonly tag: string;
  readonly ike: string;
  readonly esp: string;
  /** The ESP algorithm as `swanctl --list-sas` prints it. */
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

function conn(s: Suite): ConnSpec {
  return {
    name: 'gw',
    ike: s.ike,
    children: [{ name: 'net', proposals: s.esp, nets: lanNets('v4') }],
  };
}

/** What must hold once the tunnel is up, whoever initiated it. */
export function tunnelChecks(styxNs: Gateway, charonNs: Gateway, espListed: RegExp): Step[] {
  return [
    {
      do: 'swanctl',
      ns: charonNs,
      args: ['--list-sas'],
      expect: {
        match: [
          /gw: #\d+, ESTABLISHED, IKEv2/,
          /net: #\d+, reqid \d+, INSTALLED, TUNNEL/,
          espListed,
        ],
      },
    },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    { do: 'ping', from: 'bob', to: ADDR.alice.v4, count: 2, expect: 'reply' },
    countersMoved(styxNs),
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

function initiatorScenario(s: Suite): Scenario {
  return {
    name: `styx-initiator-psk-${s.tag}`,
    summary: `Styx on moon initiates an IKEv2 PSK tunnel (${s.ike} / ${s.esp}) to strongSwan on sun; alice pings bob through ESP`,
    topology: 'net2net',
    daemons: [charonDaemon('sun', [conn(s)]), styxDaemon('moon', [conn(s)])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      ...tunnelChecks('moon', 'sun', s.espListed),
    ],
    timeoutMs: 90_000,
  };
}

function responderScenario(s: Suite): Scenario {
  return {
    name: `styx-responder-psk-${s.tag}`,
    summary: `strongSwan on moon initiates an IKEv2 PSK tunnel (${s.ike} / ${s.esp}) to Styx on sun; alice pings bob through ESP`,
    topology: 'net2net',
    daemons: [charonDaemon('moon', [conn(s)]), styxDaemon('sun', [conn(s)])],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
      ...tunnelChecks('sun', 'moon', s.espListed),
    ],
    timeoutMs: 90_000,
  };
}

export const STYX_PSK_SCENARIOS: readonly Scenario[] = SUITES.flatMap((s) => [
  initiatorScenario(s),
  responderScenario(s),
]);
