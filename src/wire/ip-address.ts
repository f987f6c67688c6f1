/**
 * IP address text <-> octets, the one parser and formatter the codecs, the
 * configuration, the engine and the kernel interface share. Parsing accepts
 * dotted-quad IPv4 (no leading zeros, as inet_pton) and IPv6 text per RFC 4291
 * §2.2 (with `::` and an embedded IPv4 tail, without a zone index); formatting
 * gives RFC 5952 §4's canonical IPv6 text (lower case, no leading zeros, the
 * first longest run of two or more zero groups as `::`).
 */

export type IpFamily = 4 | 6;

export interface IpOctets {
  readonly family: IpFamily;
  /** 4 or 16 octets in network order. */
  readonly bytes: Uint8Array;
}

const DECIMAL_OCTET = /^(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!DECIMAL_OCTET.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** Hex groups as 16-bit words; an IPv4 tail counts as two (only where `last`). */
function words(part: string, last: boolean): number[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (last && i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIpv4(g);
      if (!v4) return undefined;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(g)) {
      out.push(Number.parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const left = words(halves[0]!, halves.length === 1);
  const right = halves.length === 2 ? words(halves[1]!, true) : [];
  if (!left || !right) return undefined;
  const missing = 8 - left.length - right.length;
  // `::` stands for at least one zero group; without it all eight are written.
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** The family and octets of an address's text, or undefined when it is none. */
export function parseIp(text: string): IpOctets | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes && { family: 6, bytes };
  }
  const bytes = parseIpv4(text);
  return bytes && { family: 4, bytes };
}

/** 4 or 16 octets as text: dotted quad, or RFC 5952 §4 canonical IPv6. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16)
    throw new TypeError(`an IP address has 4 or 16 octets, not ${bytes.length}`);
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952 §4.2: the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
