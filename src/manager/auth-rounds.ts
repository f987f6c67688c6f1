/**
 * The configuration's authentication rounds (`local`, `remote`, and the
 * manual's "Use Two Authentications": `local2`, `remote2`) as the engine's
 * `AuthRound`s: identities in wire form, certificates, keys, CAs and CRLs read
 * once from their files, EAP methods with their passwords and TLS settings.
 */

import { readFile } from 'node:fs/promises';
import {
  type LocalCredentials,
  loadCaCertificates,
  loadCrls,
  loadLocalCredentials,
} from '../auth/credentials.js';
import type { Crl } from '../auth/crl.js';
import type { EapTlsOptions } from '../auth/eap/tls.js';
import type { EapMethodName } from '../auth/eap-auth.js';
import { localIdentity } from '../auth/identity-config.js';
import type { Certificate } from '../auth/x509.js';
import type { Secret } from '../config/secret.js';
import type {
  AuthRound as ConfigAuthRound,
  ConnectionConfig,
  IdentitySpec,
} from '../config/types.js';
import {
  ANY_IDENTITY,
  type AuthRound,
  type EapSettings,
  type Identity,
  type TrustStore,
} from '../ikev2/connection.js';

/** What one round reads from files: our certificate and key, or the CAs for the peer's. */
export interface RoundCredentials {
  readonly own?: LocalCredentials;
  readonly trust?: TrustStore;
}

/** Every round's credentials, in the order of the configuration's rounds. */
export interface ConnectionCredentials {
  readonly local: readonly RoundCredentials[];
  readonly remote: readonly RoundCredentials[];
}

/** EAP users of the configuration (`eap_users`): passwords by EAP identity. */
export type EapUsers = readonly { readonly id: string; readonly password: Secret }[];

/** Rounds whose own side uses a certificate and key. */
const usesOwnCertificate = (r: ConfigAuthRound) => r.auth === 'pubkey' || r.auth === 'eap-tls';

/** A file in `cacerts` holds CA certificates or, with a `.crl` name or PEM label, a CRL. */
async function isCrlFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.crl')) return true;
  try {
    return (await readFile(path, 'latin1')).includes('-----BEGIN X509 CRL-----');
  } catch {
    return false; // the certificate loader reports the unreadable file
  }
}

async function loadTrust(
  files: readonly string[],
  crlFiles: readonly string[],
): Promise<TrustStore> {
  const trustAnchors: Certificate[] = [];
  const crls: Crl[] = [];
  for (const file of crlFiles) crls.push(...(await loadCrls(file)));
  for (const file of files) {
    if (await isCrlFile(file)) crls.push(...(await loadCrls(file)));
    else trustAnchors.push(...(await loadCaCertificates(file)));
  }
  return { trustAnchors, crls };
}

/**
 * Loads what the connection's certificate and EAP-TLS rounds need. Throws a
 * CredentialError naming the file (expired, wrong passphrase, key does not
 * match, ...).
 */
export async function loadConnectionCredentials(
  c: ConnectionConfig,
  now: Date = new Date(),
): Promise<ConnectionCredentials> {
  const local: RoundCredentials[] = [];
  for (const r of c.localAuth) {
    if (!usesOwnCertificate(r)) {
      local.push({});
      continue;
    }
    const own = await loadLocalCredentials({
      certFiles: r.certs,
      keyFile: r.key ?? '',
      ...(r.keyPassphrase ? { passphrase: r.keyPassphrase } : {}),
      now,
    });
    local.push({ own });
  }
  const remote: RoundCredentials[] = [];
  for (const r of c.remoteAuth)
    remote.push(usesOwnCertificate(r) ? { trust: await loadTrust(r.cacerts, r.crls) } : {});
  return { local, remote };
}

const EAP_METHODS: readonly EapMethodName[] = ['eap-md5', 'eap-mschapv2', 'eap-tls'];
const isEap = (auth: string): auth is EapMethodName =>
  (EAP_METHODS as readonly string[]).includes(auth);

/** An EAP identity setting as text (`any` is handled by the caller). */
function eapIdentityText(spec: IdentitySpec | undefined): string | undefined {
  return spec && 'value' in spec ? spec.value : undefined;
}

function tlsOptions(own: LocalCredentials, trust: TrustStore): EapTlsOptions {
  return {
    certificate: own.certificate,
    intermediates: own.intermediates,
    key: own.key,
    trustAnchors: trust.trustAnchors,
    crls: trust.crls,
    now: () => new Date(),
  };
}

/** The first trust store of the peer's rounds: the CAs for an EAP-TLS server's certificate. */
const peerTrust = (creds: ConnectionCredentials): TrustStore | undefined =>
  creds.remote.find((r) => r.trust)?.trust;

/** Our EAP round as the EAP peer: methods, identity, password or client certificate. */
function localEap(
  name: string,
  round: ConfigAuthRound & { auth: EapMethodName },
  own: LocalCredentials | undefined,
  creds: ConnectionCredentials,
): EapSettings {
  const identity = eapIdentityText(round.eapId);
  let tls: EapTlsOptions | undefined;
  if (round.auth === 'eap-tls') {
    const trust = peerTrust(creds);
    if (!own || !trust)
      throw new Error(
        `connection ${name}: auth eap-tls needs our certs and key and the remote round's cacerts (the EAP-TLS server's CA)`,
      );
    tls = tlsOptions(own, trust);
  }
  return {
    methods: [round.auth],
    ...(identity !== undefined && { identity }),
    ...(round.eapPassword && { password: round.eapPassword }),
    ...(tls && { tls }),
  };
}

/** The peer's EAP round, with us as the EAP server: users' passwords or our TLS server side. */
function remoteEap(
  name: string,
  round: ConfigAuthRound & { auth: EapMethodName },
  trust: TrustStore | undefined,
  creds: ConnectionCredentials,
  users: EapUsers,
): EapSettings {
  let tls: EapTlsOptions | undefined;
  if (round.auth === 'eap-tls') {
    // strongSwan: the EAP-TLS server presents the certificate of our own (pubkey) round.
    const own = creds.local.find((r) => r.own)?.own;
    if (!own || !trust)
      throw new Error(
        `connection ${name}: remote auth eap-tls needs a local round with our certificate (auth pubkey) and cacerts for the clients' certificates`,
      );
    tls = tlsOptions(own, trust);
  }
  const identity = eapIdentityText(round.eapId);
  return {
    methods: [round.auth],
    ...(round.eapId?.type === 'any' && { askIdentity: true }),
    ...(identity !== undefined && { identity }),
    passwords: (id) => users.find((u) => u.id === id)?.password,
    ...(tls && { tls }),
  };
}

/** Our round `i` (0 = `local`, 1 = `local2`). */
export function localRound(
  c: ConnectionConfig,
  i: number,
  creds: ConnectionCredentials,
  engineIdentity: (id: IdentitySpec) => Identity,
): AuthRound {
  const round = c.localAuth[i];
  if (!round) return { method: 'psk', id: ANY_IDENTITY };
  const own = creds.local[i]?.own;
  // The default identity is the certificate's subject, as strongSwan does.
  const certId = () => {
    const id = localIdentity(round.id, { certificate: own!.certificate });
    if ('error' in id) throw new Error(id.error);
    return id;
  };
  if (round.auth === 'pubkey') {
    if (!own) throw new Error(`connection ${c.name}: no certificate loaded for auth pubkey`);
    return { method: 'pubkey', id: certId(), credentials: own };
  }
  if (isEap(round.auth)) {
    const r = round as ConfigAuthRound & { auth: EapMethodName };
    const id = own && round.id.type === 'address' ? certId() : engineIdentity(round.id);
    return { method: 'eap', id, eap: localEap(c.name, r, own, creds) };
  }
  return { method: 'psk', id: engineIdentity(round.id) };
}

/** The peer's round `i` (0 = `remote`, 1 = `remote2`). */
export function remoteRound(
  c: ConnectionConfig,
  i: number,
  creds: ConnectionCredentials,
  engineIdentity: (id: IdentitySpec) => Identity,
  users: EapUsers,
): AuthRound {
  const round = c.remoteAuth[i];
  if (!round) return { method: 'psk', id: ANY_IDENTITY };
  const id = engineIdentity(round.id);
  // DNs compare attribute by attribute, and certificate peers may be matched by pattern.
  const idSpec = round.id.type === 'dn' || round.auth === 'pubkey' ? { idSpec: round.id } : {};
  const trust = creds.remote[i]?.trust;
  if (round.auth === 'pubkey' && trust) return { method: 'pubkey', id, ...idSpec, trust };
  if (isEap(round.auth)) {
    const r = round as ConfigAuthRound & { auth: EapMethodName };
    return { method: 'eap', id, ...idSpec, eap: remoteEap(c.name, r, trust, creds, users) };
  }
  return { method: 'psk', id, ...idSpec };
}
