/**
 * firewall_rule's nftables table: what it marks for each connection, checked
 * as text and, where this machine can, by nftables itself (`nft -c`, the
 * parser and kernel validation we did not write, in a throwaway network
 * namespace so the host's ruleset is never touched).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConnectionConfig } from '../../src/config/types.js';
import { FirewallRules } from '../../src/manager/appliance/firewall.js';
import { firewallScript } from '../../src/manager/appliance/firewall-rules.js';
import type { ManagedConnection } from '../../src/manager/connection-manager.js';

function configs(connections: string): ConnectionConfig[] {
  const r = parseConfig(`connections:\n${connections}`, 'fw.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return [...r.config.connections];
}

const conn = (name: string, extra: string[], child: string[] = []) =>
  [
    `  ${name}:`,
    '    version: 2',
    '    local_addrs: [192.0.2.1]',
    '    remote_addrs: [192.0.2.2, 2001:db8::2]',
    '    proposals: [aes256gcm16-prfsha256-x25519]',
    '    local: { auth: psk }',
    '    remote: { auth: psk }',
    '    psk: { secret: "not-logged" }',
    ...extra.map((l) => `    ${l}`),
    '    children:',
    '      net:',
    '        local_ts: [198.51.100.0/24]',
    '        remote_ts: [203.0.113.0/24]',
    ...child.map((l) => `        ${l}`),
    '',
  ].join('\n');

const OPTIONS = { mark: 0x0100_0000, ikePort: 500, natTPort: 4500 };
const MARK = 'meta mark set meta mark or 0x01000000';

/** nft's own check of the script (no commit), when nft and namespaces are available. */
function nftCheck(script: string): { ok: boolean; stderr: string } | undefined {
  const r = spawnSync('unshare', ['-n', 'nft', '-c', '-f', '-'], { input: script });
  if (r.error || (r.status !== 0 && /unshare:|not found/.test(String(r.stderr)))) return undefined;
  return { ok: r.status === 0, stderr: String(r.stderr) };
}
const canCheck = nftCheck('table inet styx-probe\n')?.ok === true;

describe('firewall_rule table', () => {
  it('marks IKE, ESP/AH from the peer and the Phase 2 traffic both ways', () => {
    const script = firewallScript(configs(conn('gw', ['firewall_rule: yes'])), OPTIONS);
    expect(script).toContain(`ip saddr 192.0.2.2 udp dport { 500, 4500 } ${MARK} comment "gw"`);
    expect(script).toContain(`ip6 saddr 2001:db8::2 meta l4proto { esp, ah } ${MARK}`);
    expect(script).toContain(
      `meta ipsec exists ip saddr 203.0.113.0-203.0.113.255 ip daddr 198.51.100.0-198.51.100.255 ${MARK} comment "gw/net"`,
    );
    expect(script).toContain(
      `rt ipsec exists ip saddr 198.51.100.0-198.51.100.255 ip daddr 203.0.113.0-203.0.113.255 ${MARK}`,
    );
    // Replaced whole, whether or not it existed.
    expect(script.startsWith('table inet styx\ndelete table inet styx\n')).toBe(true);
    expect(script).not.toContain('not-logged');
  });

  it('leaves out connections without the setting, and only deletes when none has it', () => {
    const both = configs(conn('a', ['firewall_rule: yes']) + conn('b', []));
    const script = firewallScript(both, OPTIONS);
    expect(script).toContain('comment "a"');
    expect(script).not.toContain('comment "b"');
    expect(firewallScript(configs(conn('b', [])), OPTIONS)).toBe(
      'table inet styx\ndelete table inet styx\n',
    );
  });

  it('matches the XFRM interface by name, and GRE/VXLAN transport traffic by protocol', () => {
    const xfrm = firewallScript(
      configs(conn('gw', ['firewall_rule: yes', 'xfrm_interface: { if_id: 7 }'])),
      OPTIONS,
    );
    expect(xfrm).toContain('iifname "xfrm7" ip saddr 203.0.113.0-203.0.113.255');
    expect(xfrm).toContain('oifname "xfrm7" ip saddr 198.51.100.0-198.51.100.255');
    const transport = (traffic: string) =>
      firewallScript(
        configs(
          conn('gw', ['firewall_rule: yes']).replace(
            /local_ts.*\n.*remote_ts.*\n/,
            `mode: transport\n        traffic: ${traffic}\n`,
          ),
        ),
        OPTIONS,
      );
    expect(transport('gre')).toContain(
      `meta ipsec exists ip saddr 192.0.2.2 ip daddr 192.0.2.1 meta l4proto 47 ${MARK}`,
    );
    expect(transport('vxlan')).toContain('meta l4proto 17 th dport 4789');
  });

  it.runIf(canCheck)('is accepted by nftables (nft -c in a fresh network namespace)', () => {
    const all = configs(
      conn('a', ['firewall_rule: yes', 'xfrm_interface: { if_id: 7 }']) +
        conn('b', ['firewall_rule: yes'], ['mode: transport', 'traffic: vxlan']).replace(
          / *local_ts.*\n *remote_ts.*\n/,
          '',
        ) +
        conn('c', ['firewall_rule: yes', 'remote_addrs: [vpn.example.org]']).replace(
          '    remote_addrs: [192.0.2.2, 2001:db8::2]\n',
          '',
        ),
    );
    const r = nftCheck(firewallScript(all, OPTIONS));
    expect(r?.stderr).toBe('');
    expect(r?.ok).toBe(true);
  });

  it('is written on configure, rewritten on change, deleted when no connection wants it', async () => {
    const scripts: string[] = [];
    const logs: string[] = [];
    const fw = new FirewallRules(
      OPTIONS,
      (_l, m) => logs.push(m),
      async (s) => void scripts.push(s),
    );
    const managed = (cs: ConnectionConfig[]) =>
      cs.map((config) => ({ name: config.name, config }) as unknown as ManagedConnection);
    await fw.configure(managed(configs(conn('b', []))));
    expect(scripts).toHaveLength(0); // nothing of ours to write or remove
    await fw.configure(managed(configs(conn('a', ['firewall_rule: yes']))));
    await fw.configure(managed(configs(conn('a', ['firewall_rule: no']))));
    expect(scripts).toHaveLength(2);
    expect(scripts[1]).toBe('table inet styx\ndelete table inet styx\n');
    await fw.configure(managed(configs(conn('a', ['firewall_rule: yes']))));
    await fw.stop();
    expect(scripts.at(-1)).toBe('table inet styx\ndelete table inet styx\n');
    expect(logs.join('\n')).toMatch(/written for a/);
  });
});
