// SAs and policies installed through src/kernel/ (NetlinkKernel, driven by
// interop/drivers/xfrm.ts) on moon and sun carry a ping through the kernel's
// IPsec: tunnel and transport mode, AES-GCM and AES-CBC with HMAC-SHA2, AH,
// IPComp with ESP, ESP in UDP, IPv4 and IPv6. Each case proves it three ways:
// `ip xfrm state`/`ip xfrm policy` read back every field as set, the counters
// of `ip -s xfrm state` move, and the WAN capture shows the outer protocol and
// no clear ICMP. Then deletes (or flushes) through the same API leave nothing.
import { escapeRegExp as esc } from '../runner/expect.js';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type DatapathCase,
  installOps,
  peer,
  policyPatterns,
  removeOps,
  type Side,
  spiFrom,
  spiHex,
  statePatterns,
} from './kernel-plans.js';

const GCM256 = { aead: { name: 'rfc4106(gcm(aes))', keyBytes: 36, icvBits: 128 } };
const CBC256_SHA256 = {
  crypt: { name: 'cbc(aes)', keyBytes: 32 },
  auth: { name: 'hmac(sha256)', keyBytes: 32, truncBits: 128 },
};
const CBC128_SHA512 = {
  crypt: { name: 'cbc(aes)', keyBytes: 16 },
  auth: { name: 'hmac(sha512)', keyBytes: 64, truncBits: 256 },
};
const AH_SHA256 = { auth: { name: 'hmac(sha256)', keyBytes: 32, truncBits: 128 } };

export const DATAPATH_CASES: readonly DatapathCase[] = [
  {
    name: 'kernel-esp-tunnel-gcm-v4',
    summary: 'ESP tunnel, AES-GCM-256, IPv4, alice -> bob',
    family: 'v4',
    mode: 'tunnel',
    proto: 'esp',
    algorithms: GCM256,
  },
  {
    name: 'kernel-esp-transport-cbc-sha256-v4',
    summary: 'ESP transport, AES-CBC-256 + HMAC-SHA2-256-128, IPv4, moon -> sun, removed by flush',
    family: 'v4',
    mode: 'transport',
    proto: 'esp',
    algorithms: CBC256_SHA256,
    removeByFlush: true,
  },
  {
    name: 'kernel-esp-tunnel-cbc-sha512-v6',
    summary: 'ESP tunnel, AES-CBC-128 + HMAC-SHA2-512-256, IPv6 inner and outer, alice -> bob',
    family: 'v6',
    mode: 'tunnel',
    proto: 'esp',
    algorithms: CBC128_SHA512,
  },
  {
    name: 'kernel-esp-transport-gcm-v6',
    summary: 'ESP transport, AES-GCM-256, IPv6, moon -> sun',
    family: 'v6',
    mode: 'transport',
    proto: 'esp',
    algorithms: GCM256,
  },
  {
    name: 'kernel-ah-transport-v4',
    summary: 'AH transport, HMAC-SHA2-256-128, IPv4, moon -> sun',
    family: 'v4',
    mode: 'transport',
    proto: 'ah',
    algorithms: AH_SHA256,
  },
  {
    name: 'kernel-ah-tunnel-v6',
    summary: 'AH tunnel, HMAC-SHA2-256-128, IPv6, alice -> bob',
    family: 'v6',
    mode: 'tunnel',
    proto: 'ah',
    algorithms: AH_SHA256,
  },
  {
    name: 'kernel-ipcomp-esp-tunnel-v4',
    summary:
      'IPComp (deflate) inside ESP AES-GCM-256, tunnel, IPv4, alice -> bob with 1000-byte pings',
    family: 'v4',
    mode: 'tunnel',
    proto: 'esp',
    algorithms: GCM256,
    ipcomp: true,
    pingSize: 1000,
  },
  {
    name: 'kernel-esp-in-udp-tunnel-v4',
    summary: 'ESP in UDP (RFC 3948) on port 4500, AES-GCM-256, tunnel, IPv4, alice -> bob',
    family: 'v4',
    mode: 'tunnel',
    proto: 'esp',
    algorithms: GCM256,
    encap: true,
  },
];

function xfrmDriver(ns: Side, ops: unknown[]): Step {
  return {
    do: 'driver',
    ns,
    driver: 'xfrm',
    args: [JSON.stringify(ops)],
    expect: { match: [/"done":true/] },
  };
}

/** The capture lines of the outer packets from `from`. */
function outerPattern(c: DatapathCase, from: Side): RegExp {
  const src = esc(ADDR[from][c.family]);
  const dst = esc(ADDR[peer(from)][c.family]);
  const spi = spiHex(spiFrom(from)).replace(/^0x0*/, '0x');
  if (c.encap) return new RegExp(`${src}\\.4500 > ${dst}\\.4500: UDP-encap: ESP\\(spi=${spi},`);
  // tcpdump prints "AH(length=6(32-bytes),spi=..." for IPv6.
  return new RegExp(`${src} > ${dst}: ${c.proto.toUpperCase()}\\(.*?spi=${spi},`);
}

/** Counters of one SA in `ip -s xfrm state`: its header line, then its "N(bytes), M(packets)". */
function counters(head: string, bytes: string, packets: string): RegExp {
  return new RegExp(
    `${head}[^\\n]*(?:\\n\\s[^\\n]*)*?\\n\\s+${bytes}\\(bytes\\), ${packets}\\(packets\\)`,
  );
}

/**
 * IPComp did compress: moon's IPComp SA took the three 1028-octet pings, and
 * the ESP SA around it carried them in under 1000 octets in all.
 */
function ipcompCompressed(): Step {
  return {
    do: 'xfrm',
    ns: 'moon',
    show: 'stats',
    expect: {
      match: [
        counters('proto comp spi 0x00001001\\S* reqid \\d+\\S* mode tunnel', '3\\d{3}', '3'),
        counters(
          `proto esp spi ${spiHex(spiFrom('moon'))}\\S* reqid \\d+\\S* mode transport`,
          '\\d{1,3}',
          '3',
        ),
      ],
    },
  };
}

export function datapathScenario(c: DatapathCase): Scenario {
  const from = c.mode === 'tunnel' ? 'alice' : 'moon';
  const to = c.mode === 'tunnel' ? ADDR.bob[c.family] : ADDR.sun[c.family];
  const steps: Step[] = [
    xfrmDriver('moon', installOps(c, 'moon')),
    xfrmDriver('sun', installOps(c, 'sun')),
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'state',
      expect: { match: [...statePatterns(c, 'moon'), ...statePatterns(c, 'sun')] },
    },
    { do: 'xfrm', ns: 'moon', show: 'policy', expect: { match: policyPatterns(c, 'moon') } },
    { do: 'xfrm', ns: 'sun', show: 'policy', expect: { match: policyPatterns(c, 'sun') } },
    {
      do: 'ping',
      from,
      to,
      // moon has a second WAN address; the policy selects the first.
      ...(c.mode === 'transport' ? { source: ADDR.moon[c.family] } : {}),
      count: 3,
      expect: 'reply',
      ...(c.pingSize ? { size: c.pingSize } : {}),
    },
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'stats',
      // Both SAs of the outer protocol counted the three packets each way.
      expect: { count: [{ pattern: /^\s+\d+\(bytes\), [3-9]\d*\(packets\)/, min: 2 }] },
    },
    ...(c.ipcomp ? [ipcompCompressed()] : []),
    {
      do: 'capture',
      name: 'wan',
      expect: {
        count: [
          { pattern: outerPattern(c, 'moon'), min: 3 },
          { pattern: outerPattern(c, 'sun'), min: 3 },
        ],
        // AH authenticates but does not encrypt: the ICMP inside it shows.
        noMatch: c.proto === 'esp' ? [/ICMP6? echo/, /ICMP6?, echo/] : [],
      },
    },
    xfrmDriver('moon', removeOps(c, 'moon')),
    xfrmDriver('sun', removeOps(c, 'sun')),
    { do: 'xfrm', ns: 'moon', show: 'state', expect: { noMatch: [/^src /m] } },
    // Per-socket policies of the NAT-T sockets ("socket in/out") may remain.
    { do: 'xfrm', ns: 'moon', show: 'policy', expect: { noMatch: [/^\s+dir /m] } },
  ];
  return {
    name: c.name,
    summary: c.summary,
    topology: 'net2net',
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    // The kernel decapsulates ESP in UDP only on a socket with UDP_ENCAP_ESPINUDP:
    // src/net's NAT-T socket provides it on both gateways.
    daemons: c.encap
      ? (['moon', 'sun'] as const).map((ns) => ({
          kind: 'node' as const,
          ns,
          name: `natt-${ns}`,
          driver: 'ike-selftest',
          args: ['listen', '--address', '0.0.0.0', '--port', '4500', '--natt'],
          ready: /"event":"listening"/,
        }))
      : [],
    steps,
  };
}

export const DATAPATH_SCENARIOS: readonly Scenario[] = DATAPATH_CASES.map(datapathScenario);
