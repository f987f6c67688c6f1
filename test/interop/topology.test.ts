import { describe, expect, it } from 'vitest';
import { ADDR, TOPOLOGIES } from '../../interop/runner/topologies.js';
import { batchCommands, commandsFor } from '../../interop/runner/topology.js';

const line = (c: { ns: string | null; argv: readonly string[] }) =>
  `${c.ns ?? '-'}: ${c.argv.join(' ')}`;

describe('commandsFor', () => {
  for (const [name, t] of Object.entries(TOPOLOGIES)) {
    describe(name, () => {
      const cmds = commandsFor(t).map(line);

      it('creates every namespace before anything runs inside it', () => {
        const created = new Set<string>();
        for (const c of commandsFor(t)) {
          if (c.ns === null && c.argv[2] === 'add' && c.argv[1] === 'netns')
            created.add(c.argv[3]!);
          if (c.ns !== null) expect(created.has(c.ns), line(c)).toBe(true);
        }
        expect([...created].sort()).toEqual([...t.namespaces].sort());
      });

      it('brings up every linked device and adds addresses without DAD for IPv6', () => {
        for (const [a, b] of t.links) {
          expect(cmds).toContain(`${a.ns}: ip link set ${a.dev} up`);
          expect(cmds).toContain(`${b.ns}: ip link set ${b.dev} up`);
        }
        for (const a of t.addresses) {
          const suffix = a.cidr.includes(':') ? ' nodad' : '';
          expect(cmds).toContain(`${a.ns}: ip addr add ${a.cidr} dev ${a.dev}${suffix}`);
        }
      });

      it('enables forwarding for both families on gateways only', () => {
        for (const ns of t.namespaces) {
          const sysctl = cmds.find((c) => c.startsWith(`${ns}: sysctl -qw`)) ?? '';
          const v4 = sysctl.includes('net.ipv4.ip_forward=1');
          expect(v4, ns).toBe(t.forwarding.includes(ns));
          expect(sysctl.includes('net.ipv6.conf.all.forwarding=1'), ns).toBe(v4);
        }
      });

      it('adds routes after addresses, with the family of the gateway', () => {
        const firstRoute = cmds.findIndex((c) => c.includes(' route add '));
        const lastAddr = cmds.findLastIndex((c) => c.includes(' addr add '));
        expect(firstRoute).toBeGreaterThan(lastAddr);
        for (const r of t.routes) {
          const fam = r.via.includes(':') ? '-6' : '-4';
          expect(cmds).toContain(`${r.ns}: ip ${fam} route add ${r.to} via ${r.via}`);
        }
      });
    });
  }

  it('puts the gateways of net2net on one WAN bridge with their addresses', () => {
    const cmds = commandsFor(TOPOLOGIES.net2net).map(line);
    expect(cmds).toContain('-: ip link add eth1 netns moon type veth peer name moon netns wan');
    expect(cmds).toContain('wan: ip link set moon master br0');
    expect(cmds).toContain('wan: ip link set sun master br0');
    expect(cmds).toContain(`moon: ip addr add ${ADDR.moon.v4}/24 dev eth1`);
    expect(cmds).toContain(`moon: ip addr add ${ADDR.moon2.v6}/64 dev eth1 nodad`);
  });

  it('masquerades on the NAT router of net2net-nat', () => {
    const cmds = commandsFor(TOPOLOGIES['net2net-nat']).map(line);
    expect(cmds).toContain('nat: iptables-legacy -t nat -A POSTROUTING -o eth1 -j MASQUERADE');
    expect(cmds).toContain('nat: ip6tables-legacy -t nat -A POSTROUTING -o eth1 -j MASQUERADE');
  });
});

describe('batchCommands', () => {
  it('merges runs of ip commands per namespace and family, keeping order and other commands', () => {
    const batched = batchCommands([
      { ns: null, argv: ['ip', 'netns', 'add', 'a'] },
      { ns: null, argv: ['ip', 'netns', 'add', 'b'] },
      { ns: 'a', argv: ['sysctl', '-qw', 'x=1'] },
      { ns: 'a', argv: ['ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0'] },
      { ns: 'a', argv: ['ip', 'link', 'set', 'eth0', 'up'] },
      { ns: 'a', argv: ['ip', '-6', 'route', 'add', 'default', 'via', 'fd00::1'] },
      { ns: 'a', argv: ['ip', '-6', 'route', 'add', 'fd00:2::/64', 'via', 'fd00::2'] },
      { ns: 'b', argv: ['nft', 'add rule inet nat post masquerade'] },
    ]);
    expect(batched).toEqual([
      { ns: null, argv: ['ip', '-batch', '-'], input: 'netns add a\nnetns add b\n' },
      { ns: 'a', argv: ['sysctl', '-qw', 'x=1'] },
      {
        ns: 'a',
        argv: ['ip', '-batch', '-'],
        input: 'addr add 192.0.2.1/24 dev eth0\nlink set eth0 up\n',
      },
      {
        ns: 'a',
        argv: ['ip', '-6', '-batch', '-'],
        input: 'route add default via fd00::1\nroute add fd00:2::/64 via fd00::2\n',
      },
      { ns: 'b', argv: ['nft', 'add rule inet nat post masquerade'] },
    ]);
  });

  it('runs every command of each topology exactly once', () => {
    for (const t of Object.values(TOPOLOGIES)) {
      const plain = commandsFor(t);
      const lines = batchCommands(plain).flatMap((c) =>
        c.input === undefined ? [c.argv.join(' ')] : c.input.trim().split('\n'),
      );
      expect(lines).toHaveLength(plain.length);
    }
  });
});
