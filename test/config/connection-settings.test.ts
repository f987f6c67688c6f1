/**
 * Table tests for every connection-level setting: valid values give the typed
 * result, invalid ones the exact error text (file:line:col: path: message).
 */
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfig } from '../../src/config/index.js';
import type { ConnectionConfig } from '../../src/config/types.js';

/** The setting under test is always on line 7, indented by 4. */
function connectionYaml(setting: string): string {
  const remote = setting.startsWith('remote_addrs:')
    ? '# remote_addrs on line 7'
    : 'remote_addrs: [192.0.2.2]';
  return `connections:
  gw:
    ${remote}
    local: { auth: psk, id: moon.example.org }
    remote: { auth: psk, id: sun.example.org }
    psk: { secret: "s3cret-psk-value" }
    ${setting}
    children:
      net:
        local_ts: [10.1.0.0/16]
        remote_ts: [10.2.0.0/16]
`;
}

function parseOk(setting: string): ConnectionConfig {
  const result = parseConfig(connectionYaml(setting), 'styx.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config.connections[0]!;
}

function errorsOf(setting: string): string[] {
  const result = parseConfig(connectionYaml(setting), 'styx.yaml');
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('connection defaults (strongSwan, DPD from the manual)', () => {
  it('fills every default', () => {
    const c = parseOk('# nothing');
    expect(c.version).toBe(2);
    expect(c.localAddrs).toEqual([{ kind: 'any' }]);
    expect(c.localPort).toBe(500);
    expect(c.remotePort).toBe(500);
    expect(c.proposals.map((p) => p.text)).toEqual([
      'aes128-aes192-aes256-sha256-sha384-sha512-x25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp6144-modp8192-modp2048',
      'aes128gcm16-aes192gcm16-aes256gcm16-chacha20poly1305-prfsha256-prfsha384-prfsha512-x25519-ecp256-ecp384-ecp521-modp3072-modp4096-modp6144-modp8192-modp2048',
    ]);
    expect(c.startAction).toBe('none');
    expect(c.closeAction).toBe('none');
    expect(c.dpd).toEqual({ delayMs: 10_000, timeoutMs: 30_000, action: 'clear' });
    expect(c.rekeyTimeMs).toBe(4 * 3600_000);
    expect(c.reauthTimeMs).toBe(0);
    expect(c.overTimeMs).toBe(1440_000);
    expect(c.randTimeMs).toBe(1440_000);
    expect(c.rekey).toBe(true);
    expect(c.natTraversal).toBe('auto');
    expect(c.mobike).toBe(false);
    expect(c.fragmentation).toBe('yes');
    expect(c.splitConnection).toBe(false);
    expect(c.xfrmInterface).toBeUndefined();
    expect(c.aggressive).toBe(false);
    expect(c.keyingTries).toBe(1);
    expect(c.unique).toBe('no');
    expect(c.source).toEqual({ file: 'styx.yaml', line: 2 });
  });
});

describe('valid connection settings', () => {
  const cases: [string, (c: ConnectionConfig) => unknown, unknown][] = [
    ['version: 2', (c) => c.version, 2],
    [
      'local_addrs: [192.0.2.1, "2001:db8::1"]',
      (c) => c.localAddrs,
      [
        { kind: 'ip', address: { family: 4, text: '192.0.2.1' } },
        { kind: 'ip', address: { family: 6, text: '2001:db8::1' } },
      ],
    ],
    ['local_addrs: %any', (c) => c.localAddrs, [{ kind: 'any' }]],
    [
      'remote_addrs: 192.0.2.2, 10.0.0.0/8, 10.9.0.1-10.9.0.9, vpn.example.org',
      (c) => c.remoteAddrs,
      [
        { kind: 'ip', address: { family: 4, text: '192.0.2.2' } },
        { kind: 'subnet', network: { family: 4, text: '10.0.0.0' }, prefix: 8 },
        {
          kind: 'range',
          from: { family: 4, text: '10.9.0.1' },
          to: { family: 4, text: '10.9.0.9' },
        },
        { kind: 'fqdn', name: 'vpn.example.org' },
      ],
    ],
    ['local_port: 4500', (c) => c.localPort, 4500],
    ['remote_port: 4501', (c) => c.remotePort, 4501],
    [
      'proposals: [aes256-sha256-modp3072]',
      (c) =>
        c.proposals.map((p) => [
          p.encryption[0]!.id,
          p.integrity[0]!.id,
          p.prf[0]!.keyword,
          p.ke[0]!.id,
        ]),
      [[12, 12, 'prfsha256', 15]],
    ],
    [
      'start_action: start+trap',
      (c) => [c.startAction, c.children[0]!.startAction],
      ['start+trap', 'start+trap'],
    ],
    ['start_action: trap', (c) => c.startAction, 'trap'],
    ['close_action: start', (c) => [c.closeAction, c.children[0]!.closeAction], ['start', 'start']],
    [
      'dpd: { delay: 30s, timeout: 2m, action: restart }',
      (c) => [c.dpd, c.children[0]!.dpdAction],
      [{ delayMs: 30_000, timeoutMs: 120_000, action: 'restart' }, 'restart'],
    ],
    ['dpd: { delay: 0 }', (c) => c.dpd, { delayMs: 0, timeoutMs: 30_000, action: 'clear' }],
    [
      'rekey_time: 1d',
      (c) => [c.rekeyTimeMs, c.overTimeMs, c.randTimeMs],
      [86_400_000, 8_640_000, 8_640_000],
    ],
    ['reauth_time: 0', (c) => [c.reauthTimeMs, c.overTimeMs], [0, 1_440_000]],
    ['over_time: 10m', (c) => [c.overTimeMs, c.randTimeMs], [600_000, 600_000]],
    ['rand_time: 90', (c) => c.randTimeMs, 90_000],
    ['rekey: no', (c) => c.rekey, false],
    ['rekey: false', (c) => c.rekey, false],
    ['nat_traversal: force', (c) => c.natTraversal, 'force'],
    ['mobike: no', (c) => c.mobike, false],
    ['fragmentation: no', (c) => c.fragmentation, 'no'],
    ['split_connection: no', (c) => c.splitConnection, false],
    [
      'xfrm_interface: { if_id: 42, name: xfrm42 }',
      (c) => c.xfrmInterface,
      { ifId: 42, name: 'xfrm42', routes: [] },
    ],
    ['xfrm_interface: { if_id: 7 }', (c) => c.xfrmInterface, { ifId: 7, routes: [] }],
    [
      'xfrm_interface: { if_id: 7, routes: [10.2.0.0/16, { to: 10.3.0.0/24, metric: 50 }] }',
      (c) =>
        c.xfrmInterface?.routes.map((r) => `${r.to.from.text}/${r.to.prefix} ${r.metric ?? '-'}`),
      ['10.2.0.0/16 -', '10.3.0.0/24 50'],
    ],
    ['keyingtries: 0', (c) => c.keyingTries, 0],
    ['unique: no', (c) => c.unique, 'no'],
    [
      'local2: { auth: eap-md5, eap_id: carol, eap_password: { secret: pw } }',
      (c) => c.localAuth.map((r) => r.auth),
      ['psk', 'eap-md5'],
    ],
    [
      'local2: { auth: psk, id: "C=CH, O=Example, CN=moon" }',
      (c) => c.localAuth[1]!.id,
      {
        type: 'dn',
        value: 'C=CH, O=Example, CN=moon',
        rdns: [
          { type: 'C', value: 'CH' },
          { type: 'O', value: 'Example' },
          { type: 'CN', value: 'moon' },
        ],
      },
    ],
    [
      'remote2: { auth: psk, id: "keyid:0a0b" }',
      (c) => c.remoteAuth[1]!.id,
      { type: 'keyid', value: '0a0b' },
    ],
    [
      'remote2: { auth: psk, id: 192.0.2.2 }',
      (c) => c.remoteAuth[1]!.id,
      { type: 'ipv4', value: '192.0.2.2' },
    ],
    ['local2: { auth: psk }', (c) => c.localAuth[1]!.id, { type: 'address' }],
    ['remote2: { auth: psk }', (c) => c.remoteAuth[1]!.id, { type: 'any' }],
    [
      'remote2: { auth: eap-mschapv2, eap_id: "%any" }',
      (c) => [c.remoteAuth[1]!.auth, c.remoteAuth[1]!.eapId],
      ['eap-mschapv2', { type: 'any' }],
    ],
  ];
  for (const [setting, pick, expected] of cases) {
    it(setting, () => expect(pick(parseOk(setting))).toEqual(expected));
  }
});

describe('invalid connection settings', () => {
  const cases: [string, string][] = [
    [
      'mobike: yes',
      'styx.yaml:7:13: connections.gw.mobike: mobike: yes (RFC 4555 address changes) is not supported yet; the tunnel stays on its addresses (mobike: no)',
    ],
    [
      'split_connection: yes',
      'styx.yaml:7:23: connections.gw.split_connection: split_connection: yes is not supported yet; every child of a connection shares one IKE_SA',
    ],
    [
      'reauth_time: 8h',
      'styx.yaml:7:18: connections.gw.reauth_time: reauth_time (reauthentication) is not supported yet; the IKE_SA is rekeyed after rekey_time instead (remove reauth_time or set it to 0)',
    ],
    [
      'fragmentation: force',
      'styx.yaml:7:20: connections.gw.fragmentation: fragmentation accept and force are not supported yet; allowed: yes (RFC 7383, when the peer supports it) or no',
    ],
    [
      'unique: replace',
      'styx.yaml:7:13: connections.gw.unique: unique never, keep and replace are not supported yet; allowed: no (an INITIAL_CONTACT from the peer replaces its old IKE_SAs)',
    ],
    [
      'version: 3',
      'styx.yaml:7:14: connections.gw.version: "3" is not allowed; expected one of 1, 2',
    ],
    [
      'local_addrs: [192.0.2.300]',
      'styx.yaml:7:19: connections.gw.local_addrs[0]: "192.0.2.300" is not allowed; expected an IP address, a subnet (CIDR), a range (a-b), a host name or %any',
    ],
    [
      'local_addrs: []',
      'styx.yaml:7:18: connections.gw.local_addrs: an empty list is not allowed; expected an IP address, a subnet (CIDR), a range (a-b), a host name or %any',
    ],
    [
      'remote_addrs: [10.1.2.3/16]',
      'styx.yaml:7:20: connections.gw.remote_addrs[0]: "10.1.2.3/16" is not allowed; host bits are set; did you mean 10.1.0.0/16?',
    ],
    [
      'remote_addrs: [10.0.0.9-10.0.0.1]',
      'styx.yaml:7:20: connections.gw.remote_addrs[0]: "10.0.0.9-10.0.0.1" is not allowed; expected the first address not above the last',
    ],
    [
      'remote_addrs: { a: 1 }',
      'styx.yaml:7:19: connections.gw.remote_addrs: a mapping is not allowed; expected a list',
    ],
    [
      'local_port: 70000',
      'styx.yaml:7:17: connections.gw.local_port: "70000" is not allowed; expected an integer from 1 to 65535',
    ],
    [
      'proposals: [aes256-sha256-mod3072]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256-sha256-mod3072" is not allowed; unknown algorithm "mod3072"; did you mean "modp3072"?',
    ],
    [
      'proposals: [aes256-sha256]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256-sha256" is not allowed; an IKE proposal needs a key exchange method (e.g. x25519, ecp256, modp3072)',
    ],
    [
      'proposals: [aes256gcm16-x25519]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256gcm16-x25519" is not allowed; an AEAD IKE proposal needs a PRF (e.g. prfsha256)',
    ],
    [
      'proposals: [aes256gcm16-sha256-prfsha256-x25519]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256gcm16-sha256-prfsha256-x25519" is not allowed; AEAD algorithm "aes256gcm16" takes no integrity algorithm; remove "sha256"',
    ],
    [
      'proposals: [aes256-modp2048]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256-modp2048" is not allowed; "aes256" needs an integrity algorithm (e.g. sha256)',
    ],
    [
      'proposals: [aes256-aes256gcm16-sha256-modp2048]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256-aes256gcm16-sha256-modp2048" is not allowed; AEAD and non-AEAD encryption algorithms cannot share a proposal; write them as two proposals',
    ],
    [
      'proposals: [null-sha256-modp2048]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "null-sha256-modp2048" is not allowed; "null" cannot be used in IKE proposals',
    ],
    [
      'proposals: [aes256-sha256-modp2048-esn]',
      'styx.yaml:7:17: connections.gw.proposals[0]: "aes256-sha256-modp2048-esn" is not allowed; "esn" cannot be used in IKE proposals',
    ],
    [
      'start_action: restart',
      'styx.yaml:7:19: connections.gw.start_action: "restart" is not allowed; expected one of none, start, trap, start+trap',
    ],
    [
      'close_action: clear',
      'styx.yaml:7:19: connections.gw.close_action: "clear" is not allowed; expected one of none, start, trap',
    ],
    [
      'dpd: { action: hold }',
      'styx.yaml:7:20: connections.gw.dpd.action: "hold" is not allowed; expected one of clear, trap, restart',
    ],
    [
      'dpd: { delay: 10x }',
      'styx.yaml:7:19: connections.gw.dpd.delay: "10x" is not allowed; expected a duration: a number with unit s, m, h or d (e.g. 30s, 4h, 1d)',
    ],
    [
      'dpd: { dealy: 10s }',
      'styx.yaml:7:12: connections.gw.dpd.dealy: unknown setting "dealy"; did you mean "delay"?',
    ],
    [
      'rekey_time: -1h',
      'styx.yaml:7:17: connections.gw.rekey_time: "-1h" is not allowed; expected a duration: a number with unit s, m, h or d (e.g. 30s, 4h, 1d)',
    ],
    [
      'rekey: maybe',
      'styx.yaml:7:12: connections.gw.rekey: "maybe" is not allowed; expected yes or no (or true, false)',
    ],
    [
      'nat_traversal: yes',
      'styx.yaml:7:20: connections.gw.nat_traversal: "yes" is not allowed; expected one of auto, force',
    ],
    [
      'fragmentation: always',
      'styx.yaml:7:20: connections.gw.fragmentation: "always" is not allowed; expected one of yes, accept, force, no',
    ],
    [
      'xfrm_interface: { if_id: 0 }',
      'styx.yaml:7:30: connections.gw.xfrm_interface.if_id: "0" is not allowed; expected an integer from 1 to 4294967295',
    ],
    [
      'xfrm_interface: { name: x }',
      'styx.yaml:7:21: connections.gw.xfrm_interface: if_id is required; expected an integer from 1 to 4294967295',
    ],
    [
      'xfrm_interface: { if_id: 1, name: a-very-long-interface }',
      'styx.yaml:7:39: connections.gw.xfrm_interface.name: "a-very-long-interface" is not allowed; expected an interface name of 1 to 15 letters, digits, _ . or -',
    ],
    [
      'unique: always',
      'styx.yaml:7:13: connections.gw.unique: "always" is not allowed; expected one of no, never, keep, replace',
    ],
    [
      'aggressive: yes',
      'styx.yaml:7:17: connections.gw.aggressive: aggressive is only allowed with version 1 (IKEv1)',
    ],
    [
      'local_adrs: [192.0.2.1]',
      'styx.yaml:7:5: connections.gw.local_adrs: unknown setting "local_adrs"; did you mean "local_addrs"?',
    ],
    [
      'frobnicate: 1',
      'styx.yaml:7:5: connections.gw.frobnicate: unknown setting "frobnicate"; expected one of version, local_addrs, remote_addrs, local_port, remote_port, proposals, local, local2, remote, remote2, psk, start_action, close_action, dpd, rekey_time, reauth_time, over_time, rand_time, rekey, nat_traversal, mobike, fragmentation, split_connection, xfrm_interface, aggressive, keyingtries, unique, children, fallback, ping_check, restart_on_gateway_change, firewall_rule',
    ],
    [
      'local2: { auth: eap-md5 }',
      'styx.yaml:7:21: connections.gw.local2.auth: auth "eap-md5" needs eap_password',
    ],
    [
      'remote2: { auth: pubkey }',
      'styx.yaml:7:22: connections.gw.remote2.auth: auth "pubkey" needs cacerts (the CA certificates that may sign the peer\'s certificate)',
    ],
    [
      'remote2: { auth: eap-md5, crls: [/etc/x.crl] }',
      'styx.yaml:7:37: connections.gw.remote2.crls: crls are only allowed with auth pubkey or eap-tls, not "eap-md5"',
    ],
    [
      'local2: { auth: password }',
      'styx.yaml:7:21: connections.gw.local2.auth: "password" is not allowed; expected one of psk, pubkey, eap-md5, eap-mschapv2, eap-tls',
    ],
    [
      'local2: { id: carol }',
      'styx.yaml:7:13: connections.gw.local2: auth is required; expected one of psk, pubkey, eap-md5, eap-mschapv2, eap-tls',
    ],
    [
      'remote2: { auth: psk, id: "keyid:abc" }',
      'styx.yaml:7:31: connections.gw.remote2.id: "keyid:abc" is not allowed; expected keyid: followed by an even number of hex digits',
    ],
    [
      'local2: { auth: psk, id: "C=CH, Q=x" }',
      'styx.yaml:7:30: connections.gw.local2.id: "C=CH, Q=x" is not allowed; expected a known attribute type (C, ST, L, O, OU, CN, E, DC, UID, ...) or an OID in the DN, found "Q"',
    ],
    [
      'local2: { auth: psk, eap_id: carol }',
      'styx.yaml:7:34: connections.gw.local2.eap_id: eap_id is only allowed with an eap-* auth method, not "psk"',
    ],
    [
      'local2: { auth: pubkey, certs: [moon.pem] }',
      'styx.yaml:7:21: connections.gw.local2.auth: auth "pubkey" needs key (our private key file)',
    ],
  ];
  for (const [setting, error] of cases) {
    it(setting, () => expect(errorsOf(setting)).toEqual([error]));
  }
});

describe('settings that depend on each other', () => {
  it('rejects IKEv2-only settings with version 1, each at its own line', () => {
    const yaml = connectionYaml('version: 1').replace(
      '    children:',
      '    mobike: yes\n    split_connection: yes\n    local2: { auth: psk }\n    children:',
    );
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:7:14: connections.gw.version: version 1 (IKEv1) is not supported yet; only version 2 (IKEv2) runs',
      'styx.yaml:8:13: connections.gw.mobike: mobike is only allowed with version 2 (IKEv2)',
      'styx.yaml:9:23: connections.gw.split_connection: split_connection is only allowed with version 2 (IKEv2)',
      'styx.yaml:10:13: connections.gw.local2: local2 (a second authentication round, RFC 4739) is only allowed with version 2 (IKEv2)',
    ]);
  });

  it('needs a psk when a round uses psk, and no psk when none does', () => {
    const noPsk = connectionYaml('# none').replace('    psk: { secret: "s3cret-psk-value" }\n', '');
    const result = parseConfig(noPsk, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:4:12: connections.gw.local: auth psk needs a psk setting on the connection',
    ]);
    const unused = connectionYaml('# none')
      .replace(
        'local: { auth: psk, id: moon.example.org }',
        'local: { auth: pubkey, certs: [moon.pem], key: moon.key }',
      )
      .replace(
        'remote: { auth: psk, id: sun.example.org }',
        'remote: { auth: pubkey, cacerts: [ca.pem] }',
      );
    const r2 = parseConfig(unused, 'styx.yaml');
    expect(r2.ok ? [] : r2.errors.map(formatConfigError)).toEqual([
      'styx.yaml:6:10: connections.gw.psk: psk is set but no local or remote round uses auth psk',
    ]);
  });

  it('requires local and remote rounds', () => {
    const yaml = 'connections:\n  gw:\n    remote_addrs: [192.0.2.2]\n';
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:3:5: connections.gw.local: local is required; expected a mapping with auth and id',
      'styx.yaml:3:5: connections.gw.remote: remote is required; expected a mapping with auth and id',
    ]);
  });

  it('needs a remote address to start a connection', () => {
    const yaml = connectionYaml('start_action: start').replace(
      'remote_addrs: [192.0.2.2]',
      'remote_addrs: [10.0.0.0/8]',
    );
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:3:19: connections.gw.remote_addrs: starting a connection needs a remote address or host name to send to (first entry of remote_addrs)',
    ]);
  });

  it('needs a child for trap policies', () => {
    const yaml =
      'connections:\n  gw:\n    remote_addrs: [192.0.2.2]\n    local: { auth: psk }\n    remote: { auth: psk }\n    psk: x\n    start_action: trap\n';
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      'styx.yaml:7:19: connections.gw.start_action: trap needs at least one child (trap policies come from its traffic selectors)',
    ]);
  });

  it('collects every error of a file, in line order', () => {
    const yaml = connectionYaml('version: 4').replace(
      'remote_addrs: [192.0.2.2]',
      'remote_addrs: [192.0.2.2.2]',
    );
    const result = parseConfig(yaml, 'styx.yaml');
    expect(result.ok ? [] : result.errors.map((e) => `${e.line}:${e.path}`)).toEqual([
      '3:connections.gw.remote_addrs[0]',
      '7:connections.gw.version',
    ]);
  });
});
