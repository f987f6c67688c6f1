/**
 * Daemon-wide settings (`daemon:`): control socket, logging, IKE ports, COOKIE
 * threshold and retransmission — strongSwan keeps these in strongswan.conf.
 */
import { DEFAULTS } from '../defaults.js';
import { readDuration } from './child.js';
import { type ConfigReader, Fields, type YamlNode } from './reader.js';
import type { DaemonSettings, LogLevel } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export const DAEMON_DEFAULTS: DaemonSettings = {
  socket: '/run/styx/styx.sock',
  logLevel: 'info',
  logLevels: {},
  logFormat: 'text',
  // Where each comes from: src/defaults.ts.
  ikePort: DEFAULTS.ikePort,
  natTPort: DEFAULTS.natTPort,
  cookieThreshold: DEFAULTS.cookieThreshold,
  halfOpenLimit: DEFAULTS.halfOpenLimit,
  retransmitTimeoutMs: DEFAULTS.retransmitTimeoutMs,
  retransmitBase: DEFAULTS.retransmitBase,
  retransmitTries: DEFAULTS.retransmitTries,
  natKeepaliveMs: DEFAULTS.natKeepaliveMs,
  firewallMark: DEFAULTS.firewallMark,
};

export const LOG_KEYS = ['level', 'format', 'subsystems'];
export const RETRANSMIT_KEYS = ['timeout', 'base', 'tries'];

export const DAEMON_KEYS = [
  'socket',
  'log',
  'ike_port',
  'nat_t_port',
  'cookie_threshold',
  'half_open_limit',
  'retransmit',
  'nat_keepalive',
  'firewall_mark',
];

function readLog(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): Pick<DaemonSettings, 'logLevel' | 'logLevels' | 'logFormat'> {
  const entries = reader.map(node, path, LOG_KEYS);
  const f = new Fields(reader, entries ?? new Map(), path);
  const logLevels: Record<string, LogLevel> = {};
  if (f.has('subsystems')) {
    for (const entry of reader.namedMap(f.node('subsystems'), f.pathOf('subsystems'))) {
      const level = reader.oneOf(entry.value, `${f.pathOf('subsystems')}.${entry.key}`, LOG_LEVELS);
      if (level) logLevels[entry.key] = level;
    }
  }
  return {
    logLevel: f.get('level', (n, p) => reader.oneOf(n, p, LOG_LEVELS)) ?? DAEMON_DEFAULTS.logLevel,
    logFormat:
      f.get('format', (n, p) => reader.oneOf(n, p, ['text', 'json'] as const)) ??
      DAEMON_DEFAULTS.logFormat,
    logLevels,
  };
}

function readRetransmit(reader: ConfigReader, node: YamlNode, path: string) {
  const entries = reader.map(node, path, RETRANSMIT_KEYS);
  const f = new Fields(reader, entries ?? new Map(), path);
  const base = f.get('base', (n, p) =>
    reader.parsed(n, p, 'a number from 1 to 10', (t) => {
      const v = Number(t);
      return /^\d+(\.\d+)?$/.test(t) && v >= 1 && v <= 10
        ? v
        : { error: 'expected a number from 1 to 10' };
    }),
  );
  return {
    retransmitTimeoutMs:
      f.get('timeout', (n, p) => readDuration(reader, n, p)) ?? DAEMON_DEFAULTS.retransmitTimeoutMs,
    retransmitBase: base ?? DAEMON_DEFAULTS.retransmitBase,
    retransmitTries:
      f.get('tries', (n, p) => reader.integer(n, p, 0, 100)) ?? DAEMON_DEFAULTS.retransmitTries,
  };
}

export function readDaemonSettings(
  reader: ConfigReader,
  node: YamlNode,
  path: string,
): DaemonSettings {
  const entries = reader.map(node, path, DAEMON_KEYS);
  const f = new Fields(reader, entries ?? new Map(), path);
  const port = (key: string, fallback: number) =>
    f.get(key, (n, p) => reader.integer(n, p, 1, 65535)) ?? fallback;
  return {
    socket:
      f.get('socket', (n, p) =>
        reader.parsed(n, p, 'an absolute path', (t) =>
          t.startsWith('/') ? t : { error: 'expected an absolute path' },
        ),
      ) ?? DAEMON_DEFAULTS.socket,
    ...(f.has('log')
      ? readLog(reader, f.node('log'), f.pathOf('log'))
      : {
          logLevel: DAEMON_DEFAULTS.logLevel,
          logLevels: {},
          logFormat: DAEMON_DEFAULTS.logFormat,
        }),
    ikePort: port('ike_port', DAEMON_DEFAULTS.ikePort),
    natTPort: port('nat_t_port', DAEMON_DEFAULTS.natTPort),
    cookieThreshold:
      f.get('cookie_threshold', (n, p) => reader.integer(n, p, 0, 1_000_000)) ??
      DAEMON_DEFAULTS.cookieThreshold,
    halfOpenLimit:
      f.get('half_open_limit', (n, p) => reader.integer(n, p, 1, 10_000_000)) ??
      DAEMON_DEFAULTS.halfOpenLimit,
    ...(f.has('retransmit')
      ? readRetransmit(reader, f.node('retransmit'), f.pathOf('retransmit'))
      : {
          retransmitTimeoutMs: DAEMON_DEFAULTS.retransmitTimeoutMs,
          retransmitBase: DAEMON_DEFAULTS.retransmitBase,
          retransmitTries: DAEMON_DEFAULTS.retransmitTries,
        }),
    natKeepaliveMs:
      f.get('nat_keepalive', (n, p) => readDuration(reader, n, p)) ??
      DAEMON_DEFAULTS.natKeepaliveMs,
    firewallMark:
      f.get('firewall_mark', (n, p) =>
        reader.parsed(n, p, 'a packet mark from 1 to 0xffffffff', parseMark),
      ) ?? DAEMON_DEFAULTS.firewallMark,
  };
}

/** A 32-bit packet mark, decimal or 0x hex (as nftables and ip rule write it). */
function parseMark(text: string): number | { error: string } {
  const v = /^0x[0-9a-f]{1,8}$/i.test(text)
    ? Number.parseInt(text, 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  return v >= 1 && v <= 0xffff_ffff ? v : { error: 'expected a packet mark from 1 to 0xffffffff' };
}
