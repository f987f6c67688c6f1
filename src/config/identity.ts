/**
 * IKE identities (RFC 7296 §3.5) in the forms swanctl.conf accepts, parsed into
 * typed identities; distinguished names into an RDN sequence that can be
 * compared for matching.
 */
import { parseIpAddress } from './addresses.js';
import type { Identity, IdentitySpec, Rdn } from './types.js';

export const IDENTITY_EXPECTED =
  'expected an IP address, a host name (FQDN), user@fqdn, a DN such as "C=CH, O=Example, CN=moon", keyid:<hex>, %any or %address';

/** Attribute short names and the OIDs (RFC 4519, RFC 2985) they stand for. */
const RDN_TYPES: readonly (readonly [name: string, oid: string, aliases: readonly string[]])[] = [
  ['C', '2.5.4.6', ['countryname']],
  ['ST', '2.5.4.8', ['s', 'stateorprovincename']],
  ['L', '2.5.4.7', ['localityname']],
  ['O', '2.5.4.10', ['organizationname']],
  ['OU', '2.5.4.11', ['organizationalunitname']],
  ['CN', '2.5.4.3', ['commonname']],
  ['SN', '2.5.4.4', ['surname']],
  ['SERIALNUMBER', '2.5.4.5', []],
  ['STREET', '2.5.4.9', []],
  ['T', '2.5.4.12', ['title']],
  ['G', '2.5.4.42', ['gn', 'givenname']],
  ['I', '2.5.4.43', ['initials']],
  ['DNQ', '2.5.4.46', ['dnqualifier']],
  ['PSEUDONYM', '2.5.4.65', []],
  ['E', '1.2.840.113549.1.9.1', ['email', 'emailaddress']],
  ['UID', '0.9.2342.19200300.100.1.1', ['userid']],
  ['DC', '0.9.2342.19200300.100.1.25', ['domaincomponent']],
];

function normaliseRdnType(type: string): string | undefined {
  const lower = type.toLowerCase();
  for (const [name, oid, aliases] of RDN_TYPES) {
    if (lower === name.toLowerCase() || lower === oid || aliases.includes(lower)) return name;
  }
  return /^\d+(\.\d+)+$/.test(type) ? type : undefined;
}

/** Splits a DN on `,`, `;` or (OpenSSL style, leading `/`) `/`, honouring `\` escapes and quotes. */
function splitDn(text: string): string[] | undefined {
  const slashStyle = text.startsWith('/');
  const body = slashStyle ? text.slice(1) : text;
  const separators = slashStyle ? '/' : ',;';
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\') {
      if (i + 1 >= body.length) return undefined;
      current += body[++i];
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && separators.includes(ch)) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) return undefined;
  parts.push(current);
  return parts;
}

export function parseDn(text: string): { rdns: Rdn[]; value: string } | { error: string } {
  const parts = splitDn(text);
  if (!parts) return { error: 'expected a DN with balanced quotes and escapes' };
  const rdns: Rdn[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    const type = normaliseRdnType(part.slice(0, eq).trim());
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !value)
      return { error: 'expected a DN of type=value parts such as "C=CH, O=Example, CN=moon"' };
    if (!type)
      return {
        error: `expected a known attribute type (C, ST, L, O, OU, CN, E, DC, UID, ...) or an OID in the DN, found "${part.slice(0, eq).trim()}"`,
      };
    rdns.push({ type, value });
  }
  const escapeValue = (v: string) => v.replace(/([,;\\"])/g, '\\$1');
  return { rdns, value: rdns.map((r) => `${r.type}=${escapeValue(r.value)}`).join(', ') };
}

const HOST_NAME = /^\*?[a-z0-9._-]*[a-z0-9]\.?$/i;

function parseKeyId(hexText: string): Identity | { error: string } {
  const hex = hexText.replace(/^#|^0x/i, '').replace(/:/g, '');
  if (!hex || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) {
    return { error: 'expected keyid: followed by an even number of hex digits' };
  }
  return { type: 'keyid', value: hex.toLowerCase() };
}

function parseTyped(prefix: string, rest: string): IdentitySpec | { error: string } | undefined {
  switch (prefix) {
    case 'ipv4':
    case 'ipv6': {
      const ip = parseIpAddress(rest);
      if (!ip || `ipv${ip.family}` !== prefix)
        return { error: `expected an ${prefix.toUpperCase()} address after ${prefix}:` };
      return { type: prefix, value: ip.text };
    }
    case 'fqdn':
      return HOST_NAME.test(rest)
        ? { type: 'fqdn', value: rest }
        : { error: 'expected a host name after fqdn:' };
    case 'email':
    case 'rfc822':
    case 'userfqdn':
      return rest.includes('@')
        ? { type: 'rfc822', value: rest }
        : { error: 'expected user@fqdn after email:' };
    case 'keyid':
      return parseKeyId(rest);
    case 'dn':
    case 'asn1dn': {
      const dn = parseDn(rest);
      return 'error' in dn ? dn : { type: 'dn', ...dn };
    }
    default:
      return undefined;
  }
}

/** Parses an identity setting as swanctl.conf does (`local.id`, `remote.id`). */
export function parseIdentity(text: string): IdentitySpec | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '%any' || trimmed === '*') return { type: 'any' };
  if (trimmed === '%address') return { type: 'address' };
  const colon = /^([a-z0-9]+):(.*)$/i.exec(trimmed);
  if (colon) {
    const typed = parseTyped(colon[1]!.toLowerCase(), colon[2]!);
    if (typed) return typed;
  }
  const ip = parseIpAddress(trimmed);
  if (ip) return { type: ip.family === 4 ? 'ipv4' : 'ipv6', value: ip.text };
  if (trimmed.startsWith('@#')) return parseKeyId(trimmed.slice(2));
  if (trimmed.startsWith('@')) {
    const name = trimmed.slice(1);
    return name ? { type: 'fqdn', value: name } : { error: IDENTITY_EXPECTED };
  }
  if (trimmed.includes('=')) {
    const dn = parseDn(trimmed);
    return 'error' in dn ? dn : { type: 'dn', ...dn };
  }
  if (/^[^@\s]+@[^@\s]+$/.test(trimmed)) return { type: 'rfc822', value: trimmed };
  if (HOST_NAME.test(trimmed)) return { type: 'fqdn', value: trimmed };
  return { error: IDENTITY_EXPECTED };
}

/** RFC 4518-style comparison, simplified: case-insensitive, inner whitespace collapsed. */
function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return norm(a) === norm(b);
}

/** Whether a DN matches a pattern DN: same types in the same order; `*` matches any value. */
export function dnMatches(pattern: readonly Rdn[], dn: readonly Rdn[]): boolean {
  if (pattern.length !== dn.length) return false;
  return pattern.every((p, i) => {
    const other = dn[i]!;
    return p.type === other.type && (p.value === '*' || sameText(p.value, other.value));
  });
}

/** A leading `*` wildcard: `*.example.org`, `*@example.org`. */
function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.startsWith('*')) return sameText(pattern, value);
  const suffix = pattern.slice(1).toLowerCase();
  return value.toLowerCase().endsWith(suffix);
}

/**
 * Whether a peer's identity satisfies a configured one. `address` must be
 * replaced by the caller with the concrete IP identity before matching.
 */
export function identityMatches(pattern: IdentitySpec, id: Identity): boolean {
  if (pattern.type === 'any') return true;
  if (pattern.type === 'address' || pattern.type !== id.type) return false;
  if (pattern.type === 'dn' && id.type === 'dn') return dnMatches(pattern.rdns, id.rdns);
  if (pattern.type === 'fqdn' || pattern.type === 'rfc822')
    return wildcardMatches(pattern.value, id.value);
  return pattern.value === id.value;
}

export function formatIdentity(id: IdentitySpec): string {
  switch (id.type) {
    case 'any':
      return '%any';
    case 'address':
      return '%address';
    case 'keyid':
      return `keyid:${id.value}`;
    default:
      return id.value;
  }
}
