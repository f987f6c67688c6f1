// Proves the lab itself: two strongSwan gateways negotiate an IKEv2 PSK tunnel
// between their LANs, and alice's ping reaches bob through ESP on the WAN, with
// nothing of it in clear.
import { escapeRegExp } from '../runner/expect.js';
import type { Scenario } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';

function gateway(local: string, remote: string, localNet: string, remoteNet: string): string {
  return `connections {
  net {
    version = 2
    local_addrs = ${local}
    remote_addrs = ${remote}
    proposals = aes256-sha256-modp2048
    local {
      auth = psk
      id = ${local}
    }
    remote {
      auth = psk
      id = ${remote}
    }
    children {
      net {
        local_ts = ${localNet}
        remote_ts = ${remoteNet}
        esp_proposals = aes256gcm16
        start_action = none
      }
    }
  }
}
secrets {
  ike-net {
    id-moon = ${ADDR.moon.v4}
    id-sun = ${ADDR.sun.v4}
    secret = lab-only-pre-shared-key-0123456789
  }
}
`;
}

export const strongswanPskNet2net: Scenario = {
  name: 'strongswan-psk-net2net',
  summary: 'strongSwan <-> strongSwan IKEv2 PSK net-to-net tunnel carries alice -> bob through ESP',
  topology: 'net2net',
  daemons: [
    {
      kind: 'charon',
      ns: 'moon',
      swanctl: gateway(ADDR.moon.v4, ADDR.sun.v4, NET.moonLan.v4, NET.sunLan.v4),
    },
    {
      kind: 'charon',
      ns: 'sun',
      swanctl: gateway(ADDR.sun.v4, ADDR.moon.v4, NET.sunLan.v4, NET.moonLan.v4),
    },
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '20'] },
    {
      do: 'swanctl',
      ns: 'sun',
      args: ['--list-sas'],
      expect: {
        match: [
          /net: #\d+, ESTABLISHED, IKEv2/,
          /net: #\d+, reqid \d+, INSTALLED, TUNNEL, ESP:AES_GCM_16-256/,
        ],
      },
    },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'stats',
      expect: {
        match: [
          new RegExp(
            `src ${ADDR.moon.v4} dst ${ADDR.sun.v4}\\s+proto esp spi 0x[0-9a-f]+\\S* reqid \\d+\\S* mode tunnel`,
          ),
          /aead rfc4106\(gcm\(aes\)\)/,
          // Three echo requests out (and three replies in): packet counters move.
          /\d+\(bytes\), [1-9]\d*\(packets\)/,
        ],
      },
    },
    {
      do: 'xfrm',
      ns: 'sun',
      show: 'policy',
      expect: {
        match: [
          new RegExp(
            `src ${escapeRegExp(NET.moonLan.v4)} dst ${escapeRegExp(NET.sunLan.v4)}\\s+dir (in|fwd)`,
          ),
          /tmpl src 192\.0\.2\.1 dst 192\.0\.2\.2\s+proto esp/,
        ],
      },
    },
    {
      do: 'capture',
      name: 'wan',
      expect: {
        count: [
          { pattern: /192\.0\.2\.1 > 192\.0\.2\.2: ESP\(spi=0x[0-9a-f]+,seq=0x[1-9]/, min: 3 },
          { pattern: /192\.0\.2\.2 > 192\.0\.2\.1: ESP\(spi=/, min: 3 },
          { pattern: /192\.0\.2\.\d+\.500 > 192\.0\.2\.\d+\.500: isakmp/, min: 2 },
        ],
        noMatch: [/ICMP echo/],
      },
    },
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'net', '--timeout', '20'] },
    { do: 'xfrm', ns: 'sun', show: 'state', expect: { noMatch: [/^src /m] } },
  ],
};
