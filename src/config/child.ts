/**
 * CHILD_SA settings (`connections.NAME.children.CHILD`), the manual's Phase 2:
 * traffic selectors, mode (Connection Type), ESP or AH (Encryption Type),
 * proposals, IPComp, the transport-mode Traffic Selector and lifetimes.
 */
import { DEFAULTS } from '../defaults.js';
import { refuseChildSettings } from './not-supported.js';
import {
  defaultProposals,
  expandProposalKeyword,
  parseProposal,
  proposalWarnings,
} from './proposals.js';
import { type ConfigReader, Fields, isEmptyList, type YamlNode } from './reader.js';
import { parseTrafficSelector, TS_EXPECTED } from './traffic-selectors.js';
import type {
  ChildConfig,
  CloseAction,
  DpdAction,
  Proposal,
  StartAction,
  TrafficSelectorSpec,
  TransportTraffic,
} from './types.js';
import { parseDuration, parseSize } from './units.js';

export const START_ACTIONS: readonly StartAction[] = ['none', 'start', 'trap', 'start+trap'];
export const CLOSE_ACTIONS: readonly CloseAction[] = ['none', 'start', 'trap'];
export const DPD_ACTIONS: readonly DpdAction[] = ['clear', 'trap', 'restart'];

export const CHILD_KEYS = [
  'local_ts',
  'remote_ts',
  'mode',
  'protocol',
  'esp_proposals',
  'ah_proposals',
  'ipcomp',
  'traffic',
  'rekey_time',
  'life_time',
  'rand_time',
  'rekey_bytes',
  'life_bytes',
  'rand_bytes',
  'rekey_packets',
  'life_packets',
  'rand_packets',
  'start_action',
  'close_action',
  'dpd_action',
];

/** strongSwan's CHILD_SA defaults: rekey after 1h; hard limit 10% later. */
export const CHILD_REKEY_TIME_MS = DEFAULTS.childRekeyTimeMs;

/** The connection-level actions a child inherits unless it sets its own. */
export interface ChildDefaults {
  readonly startAction: StartAction;
  readonly closeAction: CloseAction;
  readonly dpdAction: DpdAction;
}

export const DURATION_EXPECTED =
  'expected a duration: a number with unit s, m, h or d (e.g. 30s, 4h, 1d)';
const SIZE_EXPECTED = 'expected a number with an optional unit k, M, G or T (e.g. 500M)';

export function readDuration(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): number | undefined {
  return reader.parsed(node, path, DURATION_EXPECTED, parseDuration);
}

function readSize(reader: ConfigReader, node: YamlNode, path: string): number | undefined {
  return reader.parsed(node, path, SIZE_EXPECTED, parseSize);
}

export function readProposals(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
  protocol: Proposal['protocol'],
): Proposal[] | undefined {
  const expected = `${protocol.toUpperCase()} proposals such as ${protocol === 'ah' ? 'sha256' : 'aes256gcm16'} or default`;
  const lists = reader.list(node, path, (n, p, text) => {
    const value = text ?? reader.text(n, p, expected);
    if (value === undefined) return undefined;
    const out: Proposal[] = [];
    for (const one of expandProposalKeyword(value, protocol)) {
      const parsed = parseProposal(one, protocol);
      if ('error' in parsed) {
        reader.error(n, p, `"${value}" is not allowed; ${parsed.error}`);
        continue;
      }
      for (const warning of proposalWarnings(parsed)) reader.warn(n, p, warning);
      out.push(parsed);
    }
    return out;
  });
  if (isEmptyList(node))
    reader.error(node, path, `an empty list is not allowed; expected ${expected}`);
  return lists?.flat();
}

function readSelectors(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): TrafficSelectorSpec[] | undefined {
  const list = reader.list(node, path, (n, p, text) => {
    const value = text ?? reader.text(n, p, TS_EXPECTED);
    if (value === undefined) return undefined;
    const parsed = parseTrafficSelector(value);
    if ('error' in parsed) reader.error(n, p, `"${value}" is not allowed; ${parsed.error}`);
    return 'error' in parsed ? undefined : parsed;
  });
  if (isEmptyList(node)) reader.error(node, path, `an empty list is not allowed; ${TS_EXPECTED}`);
  return list;
}

const DYNAMIC: TrafficSelectorSpec = { kind: 'dynamic', protocol: 0, fromPort: 0, toPort: 65535 };

/**
 * The manual's transport "Traffic Selector": GRE or VXLAN (UDP) only. VXLAN
 * source ports vary per flow (RFC 7348 §5), so only the protocol is restricted.
 */
function applyTraffic(
  selectors: readonly TrafficSelectorSpec[],
  traffic: TransportTraffic,
): TrafficSelectorSpec[] | undefined {
  if (traffic === 'any') return [...selectors];
  const protocol = traffic === 'gre' ? 47 : 17;
  if (selectors.some((ts) => ts.protocol !== 0 && ts.protocol !== protocol)) return undefined;
  return selectors.map((ts) => ({ ...ts, protocol }));
}

interface Lifetimes {
  rekey: number;
  life: number;
  rand: number;
}

/**
 * strongSwan's rule: life defaults to rekey + 10%, rand to life - rekey; a hard
 * limit must lie above the soft one so a rekey can happen before expiry.
 */
function resolveLifetimes(
  f: Fields,
  keys: readonly [string, string, string],
  values: Partial<Lifetimes>,
  rekeyDefault: number,
): Lifetimes {
  const rekey = values.rekey ?? rekeyDefault;
  const life = values.life ?? Math.round(rekey * 1.1);
  const rand = values.rand ?? life - rekey;
  if (rekey > 0 && life > 0 && life <= rekey && values.life !== undefined) {
    f.error(
      keys[1],
      `${keys[1]} must be greater than ${keys[0]} so the SA is rekeyed before it expires`,
    );
  }
  return { rekey, life, rand: Math.max(0, Math.min(rand, life > rekey ? life - rekey : rand)) };
}

export function readChild(
  reader: ConfigReader,
  name: string,
  node: YamlNode,
  path: string,
  inherited: ChildDefaults,
  line: number,
): ChildConfig | undefined {
  const entries = reader.map(node, path, CHILD_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  const localTs = f.get('local_ts', (n, p) => readSelectors(reader, n, p)) ?? [DYNAMIC];
  const remoteTs = f.get('remote_ts', (n, p) => readSelectors(reader, n, p)) ?? [DYNAMIC];
  const mode =
    f.get('mode', (n, p) => reader.oneOf(n, p, ['tunnel', 'transport'] as const)) ?? 'tunnel';
  let protocol = f.get('protocol', (n, p) => reader.oneOf(n, p, ['esp', 'ah'] as const));
  // As in swanctl.conf, ah_proposals alone selects AH.
  protocol ??= f.has('ah_proposals') && !f.has('esp_proposals') ? 'ah' : 'esp';
  const other = protocol === 'esp' ? 'ah_proposals' : 'esp_proposals';
  if (f.has(other))
    f.error(other, `${other} is not allowed with protocol ${protocol}; use ${protocol}_proposals`);
  const proposals =
    f.get(`${protocol}_proposals`, (n, p) => readProposals(reader, n, p, protocol)) ??
    defaultProposals(protocol);
  const ipcomp = f.get('ipcomp', (n, p) => reader.boolean(n, p)) ?? false;
  const traffic =
    f.get('traffic', (n, p) => reader.oneOf(n, p, ['any', 'gre', 'vxlan'] as const)) ?? 'any';
  if (traffic !== 'any' && mode !== 'transport') {
    f.error(
      'traffic',
      `traffic "${traffic}" is only allowed in transport mode; set mode: transport or remove traffic`,
    );
  }
  const local = applyTraffic(localTs, traffic);
  const remote = applyTraffic(remoteTs, traffic);
  if (!local || !remote)
    f.error(
      'traffic',
      `traffic "${traffic}" conflicts with the protocol given in local_ts or remote_ts`,
    );

  const duration = (key: string) => f.get(key, (n, p) => readDuration(reader, n, p));
  const size = (key: string) => f.get(key, (n, p) => readSize(reader, n, p));
  const time = resolveLifetimes(
    f,
    ['rekey_time', 'life_time', 'rand_time'],
    { rekey: duration('rekey_time'), life: duration('life_time'), rand: duration('rand_time') },
    CHILD_REKEY_TIME_MS,
  );
  const bytes = resolveLifetimes(
    f,
    ['rekey_bytes', 'life_bytes', 'rand_bytes'],
    { rekey: size('rekey_bytes'), life: size('life_bytes'), rand: size('rand_bytes') },
    0,
  );
  const packets = resolveLifetimes(
    f,
    ['rekey_packets', 'life_packets', 'rand_packets'],
    { rekey: size('rekey_packets'), life: size('life_packets'), rand: size('rand_packets') },
    0,
  );

  const child: ChildConfig = {
    name,
    localTs: local ?? localTs,
    remoteTs: remote ?? remoteTs,
    mode,
    protocol,
    proposals,
    ipcomp,
    traffic,
    rekeyTimeMs: time.rekey,
    lifeTimeMs: time.life,
    randTimeMs: time.rand,
    rekeyBytes: bytes.rekey,
    lifeBytes: bytes.life,
    randBytes: bytes.rand,
    rekeyPackets: packets.rekey,
    lifePackets: packets.life,
    randPackets: packets.rand,
    startAction:
      f.get('start_action', (n, p) => reader.oneOf(n, p, START_ACTIONS)) ?? inherited.startAction,
    closeAction:
      f.get('close_action', (n, p) => reader.oneOf(n, p, CLOSE_ACTIONS)) ?? inherited.closeAction,
    dpdAction:
      f.get('dpd_action', (n, p) => reader.oneOf(n, p, DPD_ACTIONS)) ?? inherited.dpdAction,
    source: { file: reader.file, line },
  };
  refuseChildSettings(f, child, inherited);
  return child;
}
