// Topologies of network namespaces inside UML: a description as data, turned
// into `ip` commands by commandsFor() (pure, unit-tested) and applied by the runner.

/** One end of a veth pair: a namespace and the interface name inside it. */
export interface Port {
  readonly ns: string;
  readonly dev: string;
}

export interface Topology {
  readonly name: string;
  /** Every namespace; the runner checks each for leftover SAs and policies. */
  readonly namespaces: readonly string[];
  /** Namespaces that forward IPv4 and IPv6 (gateways, routers). */
  readonly forwarding: readonly string[];
  /** veth pairs. */
  readonly links: readonly (readonly [Port, Port])[];
  /** Bridges (a "switch" namespace joining several links): name and member ports. */
  readonly bridges: readonly {
    readonly ns: string;
    readonly dev: string;
    readonly ports: readonly string[];
  }[];
  /** Addresses with prefix length, e.g. 192.0.2.1/24 or fd00::1/64. */
  readonly addresses: readonly {
    readonly ns: string;
    readonly dev: string;
    readonly cidr: string;
  }[];
  /** Routes: `to` is a prefix or "default". */
  readonly routes: readonly { readonly ns: string; readonly to: string; readonly via: string }[];
  /** Extra commands run after the rest (e.g. nft rules of a NAT router). */
  readonly extra?: readonly { readonly ns: string; readonly argv: readonly string[] }[];
}

export interface NsCommand {
  /** null: the UML root namespace. */
  readonly ns: string | null;
  readonly argv: readonly string[];
}

/** The commands that build `t`, in an order that works: namespaces, links, addresses, routes. */
export function commandsFor(t: Topology): NsCommand[] {
  const cmds: NsCommand[] = [];
  for (const ns of t.namespaces) cmds.push({ ns: null, argv: ['ip', 'netns', 'add', ns] });
  for (const ns of t.namespaces) {
    cmds.push({ ns, argv: ['ip', 'link', 'set', 'lo', 'up'] });
    // Addresses are added with nodad; this also keeps link-local addresses from waiting.
    const settings = ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'];
    if (t.forwarding.includes(ns)) {
      settings.push('net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1');
    }
    cmds.push({ ns, argv: ['sysctl', '-qw', ...settings] });
  }
  for (const [a, b] of t.links) {
    cmds.push({
      ns: null,
      argv: [
        'ip',
        'link',
        'add',
        a.dev,
        'netns',
        a.ns,
        'type',
        'veth',
        'peer',
        'name',
        b.dev,
        'netns',
        b.ns,
      ],
    });
  }
  for (const br of t.bridges) {
    cmds.push({
      ns: br.ns,
      argv: ['ip', 'link', 'add', br.dev, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0'],
    });
    for (const port of br.ports)
      cmds.push({ ns: br.ns, argv: ['ip', 'link', 'set', port, 'master', br.dev] });
  }
  for (const a of t.addresses) {
    const v6 = a.cidr.includes(':');
    cmds.push({
      ns: a.ns,
      argv: ['ip', 'addr', 'add', a.cidr, 'dev', a.dev, ...(v6 ? ['nodad'] : [])],
    });
  }
  const devices = new Map<string, Set<string>>();
  for (const [a, b] of t.links) {
    for (const p of [a, b]) devices.set(p.ns, (devices.get(p.ns) ?? new Set()).add(p.dev));
  }
  for (const br of t.bridges) devices.set(br.ns, (devices.get(br.ns) ?? new Set()).add(br.dev));
  for (const [ns, devs] of devices) {
    for (const dev of devs) cmds.push({ ns, argv: ['ip', 'link', 'set', dev, 'up'] });
  }
  for (const r of t.routes) {
    const family = r.via.includes(':') ? '-6' : '-4';
    cmds.push({ ns: r.ns, argv: ['ip', family, 'route', 'add', r.to, 'via', r.via] });
  }
  for (const e of t.extra ?? []) cmds.push({ ns: e.ns, argv: e.argv });
  return cmds;
}

/**
 * The same commands with consecutive `ip` commands of one namespace and family
 * option merged into `ip -batch -` runs (their lines in `input`): building a
 * topology then takes a handful of processes instead of dozens.
 */
export function batchCommands(cmds: readonly NsCommand[]): (NsCommand & { input?: string })[] {
  const out: (NsCommand & { input?: string; key?: string })[] = [];
  for (const c of cmds) {
    if (c.argv[0] !== 'ip' || c.argv.some((a) => /\s/.test(a))) {
      out.push(c);
      continue;
    }
    const family = c.argv[1] === '-4' || c.argv[1] === '-6' ? c.argv[1] : '';
    const rest = c.argv.slice(family ? 2 : 1);
    const key = `${c.ns ?? ''}/${family}`;
    const last = out.at(-1);
    if (last?.key === key) {
      last.input += `${rest.join(' ')}\n`;
      continue;
    }
    out.push({
      ns: c.ns,
      argv: ['ip', ...(family ? [family] : []), '-batch', '-'],
      input: `${rest.join(' ')}\n`,
      key,
    });
  }
  return out.map(({ key: _key, ...c }) => c);
}
