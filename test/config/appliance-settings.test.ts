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

describe('appliance settings', () => {
  it('defaults to no fallback, no ping check, no gateway restart, no firewall rule', () => {
    const r = parseConfig(twoConnections('# none'), 'styx.yaml');
    expect(r.ok && r.config.connections[0]!.appliance).toEqual({
      restartOnGatewayChange: false,
      firewallRule: false,
    });
  });

  it('reads a fallback with its ping check (defaults from the manual: 5 minutes, 3 retries)', () => {
    const settings = [
      'fallback: backup',
      'ping_check: { address: 10.2.0.1 }',
      'restart_on_gateway_change: yes',
      'firewall_rule: yes',
    ].join('\n    ');
    const r = parseConfig(twoConnections(settings), 'styx.yaml');
    expect(r.ok && r.config.connections[0]!.appliance).toEqual({
      fallback: 'backup',
      pingCheck: {
        address: { family: 4, text: '10.2.0.1' },
        intervalMs: 300_000,
        retries: 3,
        returnToPrimary: false,
      },
      restartOnGatewayChange: true,
      firewallRule: true,
    });
  });

  it('reads every ping check setting', () => {
    const r = parseConfig(
      twoConnections(
        'fallback: backup\n    ping_check: { address: "2001:db8::1", interval: 1m, retries: 0, return_to_primary: yes }',
      ),
      'styx.yaml',
    );
    expect(r.ok && r.config.connections[0]!.appliance.pingCheck).toEqual({
      address: { family: 6, text: '2001:db8::1' },
      intervalMs: 60_000,
      retries: 0,
      returnToPrimary: true,
    });
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
      expect(errorsOf(twoConnections(primary, backup))).toEqual(errors));
  }

  it('lets a connection be the fallback of only one other', () => {
    const text = `${twoConnections('fallback: backup')}  third:
    remote_addrs: [203.0.113.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    fallback: backup
`;
    expect(errorsOf(text)).toEqual([
      'styx.yaml:19:15: connections.third.fallback: "backup" is already the fallback of primary; a connection can be selected as fallback only once',
    ]);
  });
});
