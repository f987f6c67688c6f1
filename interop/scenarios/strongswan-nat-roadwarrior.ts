// strongSwan against strongSwan on the lab's other two topologies: a gateway
// behind a masquerading NAT router (ESP moves into UDP 4500, RFC 3948), and a
// road warrior that gets a virtual IP from moon's pool (RFC 7296 §3.15).
import { escapeRegExp as esc } from '../runner/expect.js';
import type { Scenario } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';

const PSK = 'lab-only-pre-shared-key-abcdef012345';

interface Side {
  readonly id: string;
  readonly localAddrs: string;
  readonly remoteAddrs: string;
  readonly localTs: string;
  readonly remoteTs: string;
  readonly extra?: string;
  readonly childExtra?: string;
}

function swanctl(s: Side, peerId: string, pools = ''): string {
  return `connections {
  lab {
    version = 2
    local_addrs = ${s.localAddrs}
    remote_addrs = ${s.remoteAddrs}
    proposals = aes256-sha256-x25519
${s.extra ?? ''}
    local {
      auth = psk
      id = ${s.id}
    }
    remote {
      auth = psk
      id = ${peerId}
    }
    children {
      lab {
        local_ts = ${s.localTs}
        remote_ts = ${s.remoteTs}
        esp_proposals = aes256gcm16
${s.childExtra ?? ''}
      }
    }
  }
}
secrets {
  ike-lab {
    id-a = moon.styx.test
    id-b = ${peerId === 'moon.styx.test' ? s.id : peerId}
    secret = ${PSK}
  }
}
${pools}
`;
}

export const strongswanNat: Scenario = {
  name: 'strongswan-psk-net2net-nat',
  summary: 'moon behind a masquerading router: IKEv2 detects the NAT and ESP travels in UDP 4500',
  topology: 'net2net-nat',
  daemons: [
    {
      kind: 'charon',
      ns: 'moon',
      swanctl: swanctl(
        {
          id: 'moon.styx.test',
          localAddrs: ADDR.moonPrivate.v4,
          remoteAddrs: ADDR.sun.v4,
          localTs: NET.moonLan.v4,
          remoteTs: NET.sunLan.v4,
        },
        'sun.styx.test',
      ),
    },
    {
      kind: 'charon',
      ns: 'sun',
      swanctl: swanctl(
        {
          id: 'sun.styx.test',
          localAddrs: ADDR.sun.v4,
          remoteAddrs: '%any',
          localTs: NET.sunLan.v4,
          remoteTs: NET.moonLan.v4,
        },
        'moon.styx.test',
      ),
    },
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0', filter: 'udp or esp' }],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'lab', '--timeout', '20'] },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'sun',
      show: 'state',
      // sun sees moon as the router's address and a translated source port.
      expect: {
        match: [
          new RegExp(
            `src ${esc(ADDR.sun.v4)} dst ${esc(ADDR.natOutside.v4)}\\s+proto esp spi 0x[0-9a-f]+ reqid \\d+ mode tunnel[^]*?encap type espinudp sport 4500 dport \\d+`,
          ),
        ],
      },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: {
        count: [
          {
            pattern: new RegExp(
              `${esc(ADDR.natOutside.v4)}\\.\\d+ > ${esc(ADDR.sun.v4)}\\.4500: UDP-encap: ESP`,
            ),
            min: 3,
          },
          {
            pattern: new RegExp(
              `${esc(ADDR.sun.v4)}\\.4500 > ${esc(ADDR.natOutside.v4)}\\.\\d+: UDP-encap: ESP`,
            ),
            min: 3,
          },
        ],
        // Nothing of moon's private side on the WAN, and no ESP outside UDP.
        noMatch: [/10\.0\.0\.1/, /proto ESP \(50\)/, /ICMP echo/],
      },
    },
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'lab', '--timeout', '20'] },
  ],
};

const POOL = '10.3.0.0/28';

export const strongswanRoadwarrior: Scenario = {
  name: 'strongswan-psk-roadwarrior',
  summary: "carol gets a virtual IP from moon's pool and reaches alice through the tunnel",
  topology: 'roadwarrior',
  daemons: [
    {
      kind: 'charon',
      ns: 'moon',
      swanctl: swanctl(
        {
          id: 'moon.styx.test',
          localAddrs: ADDR.moon.v4,
          remoteAddrs: '%any',
          localTs: NET.moonLan.v4,
          remoteTs: 'dynamic',
          extra: '    pools = rw',
        },
        'carol.styx.test',
        `pools {
  rw {
    addrs = ${POOL}
  }
}`,
      ),
    },
    {
      kind: 'charon',
      ns: 'carol',
      swanctl: swanctl(
        {
          id: 'carol.styx.test',
          localAddrs: ADDR.carol.v4,
          remoteAddrs: ADDR.moon.v4,
          localTs: 'dynamic',
          remoteTs: NET.moonLan.v4,
          extra: '    vips = 0.0.0.0',
        },
        'moon.styx.test',
      ),
    },
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    { do: 'swanctl', ns: 'carol', args: ['--initiate', '--child', 'lab', '--timeout', '20'] },
    {
      do: 'swanctl',
      ns: 'moon',
      args: ['--list-sas'],
      expect: {
        match: [
          /lab: #\d+, ESTABLISHED, IKEv2/,
          /remote 'carol\.styx\.test' @ 192\.0\.2\.100\[\d+\] \[10\.3\.0\.1\]/,
        ],
      },
    },
    {
      do: 'exec',
      ns: 'carol',
      argv: ['ip', 'addr', 'show'],
      expect: { match: [/inet 10\.3\.0\.1\/32/] },
    },
    { do: 'ping', from: 'carol', to: ADDR.alice.v4, source: '10.3.0.1', count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'policy',
      expect: { match: [/src 198\.51\.100\.0\/24 dst 10\.3\.0\.1\/32\s*\n\s+dir out/] },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: {
        count: [{ pattern: /192\.0\.2\.100 > 192\.0\.2\.1: ESP\(spi=/, min: 3 }],
        noMatch: [/ICMP echo/],
      },
    },
    { do: 'swanctl', ns: 'carol', args: ['--terminate', '--ike', 'lab', '--timeout', '20'] },
  ],
};

export const STRONGSWAN_TOPOLOGY_SCENARIOS: readonly Scenario[] = [
  strongswanNat,
  strongswanRoadwarrior,
];
