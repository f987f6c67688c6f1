/** The manual's appliance options: Fallback IPSec, Ping Check, Restart Gateway Change, Associate Firewall Rule. */
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfig } from '../../src/config/index.js';

function twoConnections(primary: string, backup = '# none'): string {
  return `connections:
  primary:
    remote_addrs: [192.0.2.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    ${primary}
  backup:
    remote_addrs: [198.51.100.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    ${backup}
`;
}

const errorsOf = (text: string) => {
  const r = parseConfig(text, 'styx.yaml');
  return r.ok ? [] : r.errors.map(formatConfigError);
};

const notSupportedAside = (text: string) =>
  errorsOf(text).filter((e) => !e.includes('not supported yet'));

describe('appliance settings', () => {
  it('defaults to no fallback, no ping check, no gateway restart, no firewall rule', () => {
    const r = parseConfig(twoConnections('# none'), 'styx.yaml');
    expect(r.ok && r.config.connections[0]!.appliance).toEqual({
      restartOnGatewayChange: false,
      firewallRule: false,
    });
  });

  it('refuses fallback and ping check, each at its line, until they work; the firewall rule is accepted', () => {
    const settings = [
      'fallback: backup',
      'ping_check: { address: 10.2.0.1 }',
      'restart_on_gateway_change: yes',
      'firewall_rule: yes',
    ].join('\n    ');
    expect(errorsOf(twoConnections(settings))).toEqual([
      'styx.yaml:7:15: connections.primary.fallback: fallback (a standby connection) is not supported yet',
      'styx.yaml:8:17: connections.primary.ping_check: ping_check is not supported yet (it belongs to fallback, which is not either)',
    ]);
  });

  it('accepts the defaults written out', () => {
    const r = parseConfig(
      twoConnections('restart_on_gateway_change: no\n    firewall_rule: no'),
      'styx.yaml',
    );
    expect(r.ok).toBe(true);
  });

  const invalid: [string, string, string[]][] = [
    [
      'fallback: nowhere',
      '# none',
      [
        'styx.yaml:7:15: connections.primary.fallback: "nowhere" is not allowed; expected the name of another connection (backup)',
      ],
    ],
    [
      'fallback: primary',
      '# none',
      [
        'styx.yaml:7:15: connections.primary.fallback: "primary" is not allowed; a connection cannot be its own fallback',
      ],
    ],
    [
      'fallback: backup',
      'fallback: primary',
      [
        'styx.yaml:7:15: connections.primary.fallback: "backup" is not allowed; the fallback chain leads back to primary',
        'styx.yaml:13:15: connections.backup.fallback: "primary" is not allowed; the fallback chain leads back to backup',
      ],
    ],
    [
      'ping_check: { address: 10.2.0.1 }',
      '# none',
      [
        'styx.yaml:7:17: connections.primary.ping_check: ping_check is only allowed together with fallback (it decides when the fallback takes over)',
      ],
    ],
    [
      'fallback: backup\n    ping_check: { interval: 5m }',
      '# none',
      [
        'styx.yaml:8:17: connections.primary.ping_check: address is required; expected the IP address to ping',
      ],
    ],
    [
      'fallback: backup\n    ping_check: { address: gw.example.org }',
      '# none',
      [
        'styx.yaml:8:28: connections.primary.ping_check.address: "gw.example.org" is not allowed; expected an IPv4 or IPv6 address',
      ],
    ],
    [
      'restart_on_gateway_change: sometimes',
      '# none',
      [
        'styx.yaml:7:32: connections.primary.restart_on_gateway_change: "sometimes" is not allowed; expected yes or no (or true, false)',
      ],
    ],
  ];
  for (const [primary, backup, errors] of invalid) {
    it(`rejects ${primary.replace(/\n\s*/g, ' ')} / ${backup}`, () =>
      // Values are still checked while the setting itself is refused.
      expect(notSupportedAside(twoConnections(primary, backup))).toEqual(errors));
  }

  it('lets a connection be the fallback of only one other', () => {
    const text = `${twoConnections('fallback: backup')}  third:
    remote_addrs: [203.0.113.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    fallback: backup
`;
    expect(notSupportedAside(text)).toEqual([
      'styx.yaml:19:15: connections.third.fallback: "backup" is already the fallback of primary; a connection can be selected as fallback only once',
    ]);
  });
});

describe('a shared XFRM interface', () => {
  const two = (a: string, b: string, ifB = 'if_id: 42') => `connections:
  a:
    remote_addrs: [192.0.2.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    xfrm_interface: { if_id: 42 }
    children:
      net: { ${a} }
  b:
    remote_addrs: [198.51.100.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    xfrm_interface: { ${ifB} }
    children:
      net: { ${b} }
`;
  it('is allowed when the Phase 2 pairs do not overlap', () => {
    expect(
      errorsOf(
        two(
          'local_ts: [10.1.0.0/16], remote_ts: [10.2.0.0/16]',
          'local_ts: [10.1.0.0/16], remote_ts: [10.3.0.0/16]',
        ),
      ),
    ).toEqual([]);
  });

  it('is refused at the later connection, naming both, when they overlap', () => {
    expect(
      errorsOf(
        two(
          'local_ts: [10.1.0.0/16], remote_ts: [10.2.0.0/16]',
          'local_ts: [10.1.5.0/24], remote_ts: [10.2.0.0/24]',
        ),
      ),
    ).toEqual([
      'styx.yaml:15:21: connections.b.xfrm_interface: connections a and b share interface xfrm42 (if_id 42) but their Phase 2 pairs overlap: children net and net overlap (local 10.1.0.0/16 / 10.1.5.0/24, remote 10.2.0.0/16 / 10.2.0.0/24)',
    ]);
  });

  it('needs one if_id per interface name', () => {
    expect(
      errorsOf(
        two(
          'local_ts: [10.1.0.0/16], remote_ts: [10.2.0.0/16]',
          'local_ts: [10.1.0.0/16], remote_ts: [10.3.0.0/16]',
          'if_id: 43, name: xfrm42',
        ),
      ),
    ).toEqual([
      'styx.yaml:15:21: connections.b.xfrm_interface: interface xfrm42 has if_id 42 in connection a; a shared interface needs the same if_id',
    ]);
  });
});
