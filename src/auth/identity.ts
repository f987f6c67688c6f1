/**
 * IKE identities on the wire (RFC 7296 §3.5) and their match against a
 * certificate: the identity must be the certificate's subject DN or one of its
 * subjectAltNames, as strongSwan requires (no fallback to the subject CN).
 */
import { createHash } from 'node:crypto';
import { bytesToIp, ipToBytes, parseIpAddress } from '../config/addresses.js';
import type { Identity } from '../config/types.js';
import { IdType } from '../wire/ikev2/constants.js';
import { readDerSequence } from './der.js';
import { decodeDn, dnEquals, encodeDn, formatDn } from './dn.js';
import { sameBytes } from './keys.js';
import type { Certificate } from './x509.js';

/** An identity as carried in IDi/IDr: the ID type and the identification data. */
export interface IkeIdentity {
  readonly type: number;
  readonly data: Uint8Array;
}

const text = (d: Uint8Array) => new TextDecoder().decode(d);

function formatIp(data: Uint8Array): string {
  return data.length === 4 || data.length === 16 ? bytesToIp(data).text : '(malformed address)';
}

/** The identity as a log line shows it. */
export function describeIdentity(id: IkeIdentity): string {
  switch (id.type) {
    case IdType.ID_IPV4_ADDR:
    case IdType.ID_IPV6_ADDR:
      return formatIp(id.data);
    case IdType.ID_FQDN:
    case IdType.ID_RFC822_ADDR:
      return text(id.data);
    case IdType.ID_DER_ASN1_DN: {
      const dn = decodeDn(id.data);
      return dn ? formatDn(dn) : '(malformed DN)';
    }
    case IdType.ID_KEY_ID:
      return `keyid:${Buffer.from(id.data).toString('hex')}`;
    default:
      return `(ID type ${id.type}, ${id.data.length} octets)`;
  }
}

/** A configured identity in wire form; undefined for a DN with an attribute we cannot encode. */
export function identityToWire(id: Identity): IkeIdentity | undefined {
  switch (id.type) {
    case 'ipv4':
    case 'ipv6': {
      const ip = parseIpAddress(id.value);
      return ip
        ? {
            type: id.type === 'ipv4' ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR,
            data: ipToBytes(ip),
          }
        : undefined;
    }
    case 'fqdn':
      return { type: IdType.ID_FQDN, data: new TextEncoder().encode(id.value) };
    case 'rfc822':
      return { type: IdType.ID_RFC822_ADDR, data: new TextEncoder().encode(id.value) };
    case 'keyid':
      return { type: IdType.ID_KEY_ID, data: new Uint8Array(Buffer.from(id.value, 'hex')) };
    case 'dn': {
      const der = encodeDn(id.rdns);
      return der ? { type: IdType.ID_DER_ASN1_DN, data: der } : undefined;
    }
  }
}

/** The default local identity with a certificate: its subject DN (ID_DER_ASN1_DN). */
export function certificateIdentity(cert: Certificate): IkeIdentity {
  return { type: IdType.ID_DER_ASN1_DN, data: cert.subject.der.slice() };
}

/** Key identifiers a certificate answers to: its subjectKeyIdentifier and SHA-1 of the key. */
function keyIds(cert: Certificate): Uint8Array[] {
  const ids = [cert.spkiSha1];
  if (cert.subjectKeyId) ids.push(cert.subjectKeyId);
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
  const bitString = extractBitString(cert.publicKey.spki);
  if (bitString) ids.push(new Uint8Array(createHash('sha1').update(bitString).digest()));
  return ids;
}

function extractBitString(spki: Uint8Array): Uint8Array | undefined {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
  const bits = readDerSequence(spki)?.[1];
  return bits && bits.tag === 0x03 ? spki.subarray(bits.start + 1, bits.end) : undefined;
}

export type MatchResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Does `id` name the certificate? DN: equal to the subject (RDN by RDN,
 * case-insensitive) or to a directoryName SAN; FQDN and RFC 822: a dNSName /
 * rfc822Name SAN, case-insensitive; IP: an iPAddress SAN; KEY_ID: the key's
 * identifiers.
 */
export function certificateMatchesIdentity(cert: Certificate, id: IkeIdentity): MatchResult {
  const sans = cert.subjectAltNames;
  let ok = false;
  switch (id.type) {
    case IdType.ID_DER_ASN1_DN: {
      const dn = decodeDn(id.data);
      if (!dn) return { ok: false, reason: 'identity is a malformed DN' };
      ok = dnEquals(dn, cert.subject) || sans.some((s) => s.type === 'dn' && dnEquals(s.value, dn));
      break;
    }
    case IdType.ID_FQDN: {
      const name = text(id.data).toLowerCase().replace(/\.$/, '');
      ok = sans.some((s) => s.type === 'dns' && s.value.toLowerCase().replace(/\.$/, '') === name);
      break;
    }
    case IdType.ID_RFC822_ADDR: {
      const mail = text(id.data).toLowerCase();
      ok = sans.some((s) => s.type === 'email' && s.value.toLowerCase() === mail);
      break;
    }
    case IdType.ID_IPV4_ADDR:
    case IdType.ID_IPV6_ADDR:
      ok = sans.some((s) => s.type === 'ip' && sameBytes(s.value, id.data));
      break;
    case IdType.ID_KEY_ID:
      ok = keyIds(cert).some((k) => sameBytes(k, id.data));
      break;
    default:
      return {
        ok: false,
        reason: `identity of ID type ${id.type} cannot be matched to a certificate`,
      };
  }
  return ok
    ? { ok }
    : { ok, reason: `identity ${describeIdentity(id)} not in certificate "${cert.subjectText}"` };
}
