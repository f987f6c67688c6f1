/**
 * IPv4/IPv6 addresses, CIDR subnets and ranges, and the address specs of
 * `local_addrs` / `remote_addrs`. IPv6 is printed in RFC 5952 canonical form.
 */
import { formatIp, parseIp } from '../wire/ip-address.js';
import type { AddressSpec, IpAddress, IpFamily } from './types.js';

export function parseIpAddress(text: string): IpAddress | undefined {
  const ip = parseIp(text);
  return ip && { family: ip.family, text: formatIp(ip.bytes) };
}

export function ipToBytes(ip: IpAddress): Uint8Array {
  const parsed = parseIp(ip.text);
  if (!parsed) throw new TypeError(`not an IP address: ${JSON.stringify(ip.text)}`);
  return parsed.bytes;
}

export function bytesToIp(bytes: Uint8Array): IpAddress {
  return { family: bytes.length === 4 ? 4 : 6, text: formatIp(bytes) };
}

export function ipToBigInt(ip: IpAddress): bigint {
  let n = 0n;
  for (const b of ipToBytes(ip)) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToIp(n: bigint, family: IpFamily): IpAddress {
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return bytesToIp(bytes);
}

export interface IpRange {
  readonly from: IpAddress;
  readonly to: IpAddress;
}

/** `10.1.0.0/16` → its first and last address; host bits must be zero. */
export function parseSubnet(text: string): (IpRange & { prefix: number }) | { error: string } {
  const slash = text.indexOf('/');
  const network = parseIpAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!network) return { error: 'expected a subnet such as 10.1.0.0/16 or 2001:db8::/32' };
  const bits = network.family === 4 ? 32 : 128;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (prefix < 0 || prefix > bits) return { error: `expected a prefix length from 0 to ${bits}` };
  const hostBits = BigInt(bits - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const value = ipToBigInt(network);
  if ((value & hostMask) !== 0n) {
    const masked = bigIntToIp(value & ~hostMask, network.family);
    return { error: `host bits are set; did you mean ${masked.text}/${prefix}?` };
  }
  return { from: network, to: bigIntToIp(value | hostMask, network.family), prefix };
}

/** `10.0.0.1-10.0.0.9` → a range; both ends of one family, in order. */
export function parseRange(text: string): IpRange | { error: string } {
  const [a = '', b = ''] = text.split('-').map((s) => s.trim());
  const from = parseIpAddress(a);
  const to = parseIpAddress(b);
  if (!from || !to) return { error: 'expected a range such as 10.0.0.1-10.0.0.9' };
  if (from.family !== to.family)
    return { error: 'expected both ends of the range in one IP family' };
  if (ipToBigInt(from) > ipToBigInt(to))
    return { error: 'expected the first address not above the last' };
  return { from, to };
}

/** Two dash-separated parts that each look like an address (not a host name with a dash). */
function looksLikeRange(text: string): boolean {
  const parts = text.split('-').map((s) => s.trim());
  return parts.length === 2 && parts.every((p) => /^[\d.]+$/.test(p) || p.includes(':'));
}

/** RFC 1123 host names (letters, digits, hyphens; dot-separated labels). */
const FQDN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export const ADDRESS_EXPECTED =
  'expected an IP address, a subnet (CIDR), a range (a-b), a host name or %any';

/** One entry of `local_addrs` / `remote_addrs`. */
export function parseAddressSpec(text: string): AddressSpec | { error: string } {
  if (text === '%any' || text === '%any4' || text === '%any6') return { kind: 'any' };
  const ip = parseIpAddress(text);
  if (ip) return { kind: 'ip', address: ip };
  if (text.includes('/')) {
    const subnet = parseSubnet(text);
    return 'error' in subnet
      ? subnet
      : { kind: 'subnet', network: subnet.from, prefix: subnet.prefix };
  }
  if (looksLikeRange(text)) {
    const range = parseRange(text);
    return 'error' in range ? range : { kind: 'range', ...range };
  }
  if (FQDN.test(text) && !/^[\d.]+$/.test(text)) return { kind: 'fqdn', name: text.toLowerCase() };
  return { error: ADDRESS_EXPECTED };
}

/**
 * Whether `address` matches a spec (the manual: a responder accepts an
 * initiator whose source matches one of the addresses, subnets or ranges).
 * Host names never match here; the caller resolves them first.
 */
export function addressMatches(spec: AddressSpec, address: IpAddress): boolean {
  switch (spec.kind) {
    case 'any':
      return true;
    case 'ip':
      return spec.address.family === address.family && spec.address.text === address.text;
    case 'subnet': {
      if (spec.network.family !== address.family) return false;
      const bits = address.family === 4 ? 32 : 128;
      const shift = BigInt(bits - spec.prefix);
      return ipToBigInt(spec.network) >> shift === ipToBigInt(address) >> shift;
    }
    case 'range': {
      if (spec.from.family !== address.family) return false;
      const n = ipToBigInt(address);
      return n >= ipToBigInt(spec.from) && n <= ipToBigInt(spec.to);
    }
    case 'fqdn':
      return false;
  }
}

export function formatAddressSpec(spec: AddressSpec): string {
  switch (spec.kind) {
    case 'any':
      return '%any';
    case 'ip':
      return spec.address.text;
    case 'subnet':
      return `${spec.network.text}/${spec.prefix}`;
    case 'range':
      return `${spec.from.text}-${spec.to.text}`;
    case 'fqdn':
      return spec.name;
  }
}
