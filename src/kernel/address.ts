/**
 * IP address text <-> bytes, for the kernel codecs.
 *
 * The XFRM and rtnetlink structures carry addresses as raw bytes (4 for IPv4,
 * 16 for IPv6, in network order). The API of this module speaks text so that
 * specs and events read like `ip xfrm` output; IPv6 is printed in the RFC 5952
 * canonical form so that a decoded address compares equal to a normalised one.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressFamily = 4 | 6;

/** Linux address family numbers (include/linux/socket.h). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export function familyOf(address: string): AddressFamily {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
}

export function afOf(family: AddressFamily): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function familyFromAf(af: number): AddressFamily | undefined {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  return undefined;
}

/** Parses an IPv4 or IPv6 address to 4 or 16 bytes. Throws TypeError on bad text. */
export function addressToBytes(address: string): Uint8Array {
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
  let text = address;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const words: number[] = [];
  const parseGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = group.split('.').map(Number);
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        out.push(Number.parseInt(group, 16));
      }
    }
    return out;
  };
  const gap = text.indexOf('::');
  if (gap >= 0) {
    const head = parseGroups(text.slice(0, gap));
    const tail = parseGroups(text.slice(gap + 2));
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    words.push(...parseGroups(text));
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

/** Formats 4 or 16 bytes as an address (IPv6 per RFC 5952 §4). */
export function bytesToAddress(bytes: Uint8Array, family: AddressFamily): string {
  if (family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  // RFC 5952 §4.2: compress the longest run of two or more zero words, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** The unspecified address of a family ("0.0.0.0" or "::"). */
export function anyAddress(family: AddressFamily): string {
  return family === 4 ? '0.0.0.0' : '::';
}

/** Normalises an address's text (e.g. "2001:DB8:0::1" -> "2001:db8::1"). */
export function normalizeAddress(address: string): string {
  return bytesToAddress(addressToBytes(address), familyOf(address));
}
