/**
 * Identities as carried in IDi/IDr (RFC 7296 §3.5): building them from
 * configuration, comparing them with what the peer sent, and printing them.
 */

import { describeIdentity } from '../auth/identity.js';
import { IdType } from '../wire/ikev2/index.js';
import { ANY_IDENTITY, type Identity } from './connection.js';
import { formatAddress, parseAddress } from './traffic-selectors.js';

const text = new TextEncoder();
const untext = new TextDecoder();

/** An identity of the address's family (ID_IPV4_ADDR or ID_IPV6_ADDR). */
export function addressIdentity(address: string): Identity {
  const a = parseAddress(address);
  if (!a) return { type: IdType.ID_FQDN, data: text.encode(address) };
  return { type: a.family === 4 ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR, data: a.bytes };
}

export function fqdnIdentity(name: string): Identity {
  return { type: IdType.ID_FQDN, data: text.encode(name) };
}

export function isAnyIdentity(id: Identity): boolean {
  return id.type === ANY_IDENTITY.type;
}

/** Exact match of type and octets; `%any` in configuration matches everything. */
export function identityMatches(configured: Identity, received: Identity): boolean {
  if (isAnyIdentity(configured)) return true;
  if (configured.type !== received.type) return false;
  if (configured.type === IdType.ID_FQDN || configured.type === IdType.ID_RFC822_ADDR) {
    // DNS names compare case-insensitively (RFC 4343).
    return (
      untext.decode(configured.data).toLowerCase() === untext.decode(received.data).toLowerCase()
    );
  }
  return Buffer.from(configured.data).equals(Buffer.from(received.data));
}

/** The ID payload body after the generic header: type, three reserved octets, data. */
export function identityBody(id: Identity): Uint8Array {
  const out = new Uint8Array(4 + id.data.length);
  out[0] = id.type;
  out.set(id.data, 4);
  return out;
}

export function formatIdentity(id: Identity): string {
  switch (id.type) {
    case 0:
      return '%any';
    case IdType.ID_IPV4_ADDR:
    case IdType.ID_IPV6_ADDR:
      return formatAddress(id.data);
    case IdType.ID_FQDN:
    case IdType.ID_RFC822_ADDR:
      return untext.decode(id.data);
    case IdType.ID_KEY_ID:
      return `keyid:${Buffer.from(id.data).toString('hex')}`;
    case IdType.ID_DER_ASN1_DN:
      return describeIdentity(id);
    default:
      return `type${id.type}:${Buffer.from(id.data).toString('hex')}`;
  }
}
