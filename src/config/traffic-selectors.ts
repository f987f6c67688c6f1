/**
 * Traffic selectors as swanctl.conf writes them (RFC 7296 §3.13.1):
 * `10.1.0.0/16`, `10.0.0.1-10.0.0.9`, `192.0.2.7`, `dynamic` (the SA's own
 * address), each optionally followed by `[protocol/port]`, e.g. `[tcp/443]`,
 * `[udp/1000-2000]`, `[gre]`.
 */
import { parseIpAddress, parseRange, parseSubnet } from './addresses.js';
import type { TrafficSelectorSpec } from './types.js';

export const TS_EXPECTED =
  'expected a subnet (10.1.0.0/16), a range (a-b), an address or dynamic, optionally followed by [protocol/port]';

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
export const IP_PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  sctp: 132,
};

interface ProtoPorts {
  protocol: number;
  fromPort: number;
  toPort: number;
}

function parseProtoPorts(text: string): ProtoPorts | { error: string } {
  const [protoText = '', portText = ''] = text.split('/').map((s) => s.trim());
  let protocol = 0;
  if (protoText !== '' && protoText !== '%any') {
    const named = IP_PROTOCOLS[protoText.toLowerCase()];
    const numeric = /^\d{1,3}$/.test(protoText) ? Number(protoText) : undefined;
    if (named === undefined && (numeric === undefined || numeric > 255)) {
      return {
        error: `expected a protocol name (${Object.keys(IP_PROTOCOLS).join(', ')}) or number 0-255 in [...]`,
      };
    }
    protocol = named ?? numeric!;
  }
  if (portText === '' || portText === '%any') return { protocol, fromPort: 0, toPort: 65535 };
  const ports = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(portText);
  const fromPort = Number(ports?.[1]);
  const toPort = Number(ports?.[2] ?? ports?.[1]);
  if (!ports || fromPort > 65535 || toPort > 65535 || fromPort > toPort) {
    return { error: 'expected a port (0-65535) or port range (a-b) after the protocol' };
  }
  if (![6, 17, 132, 0].includes(protocol)) {
    return { error: 'ports are only meaningful with tcp, udp or sctp' };
  }
  return { protocol, fromPort, toPort };
}

export function parseTrafficSelector(text: string): TrafficSelectorSpec | { error: string } {
  const match = /^([^[\]]+?)\s*(?:\[([^\]]*)\])?$/.exec(text.trim());
  if (!match) return { error: TS_EXPECTED };
  const body = match[1]!;
  const pp =
    match[2] === undefined
      ? { protocol: 0, fromPort: 0, toPort: 65535 }
      : parseProtoPorts(match[2]);
  if ('error' in pp) return pp;
  if (body === 'dynamic') return { kind: 'dynamic', ...pp };
  if (body.includes('/')) {
    const subnet = parseSubnet(body);
    if ('error' in subnet) return subnet;
    return {
      kind: 'range',
      family: subnet.from.family,
      from: subnet.from,
      to: subnet.to,
      text: body,
      ...pp,
    };
  }
  if (body.includes('-')) {
    const range = parseRange(body);
    if ('error' in range) return range;
    return { kind: 'range', family: range.from.family, ...range, text: body, ...pp };
  }
  const ip = parseIpAddress(body);
  if (!ip) return { error: TS_EXPECTED };
  return { kind: 'range', family: ip.family, from: ip, to: ip, text: ip.text, ...pp };
}

export function formatTrafficSelector(ts: TrafficSelectorSpec): string {
  const base = ts.kind === 'dynamic' ? 'dynamic' : ts.text;
  if (ts.protocol === 0 && ts.fromPort === 0 && ts.toPort === 65535) return base;
  const proto =
    Object.entries(IP_PROTOCOLS).find(([, n]) => n === ts.protocol)?.[0] ?? String(ts.protocol);
  const ports =
    ts.fromPort === 0 && ts.toPort === 65535
      ? ''
      : ts.fromPort === ts.toPort
        ? `/${ts.fromPort}`
        : `/${ts.fromPort}-${ts.toPort}`;
  return `${base}[${ts.protocol === 0 ? '%any' : proto}${ports}]`;
}
