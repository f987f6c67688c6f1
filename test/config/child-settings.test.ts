/** Table tests for every CHILD_SA setting (`connections.NAME.children.CHILD`). */
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfig } from '../../src/config/index.js';
import type { ChildConfig } from '../../src/config/types.js';

/** The setting under test is always on line 9, indented by 8. */
function childYaml(setting: string, connectionSetting = '# none'): string {
  return `connections:
  gw:
    remote_addrs: [192.0.2.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: s3cret-psk-value
    children:
      net:
        ${setting}
    ${connectionSetting}
`;
}

function parseChild(setting: string, connectionSetting?: string): ChildConfig {
  const result = parseConfig(childYaml(setting, connectionSetting), 'styx.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config.connections[0]!.children[0]!;
}

function errorsOf(setting: string, connectionSetting?: string): string[] {
  const result = parseConfig(childYaml(setting, connectionSetting), 'styx.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const DYNAMIC = { kind: 'dynamic', protocol: 0, fromPort: 0, toPort: 65535 };

describe('child defaults (strongSwan)', () => {
  it('fills every default', () => {
    const c = parseChild('mode: tunnel');
    expect(c.name).toBe('net');
    expect(c.localTs).toEqual([DYNAMIC]);
    expect(c.remoteTs).toEqual([DYNAMIC]);
    expect(c.protocol).toBe('esp');
    expect(c.proposals.map((p) => p.text)).toEqual([
      'aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305',
      'aes128-aes192-aes256-sha256-sha384-sha512',
    ]);
    expect(c.ipcomp).toBe(false);
    expect(c.traffic).toBe('any');
    expect([c.rekeyTimeMs, c.lifeTimeMs, c.randTimeMs]).toEqual([3600_000, 3960_000, 360_000]);
    expect([c.rekeyBytes, c.lifeBytes, c.randBytes]).toEqual([0, 0, 0]);
    expect([c.rekeyPackets, c.lifePackets, c.randPackets]).toEqual([0, 0, 0]);
    expect([c.startAction, c.closeAction, c.dpdAction]).toEqual(['none', 'none', 'clear']);
    expect(c.source).toEqual({ file: 'styx.yaml', line: 8 });
  });
});

describe('valid child settings', () => {
  const cases: [string, (c: ChildConfig) => unknown, unknown][] = [
    [
      'local_ts: [10.1.0.0/16, "2001:db8:1::/48"]',
      (c) => c.localTs.map((t) => (t.kind === 'range' ? [t.from.text, t.to.text] : t.kind)),
      [
        ['10.1.0.0', '10.1.255.255'],
        ['2001:db8:1::', '2001:db8:1:ffff:ffff:ffff:ffff:ffff'],
      ],
    ],
    [
      'remote_ts: 10.2.0.0/16[tcp/443], 10.3.0.1-10.3.0.9[udp/1000-2000], 192.0.2.9[icmp]',
      (c) =>
        c.remoteTs.map((t) =>
          t.kind === 'range' ? [t.text, t.protocol, t.fromPort, t.toPort] : t.kind,
        ),
      [
        ['10.2.0.0/16', 6, 443, 443],
        ['10.3.0.1-10.3.0.9', 17, 1000, 2000],
        ['192.0.2.9', 1, 0, 65535],
      ],
    ],
    [
      'local_ts: dynamic[gre]',
      (c) => c.localTs,
      [{ kind: 'dynamic', protocol: 47, fromPort: 0, toPort: 65535 }],
    ],
    ['mode: transport', (c) => c.mode, 'transport'],
    [
      'protocol: ah',
      (c) => [c.protocol, c.proposals.map((p) => p.text)],
      ['ah', ['sha256-sha384-sha512']],
    ],
    [
      'ah_proposals: [sha256-esn]',
      (c) => [c.protocol, c.proposals[0]!.esn.map((t) => t.id)],
      ['ah', [1]],
    ],
    [
      'esp_proposals: [aes256gcm16-x25519, aes256-sha256-noesn]',
      (c) =>
        c.proposals.map((p) => [
          p.encryption[0]!.id,
          p.integrity.map((t) => t.id),
          p.ke.map((t) => t.id),
          p.esn.map((t) => t.id),
        ]),
      [
        [20, [], [31], []],
        [12, [12], [], [0]],
      ],
    ],
    [
      'esp_proposals: [chacha20poly1305, aes128ctr-sha512-ecp384, null-sha256]',
      (c) => c.proposals.map((p) => p.encryption[0]!.id),
      [28, 13, 11],
    ],
    ['esp_proposals: [default]', (c) => c.proposals.length, 2],
    ['ipcomp: yes', (c) => c.ipcomp, true],
    [
      '{ mode: transport, traffic: gre }',
      (c) => [c.traffic, c.localTs, c.remoteTs],
      ['gre', [{ ...DYNAMIC, protocol: 47 }], [{ ...DYNAMIC, protocol: 47 }]],
    ],
    ['{ mode: transport, traffic: vxlan }', (c) => c.remoteTs, [{ ...DYNAMIC, protocol: 17 }]],
    [
      'rekey_time: 20m',
      (c) => [c.rekeyTimeMs, c.lifeTimeMs, c.randTimeMs],
      [1200_000, 1320_000, 120_000],
    ],
    [
      '{ rekey_time: 1h, life_time: 2h, rand_time: 5m }',
      (c) => [c.rekeyTimeMs, c.lifeTimeMs, c.randTimeMs],
      [3600_000, 7200_000, 300_000],
    ],
    ['rekey_time: 0', (c) => [c.rekeyTimeMs, c.lifeTimeMs, c.randTimeMs], [0, 0, 0]],
    [
      'rekey_bytes: 500M',
      (c) => [c.rekeyBytes, c.lifeBytes, c.randBytes],
      [524_288_000, 576_716_800, 52_428_800],
    ],
    [
      '{ rekey_packets: 1000, life_packets: 2k }',
      (c) => [c.rekeyPackets, c.lifePackets, c.randPackets],
      [1000, 2048, 1048],
    ],
    ['start_action: none', (c) => c.startAction, 'none'],
    ['close_action: none', (c) => c.closeAction, 'none'],
    ['dpd_action: clear', (c) => c.dpdAction, 'clear'],
  ];
  for (const [setting, pick, expected] of cases) {
    it(setting, () => expect(pick(parseChild(setting))).toEqual(expected));
  }

  it("inherits the connection's actions; its own differing ones are refused until they work", () => {
    const yaml = `connections:
  gw:
    remote_addrs: [192.0.2.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
    start_action: trap
    close_action: start
    dpd: { action: restart }
    children:
      a: { start_action: trap }
      b: { dpd_action: trap, close_action: none }
`;
    const ok = parseConfig(yaml.replace(/\n {6}b:.*\n/, '\n'), 'styx.yaml');
    expect(
      ok.ok &&
        ok.config.connections[0]!.children.map((c) => [
          c.name,
          c.startAction,
          c.closeAction,
          c.dpdAction,
        ]),
    ).toEqual([['a', 'trap', 'start', 'restart']]);
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      "styx.yaml:12:24: connections.gw.children.b.dpd_action: a child's own dpd_action is not supported yet; set dpd.action on the connection (its children follow it)",
      "styx.yaml:12:44: connections.gw.children.b.close_action: a child's own close_action is not supported yet; set close_action on the connection (its children follow it)",
    ]);
  });
});

describe('invalid child settings', () => {
  const cases: [string, string][] = [
    [
      'mode: tunel',
      'styx.yaml:9:15: connections.gw.children.net.mode: "tunel" is not allowed; expected one of tunnel, transport',
    ],
    [
      'protocol: ipcomp',
      'styx.yaml:9:19: connections.gw.children.net.protocol: "ipcomp" is not allowed; expected one of esp, ah',
    ],
    [
      'local_ts: [10.1.0.0/33]',
      'styx.yaml:9:20: connections.gw.children.net.local_ts[0]: "10.1.0.0/33" is not allowed; expected a prefix length from 0 to 32',
    ],
    [
      'local_ts: ["10.1.0.0/16[tcp/99999]"]',
      'styx.yaml:9:20: connections.gw.children.net.local_ts[0]: "10.1.0.0/16[tcp/99999]" is not allowed; expected a port (0-65535) or port range (a-b) after the protocol',
    ],
    [
      'local_ts: ["10.1.0.0/16[smtp]"]',
      'styx.yaml:9:20: connections.gw.children.net.local_ts[0]: "10.1.0.0/16[smtp]" is not allowed; expected a protocol name (icmp, tcp, udp, gre, esp, ah, ipv6-icmp, icmpv6, sctp) or number 0-255 in [...]',
    ],
    [
      'remote_ts: [net.example.org]',
      'styx.yaml:9:21: connections.gw.children.net.remote_ts[0]: "net.example.org" is not allowed; expected a subnet (10.1.0.0/16), a range (a-b), an address or dynamic, optionally followed by [protocol/port]',
    ],
    [
      'remote_ts: 10.0.0.0/8[gre/80]',
      'styx.yaml:9:20: connections.gw.children.net.remote_ts: "10.0.0.0/8[gre/80]" is not allowed; ports are only meaningful with tcp, udp or sctp',
    ],
    [
      'esp_proposals: [aes256gcm16-sha256]',
      'styx.yaml:9:25: connections.gw.children.net.esp_proposals[0]: "aes256gcm16-sha256" is not allowed; AEAD algorithm "aes256gcm16" takes no integrity algorithm; remove "sha256"',
    ],
    [
      'esp_proposals: [aes256]',
      'styx.yaml:9:25: connections.gw.children.net.esp_proposals[0]: "aes256" is not allowed; "aes256" needs an integrity algorithm (e.g. sha256)',
    ],
    [
      'esp_proposals: [aes256-sha256-prfsha256]',
      'styx.yaml:9:25: connections.gw.children.net.esp_proposals[0]: "aes256-sha256-prfsha256" is not allowed; "prfsha256" cannot be used in ESP proposals',
    ],
    [
      'esp_proposals: [aes265-sha256]',
      'styx.yaml:9:25: connections.gw.children.net.esp_proposals[0]: "aes265-sha256" is not allowed; unknown algorithm "aes265"; did you mean "aes256"?',
    ],
    [
      'ah_proposals: [aes256-sha256]',
      'styx.yaml:9:24: connections.gw.children.net.ah_proposals[0]: "aes256-sha256" is not allowed; "aes256" cannot be used in AH proposals',
    ],
    [
      '{ protocol: ah, esp_proposals: [aes256-sha256] }',
      'styx.yaml:9:40: connections.gw.children.net.esp_proposals: esp_proposals is not allowed with protocol ah; use ah_proposals',
    ],
    [
      'esp_proposals: []',
      'styx.yaml:9:24: connections.gw.children.net.esp_proposals: an empty list is not allowed; expected ESP proposals such as aes256gcm16 or default',
    ],
    [
      'ipcomp: sometimes',
      'styx.yaml:9:17: connections.gw.children.net.ipcomp: "sometimes" is not allowed; expected yes or no (or true, false)',
    ],
    [
      'traffic: gre',
      'styx.yaml:9:18: connections.gw.children.net.traffic: traffic "gre" is only allowed in transport mode; set mode: transport or remove traffic',
    ],
    [
      'traffic: ipip',
      'styx.yaml:9:18: connections.gw.children.net.traffic: "ipip" is not allowed; expected one of any, gre, vxlan',
    ],
    [
      '{ mode: transport, traffic: vxlan, local_ts: "dynamic[tcp]" }',
      'styx.yaml:9:37: connections.gw.children.net.traffic: traffic "vxlan" conflicts with the protocol given in local_ts or remote_ts',
    ],
    [
      '{ rekey_time: 2h, life_time: 1h }',
      'styx.yaml:9:38: connections.gw.children.net.life_time: life_time must be greater than rekey_time so the SA is rekeyed before it expires',
    ],
    [
      'rekey_bytes: 5X',
      'styx.yaml:9:22: connections.gw.children.net.rekey_bytes: "5X" is not allowed; expected a number with an optional unit k, M, G or T (e.g. 500M)',
    ],
    [
      'life_packets: many',
      'styx.yaml:9:23: connections.gw.children.net.life_packets: "many" is not allowed; expected a number with an optional unit k, M, G or T (e.g. 500M)',
    ],
    [
      'start_action: go',
      'styx.yaml:9:23: connections.gw.children.net.start_action: "go" is not allowed; expected one of none, start, trap, start+trap',
    ],
    [
      'close_action: restart',
      'styx.yaml:9:23: connections.gw.children.net.close_action: "restart" is not allowed; expected one of none, start, trap',
    ],
    [
      'dpd_action: none',
      'styx.yaml:9:21: connections.gw.children.net.dpd_action: "none" is not allowed; expected one of clear, trap, restart',
    ],
    [
      'remote_tss: [10.0.0.0/8]',
      'styx.yaml:9:9: connections.gw.children.net.remote_tss: unknown setting "remote_tss"; did you mean "remote_ts"?',
    ],
  ];
  for (const [setting, error] of cases) {
    it(setting, () => expect(errorsOf(setting)).toEqual([error]));
  }

  it('rejects a child name that cannot be used on the command line', () => {
    const yaml = childYaml('mode: tunnel').replace('      net:', '      "net work":');
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:8:7: connections.gw.children.net work: "net work" is not allowed as a child name; expected letters, digits, _ . - (at most 64)',
    ]);
  });
});
