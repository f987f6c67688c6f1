/**
 * The manager reads a `pubkey` connection's files once: our certificate,
 * intermediates and key, the CAs and CRLs; the local identity defaults to the
 * certificate's subject; a bad file stops with its name and the reason.
 */
import { describe, expect, it } from 'vitest';
import { formatDn } from '../../src/auth/dn.js';
import { describeIdentity } from '../../src/auth/identity.js';
import { parseConfig } from '../../src/config/load.js';
import type { ConnectionConfig } from '../../src/config/types.js';
import { buildEngineConnections } from '../../src/manager/engine-connection.js';
import { IdType } from '../../src/wire/ikev2/index.js';
import { NOW, pkiPath } from '../auth/test-pki.js';

function config(local: string, remote: string): ConnectionConfig {
  const yaml = [
    'connections:',
    '  gw:',
    '    version: 2',
    '    local_addrs: [192.0.2.1]',
    '    remote_addrs: [192.0.2.2]',
    '    proposals: [aes256gcm16-prfsha256-x25519]',
    `    local: { ${local} }`,
    `    remote: { ${remote} }`,
    '    children:',
    '      net:',
    '        esp_proposals: [aes256gcm16]',
    '',
  ].join('\n');
  const r = parseConfig(yaml, 'test.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config.connections[0]!;
}

const moonLocal = (key = 'moon-rsa.key') =>
  `auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}, ${pkiPath('inter.crt')}], key: ${pkiPath(key)}`;
const trustRemote = `auth: pubkey, id: "*.example.org", cacerts: [${pkiPath('root.crt')}, ${pkiPath('inter.crl')}]`;

describe('engine connections with certificates', () => {
  it('loads certificate, intermediate, key, CA and CRL; the identity is the subject DN', async () => {
    const c = config(moonLocal(), trustRemote);
    const [conn] = await buildEngineConnections([c], NOW);
    expect(conn!.local.method).toBe('pubkey');
    expect(conn!.local.credentials?.certificate.subjectText).toContain('CN=moon.example.org');
    expect(conn!.local.credentials?.intermediates.map((i) => formatDn(i.subject))).toEqual([
      'C=CH, O=Styx Test, OU=Gateways, CN=Styx Intermediate CA',
    ]);
    expect(conn!.local.id.type).toBe(IdType.ID_DER_ASN1_DN);
    expect(describeIdentity(conn!.local.id)).toBe('C=CH, O=Styx Test, CN=moon.example.org');
    expect(conn!.remote.method).toBe('pubkey');
    expect(conn!.remote.trust?.trustAnchors).toHaveLength(1);
    expect(conn!.remote.trust?.crls).toHaveLength(1);
    expect(conn!.remote.idSpec).toEqual({ type: 'fqdn', value: '*.example.org' });
  });

  it('a key that does not belong to the certificate names the connection and the key file', async () => {
    const c = config(moonLocal('sun-p256.key'), trustRemote);
    await expect(buildEngineConnections([c], NOW)).rejects.toThrow(
      `connection gw: ${pkiPath('sun-p256.key')}: the private key does not match the certificate`,
    );
  });

  it('an expired own certificate is refused with its file and date', async () => {
    const c = config(
      `auth: pubkey, certs: [${pkiPath('expired.crt')}], key: ${pkiPath('expired.key')}`,
      trustRemote,
    );
    await expect(buildEngineConnections([c], NOW)).rejects.toThrow(
      new RegExp(`connection gw: ${pkiPath('expired.crt')}: .*expired`),
    );
  });

  it('a missing CA file is named', async () => {
    const c = config(moonLocal(), `auth: pubkey, cacerts: [${pkiPath('no-such-ca.crt')}]`);
    await expect(buildEngineConnections([c], NOW)).rejects.toThrow(
      `${pkiPath('no-such-ca.crt')}: cannot read the file`,
    );
  });

  it('PSK connections load no files and keep their identities', async () => {
    const c = parseConfig(
      [
        'connections:',
        '  p:',
        '    version: 2',
        '    remote_addrs: [192.0.2.2]',
        '    proposals: [aes256gcm16-prfsha256-x25519]',
        '    local: { auth: psk, id: moon.example.org }',
        '    remote: { auth: psk, id: sun.example.org }',
        '    psk: { secret: a-long-enough-pre-shared-key-0123 }',
        '    children:',
        '      net:',
        '        esp_proposals: [aes256gcm16]',
        '',
      ].join('\n'),
      'psk.yaml',
    );
    if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('; '));
    const [conn] = await buildEngineConnections(c.config.connections, NOW);
    expect(conn!.local).toMatchObject({ method: 'psk' });
    expect(conn!.local.credentials).toBeUndefined();
    expect(describeIdentity(conn!.remote.id)).toBe('sun.example.org');
  });

  it('takes CRLs from their own crls key too', async () => {
    const remote = `auth: pubkey, id: "*.example.org", cacerts: [${pkiPath('root.crt')}], crls: [${pkiPath('inter.crl')}]`;
    const [conn] = await buildEngineConnections([config(moonLocal(), remote)], NOW);
    expect(conn!.remote.trust?.trustAnchors).toHaveLength(1);
    expect(conn!.remote.trust?.crls).toHaveLength(1);
  });
});

function withRounds(lines: readonly string[], top: readonly string[] = []) {
  const yaml = [
    ...top,
    'connections:',
    '  gw:',
    '    version: 2',
    '    remote_addrs: [192.0.2.2]',
    '    proposals: [aes256gcm16-prfsha256-x25519]',
    ...lines.map((l) => `    ${l}`),
    '    children:',
    '      net:',
    '        esp_proposals: [aes256gcm16]',
    '',
  ].join('\n');
  const r = parseConfig(yaml, 'eap.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.config;
}

describe('engine connections with EAP and two rounds', () => {
  it('an EAP client round carries its methods, EAP identity and password', async () => {
    const cfg = withRounds([
      `local: { ${moonLocal()} }`,
      'local2: { auth: eap-mschapv2, id: dave@example.org, eap_id: dave, eap_password: { secret: pw-1 } }',
      `remote: { ${trustRemote} }`,
    ]);
    const [conn] = await buildEngineConnections(cfg.connections, NOW, cfg.eapUsers);
    expect(conn!.local.method).toBe('pubkey');
    expect(conn!.local2?.method).toBe('eap');
    expect(conn!.local2?.eap?.methods).toEqual(['eap-mschapv2']);
    expect(conn!.local2?.eap?.identity).toBe('dave');
    expect(new TextDecoder().decode(conn!.local2?.eap?.password?.reveal())).toBe('pw-1');
    expect(describeIdentity(conn!.local2!.id)).toBe('dave@example.org');
  });

  it('an EAP server round looks passwords up in eap_users and asks the identity for %any', async () => {
    const cfg = withRounds(
      [`local: { ${moonLocal()} }`, 'remote: { auth: eap-md5, eap_id: "%any" }'],
      ['eap_users:', '  carol: { secret: carols-pw }'],
    );
    const [conn] = await buildEngineConnections(cfg.connections, NOW, cfg.eapUsers);
    const eap = conn!.remote.eap!;
    expect(eap.askIdentity).toBe(true);
    expect(new TextDecoder().decode(eap.passwords?.('carol')?.reveal())).toBe('carols-pw');
    expect(eap.passwords?.('mallory')).toBeUndefined();
  });

  it('an EAP-TLS server needs a certificate of ours: the error names the connection', async () => {
    const cfg = withRounds([
      'local: { auth: psk, id: sun.example.org }',
      `remote: { auth: eap-tls, cacerts: [${pkiPath('root.crt')}] }`,
      'psk: { secret: a-long-enough-pre-shared-key-0123 }',
    ]);
    await expect(buildEngineConnections(cfg.connections, NOW)).rejects.toThrow(
      /connection gw: remote auth eap-tls needs a local round with our certificate/,
    );
  });
});
