/**
 * The manual's appliance options that the connection manager implements:
 * Fallback IPSec with its Ping Check, Restart Gateway Change and Associate
 * Firewall Rule. Cross-connection rules (the fallback exists, is used once,
 * no cycles) are checked once every connection is read.
 */
import { isMap, isScalar } from 'yaml';
import { DEFAULTS } from '../defaults.js';
import { parseIpAddress } from './addresses.js';
import { readDuration } from './child.js';
import { type ConfigReader, Fields, type YamlNode } from './reader.js';
import type { ApplianceSettings, ConnectionConfig, PingCheck } from './types.js';

export const APPLIANCE_KEYS = [
  'fallback',
  'ping_check',
  'restart_on_gateway_change',
  'firewall_rule',
];

export const PING_CHECK_KEYS = ['address', 'interval', 'retries', 'return_to_primary'];

/** The manual: ping every 5 minutes, 3 retries. */
export const PING_CHECK_DEFAULTS = {
  intervalMs: DEFAULTS.pingIntervalMs,
  retries: DEFAULTS.pingRetries,
} as const;

function readPingCheck(reader: ConfigReader, node: YamlNode, path: string): PingCheck | undefined {
  const entries = reader.map(node, path, PING_CHECK_KEYS);
  if (!entries) return undefined;
  const f = new Fields(reader, entries, path);
  if (!f.has('address'))
    reader.error(node, path, 'address is required; expected the IP address to ping');
  const address = f.get('address', (n, p) =>
    reader.parsed(
      n,
      p,
      'an IP address',
      (t) => parseIpAddress(t) ?? { error: 'expected an IPv4 or IPv6 address' },
    ),
  );
  if (!address) return undefined;
  return {
    address,
    intervalMs:
      f.get('interval', (n, p) => readDuration(reader, n, p)) ?? PING_CHECK_DEFAULTS.intervalMs,
    retries:
      f.get('retries', (n, p) => reader.integer(n, p, 0, 1000)) ?? PING_CHECK_DEFAULTS.retries,
    returnToPrimary: f.get('return_to_primary', (n, p) => reader.boolean(n, p)) ?? false,
  };
}

export function readAppliance(reader: ConfigReader, f: Fields): ApplianceSettings {
  const fallback = f.get('fallback', (n, p) => reader.text(n, p, 'the name of another connection'));
  const pingCheck = f.get('ping_check', (n, p) => readPingCheck(reader, n, p));
  if (f.has('ping_check') && !f.has('fallback')) {
    f.error(
      'ping_check',
      'ping_check is only allowed together with fallback (it decides when the fallback takes over)',
    );
  }
  return {
    ...(fallback !== undefined && { fallback }),
    ...(pingCheck && { pingCheck }),
    restartOnGatewayChange:
      f.get('restart_on_gateway_change', (n, p) => reader.boolean(n, p)) ?? false,
    firewallRule: f.get('firewall_rule', (n, p) => reader.boolean(n, p)) ?? false,
  };
}

function fallbackNode(connectionNode: YamlNode): YamlNode {
  if (!isMap(connectionNode)) return undefined;
  const value = connectionNode.get('fallback', true);
  return isScalar(value) ? value : undefined;
}

/**
 * The manual: "Each IPSec can only be selected once in a fallback scenario".
 * A fallback must name another existing connection, and chains must not loop.
 */
export function checkFallbacks(
  reader: ConfigReader,
  connections: readonly ConnectionConfig[],
  nodes: ReadonlyMap<string, YamlNode>,
): void {
  const byName = new Map(connections.map((c) => [c.name, c]));
  const usedBy = new Map<string, string>();
  for (const c of connections) {
    const target = c.appliance.fallback;
    if (target === undefined) continue;
    const node = fallbackNode(nodes.get(c.name));
    const path = `connections.${c.name}.fallback`;
    if (target === c.name) {
      reader.error(
        node,
        path,
        `"${target}" is not allowed; a connection cannot be its own fallback`,
      );
    } else if (!byName.has(target)) {
      const names = connections.filter((o) => o.name !== c.name).map((o) => o.name);
      reader.error(
        node,
        path,
        `"${target}" is not allowed; expected the name of another connection${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
      );
    } else if (usedBy.has(target)) {
      reader.error(
        node,
        path,
        `"${target}" is already the fallback of ${usedBy.get(target)}; a connection can be selected as fallback only once`,
      );
    } else {
      usedBy.set(target, c.name);
      let next: string | undefined = target;
      const seen = new Set([c.name]);
      while (next !== undefined && !seen.has(next)) {
        seen.add(next);
        next = byName.get(next)?.appliance.fallback;
      }
      if (next === c.name)
        reader.error(
          node,
          path,
          `"${target}" is not allowed; the fallback chain leads back to ${c.name}`,
        );
    }
  }
}
