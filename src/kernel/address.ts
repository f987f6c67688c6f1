/**
 * IP address text <-> bytes, for the kernel codecs.
 *
 * The XFRM and rtnetlink structures carry addresses as raw bytes (4 for IPv4,
 * 16 for IPv6, in network order). The API of this module speaks text so that
 * specs and events read like `ip xfrm` output; IPv6 is printed in the RFC 5952
 * canonical form so that a decoded address compares equal to a normalised one.
 */
import { formatIp, parseIp } from '../wire/ip-address.js';

export type AddressFamily = 4 | 6;

/** Linux address family numbers (include/linux/socket.h). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

export function familyOf(address: string): AddressFamily {
  return addressToBytes(address).length === 4 ? 4 : 6;
}

export function afOf(family: AddressFamily): number {
  return family === 4 ? AF_INET : AF_INET6;
}

export function familyFromAf(af: number): AddressFamily | undefined {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  return undefined;
}

/** Parses an IPv4 or IPv6 address (a zone index is dropped) to 4 or 16 bytes. Throws TypeError on bad text. */
export function addressToBytes(address: string): Uint8Array {
  const zone = address.indexOf('%');
  const ip = parseIp(zone >= 0 && address.includes(':') ? address.slice(0, zone) : address);
  if (!ip) throw new TypeError(`not an IP address: ${JSON.stringify(address)}`);
  return ip.bytes;
}

/** Formats 4 or 16 bytes as an address (IPv6 per RFC 5952 §4). */
export function bytesToAddress(bytes: Uint8Array, family: AddressFamily): string {
  return formatIp(bytes.subarray(0, family === 4 ? 4 : 16));
}

/** The unspecified address of a family ("0.0.0.0" or "::"). */
export function anyAddress(family: AddressFamily): string {
  return family === 4 ? '0.0.0.0' : '::';
}

/** Normalises an address's text (e.g. "2001:DB8:0::1" -> "2001:db8::1"). */
export function normalizeAddress(address: string): string {
  return bytesToAddress(addressToBytes(address), familyOf(address));
}
