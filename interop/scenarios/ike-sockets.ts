// The IKE sockets of src/net (native addon), driven by its probe
// (src/net/selftest-cli.ts through interop/drivers/ike-selftest.ts): replies
// leave from the address a request came to; the per-socket bypass policy lets
// IKE through a policy that covers the whole host-to-host path; and on the NAT-T
// socket the kernel decapsulates ESP in UDP while IKE datagrams with the
// non-ESP marker reach us (RFC 3948 §2.2).
import { escapeRegExp as esc } from '../runner/expect.js';
import type { DaemonSpec, Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { type DatapathCase, installOps, REQID, removeOps } from './kernel-plans.js';

function probe(ns: string, args: string[], expect: RegExp[], expectExit = 0): Step {
  return {
    do: 'driver',
    ns,
    driver: 'ike-selftest',
    args,
    expectExit,
    ...(expect.length ? { expect: { match: expect } } : {}),
    timeoutMs: 20_000,
  };
}

function listener(ns: string, name: string, args: string[]): DaemonSpec {
  return {
    kind: 'node',
    ns,
    name,
    driver: 'ike-selftest',
    args: ['listen', ...args],
    ready: /"event":"listening"/,
  };
}

export const secondaryAddress: Scenario = {
  name: 'ike-socket-secondary-address',
  summary: "a datagram to moon's secondary address is answered from that address (IPv4 and IPv6)",
  topology: 'net2net',
  daemons: [
    listener('moon', 'moon-v4', ['--address', '0.0.0.0', '--port', '500', '--echo']),
    listener('moon', 'moon-v6', ['--address', '::', '--port', '500', '--echo']),
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0', filter: 'udp' }],
  steps: [
    ...(['v4', 'v6'] as const).map((f) =>
      probe(
        'sun',
        [
          'send',
          '--to',
          ADDR.moon2[f],
          '--port',
          '500',
          '--text',
          `probe-${f}`,
          '--wait-reply',
          '--timeout',
          '5000',
        ],
        [
          new RegExp(
            `"event":"message","localAddress":"${esc(ADDR.sun[f])}",.*"remoteAddress":"${esc(ADDR.moon2[f])}","remotePort":500`,
          ),
        ],
      ),
    ),
    {
      do: 'daemon-output',
      name: 'moon-v4',
      expect: { match: [new RegExp(`"event":"replied","from":"${esc(ADDR.moon2.v4)}"`)] },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: {
        match: [
          new RegExp(`${esc(ADDR.moon2.v4)}\\.500 > ${esc(ADDR.sun.v4)}\\.\\d+:`),
          new RegExp(`${esc(ADDR.moon2.v6)}\\.500 > ${esc(ADDR.sun.v6)}\\.\\d+:`),
        ],
        // Nothing answered from the primary address.
        noMatch: [
          new RegExp(`${esc(ADDR.moon.v4)}\\.500 >`),
          new RegExp(`${esc(ADDR.moon.v6)}\\.500 >`),
        ],
      },
    },
  ],
};

const HOST_TO_HOST = {
  src: ADDR.moon.v4,
  dst: ADDR.sun.v4,
};

/** Policies requiring ESP for everything between moon and sun, with no SA to satisfy them. */
function wholePathPolicies(local: string, remote: string): unknown[] {
  const sel = (src: string, dst: string) => ({ src, srcPrefixLen: 32, dst, dstPrefixLen: 32 });
  const tmpl = (src: string, dst: string) => [
    { src, dst, proto: 'esp', mode: 'transport', reqid: REQID },
  ];
  return [
    {
      op: 'addPolicy',
      policy: {
        selector: sel(local, remote),
        dir: 'out',
        priority: 1000,
        templates: tmpl(local, remote),
      },
    },
    {
      op: 'addPolicy',
      policy: {
        selector: sel(remote, local),
        dir: 'in',
        priority: 1000,
        templates: tmpl(remote, local),
      },
    },
  ];
}

function xfrm(ns: string, ops: unknown[]): Step {
  return {
    do: 'driver',
    ns,
    driver: 'xfrm',
    args: [JSON.stringify(ops)],
    expect: { match: [/"done":true/] },
  };
}

export const bypass: Scenario = {
  name: 'ike-socket-bypass',
  summary:
    'with ESP required for all moon<->sun traffic and no SA, IKE datagrams still pass in clear',
  topology: 'net2net',
  daemons: [listener('sun', 'sun-ike', ['--address', '0.0.0.0', '--port', '500', '--echo'])],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0', filter: 'udp or esp' }],
  steps: [
    xfrm('moon', wholePathPolicies(HOST_TO_HOST.src, HOST_TO_HOST.dst)),
    xfrm('sun', wholePathPolicies(HOST_TO_HOST.dst, HOST_TO_HOST.src)),
    // The policies do catch ordinary traffic...
    {
      do: 'ping',
      from: 'moon',
      to: ADDR.sun.v4,
      source: ADDR.moon.v4,
      count: 1,
      expect: 'no-reply',
    },
    // ...and a socket without the bypass policy...
    probe(
      'moon',
      [
        'send',
        '--to',
        ADDR.sun.v4,
        '--port',
        '500',
        '--from',
        ADDR.moon.v4,
        '--no-bypass',
        '--text',
        'caught',
        '--wait-reply',
        '--timeout',
        '2000',
      ],
      [],
      1,
    ),
    // ...but not the IKE sockets, which carry the bypass policy both ways.
    probe(
      'moon',
      [
        'send',
        '--to',
        ADDR.sun.v4,
        '--port',
        '500',
        '--from',
        ADDR.moon.v4,
        '--text',
        'bypass',
        '--wait-reply',
        '--timeout',
        '5000',
      ],
      [
        new RegExp(
          `"event":"message",.*"remoteAddress":"${esc(ADDR.sun.v4)}","remotePort":500,.*"data":"${Buffer.from('bypass').toString('hex')}"`,
        ),
      ],
    ),
    {
      do: 'capture',
      name: 'wan',
      expect: {
        match: [
          new RegExp(`${esc(ADDR.moon.v4)}\\.\\d+ > ${esc(ADDR.sun.v4)}\\.500:`),
          new RegExp(`${esc(ADDR.sun.v4)}\\.500 > ${esc(ADDR.moon.v4)}\\.\\d+:`),
        ],
        // The datagram of the socket without bypass never left moon.
        count: [
          {
            pattern: new RegExp(`${esc(ADDR.moon.v4)}\\.\\d+ > ${esc(ADDR.sun.v4)}\\.500:`),
            max: 1,
          },
        ],
      },
    },
    // The ping and the socket without bypass left ACQUIRE's larval SAs: flush.
    xfrm('moon', [{ op: 'flushPolicies' }, { op: 'flushSas' }]),
    xfrm('sun', [{ op: 'flushPolicies' }, { op: 'flushSas' }]),
  ],
};

const ENCAP_CASE: DatapathCase = {
  name: 'natt',
  summary: '',
  family: 'v4',
  mode: 'tunnel',
  proto: 'esp',
  algorithms: { aead: { name: 'rfc4106(gcm(aes))', keyBytes: 36, icvBits: 128 } },
  encap: true,
};

const IKE_TEXT = 'ike-over-4500';

export const nattDecap: Scenario = {
  name: 'ike-socket-natt-decap',
  summary:
    'on the NAT-T socket the kernel takes ESP in UDP and we get IKE with the non-ESP marker removed',
  topology: 'net2net',
  daemons: [
    listener('moon', 'moon-natt', ['--address', '0.0.0.0', '--port', '4500', '--natt']),
    listener('sun', 'sun-natt', ['--address', '0.0.0.0', '--port', '4500', '--natt']),
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0', filter: 'udp port 4500' }],
  steps: [
    xfrm('moon', installOps(ENCAP_CASE, 'moon')),
    xfrm('sun', installOps(ENCAP_CASE, 'sun')),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    probe(
      'moon',
      ['send', '--natt', '--to', ADDR.sun.v4, '--port', '4500', '--text', IKE_TEXT],
      [/"event":"sent"/],
    ),
    {
      do: 'daemon-output',
      name: 'sun-natt',
      expect: {
        // Exactly one datagram reached the socket: the IKE one, marker removed;
        // the ESP-in-UDP packets went to the kernel.
        match: [
          new RegExp(`"event":"message",.*"data":"${Buffer.from(IKE_TEXT).toString('hex')}"`),
        ],
        count: [{ pattern: /"event":"message"/, min: 1, max: 1 }],
      },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: {
        count: [
          {
            pattern: /192\.0\.2\.1\.4500 > 192\.0\.2\.2\.4500: UDP-encap: ESP\(spi=0xc0de0001,/,
            min: 3,
          },
          {
            pattern: /192\.0\.2\.2\.4500 > 192\.0\.2\.1\.4500: UDP-encap: ESP\(spi=0xc0de0002,/,
            min: 3,
          },
          // The IKE datagram: the zero marker then our bytes.
          { pattern: /192\.0\.2\.1\.\d+ > 192\.0\.2\.2\.4500: NONESP-encap/, min: 1 },
        ],
      },
    },
    {
      do: 'xfrm',
      ns: 'sun',
      show: 'stats',
      expect: { count: [{ pattern: /^\s+\d+\(bytes\), [3-9]\d*\(packets\)/, min: 2 }] },
    },
    xfrm('moon', removeOps(ENCAP_CASE, 'moon')),
    xfrm('sun', removeOps(ENCAP_CASE, 'sun')),
  ],
};

export const IKE_SOCKET_SCENARIOS: readonly Scenario[] = [secondaryAddress, bypass, nattDecap];
