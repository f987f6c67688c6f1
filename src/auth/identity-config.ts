/**
 * A peer's IKE identity (IDi/IDr) against the configured remote identity:
 * `%any`, the peer's address, an exact identity, or a strongSwan-style
 * wildcard (`*.example.org`, `*@example.org`, a DN with `*` values).
 */
import type { IdentitySpec } from '../config/types.js';
import { IdType } from '../wire/ikev2/constants.js';
import { decodeDn, dnMatchesPattern } from './dn.js';
import { describeIdentity, type IkeIdentity, identityToWire } from './identity.js';
import { sameBytes } from './keys.js';

function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  if (!p.includes('*')) return p === v;
  // One leading `*` stands for any non-empty prefix, as strongSwan's identification matching.
  if (p.startsWith('*') && !p.slice(1).includes('*'))
    return v.length > p.length - 1 && v.endsWith(p.slice(1));
  return false;
}

export type IdentityMatch = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * `peerAddress` (4 or 16 octets) is needed for the `address` setting (the
 * manual's "Peer IP Address"): the peer's ID must then be that address.
 */
export function identityMatchesConfig(
  id: IkeIdentity,
  spec: IdentitySpec,
  peerAddress?: Uint8Array,
): IdentityMatch {
  const no = (): IdentityMatch => ({
    ok: false,
    reason: `peer identity ${describeIdentity(id)} does not match the configured remote identity`,
  });
  const text = () => new TextDecoder().decode(id.data);
  switch (spec.type) {
    case 'any':
      return { ok: true };
    case 'address': {
      const type = peerAddress?.length === 4 ? IdType.ID_IPV4_ADDR : IdType.ID_IPV6_ADDR;
      return peerAddress && id.type === type && sameBytes(id.data, peerAddress)
        ? { ok: true }
        : no();
    }
    case 'fqdn':
      return id.type === IdType.ID_FQDN &&
        wildcardMatch(spec.value.replace(/\.$/, ''), text().replace(/\.$/, ''))
        ? { ok: true }
        : no();
    case 'rfc822':
      return id.type === IdType.ID_RFC822_ADDR && wildcardMatch(spec.value, text())
        ? { ok: true }
        : no();
    case 'dn': {
      if (id.type !== IdType.ID_DER_ASN1_DN) return no();
      const dn = decodeDn(id.data);
      return dn && dnMatchesPattern(dn, spec.rdns) ? { ok: true } : no();
    }
    default: {
      const wire = identityToWire(spec);
      return wire && wire.type === id.type && sameBytes(wire.data, id.data) ? { ok: true } : no();
    }
  }
}
