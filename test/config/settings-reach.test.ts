/**
 * No setting is silently ignored: the test walks every key of the schema
 * (the key lists the reader itself enforces) and fails when one has no entry
 * here, and for each entry checks that a non-default value either changes
 * what the daemon does (the engine's connection, the manager's policy and
 * endpoints, the kernel state of the appliance features, the engine options)
 * or is refused at load with "not supported yet".
 */

import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { PING_CHECK_KEYS } from '../../src/config/appliance.js';
import { LOCAL_KEYS, REMOTE_KEYS } from '../../src/config/auth-rounds.js';
import { CHILD_KEYS } from '../../src/config/child.js';
import {
  CONNECTION_KEYS,
  DPD_KEYS,
  XFRM_INTERFACE_KEYS,
  XFRM_ROUTE_KEYS,
} from '../../src/config/connection.js';
import { DAEMON_KEYS, LOG_KEYS, RETRANSMIT_KEYS } from '../../src/config/daemon-settings.js';
import { formatConfigError, parseConfig } from '../../src/config/index.js';
import { TOP_KEYS } from '../../src/config/load.js';
import { isSecret } from '../../src/config/secret.js';
import { engineOptions } from '../../src/daemon/styxd.js';
import { MemoryKernel } from '../../src/kernel/memory-kernel.js';
import { applianceFeatures } from '../../src/manager/appliance/index.js';
import { buildManagedConnections } from '../../src/manager/engine-connection.js';
import { NOW, PASSPHRASE, pkiPath } from '../auth/test-pki.js';

/** Lines of one YAML level as `key: flow value`, a sample overriding the base by key. */
type Lines = Record<string, string>;

interface Sample {
  readonly conn?: Lines;
  readonly child?: Lines;
  readonly daemon?: Lines;
  readonly top?: Lines;
  /** Applied to the base first, so the sample changes one nested key only. */
  readonly base?: Omit<Sample, 'base' | 'expect'>;
  readonly expect: 'reaches' | 'refused';
}

const BASE_CONN: Lines = {
  remote_addrs: '[192.0.2.2]',
  local: '{ auth: psk, id: moon.example.org }',
  remote: '{ auth: psk, id: sun.example.org }',
  psk: '{ secret: "base-secret-value" }',
};
const BASE_CHILD: Lines = { local_ts: '[10.1.0.0/16]', remote_ts: '[10.2.0.0/16]' };

const backup = `  backup:
    remote_addrs: [198.51.100.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: x
`;

function render(s: Omit<Sample, 'expect'>): string {
  const merge = (base: Lines, ...more: (Lines | undefined)[]) => Object.assign({}, base, ...more);
  const conn = merge(BASE_CONN, s.base?.conn, s.conn);
  const child = merge(BASE_CHILD, s.base?.child, s.child);
  const daemon = merge({}, s.base?.daemon, s.daemon);
  const top = merge({}, s.base?.top, s.top);
  const lines = (l: Lines, indent: string) =>
    Object.entries(l).map(([k, v]) => `${indent}${k}: ${v}\n`);
  let text = '';
  if (Object.keys(daemon).length > 0) text += `daemon:\n${lines(daemon, '  ').join('')}`;
  text += `connections:\n  gw:\n${lines(conn, '    ').join('')}`;
  if (!('children' in conn))
    text += `    children:\n      net:\n${lines(child, '        ').join('')}`;
  text += backup;
  text += lines(top, '').join('');
  return text;
}

const eapLookup = (round: unknown) =>
  (round as { eap?: { passwords?: (id: string) => unknown } }).eap?.passwords;

/** Everything a configuration makes the daemon do, as one string; a failure is an effect too. */
async function effects(text: string): Promise<string> {
  const r = parseConfig(text, 'styx.yaml');
  if (!r.ok) return `invalid: ${r.errors.map(formatConfigError).join('; ')}`;
  try {
    const conns = await buildManagedConnections(r.config, NOW);
    const kernel = new MemoryKernel();
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.254' });
    const restarts: string[] = [];
    const nftScripts: string[] = [];
    const features = applianceFeatures(
      kernel,
      () => undefined,
      {
        mark: r.config.daemon.firewallMark,
        ikePort: r.config.daemon.ikePort,
        natTPort: r.config.daemon.natTPort,
      },
      async (script) => void nftScripts.push(script),
    );
    for (const f of features) {
      f.attach?.({
        restart: async (name) => void restarts.push(name),
        standbyChanged: async () => undefined,
      });
      await f.configure(conns);
      for (const c of conns) await f.up?.(c, undefined as never);
    }
    const links = await kernel.listLinks();
    const routes = await kernel.listRoutes();
    // What the features do when the default gateway changes.
    await kernel
      .addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.253', metric: 0, table: 254 })
      .catch(() => undefined);
    await kernel.deleteRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.254' });
    await new Promise((r) => setTimeout(r, 250));
    for (const f of features) await f.stop();
    return JSON.stringify(
      {
        conns: conns.map((c) => ({ engine: c.engine, policy: c.policy, endpoints: c.endpoints })),
        links,
        routes,
        restarts,
        nftScripts,
        engine: engineOptions(r.config.daemon),
        // The EAP server's user table is a lookup: ask it for the sample's user.
        eapPasswords: conns.map((c) => eapLookup(c.engine.remote)?.('carol')),
      },
      function (this: Record<string, unknown>, key: string, value: unknown) {
        // A secret's toJSON redacts it: look at the value before that, by its hash.
        const raw = this[key];
        if (isSecret(raw)) return `secret:${bytesToHex(sha256(raw.reveal()))}`;
        if (value instanceof Uint8Array) return bytesToHex(value);
        return value;
      },
    );
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  }
}

const eapLocal = '{ auth: eap-md5, id: moon.example.org, eap_password: { secret: pw } }';
const certLocal = (extra = '') =>
  `{ auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}], key: ${pkiPath('moon-rsa.key')}${extra} }`;
const certRemote = (extra = '') =>
  `{ auth: pubkey, id: "*.example.org", cacerts: [${pkiPath('root.crt')}]${extra} }`;
const xfrm = (inner: string) => ({ conn: { xfrm_interface: `{ if_id: 42${inner} }` } });

/** One sample per key of the schema, by its path. */
const SAMPLES: Record<string, Sample> = {
  // Top level.
  daemon: { daemon: { half_open_limit: '50' }, expect: 'reaches' },
  connections: { conn: { remote_addrs: '[192.0.2.9]' }, expect: 'reaches' },
  eap_users: {
    base: { conn: { remote: '{ auth: eap-md5, eap_id: "%any" }' } },
    top: { eap_users: '{ carol: { secret: pw } }' },
    expect: 'reaches',
  },
  // daemon (socket, log and ike_port: see the styxd test below).
  'daemon.socket': { daemon: { socket: '/run/other.sock' }, expect: 'reaches' },
  'daemon.log': { daemon: { log: '{ level: debug }' }, expect: 'reaches' },
  'daemon.log.level': { daemon: { log: '{ level: debug }' }, expect: 'reaches' },
  'daemon.log.format': { daemon: { log: '{ format: json }' }, expect: 'reaches' },
  'daemon.log.subsystems': { daemon: { log: '{ subsystems: { ike: debug } }' }, expect: 'reaches' },
  'daemon.ike_port': { daemon: { ike_port: '1500' }, expect: 'reaches' },
  'daemon.nat_t_port': { daemon: { nat_t_port: '14500' }, expect: 'reaches' },
  'daemon.cookie_threshold': { daemon: { cookie_threshold: '5' }, expect: 'reaches' },
  'daemon.half_open_limit': { daemon: { half_open_limit: '50' }, expect: 'reaches' },
  'daemon.retransmit': { daemon: { retransmit: '{ tries: 2 }' }, expect: 'reaches' },
  'daemon.retransmit.timeout': { daemon: { retransmit: '{ timeout: 2s }' }, expect: 'reaches' },
  'daemon.retransmit.base': { daemon: { retransmit: '{ base: 1.5 }' }, expect: 'reaches' },
  'daemon.retransmit.tries': { daemon: { retransmit: '{ tries: 2 }' }, expect: 'reaches' },
  'daemon.nat_keepalive': { daemon: { nat_keepalive: '5s' }, expect: 'reaches' },
  'daemon.firewall_mark': {
    base: { conn: { firewall_rule: 'yes' } },
    daemon: { firewall_mark: '0x20' },
    conn: { firewall_rule: 'yes' },
    expect: 'reaches',
  },
  // A connection (the manual's Phase 1).
  version: { conn: { version: '1' }, expect: 'refused' },
  local_addrs: { conn: { local_addrs: '[192.0.2.1]' }, expect: 'reaches' },
  remote_addrs: { conn: { remote_addrs: '[192.0.2.3, 192.0.2.4]' }, expect: 'reaches' },
  local_port: { conn: { local_port: '4501' }, expect: 'reaches' },
  remote_port: { conn: { remote_port: '4501' }, expect: 'reaches' },
  proposals: { conn: { proposals: '[aes128-sha256-modp2048]' }, expect: 'reaches' },
  local: { conn: { local: '{ auth: psk, id: other.example.org }' }, expect: 'reaches' },
  local2: {
    conn: { local2: '{ auth: eap-md5, eap_id: carol, eap_password: { secret: pw } }' },
    expect: 'reaches',
  },
  remote: { conn: { remote: '{ auth: psk, id: other.example.org }' }, expect: 'reaches' },
  remote2: { conn: { remote2: '{ auth: eap-md5, eap_id: carol }' }, expect: 'reaches' },
  psk: { conn: { psk: '{ secret: "another-secret" }' }, expect: 'reaches' },
  start_action: { conn: { start_action: 'start' }, expect: 'reaches' },
  close_action: { conn: { close_action: 'start' }, expect: 'reaches' },
  dpd: { conn: { dpd: '{ delay: 20s }' }, expect: 'reaches' },
  'dpd.delay': { conn: { dpd: '{ delay: 20s }' }, expect: 'reaches' },
  'dpd.timeout': { conn: { dpd: '{ timeout: 90s }' }, expect: 'reaches' },
  'dpd.action': { conn: { dpd: '{ action: restart }' }, expect: 'reaches' },
  rekey_time: { conn: { rekey_time: '2h' }, expect: 'reaches' },
  reauth_time: { conn: { reauth_time: '8h' }, expect: 'refused' },
  over_time: { conn: { over_time: '10m' }, expect: 'reaches' },
  rand_time: { conn: { rand_time: '90s' }, expect: 'reaches' },
  rekey: { conn: { rekey: 'no' }, expect: 'reaches' },
  nat_traversal: { conn: { nat_traversal: 'force' }, expect: 'reaches' },
  mobike: { conn: { mobike: 'yes' }, expect: 'refused' },
  fragmentation: { conn: { fragmentation: 'no' }, expect: 'reaches' },
  split_connection: { conn: { split_connection: 'yes' }, expect: 'refused' },
  xfrm_interface: { ...xfrm(''), expect: 'reaches' },
  'xfrm_interface.if_id': {
    base: xfrm(''),
    conn: { xfrm_interface: '{ if_id: 43 }' },
    expect: 'reaches',
  },
  'xfrm_interface.name': { base: xfrm(''), ...xfrm(', name: ipsec0'), expect: 'reaches' },
  'xfrm_interface.routes': {
    base: xfrm(''),
    ...xfrm(', routes: [10.3.0.0/16]'),
    expect: 'reaches',
  },
  'xfrm_interface.routes.to': {
    base: xfrm(', routes: [10.3.0.0/16]'),
    ...xfrm(', routes: [{ to: 10.4.0.0/16 }]'),
    expect: 'reaches',
  },
  'xfrm_interface.routes.metric': {
    base: xfrm(', routes: [10.3.0.0/16]'),
    ...xfrm(', routes: [{ to: 10.3.0.0/16, metric: 7 }]'),
    expect: 'reaches',
  },
  aggressive: { conn: { version: '1', aggressive: 'yes' }, expect: 'refused' },
  keyingtries: { conn: { keyingtries: '3' }, expect: 'reaches' },
  unique: { conn: { unique: 'replace' }, expect: 'refused' },
  children: { conn: { children: '{ a: { local_ts: [10.9.0.0/16] } }' }, expect: 'reaches' },
  fallback: { conn: { fallback: 'backup' }, expect: 'refused' },
  ping_check: {
    conn: { fallback: 'backup', ping_check: '{ address: 10.2.0.1 }' },
    expect: 'refused',
  },
  restart_on_gateway_change: { conn: { restart_on_gateway_change: 'yes' }, expect: 'reaches' },
  firewall_rule: { conn: { firewall_rule: 'yes' }, expect: 'reaches' },
  // The fallback's ping check: refused with it.
  ...Object.fromEntries(
    PING_CHECK_KEYS.map((k) => [
      `ping_check.${k}`,
      {
        conn: {
          fallback: 'backup',
          ping_check:
            k === 'address'
              ? '{ address: 10.2.0.2 }'
              : `{ address: 10.2.0.1, ${k}: ${k === 'return_to_primary' ? 'yes' : k === 'interval' ? '1m' : '1'} }`,
        },
        expect: 'refused',
      } satisfies Sample,
    ]),
  ),
  // Authentication rounds.
  'local.auth': { conn: { local: eapLocal }, expect: 'reaches' },
  'local.id': { conn: { local: '{ auth: psk, id: other.example.org }' }, expect: 'reaches' },
  'local.eap_id': {
    base: { conn: { local: eapLocal } },
    conn: {
      local: '{ auth: eap-md5, id: moon.example.org, eap_id: carol, eap_password: { secret: pw } }',
    },
    expect: 'reaches',
  },
  'local.certs': {
    base: { conn: { local: certLocal(), psk: '', remote: certRemote() } },
    conn: {
      local: `{ auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}, ${pkiPath('inter.crt')}], key: ${pkiPath('moon-rsa.key')} }`,
    },
    expect: 'reaches',
  },
  'local.key': {
    base: { conn: { local: certLocal(), psk: '', remote: certRemote() } },
    conn: {
      local: `{ auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}], key: ${pkiPath('sun-p256.key')} }`,
    },
    expect: 'reaches',
  },
  'local.key_passphrase': {
    base: {
      conn: {
        local: `{ auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}], key: ${pkiPath('moon-rsa.enc.pem')} }`,
        psk: '',
        remote: certRemote(),
      },
    },
    conn: {
      local: `{ auth: pubkey, certs: [${pkiPath('moon-rsa.crt')}], key: ${pkiPath('moon-rsa.enc.pem')}, key_passphrase: { secret: "${PASSPHRASE}" } }`,
    },
    expect: 'reaches',
  },
  'local.eap_password': {
    base: { conn: { local: eapLocal } },
    conn: { local: '{ auth: eap-md5, id: moon.example.org, eap_password: { secret: other } }' },
    expect: 'reaches',
  },
  'remote.auth': {
    conn: { remote: '{ auth: eap-md5, eap_id: carol }' },
    top: { eap_users: '{ carol: { secret: pw } }' },
    expect: 'reaches',
  },
  'remote.id': { conn: { remote: '{ auth: psk, id: other.example.org }' }, expect: 'reaches' },
  'remote.eap_id': {
    base: {
      conn: { remote: '{ auth: eap-md5, eap_id: carol }' },
      top: { eap_users: '{ carol: { secret: pw }, dave: { secret: pw2 } }' },
    },
    conn: { remote: '{ auth: eap-md5, eap_id: dave }' },
    expect: 'reaches',
  },
  'remote.cacerts': {
    base: { conn: { local: certLocal(), psk: '', remote: certRemote() } },
    conn: {
      remote: `{ auth: pubkey, id: "*.example.org", cacerts: [${pkiPath('root.crt')}, ${pkiPath('inter.crt')}] }`,
    },
    expect: 'reaches',
  },
  'remote.crls': {
    base: { conn: { local: certLocal(), psk: '', remote: certRemote() } },
    conn: { remote: certRemote(`, crls: [${pkiPath('inter.crl')}]`) },
    expect: 'reaches',
  },
  // A child (the manual's Phase 2).
  'child.local_ts': { child: { local_ts: '[10.5.0.0/16]' }, expect: 'reaches' },
  'child.remote_ts': { child: { remote_ts: '[10.6.0.0/16]' }, expect: 'reaches' },
  'child.mode': { child: { mode: 'transport' }, expect: 'reaches' },
  'child.protocol': { child: { protocol: 'ah' }, expect: 'reaches' },
  'child.esp_proposals': { child: { esp_proposals: '[aes128gcm16]' }, expect: 'reaches' },
  'child.ah_proposals': { child: { ah_proposals: '[sha384]' }, expect: 'reaches' },
  'child.ipcomp': { child: { ipcomp: 'yes' }, expect: 'reaches' },
  'child.traffic': {
    base: { child: { mode: 'transport', local_ts: 'dynamic', remote_ts: 'dynamic' } },
    child: { traffic: 'gre' },
    expect: 'reaches',
  },
  'child.rekey_time': { child: { rekey_time: '20m' }, expect: 'reaches' },
  'child.life_time': { child: { life_time: '2h' }, expect: 'reaches' },
  'child.rand_time': { child: { rand_time: '1m' }, expect: 'reaches' },
  'child.rekey_bytes': { child: { rekey_bytes: '500M' }, expect: 'reaches' },
  'child.life_bytes': {
    base: { child: { rekey_bytes: '500M', rand_bytes: '10M' } },
    child: { life_bytes: '1G' },
    expect: 'reaches',
  },
  'child.rand_bytes': {
    base: { child: { rekey_bytes: '500M' } },
    child: { rand_bytes: '10M' },
    expect: 'reaches',
  },
  'child.rekey_packets': { child: { rekey_packets: '1000' }, expect: 'reaches' },
  'child.life_packets': {
    base: { child: { rekey_packets: '1000', rand_packets: '10' } },
    child: { life_packets: '5000' },
    expect: 'reaches',
  },
  'child.rand_packets': {
    base: { child: { rekey_packets: '1000' } },
    child: { rand_packets: '50' },
    expect: 'reaches',
  },
  'child.start_action': { child: { start_action: 'trap' }, expect: 'refused' },
  'child.close_action': { child: { close_action: 'trap' }, expect: 'refused' },
  'child.dpd_action': { child: { dpd_action: 'restart' }, expect: 'refused' },
};

/** Every key path of the schema, from the key lists the reader enforces. */
function schemaPaths(): string[] {
  const under = (prefix: string, keys: readonly string[]) => keys.map((k) => `${prefix}.${k}`);
  return [
    ...TOP_KEYS,
    ...under('daemon', DAEMON_KEYS),
    ...under('daemon.log', LOG_KEYS),
    ...under('daemon.retransmit', RETRANSMIT_KEYS),
    ...CONNECTION_KEYS,
    ...under('dpd', DPD_KEYS),
    ...under('xfrm_interface', XFRM_INTERFACE_KEYS),
    ...under('xfrm_interface.routes', XFRM_ROUTE_KEYS),
    ...under('ping_check', PING_CHECK_KEYS),
    ...under('local', LOCAL_KEYS),
    ...under('remote', REMOTE_KEYS),
    ...under('child', CHILD_KEYS),
  ];
}

// Blank lines in a sample (psk: '') drop the base's line.
const clean = (text: string) => text.replace(/^ +\w+: \n/gm, '');

describe('every setting reaches something or is refused as not supported yet', () => {
  it('has a sample for every key of the schema, and no sample for a key that is not', () => {
    const paths = schemaPaths();
    expect(paths.filter((p) => !(p in SAMPLES))).toEqual([]);
    expect(Object.keys(SAMPLES).filter((p) => !paths.includes(p))).toEqual([]);
  });

  for (const [path, sample] of Object.entries(SAMPLES)) {
    const daemonOnly = ['daemon.socket', 'daemon.log', 'daemon.ike_port'].some(
      (p) => path === p || path.startsWith(`${p}.`),
    );
    if (daemonOnly) continue;
    it(`${path}: ${sample.expect}`, async () => {
      const base = clean(render(sample.base ?? {}));
      const changed = clean(render(sample));
      const before = await effects(base);
      expect(before.startsWith('invalid'), `${path}: the base is valid: ${before}`).toBe(false);
      const after = await effects(changed);
      if (sample.expect === 'refused') {
        expect(after).toMatch(/^invalid: .*styx\.yaml:\d+:\d+: .*not supported yet/);
      } else {
        expect(after.startsWith('invalid'), `${path}: ${after}`).toBe(false);
        expect(after, `${path} changes nothing`).not.toBe(before);
      }
    });
  }

  it('styxd reads the daemon settings that are not engine options (socket, log, ike_port)', () => {
    // These configure the process itself (control socket, logger, IKE socket),
    // and are exercised by starting styxd in the lab; here: the wiring reads them.
    const styxd = readFileSync(new URL('../../src/daemon/styxd.ts', import.meta.url), 'utf8');
    for (const field of ['d.socket', 'd.logLevel', 'd.logLevels', 'd.logFormat', 'd.ikePort'])
      expect(styxd, field).toContain(field);
  });
});
