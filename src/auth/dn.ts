/**
 * Distinguished names (RFC 5280 §4.1.2.4): decoding the DER Name into its RDN
 * sequence, printing it strongSwan-style ("C=CH, O=Example, CN=moon"),
 * comparing two names RDN by RDN, matching a configured DN pattern (a `*`
 * value matches anything, as in strongSwan), and encoding a configured DN as
 * DER for ID_DER_ASN1_DN (RFC 7296 §3.5).
 */
import type { Rdn } from '../config/types.js';
import { concatAll, derTlv, readDerElement } from './der.js';

export interface DnAttribute {
  /** Dotted OID of the attribute type. */
  readonly oid: string;
  /** The value as text (undefined for values that are not a string type). */
  readonly value: string;
  /** The ASN.1 tag of the value (0x13 PrintableString, 0x0c UTF8String, ...). */
  readonly tag: number;
}

export interface DistinguishedName {
  readonly der: Uint8Array;
  /** The RDN sequence; each RDN is a set of one (usually) or more attributes. */
  readonly rdns: readonly (readonly DnAttribute[])[];
}

/** Short names for printing and parsing (RFC 4519, RFC 2985), as strongSwan prints them. */
const SHORT_NAMES: readonly (readonly [oid: string, name: string])[] = [
  ['2.5.4.6', 'C'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.7', 'L'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.3', 'CN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'SERIALNUMBER'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.12', 'T'],
  ['2.5.4.42', 'G'],
  ['2.5.4.43', 'I'],
  ['2.5.4.46', 'DNQ'],
  ['2.5.4.65', 'PSEUDONYM'],
  ['1.2.840.113549.1.9.1', 'E'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
];

export function attributeName(oid: string): string {
  return SHORT_NAMES.find(([o]) => o === oid)?.[1] ?? oid;
}

function attributeOid(name: string): string | undefined {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  const upper = name.toUpperCase();
  return SHORT_NAMES.find(([, n]) => n === upper)?.[0];
}

export function decodeOid(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  if (bytes[bytes.length - 1]! & 0x80) return undefined;
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const chunk: number[] = [v & 0x7f];
    for (let rest = Math.floor(v / 128); rest > 0; rest = Math.floor(rest / 128)) {
      chunk.unshift((rest & 0x7f) | 0x80);
    }
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}

/** The text of a directory string value (X.520 DirectoryString, IA5String, ...). */
function decodeStringValue(tag: number, bytes: Uint8Array): string {
  switch (tag) {
    case 0x1e: {
      // BMPString: UCS-2 big-endian
      let s = '';
      for (let i = 0; i + 1 < bytes.length; i += 2)
        s += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
      return s;
    }
    case 0x1c: {
      // UniversalString: UCS-4 big-endian
      let s = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        s += String.fromCodePoint(
          ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0,
        );
      }
      return s;
    }
    case 0x14: // T61String: latin1 is what everyone does in practice
      return new TextDecoder('latin1').decode(bytes);
    default:
      return new TextDecoder().decode(bytes);
  }
}

/** Decodes a DER Name; undefined when it is not one. */
export function decodeDn(der: Uint8Array): DistinguishedName | undefined {
  const outer = readDerElement(der);
  if (outer?.tag !== 0x30 || outer.end !== der.length) return undefined;
  const rdns: DnAttribute[][] = [];
  for (let pos = outer.start; pos < outer.end; ) {
    const set = readDerElement(der, pos);
    if (set?.tag !== 0x31 || set.end > outer.end) return undefined;
    const rdn: DnAttribute[] = [];
    for (let apos = set.start; apos < set.end; ) {
      const atv = readDerElement(der, apos);
      if (atv?.tag !== 0x30 || atv.end > set.end) return undefined;
      const type = readDerElement(der, atv.start);
      if (type?.tag !== 0x06 || type.end > atv.end) return undefined;
      const value = readDerElement(der, type.end);
      if (!value || value.end !== atv.end) return undefined;
      const oid = decodeOid(der.subarray(type.start, type.end));
      if (!oid) return undefined;
      rdn.push({
        oid,
        tag: value.tag,
        value: decodeStringValue(value.tag, der.subarray(value.start, value.end)),
      });
      apos = atv.end;
    }
    if (rdn.length === 0) return undefined;
    rdns.push(rdn);
    pos = set.end;
  }
  return { der: der.slice(), rdns };
}

/** "C=CH, O=Styx Test, CN=moon" (multi-valued RDNs joined with " + "). */
export function formatDn(dn: DistinguishedName): string {
  return dn.rdns
    .map((rdn) => rdn.map((a) => `${attributeName(a.oid)}=${a.value}`).join(' + '))
    .join(', ');
}

/**
 * Values compare case-insensitively with insignificant spaces removed: X.520
 * gives nearly every naming attribute caseIgnoreMatch (and caseIgnoreIA5Match
 * for emailAddress and domainComponent); RFC 4518 §2.6.1 folds spaces.
 */
export function normaliseDnValue(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function attributesEqual(a: DnAttribute, b: DnAttribute): boolean {
  return a.oid === b.oid && normaliseDnValue(a.value) === normaliseDnValue(b.value);
}

/** RFC 5280 §7.1: same RDN sequence; within an RDN the attribute set is unordered. */
export function dnEquals(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.rdns.length !== b.rdns.length) return false;
  return a.rdns.every((rdnA, i) => {
    const rdnB = b.rdns[i]!;
    return (
      rdnA.length === rdnB.length && rdnA.every((x) => rdnB.some((y) => attributesEqual(x, y)))
    );
  });
}

/**
 * A configured DN (from `config/identity.ts`, one attribute per RDN) against a
 * certificate's DN: same sequence of types, and each value equal or `*`
 * (strongSwan's wildcard).
 */
export function dnMatchesPattern(dn: DistinguishedName, pattern: readonly Rdn[]): boolean {
  const flat = dn.rdns.flat();
  if (flat.length !== pattern.length) return false;
  return pattern.every((p, i) => {
    const attr = flat[i]!;
    if (attributeOid(p.type) !== attr.oid) return false;
    return p.value === '*' || normaliseDnValue(p.value) === normaliseDnValue(attr.value);
  });
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const IA5_ATTRIBUTES = new Set(['1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.25']);

/**
 * DER for a configured DN (ID_DER_ASN1_DN data): PrintableString where the value
 * allows it, IA5String for E and DC, UTF8String otherwise, as strongSwan does.
 * Undefined for an attribute type it does not know.
 */
export function encodeDn(rdns: readonly Rdn[]): Uint8Array | undefined {
  const sets: Uint8Array[] = [];
  for (const rdn of rdns) {
    const oid = attributeOid(rdn.type);
    if (!oid) return undefined;
    const bytes = new TextEncoder().encode(rdn.value);
    const ascii = [...rdn.value].every((ch) => ch.charCodeAt(0) < 0x80);
    const tag = IA5_ATTRIBUTES.has(oid) && ascii ? 0x16 : PRINTABLE.test(rdn.value) ? 0x13 : 0x0c;
    const atv = derTlv(0x30, concatAll([derTlv(0x06, encodeOid(oid)), derTlv(tag, bytes)]));
    sets.push(derTlv(0x31, atv));
  }
  return derTlv(0x30, concatAll(sets));
}
