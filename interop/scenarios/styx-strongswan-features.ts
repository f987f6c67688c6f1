// Styx against strongSwan, each in both roles: host-to-host transport mode,
// AH, ESP with IPComp, IPv6 outside and inside, and two CHILD_SAs on one IKE_SA
// that `down` (or the peer's terminate) removes from both kernels.
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
  tsharkClean,
} from './styx-pair.js';

const IKE = 'aes256gcm16-prfsha256-x25519';

interface Feature {
  readonly tag: string;
  readonly conn: ConnSpec;
  /** Checks once the tunnel is up; `styx` is the Styx gateway, `charon` strongSwan's. */
  readonly checks: (styx: Gateway, charon: Gateway) => Step[];
}

const listSas = (ns: Gateway, match: RegExp[]): Step => ({
  do: 'swanctl',
  ns,
  args: ['--list-sas'],
  expect: { match },
});

const FEATURES: readonly Feature[] = [
  {
    tag: 'transport',
    conn: {
      name: 'gw',
      ike: IKE,
      children: [{ name: 'host', mode: 'transport', proposals: 'aes256gcm16' }],
    },
    checks: (styx, charon) => [
      listSas(charon, [/host: #\d+, reqid \d+, INSTALLED, TRANSPORT, ESP:AES_GCM_16-256/]),
      { do: 'ping', from: 'moon', to: ADDR.sun.v4, count: 3, expect: 'reply' },
      countersMoved(styx),
      {
        do: 'xfrm',
        ns: styx,
        show: 'state',
        expect: { match: [/mode transport/], noMatch: [/mode tunnel/] },
      },
      {
        do: 'capture',
        name: 'wan',
        expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP echo request/] },
      },
    ],
  },
  {
    tag: 'ah',
    conn: {
      name: 'gw',
      ike: IKE,
      children: [{ name: 'net', protocol: 'ah', proposals: 'sha256', nets: lanNets('v4') }],
    },
    checks: (styx, charon) => [
      listSas(charon, [/net: #\d+, reqid \d+, INSTALLED, TUNNEL, AH:HMAC_SHA2_256_128/]),
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
      countersMoved(styx, 'ah'),
      {
        do: 'capture',
        name: 'wan',
        expect: { match: [/AH\(length=5\(28-bytes\),spi=0x[0-9a-f]+/] },
      },
    ],
  },
  {
    tag: 'ipcomp',
    conn: {
      name: 'gw',
      ike: IKE,
      children: [{ name: 'net', proposals: 'aes256gcm16', ipcomp: true, nets: lanNets('v4') }],
    },
    checks: (styx, charon) => [
      listSas(charon, [
        /net: #\d+, reqid \d+, INSTALLED, TUNNEL-in-UDP|net: #\d+, reqid \d+, INSTALLED, TUNNEL, ESP:AES_GCM_16-256/,
        /in {2}[0-9a-f]{8}\/[0-9a-f]{4}, /,
      ]),
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, size: 1200, expect: 'reply' },
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
      {
        do: 'xfrm',
        ns: styx,
        show: 'state',
        expect: { match: [/proto comp spi 0x[0-9a-f]+/, /comp deflate/, /proto esp/] },
      },
      // The IPComp SAs and the kernel's IP-in-IP helper SA count too.
      countersMoved(styx, 'esp', 2, 6),
      {
        do: 'capture',
        name: 'wan',
        expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP echo request/] },
      },
    ],
  },
  {
    tag: 'ipv6',
    conn: {
      name: 'gw',
      family: 'v6',
      ike: IKE,
      children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v6') }],
    },
    checks: (styx, charon) => [
      listSas(charon, [
        /gw: #\d+, ESTABLISHED, IKEv2/,
        /remote 'fd00::[12]' @ fd00::[12]\[\d+\]/,
        /net: #\d+, reqid \d+, INSTALLED, TUNNEL/,
      ]),
      { do: 'ping', from: 'alice', to: ADDR.bob.v6, count: 3, expect: 'reply' },
      countersMoved(styx),
      {
        do: 'capture',
        name: 'wan',
        expect: { match: [/ESP\(spi=0x[0-9a-f]+/], noMatch: [/ICMP6, echo request/] },
      },
    ],
  },
  {
    tag: 'two-children',
    conn: {
      name: 'gw',
      ike: IKE,
      children: [
        { name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') },
        { name: 'net6', proposals: 'aes256gcm16', nets: lanNets('v6') },
      ],
    },
    checks: (styx, charon) => [
      listSas(charon, [
        /net: #\d+, reqid \d+, INSTALLED, TUNNEL/,
        /net6: #\d+, reqid \d+, INSTALLED, TUNNEL/,
      ]),
      { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
      { do: 'ping', from: 'alice', to: ADDR.bob.v6, count: 2, expect: 'reply' },
      countersMoved(styx, 'esp', 4),
      styxctl(styx, ['status'], {
        match: [/net: #\d+, reqid \d+, INSTALLED/, /net6: #\d+, reqid \d+, INSTALLED/],
      }),
    ],
  },
];

/** After the IKE_SA is gone no SA or policy remains on either side. */
function nothingLeft(): Step[] {
  const empty = (ns: Gateway): Step[] => [
    { do: 'xfrm', ns, show: 'state', expect: { noMatch: [/proto/] } },
    { do: 'xfrm', ns, show: 'policy', expect: { noMatch: [/tmpl/] } },
  ];
  return [{ do: 'sleep', ms: 1000 }, ...empty('moon'), ...empty('sun')];
}

function scenarios(f: Feature): Scenario[] {
  const firstChild = f.conn.children[0]!.name;
  return [
    {
      name: `styx-initiator-${f.tag}`,
      summary: `Styx on moon initiates to strongSwan on sun: ${f.tag}; then styxctl down removes everything on both sides`,
      topology: 'net2net',
      daemons: [charonDaemon('sun', [f.conn]), styxDaemon('moon', [f.conn])],
      captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
      steps: [
        styxctl('moon', ['up', 'gw'], { match: [/established/] }),
        { do: 'sleep', ms: 500 },
        ...f.checks('moon', 'sun'),
        // tshark takes ~15 s to start in UML: one capture per role, the richest.
        ...(f.tag === 'two-children' ? [tsharkClean] : []),
        styxctl('moon', ['down', 'gw']),
        { do: 'swanctl', ns: 'sun', args: ['--list-sas'], expect: { noMatch: [/gw: #/] } },
        ...nothingLeft(),
      ],
      timeoutMs: 90_000,
    },
    {
      name: `styx-responder-${f.tag}`,
      summary: `strongSwan on moon initiates to Styx on sun: ${f.tag}; then strongSwan's terminate removes everything on both sides`,
      topology: 'net2net',
      daemons: [charonDaemon('moon', [f.conn]), styxDaemon('sun', [f.conn])],
      captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
      steps: [
        {
          do: 'swanctl',
          ns: 'moon',
          args: ['--initiate', '--child', firstChild, '--timeout', '30'],
        },
        ...f.conn.children.slice(1).map(
          (c): Step => ({
            do: 'swanctl',
            ns: 'moon',
            args: ['--initiate', '--child', c.name, '--timeout', '30'],
          }),
        ),
        ...f.checks('sun', 'moon'),
        ...(f.tag === 'two-children' ? [tsharkClean] : []),
        { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
        styxctl('sun', ['status'], { noMatch: [/gw: #/] }),
        ...nothingLeft(),
      ],
      timeoutMs: 90_000,
    },
  ];
}

export const STYX_FEATURE_SCENARIOS: readonly Scenario[] = FEATURES.flatMap(scenarios);
