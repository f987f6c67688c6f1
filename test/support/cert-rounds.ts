/**
 * Authentication rounds with the test PKI (test-vectors/auth/pki) for the
 * engine tests: our certificate and key, or the CAs the peer's must chain to.
 */
import { identityToWire } from '../../src/auth/identity.js';
import { localIdentity } from '../../src/auth/identity-config.js';
import { parseIdentity } from '../../src/config/identity.js';
import type { IdentitySpec } from '../../src/config/types.js';
import type { AuthRound } from '../../src/ikev2/connection.js';
import { cert, crl, key } from '../auth/test-pki.js';

export const spec = (text: string): IdentitySpec => {
  const s = parseIdentity(text);
  if ('error' in s) throw new Error(s.error);
  return s;
};

/** Our certificate `name` (under the intermediate) as a local round; `id` defaults to its subject. */
export function ownRound(name: string, id = 'address', intermediates = [cert('inter')]): AuthRound {
  const certificate = cert(name);
  const ident = localIdentity(id === 'address' ? { type: 'address' } : spec(id), { certificate });
  if ('error' in ident) throw new Error(ident.error);
  return {
    method: 'pubkey',
    id: ident,
    credentials: { certificate, intermediates, key: key(name) },
  };
}

/** A remote round that trusts the test root (and the intermediate's CRL). */
export function trustRound(id: string, anchors = [cert('root')]): AuthRound {
  const s = spec(id);
  return {
    method: 'pubkey',
    id: identityToWire(s as Parameters<typeof identityToWire>[0])!,
    // As the manager builds it: the configured form, for DN and wildcard matching.
    idSpec: s,
    trust: { trustAnchors: anchors, crls: [crl('inter.crl')] },
  };
}
