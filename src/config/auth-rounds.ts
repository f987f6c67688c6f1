/**
 * Authentication rounds: `local`, `remote` and, for the manual's "Use Two
 * Authentications" (RFC 4739), `local2` / `remote2`.
 */
import { IDENTITY_EXPECTED, parseIdentity } from './identity.js';
import { type ConfigReader, Fields, type YamlNode } from './reader.js';
import { readSecret, type SecretSource } from './secret-value.js';
import type { AuthMethod, AuthRound, IdentitySpec } from './types.js';

export const AUTH_METHODS: readonly AuthMethod[] = [
  'psk',
  'pubkey',
  'eap-md5',
  'eap-mschapv2',
  'eap-tls',
];

export const LOCAL_KEYS = [
  'auth',
  'id',
  'eap_id',
  'certs',
  'key',
  'key_passphrase',
  'eap_password',
];
export const REMOTE_KEYS = ['auth', 'id', 'eap_id', 'cacerts', 'crls'];

export function readIdentity(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
  text?: string,
): IdentitySpec | undefined {
  if (text !== undefined) {
    const parsed = parseIdentity(text);
    if ('error' in parsed) reader.error(node, path, `"${text}" is not allowed; ${parsed.error}`);
    return 'error' in parsed ? undefined : parsed;
  }
  return reader.parsed(node, path, IDENTITY_EXPECTED, parseIdentity);
}

function readFileList(reader: ConfigReader, node: YamlNode, path: string): string[] {
  return reader.list(node, path, (n, p, text) => text ?? reader.text(n, p, 'a file name')) ?? [];
}

export function readAuthRound(
  reader: ConfigReader,
  secrets: SecretSource,
  node: YamlNode,
  path: string,
  side: 'local' | 'remote',
): AuthRound | undefined {
  const entries = reader.map(node, path, side === 'local' ? LOCAL_KEYS : REMOTE_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  if (!f.has('auth')) {
    reader.error(node, path, `auth is required; expected one of ${AUTH_METHODS.join(', ')}`);
  }
  const auth = f.get('auth', (n, p) => reader.oneOf(n, p, AUTH_METHODS));
  const readId = (n: YamlNode, p: string) => readIdentity(reader, n, p);
  // strongSwan: the local identity defaults to our IP address, the remote one to %any.
  const id =
    f.get('id', readId) ??
    (side === 'local' ? { type: 'address' as const } : { type: 'any' as const });
  const eapId = f.get('eap_id', readId);
  const certs = f.get('certs', (n, p) => readFileList(reader, n, p)) ?? [];
  const cacerts = f.get('cacerts', (n, p) => readFileList(reader, n, p)) ?? [];
  const crls = f.get('crls', (n, p) => readFileList(reader, n, p)) ?? [];
  const key = f.get('key', (n, p) => reader.text(n, p, 'a file name'));
  const keyPassphrase = f.get('key_passphrase', (n, p) => readSecret(reader, secrets, n, p));
  const eapPassword = f.get('eap_password', (n, p) => readSecret(reader, secrets, n, p));
  if (auth === undefined) return undefined;

  const isEap = auth.startsWith('eap-');
  if (eapId !== undefined && !isEap)
    f.error('eap_id', `eap_id is only allowed with an eap-* auth method, not "${auth}"`);
  if (side === 'local') {
    const usesKey = auth === 'pubkey' || auth === 'eap-tls';
    if (usesKey && certs.length === 0)
      f.error('auth', `auth "${auth}" needs certs (our certificate) and key`);
    if (usesKey && key === undefined)
      f.error('auth', `auth "${auth}" needs key (our private key file)`);
    if (!usesKey && (key !== undefined || certs.length > 0)) {
      f.error(
        f.has('key') ? 'key' : 'certs',
        `certs and key are only allowed with auth pubkey or eap-tls, not "${auth}"`,
      );
    }
    if (keyPassphrase && key === undefined)
      f.error('key_passphrase', 'key_passphrase is only allowed together with key');
    const needsPassword = auth === 'eap-md5' || auth === 'eap-mschapv2';
    if (needsPassword && !eapPassword) f.error('auth', `auth "${auth}" needs eap_password`);
    if (!needsPassword && eapPassword)
      f.error(
        'eap_password',
        `eap_password is only allowed with eap-md5 or eap-mschapv2, not "${auth}"`,
      );
  } else if (crls.length > 0 && auth !== 'pubkey' && auth !== 'eap-tls') {
    f.error('crls', `crls are only allowed with auth pubkey or eap-tls, not "${auth}"`);
  } else if ((auth === 'pubkey' || auth === 'eap-tls') && cacerts.length === 0) {
    f.error(
      'auth',
      `auth "${auth}" needs cacerts (the CA certificates that may sign the peer's certificate)`,
    );
  }

  const round: AuthRound = {
    auth,
    id,
    certs,
    cacerts,
    crls,
    ...(eapId !== undefined && { eapId }),
    ...(key !== undefined && { key }),
    ...(keyPassphrase && { keyPassphrase }),
    ...(eapPassword && { eapPassword }),
  };
  return round;
}
