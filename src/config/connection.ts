/**
 * IKE-level connection settings (`connections.NAME`), the manual's Phase 1:
 * addresses (Interfaces / Remote Endpoints), IKE Type, algorithms,
 * authentication, Init Type, Close Action, DPD, lifetimes, Rekey, NAT-T,
 * MOBIKE, Split Connection and the XFRM interface.
 */
import { isMap } from 'yaml';
import { DEFAULTS } from '../defaults.js';
import { ADDRESS_EXPECTED, parseAddressSpec, parseSubnet } from './addresses.js';
import { APPLIANCE_KEYS, readAppliance } from './appliance.js';
import { readAuthRound } from './auth-rounds.js';
import {
  CLOSE_ACTIONS,
  DPD_ACTIONS,
  readChild,
  readDuration,
  readProposals,
  START_ACTIONS,
} from './child.js';
import { refuseConnectionSettings } from './not-supported.js';
import { defaultProposals } from './proposals.js';
import { type ConfigReader, Fields, isEmptyList, type YamlNode } from './reader.js';
import { readSecret, type SecretSource } from './secret-value.js';
import type {
  AddressSpec,
  AuthRound,
  ChildConfig,
  ConnectionConfig,
  DpdSettings,
  XfrmInterfaceSettings,
  XfrmRoute,
} from './types.js';

export const CONNECTION_KEYS = [
  'version',
  'local_addrs',
  'remote_addrs',
  'local_port',
  'remote_port',
  'proposals',
  'local',
  'local2',
  'remote',
  'remote2',
  'psk',
  'start_action',
  'close_action',
  'dpd',
  'rekey_time',
  'reauth_time',
  'over_time',
  'rand_time',
  'rekey',
  'nat_traversal',
  'mobike',
  'fragmentation',
  'split_connection',
  'xfrm_interface',
  'aggressive',
  'keyingtries',
  'unique',
  'children',
  ...APPLIANCE_KEYS,
];

export const DPD_KEYS = ['delay', 'timeout', 'action'];
export const XFRM_INTERFACE_KEYS = ['if_id', 'name', 'routes'];
export const XFRM_ROUTE_KEYS = ['to', 'metric'];

/** Connection and child names appear in logs, paths and CLI arguments. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Defaults: strongSwan's, except DPD which follows the manual (10 s / 30 s). */
export const CONNECTION_DEFAULTS = {
  ikeRekeyTimeMs: DEFAULTS.ikeRekeyTimeMs,
  dpdDelayMs: DEFAULTS.dpdDelayMs,
  dpdTimeoutMs: DEFAULTS.dpdTimeoutMs,
  port: DEFAULTS.ikePort,
} as const;

function readAddresses(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): AddressSpec[] | undefined {
  const list = reader.list(node, path, (n, p, text) => {
    const value = text ?? reader.text(n, p, ADDRESS_EXPECTED);
    if (value === undefined) return undefined;
    const parsed = parseAddressSpec(value);
    if ('error' in parsed) reader.error(n, p, `"${value}" is not allowed; ${parsed.error}`);
    return 'error' in parsed ? undefined : parsed;
  });
  if (isEmptyList(node))
    reader.error(node, path, `an empty list is not allowed; ${ADDRESS_EXPECTED}`);
  return list;
}

function readDpd(reader: ConfigReader, node: YamlNode, path: string): DpdSettings | undefined {
  const entries = reader.map(node, path, DPD_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  return {
    delayMs: f.get('delay', (n, p) => readDuration(reader, n, p)) ?? CONNECTION_DEFAULTS.dpdDelayMs,
    timeoutMs:
      f.get('timeout', (n, p) => readDuration(reader, n, p)) ?? CONNECTION_DEFAULTS.dpdTimeoutMs,
    action: f.get('action', (n, p) => reader.oneOf(n, p, DPD_ACTIONS)) ?? 'clear',
  };
}

/** Linux interface names are at most IFNAMSIZ - 1 = 15 bytes. */
function readXfrmInterface(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): XfrmInterfaceSettings | undefined {
  const entries = reader.map(node, path, XFRM_INTERFACE_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  if (!f.has('if_id'))
    reader.error(node, path, 'if_id is required; expected an integer from 1 to 4294967295');
  const ifId = f.get('if_id', (n, p) => reader.integer(n, p, 1, 0xffff_ffff));
  const name = f.get('name', (n, p) =>
    reader.parsed(n, p, 'an interface name of 1 to 15 characters', (t) =>
      /^[A-Za-z0-9_.-]{1,15}$/.test(t)
        ? t
        : { error: 'expected an interface name of 1 to 15 letters, digits, _ . or -' },
    ),
  );
  const routes =
    f.get('routes', (n, p) =>
      reader.list(n, p, (item, ip, text) => readXfrmRoute(reader, item, ip, text)),
    ) ?? [];
  return ifId === undefined ? undefined : { ifId, ...(name !== undefined && { name }), routes };
}

const ROUTE_EXPECTED = 'a subnet such as 10.2.0.0/16, or a mapping with to and metric';

/** `10.2.0.0/16` or `{ to: 10.2.0.0/16, metric: 100 }`. */
function readXfrmRoute(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
  text?: string,
): XfrmRoute | undefined {
  const subnet = (n: YamlNode, p: string, t?: string) => {
    const value = t ?? reader.text(n, p, ROUTE_EXPECTED);
    if (value === undefined) return undefined;
    const parsed = value.includes('/')
      ? parseSubnet(value)
      : { error: `expected ${ROUTE_EXPECTED}` };
    if ('error' in parsed) reader.error(n, p, `"${value}" is not allowed; ${parsed.error}`);
    return 'error' in parsed ? undefined : parsed;
  };
  if (text !== undefined || !isMap(node)) {
    const to = subnet(node, path, text);
    return to && { to };
  }
  const entries = reader.map(node, path, XFRM_ROUTE_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  if (!f.has('to')) reader.error(node, path, `to is required; expected ${ROUTE_EXPECTED}`);
  const to = f.get('to', (n, p) => subnet(n, p));
  const metric = f.get('metric', (n, p) => reader.integer(n, p, 0, 0xffff_ffff));
  return to && { to, ...(metric !== undefined && { metric }) };
}

function readRounds(
  reader: ConfigReader,
  secrets: SecretSource,
  f: Fields,
  node: YamlNode,
  side: 'local' | 'remote',
): AuthRound[] {
  const rounds: AuthRound[] = [];
  if (!f.has(side))
    reader.error(node, f.pathOf(side), `${side} is required; expected a mapping with auth and id`);
  for (const key of [side, `${side}2`]) {
    const round = f.get(key, (n, p) => readAuthRound(reader, secrets, n, p, side));
    if (round) rounds.push(round);
  }
  if (f.has(`${side}2`) && !f.has(side))
    f.error(`${side}2`, `${side}2 needs ${side} (the first round)`);
  return rounds;
}

/** Checks settings that only make sense together (reported at the later setting). */
function checkCombinations(f: Fields, c: Omit<ConnectionConfig, 'source'>): void {
  if (c.version === 1) {
    // The IKEv1 engine does not exist yet: refuse at load rather than skip the connection.
    f.error('version', 'version 1 (IKEv1) is not supported yet; only version 2 (IKEv2) runs');
    if (c.mobike) f.error('mobike', 'mobike is only allowed with version 2 (IKEv2)');
    if (c.splitConnection)
      f.error('split_connection', 'split_connection is only allowed with version 2 (IKEv2)');
    for (const key of ['local2', 'remote2']) {
      if (f.has(key))
        f.error(
          key,
          `${key} (a second authentication round, RFC 4739) is only allowed with version 2 (IKEv2)`,
        );
    }
    for (const round of [...c.localAuth, ...c.remoteAuth]) {
      if (round.auth.startsWith('eap-'))
        f.error('version', `auth "${round.auth}" needs version 2 (IKEv2)`);
    }
  }
  if (c.version === 2 && c.aggressive)
    f.error('aggressive', 'aggressive is only allowed with version 1 (IKEv1)');
  const usesPsk = [...c.localAuth, ...c.remoteAuth].some((r) => r.auth === 'psk');
  if (usesPsk && !c.psk && !f.has('psk'))
    f.error(f.has('local') ? 'local' : 'remote', 'auth psk needs a psk setting on the connection');
  if (!usesPsk && f.has('psk'))
    f.error('psk', 'psk is set but no local or remote round uses auth psk');
  const traps = (a: string) => a === 'trap' || a === 'start+trap';
  if (c.children.length === 0 && (traps(c.startAction) || c.closeAction === 'trap')) {
    f.error(
      f.has('start_action') ? 'start_action' : 'close_action',
      'trap needs at least one child (trap policies come from its traffic selectors)',
    );
  }
  const initiates = c.startAction !== 'none' || c.children.some((ch) => ch.startAction !== 'none');
  if (initiates && c.remoteAddrs.every((a) => a.kind !== 'ip' && a.kind !== 'fqdn')) {
    f.error(
      f.has('remote_addrs') ? 'remote_addrs' : 'start_action',
      'starting a connection needs a remote address or host name to send to (first entry of remote_addrs)',
    );
  }
}

export function readConnection(
  reader: ConfigReader,
  secrets: SecretSource,
  name: string,
  node: YamlNode,
  path: string,
  line: number,
): ConnectionConfig | undefined {
  const entries = reader.map(node, path, CONNECTION_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  const bool = (key: string, fallback: boolean) =>
    f.get(key, (n, p) => reader.boolean(n, p)) ?? fallback;
  const duration = (key: string) => f.get(key, (n, p) => readDuration(reader, n, p));
  const port = (key: string) =>
    f.get(key, (n, p) => reader.integer(n, p, 1, 65535)) ?? CONNECTION_DEFAULTS.port;

  const version = (f.get('version', (n, p) =>
    reader.parsed(n, p, 'one of 1, 2', (t) =>
      t === '1' || t === '2' ? Number(t) : { error: 'expected one of 1, 2' },
    ),
  ) ?? 2) as 1 | 2;
  const startAction = f.get('start_action', (n, p) => reader.oneOf(n, p, START_ACTIONS)) ?? 'none';
  const closeAction = f.get('close_action', (n, p) => reader.oneOf(n, p, CLOSE_ACTIONS)) ?? 'none';
  const dpd = f.get('dpd', (n, p) => readDpd(reader, n, p)) ?? {
    delayMs: CONNECTION_DEFAULTS.dpdDelayMs,
    timeoutMs: CONNECTION_DEFAULTS.dpdTimeoutMs,
    action: 'clear' as const,
  };
  const children: ChildConfig[] = [];
  if (f.has('children')) {
    for (const entry of reader.namedMap(f.node('children'), f.pathOf('children'))) {
      const childPath = `${f.pathOf('children')}.${entry.key}`;
      if (!NAME_PATTERN.test(entry.key)) {
        reader.error(
          entry.keyNode,
          childPath,
          `"${entry.key}" is not allowed as a child name; expected letters, digits, _ . - (at most 64)`,
        );
        continue;
      }
      const defaults = { startAction, closeAction, dpdAction: dpd.action };
      const child = readChild(
        reader,
        entry.key,
        entry.value,
        childPath,
        defaults,
        reader.lineOf(entry.keyNode),
      );
      if (child) children.push(child);
    }
  }
  // strongSwan: over_time defaults to 10% of the longer of rekey and reauth time; rand_time to over_time.
  const rekeyTimeMs = duration('rekey_time') ?? CONNECTION_DEFAULTS.ikeRekeyTimeMs;
  const reauthTimeMs = duration('reauth_time') ?? 0;
  const overTimeMs = duration('over_time') ?? Math.round(Math.max(rekeyTimeMs, reauthTimeMs) * 0.1);
  const psk = f.get('psk', (n, p) => readSecret(reader, secrets, n, p));
  const xfrmInterface = f.get('xfrm_interface', (n, p) => readXfrmInterface(reader, n, p));

  const connection: Omit<ConnectionConfig, 'source'> = {
    name,
    version,
    localAddrs: f.get('local_addrs', (n, p) => readAddresses(reader, n, p)) ?? [{ kind: 'any' }],
    remoteAddrs: f.get('remote_addrs', (n, p) => readAddresses(reader, n, p)) ?? [{ kind: 'any' }],
    localPort: port('local_port'),
    remotePort: port('remote_port'),
    proposals:
      f.get('proposals', (n, p) => readProposals(reader, n, p, 'ike')) ?? defaultProposals('ike'),
    localAuth: readRounds(reader, secrets, f, node, 'local'),
    remoteAuth: readRounds(reader, secrets, f, node, 'remote'),
    ...(psk && { psk }),
    startAction,
    closeAction,
    dpd,
    rekeyTimeMs,
    reauthTimeMs,
    overTimeMs,
    randTimeMs: duration('rand_time') ?? overTimeMs,
    rekey: bool('rekey', true),
    natTraversal:
      f.get('nat_traversal', (n, p) => reader.oneOf(n, p, ['auto', 'force'] as const)) ?? 'auto',
    // Off until MOBIKE (RFC 4555) exists: `mobike: yes` is refused (not-supported.ts).
    mobike: bool('mobike', false),
    fragmentation:
      f.get('fragmentation', (n, p) =>
        reader.oneOf(n, p, ['yes', 'accept', 'force', 'no'] as const),
      ) ?? 'yes',
    splitConnection: bool('split_connection', false),
    ...(xfrmInterface && { xfrmInterface }),
    aggressive: bool('aggressive', false),
    keyingTries: f.get('keyingtries', (n, p) => reader.integer(n, p, 0, 1_000_000)) ?? 1,
    unique:
      f.get('unique', (n, p) => reader.oneOf(n, p, ['no', 'never', 'keep', 'replace'] as const)) ??
      'no',
    children,
    appliance: readAppliance(reader, f),
  };
  checkCombinations(f, connection);
  refuseConnectionSettings(f, connection);
  return { ...connection, source: { file: reader.file, line } };
}
