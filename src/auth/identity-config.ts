/**
 * A peer's IKE identity (IDi/IDr) against the configured remote identity:
 * `%any`, the peer's address, an exact identity, or a strongSwan-style
 * wildcard (`*.example.org`, `*@example.org`, a DN with `*` values).
 */
import type { IdentitySpec } from '../config/types.js';
import { IdType } from '../wire/ikev2/constants.js';
import { decodeDn, dnEquals, dnMatchesPattern } from './dn.js';
import {
  certificateIdentity,
  describeIdentity,
  type IkeIdentity,
  identityToWire,
} from './identity.js';
import { sameBytes } from './keys.js';
import type { Certificate } from './x509.js';

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

/**
 * Our identity for IDi/IDr. With a certificate, the default (`address`, what the
 * configuration yields when `id` is not set) is the certificate's subject DN, as
 * strongSwan does; a configured DN equal to the subject is sent as the
 * certificate's own DER, so peers comparing octets agree. Without a certificate,
 * `address` is our IP address (`localAddress`, 4 or 16 octets).
 */
export function localIdentity(
  spec: IdentitySpec,
  opts: { readonly certificate?: Certificate; readonly localAddress?: Uint8Array } = {},
): IkeIdentity | { error: string } {
  const cert = opts.certificate;
  switch (spec.type) {
    case 'any':
      return { error: 'the local identity cannot be %any' };
    case 'address':
      if (cert) return certificateIdentity(cert);
      if (opts.localAddress?.length === 4)
        return { type: IdType.ID_IPV4_ADDR, data: opts.localAddress };
      if (opts.localAddress?.length === 16)
        return { type: IdType.ID_IPV6_ADDR, data: opts.localAddress };
      return { error: 'no local address for the default identity' };
    default: {
      const wire = identityToWire(spec);
      if (!wire) return { error: `cannot encode the local identity "${spec.value}"` };
      if (cert && wire.type === IdType.ID_DER_ASN1_DN) {
        const dn = decodeDn(wire.data);
        if (dn && dnEquals(dn, cert.subject)) return certificateIdentity(cert);
      }
      return wire;
    }
  }
}
