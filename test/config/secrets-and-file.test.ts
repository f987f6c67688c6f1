/**
 * Secrets never leak (errors, logs, JSON, inspect), secret files, daemon
 * settings, top-level structure, YAML syntax errors and `loadConfigFile`.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigFile, parseConfig, Secret } from '../../src/config/index.js';
import { createLogger } from '../../src/daemon/logger.js';

const PSK = 'Tr0ub4dor&3-never-print-me';

const yaml = (psk: string, extra = '') => `connections:
  gw:
    remote_addrs: [192.0.2.2]
    local: { auth: psk }
    remote: { auth: psk }
    psk: ${psk}
${extra}`;

describe('secret redaction', () => {
  it('keeps the PSK out of JSON, inspect, String() and template literals, but reveals it on request', () => {
    const result = parseConfig(yaml(`{ secret: "${PSK}" }`), 'styx.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const psk = result.config.connections[0]!.psk!;
    expect(new TextDecoder().decode(psk.reveal())).toBe(PSK);
    for (const text of [
      JSON.stringify(result.config),
      inspect(result.config, { depth: 20 }),
      String(psk),
      `${psk}`,
    ]) {
      expect(text).not.toContain(PSK);
    }
    expect(JSON.stringify({ psk })).toBe('{"psk":"<redacted>"}');
    expect(inspect(psk)).toBe('<redacted>');
  });

  it('keeps the PSK out of every error, including YAML syntax errors and bad secret encodings', () => {
    const broken = [
      yaml(`{ secret: "${PSK}", secrte: "${PSK}" }`),
      yaml(`"${PSK}`),
      yaml(`${PSK}: [`),
      yaml(`[${PSK}]`),
      yaml(`{ secret: [${PSK}] }`),
      yaml('0xZZ-not-hex'),
      yaml(`{ secret: "${PSK}" }`, '    version: 3\n    remote_addrs: [1]\n'),
    ];
    for (const text of broken) {
      const result = parseConfig(text, 'styx.yaml');
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      const all = result.errors.map(formatConfigError).join('\n') + JSON.stringify(result.errors);
      expect(all).not.toContain(PSK);
      expect(all).not.toContain('ZZ-not-hex');
    }
  });

  it('keeps secret fields out of log lines', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: () => new Date(0) });
    log.info(
      'ike',
      'loaded',
      { connection: 'gw' },
      { psk: Secret.fromUtf8(PSK), nested: { key: Secret.fromUtf8(PSK) } },
    );
    expect(lines.join('\n')).not.toContain(PSK);
    expect(lines[0]).toContain('psk=<redacted>');
  });

  it('compares secrets in constant time by value', () => {
    expect(Secret.fromUtf8('a').equals(Secret.fromUtf8('a'))).toBe(true);
    expect(Secret.fromUtf8('a').equals(Secret.fromUtf8('b'))).toBe(false);
    expect(Secret.fromUtf8('a').equals(Secret.fromUtf8('ab'))).toBe(false);
  });

  it('decodes 0x hex and 0s base64 secrets as swanctl.conf does', () => {
    const hex = parseConfig(yaml('0x6b6579'), 'styx.yaml');
    const b64 = parseConfig(yaml('0sa2V5'), 'styx.yaml');
    for (const r of [hex, b64]) {
      expect(r.ok && new TextDecoder().decode(r.config.connections[0]!.psk!.reveal())).toBe('key');
    }
    const bad = parseConfig(yaml('0x123'), 'styx.yaml');
    expect(bad.ok ? [] : bad.errors.map(formatConfigError)).toEqual([
      'styx.yaml:6:10: connections.gw.psk: the secret is not valid; a 0x secret must have an even number of hex digits',
    ]);
  });
});

describe('secret files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'styx-config-'));
  writeFileSync(join(dir, 'moon.psk'), `${PSK}\n`);
  writeFileSync(join(dir, 'empty.psk'), '\n');

  it('reads a PSK file relative to the configuration, without its trailing newline', async () => {
    writeFileSync(join(dir, 'styx.yaml'), yaml('{ file: moon.psk }'));
    const result = await loadConfigFile(join(dir, 'styx.yaml'));
    expect(result.ok && new TextDecoder().decode(result.config.connections[0]!.psk!.reveal())).toBe(
      PSK,
    );
  });

  it('names a missing or empty secret file without its content', async () => {
    writeFileSync(join(dir, 'bad.yaml'), yaml('{ file: missing.psk }'));
    writeFileSync(join(dir, 'empty.yaml'), yaml('{ file: empty.psk }'));
    const missing = await loadConfigFile(join(dir, 'bad.yaml'));
    const empty = await loadConfigFile(join(dir, 'empty.yaml'));
    expect(missing.ok ? [] : missing.errors.map(formatConfigError)).toEqual([
      `${join(dir, 'bad.yaml')}:6:18: connections.gw.psk.file: cannot read the secret file "${join(dir, 'missing.psk')}" (ENOENT)`,
    ]);
    expect(empty.ok ? [] : empty.errors.map(formatConfigError)).toEqual([
      `${join(dir, 'empty.yaml')}:6:18: connections.gw.psk.file: the secret is empty; expected at least one character`,
    ]);
  });

  it('rejects both or neither of secret and file', () => {
    const r = parseConfig(yaml('{ secret: a, file: b }'), 'styx.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:6:10: connections.gw.psk: expected exactly one of secret or file',
    ]);
  });

  it('reports an unreadable configuration file as one error', async () => {
    const r = await loadConfigFile(join(dir, 'nope.yaml'));
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      `${join(dir, 'nope.yaml')}:1:1: cannot read the configuration file (ENOENT)`,
    ]);
    chmodSync(dir, 0o700);
  });
});

describe('file structure', () => {
  it('requires connections and rejects unknown top-level keys with a suggestion', () => {
    const r = parseConfig('conections:\n  gw: {}\n', 'styx.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:1:1: conections: unknown setting "conections"; did you mean "connections"?',
      'styx.yaml:1:1: connections: connections is required; expected a mapping of connection names to settings',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const r = parseConfig('connections:\n  gw:\n    version: 2\n   bad: [\n', 'styx.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]!.path).toBe('');
    expect(r.errors[0]!.message).toMatch(/^YAML syntax: /);
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(4);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    for (const [text, error] of [
      ['', 'styx.yaml:1:1: the file is empty; expected a mapping with connections'],
      [
        '# only a comment\n',
        'styx.yaml:1:1: the file is empty; expected a mapping with connections',
      ],
      ['- a\n', 'styx.yaml:1:1: a list is not allowed; expected a mapping'],
    ]) {
      const r = parseConfig(text!, 'styx.yaml');
      expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([error]);
    }
  });

  it('reports duplicate keys', () => {
    const r = parseConfig(`${yaml('x')}    psk: y\n`, 'styx.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:7:5: YAML syntax: Map keys must be unique',
    ]);
  });

  it('accepts an empty connections map and rejects a bad connection name', () => {
    const empty = parseConfig('connections: {}\n', 'styx.yaml');
    expect(empty.ok && empty.config.connections).toEqual([]);
    const r = parseConfig('connections:\n  "gw gw": {}\n', 'styx.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:2:3: connections.gw gw: "gw gw" is not allowed as a connection name; expected letters, digits, _ . - (at most 64)',
    ]);
  });

  it('freezes the whole configuration', () => {
    const r = parseConfig(yaml('x', '    children:\n      net: {}\n'), 'styx.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.config.connections[0]!;
    expect(
      Object.isFrozen(r.config) && Object.isFrozen(c) && Object.isFrozen(c.children[0]!.localTs[0]),
    ).toBe(true);
    expect(() => {
      (c as { name: string }).name = 'x';
    }).toThrow(TypeError);
  });

  it('reads EAP users for the responder side', () => {
    const r = parseConfig(
      `${yaml('x')}eap_users:\n  carol: { secret: pw }\n  dave: { file: /nonexistent }\n`,
      'styx.yaml',
    );
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:9:17: eap_users.dave.file: cannot read the secret file "/nonexistent" (ENOENT)',
    ]);
  });
});

describe('daemon settings', () => {
  it('has defaults and reads every setting', () => {
    const base = parseConfig('connections: {}\n', 'styx.yaml');
    expect(base.ok && base.config.daemon).toEqual({
      socket: '/run/styx/styx.sock',
      logLevel: 'info',
      logLevels: {},
      logFormat: 'text',
      ikePort: 500,
      natTPort: 4500,
      cookieThreshold: 30,
      halfOpenLimit: 1000,
      retransmitTimeoutMs: 4000,
      retransmitBase: 1.8,
      retransmitTries: 5,
      natKeepaliveMs: 20_000,
      firewallMark: 0x0100_0000,
    });
    const text = `daemon:
  socket: /tmp/styx.sock
  log: { level: debug, format: json, subsystems: { ike: debug, kernel: warn } }
  ike_port: 1500
  nat_t_port: 14500
  cookie_threshold: 0
  half_open_limit: 50
  retransmit: { timeout: 2s, base: 1.5, tries: 3 }
  nat_keepalive: 30s
  firewall_mark: 0x20
connections: {}
`;
    const r = parseConfig(text, 'styx.yaml');
    expect(r.ok && r.config.daemon).toEqual({
      socket: '/tmp/styx.sock',
      logLevel: 'debug',
      logLevels: { ike: 'debug', kernel: 'warn' },
      logFormat: 'json',
      ikePort: 1500,
      natTPort: 14500,
      cookieThreshold: 0,
      halfOpenLimit: 50,
      retransmitTimeoutMs: 2000,
      retransmitBase: 1.5,
      retransmitTries: 3,
      natKeepaliveMs: 30_000,
      firewallMark: 0x20,
    });
  });

  it('rejects bad daemon settings', () => {
    const text = `daemon:
  socket: styx.sock
  log: { level: verbose, subsystems: { ike: loud } }
  retransmit: { base: 0.5 }
connections: {}
`;
    const r = parseConfig(text, 'styx.yaml');
    expect(r.ok ? [] : r.errors.map(formatConfigError)).toEqual([
      'styx.yaml:2:11: daemon.socket: "styx.sock" is not allowed; expected an absolute path',
      'styx.yaml:3:17: daemon.log.level: "verbose" is not allowed; expected one of error, warn, info, debug',
      'styx.yaml:3:45: daemon.log.subsystems.ike: "loud" is not allowed; expected one of error, warn, info, debug',
      'styx.yaml:4:23: daemon.retransmit.base: "0.5" is not allowed; expected a number from 1 to 10',
    ]);
  });
});
