/**
 * IKE identities (RFC 7296 §3.5) as configured and as the engine compares
 * them: a type of their own, so the engine (src/ikev2) and the configuration
 * (src/config) both use it without one depending on the other.
 */

/** A relative distinguished name component, e.g. `{ type: 'CN', value: 'moon' }`. */
export interface Rdn {
  /** Upper-case short name (`C`, `O`, `CN`, ...) or a dotted OID for unknown types. */
  readonly type: string;
  readonly value: string;
}

/** An IKE identity (RFC 7296 §3.5) as configured. */
export type Identity =
  | { readonly type: 'ipv4'; readonly value: string }
  | { readonly type: 'ipv6'; readonly value: string }
  | { readonly type: 'fqdn'; readonly value: string }
  | { readonly type: 'rfc822'; readonly value: string }
  /** `value` is lower-case hex. */
  | { readonly type: 'keyid'; readonly value: string }
  /** `value` is the normalised text; `rdns` the parsed sequence (a `*` value matches any). */
  | { readonly type: 'dn'; readonly value: string; readonly rdns: readonly Rdn[] };

/**
 * An identity setting: a concrete identity, `any` (remote `%any`: accept every
 * identity), or `address` (the manual's "My IP Address" / "Peer IP Address": the
 * IP address the IKE_SA uses, filled in by the engine).
 */
export type IdentitySpec = Identity | { readonly type: 'any' } | { readonly type: 'address' };
