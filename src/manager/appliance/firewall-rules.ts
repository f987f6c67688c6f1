/**
 * The manual's "Associate Firewall Rule", as nftables text: one table of
 * Styx's own (`inet styx`) whose chains mark the packets of every connection
 * with `firewall_rule: yes` (docs/appliance-firewall.md says why a mark and
 * not an accept: an accept in one table cannot overrule another table's
 * drop). The appliance's own default-drop ruleset accepts the mark in one
 * rule; with the table gone the mark is gone and the packets are dropped.
 *
 * Marked, per connection:
 * - input: IKE to our ports (RFC 7296 §2: UDP 500; RFC 3948 §2: 4500) and
 *   ESP or AH from the remote endpoints, and decrypted Phase 2 traffic to
 *   this host (`meta ipsec exists`: it came through an SA);
 * - forward: decrypted Phase 2 traffic (remote -> local) and the traffic
 *   about to be encrypted (local -> remote, `rt ipsec exists`: its route
 *   goes through an SA); with an XFRM interface, by interface name instead.
 *
 * Pure: the text is built here and applied by the feature (firewall.ts).
 */
import type {
  AddressSpec,
  ChildConfig,
  ConnectionConfig,
  IpAddress,
  IpFamily,
  TrafficSelectorSpec,
} from '../../config/types.js';
import { xfrmInterfaceName } from './xfrm-interface.js';

export const FIREWALL_TABLE = 'styx';

/** The packet mark the appliance's ruleset accepts (`meta mark & M == M accept`). */
export interface FirewallOptions {
  readonly mark: number;
  readonly ikePort: number;
  readonly natTPort: number;
}

/** GRE (IP protocol 47) and VXLAN (UDP 4789, RFC 7348 §5): the manual's transport selectors. */
const IPPROTO_GRE = 47;
const IPPROTO_UDP = 17;
const VXLAN_PORT = 4789;

/** One side of a match: addresses of one family, or any. */
interface Side {
  readonly family?: IpFamily;
  readonly addresses: readonly string[];
}

const ANY: Side = { addresses: [] };

function addressText(from: IpAddress, to: IpAddress): string {
  return from.text === to.text ? from.text : `${from.text}-${to.text}`;
}

/** Remote endpoints as nftables address sides, by family; `%any` and names match any source. */
function endpointSides(specs: readonly AddressSpec[]): Side[] {
  const byFamily = new Map<IpFamily, string[]>();
  for (const s of specs) {
    // A host name is resolved at every use (DynDNS): the rule cannot pin it,
    // and IKE authenticates the peer anyway.
    if (s.kind === 'any' || s.kind === 'fqdn') return [ANY];
    const [family, text] =
      s.kind === 'ip'
        ? [s.address.family, s.address.text]
        : s.kind === 'subnet'
          ? [s.network.family, `${s.network.text}/${s.prefix}`]
          : [s.from.family, addressText(s.from, s.to)];
    byFamily.set(family, [...(byFamily.get(family) ?? []), text]);
  }
  if (byFamily.size === 0) return [ANY];
  return [...byFamily].map(([family, addresses]) => ({ family, addresses }));
}

function set(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
}

function addressMatch(side: Side, dir: 'saddr' | 'daddr'): string[] {
  if (!side.family || side.addresses.length === 0) return [];
  return [`${side.family === 4 ? 'ip' : 'ip6'} ${dir} ${set(side.addresses)}`];
}

/** A traffic selector's addresses; `dynamic` stands for the IKE endpoints of that side. */
function selectorSide(ts: TrafficSelectorSpec, endpoints: readonly AddressSpec[]): Side[] {
  if (ts.kind === 'dynamic') return endpointSides(endpoints);
  return [{ family: ts.family, addresses: [addressText(ts.from, ts.to)] }];
}

function portRange(from: number, to: number): string | undefined {
  if (from === 0 && to === 65535) return undefined;
  return from === to ? String(from) : `${from}-${to}`;
}

/** Protocol and ports of a selector pair (RFC 7296 §3.13.1: 0 and 0-65535 are any). */
function protocolMatch(
  local: TrafficSelectorSpec,
  remote: TrafficSelectorSpec,
  child: ChildConfig,
) {
  const traffic = child.mode === 'transport' ? child.traffic : 'any';
  const proto =
    local.protocol ||
    remote.protocol ||
    (traffic === 'gre' ? IPPROTO_GRE : traffic === 'vxlan' ? IPPROTO_UDP : 0);
  const localPorts = portRange(local.fromPort, local.toPort);
  const remotePorts = portRange(remote.fromPort, remote.toPort);
  return (toRemote: boolean): string[] => {
    if (proto === 0) return [];
    const parts = [`meta l4proto ${proto}`];
    const [sport, dport] = toRemote ? [localPorts, remotePorts] : [remotePorts, localPorts];
    if (sport) parts.push(`th sport ${sport}`);
    if (dport) parts.push(`th dport ${dport}`);
    if (traffic === 'vxlan' && !sport && !dport) parts.push(`th dport ${VXLAN_PORT}`);
    return parts;
  };
}

/** No packet has addresses of two families: such a pair gets no rule. */
const compatible = (a: Side, b: Side) => !a.family || !b.family || a.family === b.family;

/** One flow direction: how it is recognised, then source, destination and protocol. */
const flow = (head: string, src: Side, dst: Side, proto: readonly string[]) =>
  [head, ...addressMatch(src, 'saddr'), ...addressMatch(dst, 'daddr'), ...proto].join(' ');

interface Rules {
  readonly input: string[];
  readonly forward: string[];
}

function childRules(c: ConnectionConfig, child: ChildConfig, mark: string, out: Rules): void {
  const ifname = c.xfrmInterface ? xfrmInterfaceName(c.xfrmInterface) : undefined;
  const decrypted = ifname ? `iifname "${ifname}"` : 'meta ipsec exists';
  const toEncrypt = ifname ? `oifname "${ifname}"` : 'rt ipsec exists';
  for (const lts of child.localTs) {
    for (const rts of child.remoteTs) {
      const proto = protocolMatch(lts, rts, child);
      for (const l of selectorSide(lts, c.localAddrs)) {
        for (const r of selectorSide(rts, c.remoteAddrs)) {
          if (!compatible(l, r)) continue;
          const inbound = flow(decrypted, r, l, proto(false));
          const outbound = flow(toEncrypt, l, r, proto(true));
          const tag = `comment "${c.name}/${child.name}"`;
          out.input.push(`${inbound} ${mark} ${tag}`);
          out.forward.push(`${inbound} ${mark} ${tag}`, `${outbound} ${mark} ${tag}`);
        }
      }
    }
  }
}

function connectionRules(c: ConnectionConfig, o: FirewallOptions, mark: string, out: Rules) {
  const ports = set([...new Set([o.ikePort, o.natTPort])].map(String));
  const tag = `comment "${c.name}"`;
  for (const remote of endpointSides(c.remoteAddrs)) {
    const from = addressMatch(remote, 'saddr');
    out.input.push(
      [...from, `udp dport ${ports}`, mark, tag].join(' '),
      [...from, `meta l4proto { esp, ah }`, mark, tag].join(' '),
    );
  }
  for (const child of c.children) childRules(c, child, mark, out);
}

/** Hex, as the appliance's ruleset writes it. */
export const markText = (mark: number) => `0x${mark.toString(16).padStart(8, '0')}`;

/**
 * The whole table for `conns` (those with firewall_rule: yes), replacing the
 * previous one in one transaction (`nft -f` applies a file atomically), or
 * deleting it when no connection asks for a rule. The first two lines make
 * the delete succeed whether or not the table exists.
 */
export function firewallScript(conns: readonly ConnectionConfig[], o: FirewallOptions): string {
  const lines = [`table inet ${FIREWALL_TABLE}`, `delete table inet ${FIREWALL_TABLE}`];
  const wanted = conns.filter((c) => c.appliance.firewallRule);
  if (wanted.length === 0) return `${lines.join('\n')}\n`;
  const m = markText(o.mark);
  const mark = `meta mark set meta mark or ${m}`;
  const rules: Rules = { input: [], forward: [] };
  for (const c of wanted) connectionRules(c, o, mark, rules);
  // Before the usual filter priority (0), so the site's chains see the mark.
  const chain = (name: 'input' | 'forward', body: readonly string[]) => [
    `  chain ${name} {`,
    `    type filter hook ${name} priority filter - 10; policy accept;`,
    ...body.map((r) => `    ${r}`),
    '  }',
  ];
  lines.push(
    `table inet ${FIREWALL_TABLE} {`,
    `  comment "Styx: tunnel traffic of ${wanted.map((c) => c.name).join(', ')}, marked ${m}"`,
    ...chain('input', rules.input),
    ...chain('forward', rules.forward),
    '}',
  );
  return `${lines.join('\n')}\n`;
}
