// The lab's topologies, with strongSwan's testing names: moon and sun are
// gateways, alice sits behind moon and bob behind sun, carol is a road warrior.
// The WAN is a bridge in namespace "wan" (capture there to see every outer
// packet). Addresses are documentation ranges (RFC 5737, RFC 3849-style ULAs).
//
//   alice --eth0-- moon --eth1--[wan:br0]--eth1-- sun --eth0-- bob
//                               |                         (net2net)
//                         carol-+  (roadwarrior)
//   alice -- moon --eth1-- nat --eth1--[wan:br0]-- sun -- bob   (net2net-nat)
import type { Topology } from './topology.js';

export interface Dual {
  readonly v4: string;
  readonly v6: string;
}

export const ADDR = {
  alice: { v4: '198.51.100.10', v6: 'fd00:1::10' },
  moonLan: { v4: '198.51.100.1', v6: 'fd00:1::1' },
  /** moon's WAN address (behind the NAT router in net2net-nat: see moonPrivate). */
  moon: { v4: '192.0.2.1', v6: 'fd00::1' },
  /** A secondary WAN address of moon, for answering-from-the-right-address tests. */
  moon2: { v4: '192.0.2.11', v6: 'fd00::11' },
  sun: { v4: '192.0.2.2', v6: 'fd00::2' },
  sunLan: { v4: '203.0.113.1', v6: 'fd00:2::1' },
  bob: { v4: '203.0.113.10', v6: 'fd00:2::10' },
  carol: { v4: '192.0.2.100', v6: 'fd00::100' },
  /** net2net-nat: moon's address on the link to the NAT router, and the router's two sides. */
  moonPrivate: { v4: '10.0.0.1', v6: 'fd00:10::1' },
  natInside: { v4: '10.0.0.254', v6: 'fd00:10::fe' },
  natOutside: { v4: '192.0.2.254', v6: 'fd00::fe' },
} as const satisfies Record<string, Dual>;

export const NET = {
  moonLan: { v4: '198.51.100.0/24', v6: 'fd00:1::/64' },
  sunLan: { v4: '203.0.113.0/24', v6: 'fd00:2::/64' },
  wan: { v4: '192.0.2.0/24', v6: 'fd00::/64' },
} as const satisfies Record<string, Dual>;

function dual(ns: string, dev: string, a: Dual, v4len = 24, v6len = 64) {
  return [
    { ns, dev, cidr: `${a.v4}/${v4len}` },
    { ns, dev, cidr: `${a.v6}/${v6len}` },
  ];
}

function routes(ns: string, to: Dual | 'default', via: Dual) {
  return [
    { ns, to: to === 'default' ? 'default' : to.v4, via: via.v4 },
    { ns, to: to === 'default' ? 'default' : to.v6, via: via.v6 },
  ];
}

const lanMoon = [
  [
    { ns: 'alice', dev: 'eth0' },
    { ns: 'moon', dev: 'eth0' },
  ],
] as const;
const lanSun = [
  [
    { ns: 'bob', dev: 'eth0' },
    { ns: 'sun', dev: 'eth0' },
  ],
] as const;

export const net2net: Topology = {
  name: 'net2net',
  namespaces: ['alice', 'moon', 'wan', 'sun', 'bob'],
  forwarding: ['moon', 'sun'],
  links: [
    ...lanMoon,
    ...lanSun,
    [
      { ns: 'moon', dev: 'eth1' },
      { ns: 'wan', dev: 'moon' },
    ],
    [
      { ns: 'sun', dev: 'eth1' },
      { ns: 'wan', dev: 'sun' },
    ],
  ],
  bridges: [{ ns: 'wan', dev: 'br0', ports: ['moon', 'sun'] }],
  addresses: [
    ...dual('alice', 'eth0', ADDR.alice),
    ...dual('moon', 'eth0', ADDR.moonLan),
    ...dual('moon', 'eth1', ADDR.moon),
    ...dual('moon', 'eth1', ADDR.moon2),
    ...dual('sun', 'eth1', ADDR.sun),
    ...dual('sun', 'eth0', ADDR.sunLan),
    ...dual('bob', 'eth0', ADDR.bob),
  ],
  routes: [
    ...routes('alice', 'default', ADDR.moonLan),
    ...routes('bob', 'default', ADDR.sunLan),
    ...routes('moon', NET.sunLan, ADDR.sun),
    ...routes('sun', NET.moonLan, ADDR.moon),
  ],
};

export const roadwarrior: Topology = {
  name: 'roadwarrior',
  namespaces: ['carol', 'wan', 'moon', 'alice'],
  forwarding: ['moon'],
  links: [
    ...lanMoon,
    [
      { ns: 'moon', dev: 'eth1' },
      { ns: 'wan', dev: 'moon' },
    ],
    [
      { ns: 'carol', dev: 'eth0' },
      { ns: 'wan', dev: 'carol' },
    ],
  ],
  bridges: [{ ns: 'wan', dev: 'br0', ports: ['moon', 'carol'] }],
  addresses: [
    ...dual('alice', 'eth0', ADDR.alice),
    ...dual('moon', 'eth0', ADDR.moonLan),
    ...dual('moon', 'eth1', ADDR.moon),
    ...dual('carol', 'eth0', ADDR.carol),
  ],
  routes: [...routes('alice', 'default', ADDR.moonLan), ...routes('carol', NET.moonLan, ADDR.moon)],
};

/** moon sits behind a masquerading router "nat"; sun and the router share the WAN. */
export const net2netNat: Topology = {
  name: 'net2net-nat',
  namespaces: ['alice', 'moon', 'nat', 'wan', 'sun', 'bob'],
  forwarding: ['moon', 'nat', 'sun'],
  links: [
    ...lanMoon,
    ...lanSun,
    [
      { ns: 'moon', dev: 'eth1' },
      { ns: 'nat', dev: 'eth0' },
    ],
    [
      { ns: 'nat', dev: 'eth1' },
      { ns: 'wan', dev: 'nat' },
    ],
    [
      { ns: 'sun', dev: 'eth1' },
      { ns: 'wan', dev: 'sun' },
    ],
  ],
  bridges: [{ ns: 'wan', dev: 'br0', ports: ['nat', 'sun'] }],
  addresses: [
    ...dual('alice', 'eth0', ADDR.alice),
    ...dual('moon', 'eth0', ADDR.moonLan),
    ...dual('moon', 'eth1', ADDR.moonPrivate),
    ...dual('nat', 'eth0', ADDR.natInside),
    ...dual('nat', 'eth1', ADDR.natOutside),
    ...dual('sun', 'eth1', ADDR.sun),
    ...dual('sun', 'eth0', ADDR.sunLan),
    ...dual('bob', 'eth0', ADDR.bob),
  ],
  routes: [
    ...routes('alice', 'default', ADDR.moonLan),
    ...routes('bob', 'default', ADDR.sunLan),
    ...routes('moon', 'default', ADDR.natInside),
    // sun reaches moon's LAN only through a tunnel; the route lets the kernel
    // pick an outbound path before the IPsec policy applies.
    ...routes('sun', 'default', ADDR.natOutside),
  ],
  // UML's kernel has nf_tables without its ip/ip6/inet families but has
  // x_tables NAT: masquerade with the legacy iptables (Debian package iptables).
  extra: [
    {
      ns: 'nat',
      argv: ['iptables-legacy', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'eth1', '-j', 'MASQUERADE'],
    },
    {
      ns: 'nat',
      argv: [
        'ip6tables-legacy',
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-o',
        'eth1',
        '-j',
        'MASQUERADE',
      ],
    },
  ],
};

/** moon's two uplinks (multi-WAN), each through its own ISP router to the WAN. */
export const MULTIWAN = {
  moonIsp1: '10.1.1.1',
  isp1Inside: '10.1.1.254',
  isp1Outside: '192.0.2.251',
  moonIsp2: '10.2.2.1',
  isp2Inside: '10.2.2.254',
  isp2Outside: '192.0.2.252',
} as const;

/**
 * IPv4 only: moon's default route goes through isp1 (metric 100), a second one
 * through isp2 (metric 200) takes over when the first is removed; sun routes
 * each uplink's subnet back through its router.
 */
export const net2netMultiwan: Topology = {
  name: 'net2net-multiwan',
  namespaces: ['alice', 'moon', 'isp1', 'isp2', 'wan', 'sun', 'bob'],
  forwarding: ['moon', 'isp1', 'isp2', 'sun'],
  links: [
    ...lanMoon,
    ...lanSun,
    [
      { ns: 'moon', dev: 'eth1' },
      { ns: 'isp1', dev: 'eth0' },
    ],
    [
      { ns: 'moon', dev: 'eth2' },
      { ns: 'isp2', dev: 'eth0' },
    ],
    [
      { ns: 'isp1', dev: 'eth1' },
      { ns: 'wan', dev: 'isp1' },
    ],
    [
      { ns: 'isp2', dev: 'eth1' },
      { ns: 'wan', dev: 'isp2' },
    ],
    [
      { ns: 'sun', dev: 'eth1' },
      { ns: 'wan', dev: 'sun' },
    ],
  ],
  bridges: [{ ns: 'wan', dev: 'br0', ports: ['isp1', 'isp2', 'sun'] }],
  addresses: [
    { ns: 'alice', dev: 'eth0', cidr: `${ADDR.alice.v4}/24` },
    { ns: 'moon', dev: 'eth0', cidr: `${ADDR.moonLan.v4}/24` },
    { ns: 'moon', dev: 'eth1', cidr: `${MULTIWAN.moonIsp1}/24` },
    { ns: 'moon', dev: 'eth2', cidr: `${MULTIWAN.moonIsp2}/24` },
    { ns: 'isp1', dev: 'eth0', cidr: `${MULTIWAN.isp1Inside}/24` },
    { ns: 'isp1', dev: 'eth1', cidr: `${MULTIWAN.isp1Outside}/24` },
    { ns: 'isp2', dev: 'eth0', cidr: `${MULTIWAN.isp2Inside}/24` },
    { ns: 'isp2', dev: 'eth1', cidr: `${MULTIWAN.isp2Outside}/24` },
    { ns: 'sun', dev: 'eth1', cidr: `${ADDR.sun.v4}/24` },
    { ns: 'sun', dev: 'eth0', cidr: `${ADDR.sunLan.v4}/24` },
    { ns: 'bob', dev: 'eth0', cidr: `${ADDR.bob.v4}/24` },
  ],
  routes: [
    { ns: 'alice', to: 'default', via: ADDR.moonLan.v4 },
    { ns: 'bob', to: 'default', via: ADDR.sunLan.v4 },
    { ns: 'sun', to: '10.1.1.0/24', via: MULTIWAN.isp1Outside },
    { ns: 'sun', to: '10.2.2.0/24', via: MULTIWAN.isp2Outside },
    // The kernel needs a route for moon's LAN before the IPsec policy applies.
    { ns: 'sun', to: NET.moonLan.v4, via: MULTIWAN.isp1Outside },
  ],
  extra: [
    {
      ns: 'moon',
      argv: ['ip', 'route', 'add', 'default', 'via', MULTIWAN.isp1Inside, 'metric', '100'],
    },
    {
      ns: 'moon',
      argv: ['ip', 'route', 'add', 'default', 'via', MULTIWAN.isp2Inside, 'metric', '200'],
    },
  ],
};

/**
 * A high-availability pair: moon and mars share the LAN (bridge in "lan") and
 * the WAN; keepalived moves the virtual IPs moon's name stands for (ADDR.moon
 * on the WAN, ADDR.moonLan on the LAN) to whichever is VRRP master. IPv4 only.
 *
 *   alice --[lan:br0]-- moon, mars --[wan:br0]-- sun -- bob
 */
export const HA = {
  moonLan: '198.51.100.2',
  marsLan: '198.51.100.3',
  moonWan: '192.0.2.3',
  marsWan: '192.0.2.4',
} as const;

export const net2netHa: Topology = {
  name: 'net2net-ha',
  namespaces: ['alice', 'lan', 'moon', 'mars', 'wan', 'sun', 'bob'],
  forwarding: ['moon', 'mars', 'sun'],
  links: [
    ...lanSun,
    [
      { ns: 'alice', dev: 'eth0' },
      { ns: 'lan', dev: 'alice' },
    ],
    ...(['moon', 'mars'] as const).flatMap(
      (gw) =>
        [
          [
            { ns: gw, dev: 'eth0' },
            { ns: 'lan', dev: gw },
          ],
          [
            { ns: gw, dev: 'eth1' },
            { ns: 'wan', dev: gw },
          ],
        ] as const,
    ),
    [
      { ns: 'sun', dev: 'eth1' },
      { ns: 'wan', dev: 'sun' },
    ],
  ],
  bridges: [
    { ns: 'lan', dev: 'br0', ports: ['alice', 'moon', 'mars'] },
    { ns: 'wan', dev: 'br0', ports: ['moon', 'mars', 'sun'] },
  ],
  addresses: [
    { ns: 'alice', dev: 'eth0', cidr: `${ADDR.alice.v4}/24` },
    { ns: 'moon', dev: 'eth0', cidr: `${HA.moonLan}/24` },
    { ns: 'moon', dev: 'eth1', cidr: `${HA.moonWan}/24` },
    { ns: 'mars', dev: 'eth0', cidr: `${HA.marsLan}/24` },
    { ns: 'mars', dev: 'eth1', cidr: `${HA.marsWan}/24` },
    { ns: 'sun', dev: 'eth1', cidr: `${ADDR.sun.v4}/24` },
    { ns: 'sun', dev: 'eth0', cidr: `${ADDR.sunLan.v4}/24` },
    { ns: 'bob', dev: 'eth0', cidr: `${ADDR.bob.v4}/24` },
  ],
  routes: [
    // Through the virtual IPs, whoever holds them.
    { ns: 'alice', to: 'default', via: ADDR.moonLan.v4 },
    { ns: 'sun', to: NET.moonLan.v4, via: ADDR.moon.v4 },
    { ns: 'bob', to: 'default', via: ADDR.sunLan.v4 },
    { ns: 'moon', to: NET.sunLan.v4, via: ADDR.sun.v4 },
    { ns: 'mars', to: NET.sunLan.v4, via: ADDR.sun.v4 },
  ],
};

export const TOPOLOGIES = {
  net2net,
  roadwarrior,
  'net2net-nat': net2netNat,
  'net2net-multiwan': net2netMultiwan,
  'net2net-ha': net2netHa,
} as const;
export type TopologyName = keyof typeof TOPOLOGIES;
