/**
 * The configuration's entry points: YAML text or file → a frozen `StyxConfig`,
 * or every error found, each naming file, line, column and setting path.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { checkFallbacks } from './appliance.js';
import { NAME_PATTERN, readConnection } from './connection.js';
import { DAEMON_DEFAULTS, readDaemonSettings } from './daemon-settings.js';
import { ConfigReader, Fields, type YamlNode } from './reader.js';
import { isSecret, type Secret } from './secret.js';
import { readSecret, type SecretSource } from './secret-value.js';
import type { ConfigError, ConfigResult, ConnectionConfig, StyxConfig } from './types.js';
import { checkSharedXfrmInterfaces } from './xfrm-overlap.js';

export interface ParseOptions {
  /** Reads secret files (default: `fs.readFileSync`). */
  readFile?: (path: string) => Uint8Array;
  /** Permission bits of a secret file, to warn when others can read it (default: `fs.statSync`). */
  fileMode?: (path: string) => number | undefined;
  /** Where relative secret file names are resolved (default: the config file's directory). */
  baseDir?: string;
}

export const TOP_KEYS = ['daemon', 'connections', 'eap_users'];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !isSecret(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * YAML reports `%any` as a plain scalar starting with a directive indicator,
 * yet parses it; swanctl users write it unquoted, so that one error is waived.
 */
function isWaivedYamlError(text: string, code: string, offset: number): boolean {
  return code === 'BAD_SCALAR_START' && /^%[a-z]/.test(text.slice(offset));
}

function readConnections(
  reader: ConfigReader,
  secrets: SecretSource,
  f: Fields,
): ConnectionConfig[] {
  const connections: ConnectionConfig[] = [];
  const nodes = new Map<string, YamlNode>();
  if (!f.has('connections')) return connections;
  for (const entry of reader.namedMap(f.node('connections'), 'connections')) {
    const path = `connections.${entry.key}`;
    if (!NAME_PATTERN.test(entry.key)) {
      reader.error(
        entry.keyNode,
        path,
        `"${entry.key}" is not allowed as a connection name; expected letters, digits, _ . - (at most 64)`,
      );
      continue;
    }
    const connection = readConnection(
      reader,
      secrets,
      entry.key,
      entry.value,
      path,
      reader.lineOf(entry.keyNode),
    );
    if (connection) connections.push(connection);
    nodes.set(entry.key, entry.value);
  }
  checkFallbacks(reader, connections, nodes);
  checkSharedXfrmInterfaces(reader, connections, nodes);
  return connections;
}

export function parseConfig(
  text: string,
  fileName: string,
  options: ParseOptions = {},
): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const reader = new ConfigReader(fileName, lineCounter);
  for (const e of doc.errors) {
    if (isWaivedYamlError(text, e.code, e.pos[0])) continue;
    // Only the first line of the parser's message: later lines would quote the source, which may hold a secret.
    const message = e.message.split('\n')[0]!;
    const hint = /flow/i.test(message)
      ? '; quote values that contain [ ] { } or , such as "10.0.0.0/8[tcp/80]"'
      : '';
    reader.errorAt(e.pos[0], '', `YAML syntax: ${message}${hint}`);
  }
  if (reader.errors.length > 0) return { ok: false, errors: reader.errors, warnings: [] };

  const secrets: SecretSource = {
    readFile: options.readFile ?? ((p) => readFileSync(p)),
    fileMode:
      options.fileMode ??
      (options.readFile
        ? () => undefined
        : (p) => {
            try {
              return statSync(p).mode;
            } catch {
              return undefined;
            }
          }),
    baseDir: options.baseDir ?? dirname(fileName),
  };
  const root = doc.contents;
  if (root === null) {
    reader.errorAt(0, '', 'the file is empty; expected a mapping with connections');
    return { ok: false, errors: reader.errors, warnings: [] };
  }
  const entries = reader.map(root, '', TOP_KEYS);
  const f = new Fields(reader, entries ?? new Map(), '');
  const daemon = f.has('daemon')
    ? readDaemonSettings(reader, f.node('daemon'), 'daemon')
    : DAEMON_DEFAULTS;
  const connections = readConnections(reader, secrets, f);
  const eapUsers: { id: string; password: Secret }[] = [];
  if (f.has('eap_users')) {
    for (const entry of reader.namedMap(f.node('eap_users'), 'eap_users')) {
      const password = readSecret(reader, secrets, entry.value, `eap_users.${entry.key}`);
      if (password) eapUsers.push({ id: entry.key, password });
    }
  }
  if (isMap(root) && !f.has('connections')) {
    reader.error(
      root,
      'connections',
      'connections is required; expected a mapping of connection names to settings',
    );
  }
  const warnings = sortErrors(reader.warnings);
  if (reader.errors.length > 0) return { ok: false, errors: sortErrors(reader.errors), warnings };
  const config: StyxConfig = { daemon, connections, eapUsers, file: fileName };
  return { ok: true, config: deepFreeze(config), warnings };
}

function sortErrors(errors: ConfigError[]): ConfigError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Reads and parses a configuration file; an unreadable file is one error at line 1. */
export async function loadConfigFile(
  path: string,
  options: ParseOptions = {},
): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return {
      ok: false,
      errors: [
        {
          file: path,
          line: 1,
          column: 1,
          path: '',
          message: `cannot read the configuration file (${code})`,
        },
      ],
      warnings: [],
    };
  }
  return parseConfig(text, path, options);
}

/** `styx.yaml:12:15: connections.gw-gw.children.net.mode: "tunel" is not allowed; ...` */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
}

export function findConnection(config: StyxConfig, name: string): ConnectionConfig | undefined {
  return config.connections.find((c) => c.name === name);
}
