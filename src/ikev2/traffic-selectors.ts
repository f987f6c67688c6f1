/**
 * Traffic selectors and their narrowing (RFC 7296 §2.9, §3.13.1).
 *
 * A selector is an address range, an IP protocol (0 = any) and a port range.
 * The responder narrows what the initiator proposes to the intersection with
 * its configuration; an empty result is TS_UNACCEPTABLE. Kernel policies are
 * prefix-based, so ranges are split into prefixes for installation.
 */

import { formatIp, type IpFamily, parseIp } from '../wire/ip-address.js';

export type { IpFamily };

export interface TrafficSelector {
  readonly family: IpFamily;
  /** IP protocol number; 0 means any. */
  readonly protocol: number;
  readonly startPort: number;
  readonly endPort: number;
  /** Start and end address, 4 or 16 octets, network order. */
  readonly start: Uint8Array;
  readonly end: Uint8Array;
}

function toBig(a: Uint8Array): bigint {
  let v = 0n;
  for (const b of a) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBig(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

const addrLen = (f: IpFamily): number => (f === 4 ? 4 : 16);

/** An address's family and octets, or null when the text is none (src/wire/ip-address.ts). */
export function parseAddress(text: string): { family: IpFamily; bytes: Uint8Array } | null {
  return parseIp(text) ?? null;
}

/** Formats octets as an IPv4 dotted quad or RFC 5952 IPv6 text. */
export const formatAddress = formatIp;

/** A selector covering a whole prefix (`10.1.0.0/16`), any protocol and port. */
export function selectorFromCidr(cidr: string, protocol = 0, ports?: [number, number]) {
  const [addr, lenText] = cidr.split('/');
  const parsed = parseAddress(addr ?? '');
  if (!parsed) throw new RangeError(`not an IP address: ${addr}`);
  const bits = addrLen(parsed.family) * 8;
  const prefix = lenText === undefined ? bits : Number(lenText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new RangeError(`bad prefix length in ${cidr}`);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const base = toBig(parsed.bytes) & ~hostMask;
  return {
    family: parsed.family,
    protocol,
    startPort: ports ? ports[0] : 0,
    endPort: ports ? ports[1] : 65535,
    start: fromBig(base, parsed.bytes.length),
    end: fromBig(base | hostMask, parsed.bytes.length),
  } satisfies TrafficSelector;
}

/**
 * A child's selectors for one side: the configured ones plus the SA's own
 * address for a `dynamic` entry (also when none are configured), carrying
 * that entry's protocol and ports.
 */
export function withDynamic(
  configured: readonly TrafficSelector[],
  dynamic: { protocol: number; startPort: number; endPort: number } | undefined,
  address: string,
): TrafficSelector[] {
  if (configured.length > 0 && !dynamic) return [...configured];
  const a = parseAddress(address);
  if (!a) return [...configured];
  const host = selectorForHost(a.bytes, dynamic?.protocol ?? 0);
  return [
    ...configured,
    { ...host, startPort: dynamic?.startPort ?? 0, endPort: dynamic?.endPort ?? 65535 },
  ];
}

/** A selector for exactly one host address. */
export function selectorForHost(address: Uint8Array, protocol = 0): TrafficSelector {
  return {
    family: address.length === 4 ? 4 : 6,
    protocol,
    startPort: 0,
    endPort: 65535,
    start: address,
    end: address,
  };
}

/** The intersection of two selectors, or `null` when they do not overlap. */
export function intersectSelectors(a: TrafficSelector, b: TrafficSelector): TrafficSelector | null {
  if (a.family !== b.family) return null;
  if (a.protocol !== 0 && b.protocol !== 0 && a.protocol !== b.protocol) return null;
  const startPort = Math.max(a.startPort, b.startPort);
  const endPort = Math.min(a.endPort, b.endPort);
  // RFC 4301 OPAQUE ports (start 65535, end 0) only meet each other or ANY.
  if (startPort > endPort && !(isOpaque(a) || isOpaque(b))) return null;
  const start = toBig(a.start) > toBig(b.start) ? a.start : b.start;
  const end = toBig(a.end) < toBig(b.end) ? a.end : b.end;
  if (toBig(start) > toBig(end)) return null;
  const port = isOpaque(a) ? a : isOpaque(b) ? b : { startPort, endPort };
  return {
    family: a.family,
    protocol: a.protocol || b.protocol,
    startPort: port.startPort,
    endPort: port.endPort,
    start,
    end,
  };
}

function isOpaque(t: TrafficSelector): boolean {
  return t.startPort === 65535 && t.endPort === 0;
}

export function sameSelector(a: TrafficSelector, b: TrafficSelector): boolean {
  return (
    a.family === b.family &&
    a.protocol === b.protocol &&
    a.startPort === b.startPort &&
    a.endPort === b.endPort &&
    toBig(a.start) === toBig(b.start) &&
    toBig(a.end) === toBig(b.end)
  );
}

/** True when `inner` lies wholly inside `outer`. */
export function selectorContains(outer: TrafficSelector, inner: TrafficSelector): boolean {
  const i = intersectSelectors(outer, inner);
  return i !== null && sameSelector(i, inner);
}

/**
 * Narrows the peer's proposed selectors to our configuration (RFC 7296 §2.9):
 * every non-empty pairwise intersection, in the peer's order, without
 * duplicates. An empty result means TS_UNACCEPTABLE.
 */
export function narrowSelectors(
  proposed: readonly TrafficSelector[],
  configured: readonly TrafficSelector[],
): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const p of proposed) {
    for (const c of configured) {
      const i = intersectSelectors(p, c);
      if (i && !out.some((o) => sameSelector(o, i))) out.push(i);
    }
  }
  return out;
}

/**
 * The responder's narrowing of a TSi/TSr pair (RFC 7296 §2.9). `localConfig` is
 * our side of the tunnel (matched against TSr), `remoteConfig` the peer's side.
 */
export function narrowPair(
  tsi: readonly TrafficSelector[],
  tsr: readonly TrafficSelector[],
  remoteConfig: readonly TrafficSelector[],
  localConfig: readonly TrafficSelector[],
): { tsi: TrafficSelector[]; tsr: TrafficSelector[] } | null {
  const ni = narrowSelectors(tsi, remoteConfig);
  const nr = narrowSelectors(tsr, localConfig);
  if (ni.length === 0 || nr.length === 0) return null;
  return { tsi: ni, tsr: nr };
}

/**
 * Splits an address range into the fewest prefixes that cover it exactly, for
 * prefix-based kernel selectors.
 */
export function rangeToPrefixes(ts: TrafficSelector): { address: Uint8Array; prefixLen: number }[] {
  const len = addrLen(ts.family);
  const bits = len * 8;
  let cur = toBig(ts.start);
  const end = toBig(ts.end);
  const out: { address: Uint8Array; prefixLen: number }[] = [];
  while (cur <= end && out.length < 256) {
    let size = 0;
    // Grow the block while it stays aligned and inside the range.
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((cur & mask) !== 0n || cur + mask > end) break;
      size = next;
    }
    out.push({ address: fromBig(cur, len), prefixLen: bits - size });
    cur += 1n << BigInt(size);
  }
  return out;
}

export function formatSelector(ts: TrafficSelector): string {
  const prefixes = rangeToPrefixes(ts);
  const first = prefixes[0];
  const addr =
    prefixes.length === 1 && first
      ? `${formatAddress(first.address)}/${first.prefixLen}`
      : `${formatAddress(ts.start)}..${formatAddress(ts.end)}`;
  const proto = ts.protocol === 0 ? '' : `[${ts.protocol}`;
  const ports =
    ts.startPort === 0 && ts.endPort === 65535
      ? ''
      : ts.startPort === ts.endPort
        ? `/${ts.startPort}`
        : `/${ts.startPort}-${ts.endPort}`;
  if (!proto && !ports) return addr;
  return `${addr}${proto || '[0'}${ports}]`;
}
