/** styxctl against a real control socket with a fake daemon: human and JSON output, exit codes, usage. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlServer } from '../../src/control/server.js';
import { EXIT, runStyxctl, USAGE } from '../../src/control/styxctl.js';
import { createLogger } from '../../src/daemon/logger.js';
import { FakeHandler, STATUS } from './fake-handler.js';

let server: ControlServer;
let socket: string;
const logger = createLogger({ sink: () => {}, now: () => new Date(0) });

beforeAll(async () => {
  socket = join(mkdtempSync(join(tmpdir(), 'styxctl-')), 'styx.sock');
  server = await ControlServer.listen({ path: socket, handler: new FakeHandler(logger) });
  logger.info('ike', 'IKE_SA established', { connection: 'gw-gw', ikeSa: 3 });
  logger.info('kernel', 'SA installed');
});

afterAll(async () => {
  await server.close();
});

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runStyxctl(['--socket', socket, ...args], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe('styxctl human output', () => {
  it('prints status like swanctl --list-sas', async () => {
    expect(await run('status')).toEqual({
      code: EXIT.OK,
      stderr: '',
      stdout: `gw-gw: #3, ESTABLISHED, IKEv2, 1a2b3c4d5e6f7a8b_i* 8b7a6f5e4d3c2b1a_r
  local  'moon.example.org' @ 192.0.2.1[4500] [NAT]
  remote 'sun.example.org' @ 192.0.2.2[4500]
  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072
  established 2m 5s ago, rekeying in 3h 52m
  net: #5, reqid 1, INSTALLED, TUNNEL-in-ENCAP, ESP:AES_GCM_16-256
    installed 2m 5s ago, rekeying in 50m, expires in 1h 3m
    in  c1a2b3c4, 1.5 KiB, 12 packets, 2s ago
    out c5d6e7f8, 84 bytes, 1 packets
    local  10.1.0.0/16
    remote 10.2.0.0/16 10.3.0.0/16
`,
    });
  });

  it('says when a connection has no SA', async () => {
    expect(await run('status', 'other')).toEqual({
      code: 0,
      stderr: '',
      stdout: 'no IKE_SA for connection other\n',
    });
  });

  it('prints up, down and reload results', async () => {
    expect((await run('up', 'gw-gw')).stdout).toBe(
      'IKE_SA gw-gw #3 established, CHILD_SA net #5 installed\n',
    );
    expect((await run('down', 'gw-gw')).stdout).toBe('closed 1 IKE_SA of gw-gw\n');
    expect((await run('reload')).stdout).toBe(
      'configuration reloaded; added: new; changed: gw-gw; unchanged: other\n',
    );
  });

  it('prints a refused command on stderr with its details and exits 1', async () => {
    expect(await run('up', 'nope')).toEqual({
      code: EXIT.FAILED,
      stdout: '',
      stderr: 'styxctl: no connection named "nope"\n',
    });
    expect(await run('reload')).toEqual({
      code: EXIT.FAILED,
      stdout: '',
      stderr:
        'styxctl: the configuration has 1 error; nothing was changed\n  styx.yaml:12:15: connections.gw-gw.children.net.mode: "tunel" is not allowed; expected one of tunnel, transport\n',
    });
  });

  it('prints recent log lines, limited by --lines', async () => {
    expect((await run('log')).stdout).toBe(
      '1970-01-01T00:00:00.000Z info  [ike] [gw-gw|#3] IKE_SA established\n1970-01-01T00:00:00.000Z info  [kernel] SA installed\n',
    );
    expect((await run('log', '--lines', '1')).stdout).toBe(
      '1970-01-01T00:00:00.000Z info  [kernel] SA installed\n',
    );
  });

  it('follows the log until interrupted', async () => {
    const abort = new AbortController();
    let stdout = '';
    const running = runStyxctl(['--socket', socket, 'log', '--follow', '-n', '0'], {
      stdout: (t) => {
        stdout += t;
        abort.abort();
      },
      stderr: () => {},
      signal: abort.signal,
    });
    await new Promise((r) => setTimeout(r, 30));
    logger.warn('ike', 'peer deleted IKE_SA', { connection: 'gw-gw', ikeSa: 3 });
    expect(await running).toBe(EXIT.OK);
    expect(stdout).toBe('1970-01-01T00:00:00.000Z warn  [ike] [gw-gw|#3] peer deleted IKE_SA\n');
  });
});

describe('styxctl --json', () => {
  it('prints the status object', async () => {
    const { code, stdout } = await run('--json', 'status');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(STATUS);
  });

  it('accepts --json after the command and prints errors as JSON on stderr', async () => {
    const { code, stdout, stderr } = await run('up', 'nope', '--json');
    expect([code, stdout]).toEqual([EXIT.FAILED, '']);
    expect(JSON.parse(stderr)).toEqual({
      error: { code: 'NOT_FOUND', message: 'no connection named "nope"', details: [] },
    });
  });

  it('prints log lines as JSON objects', async () => {
    const { stdout } = await run('--json', 'log', '--lines=1');
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ line: logger.recent(1)[0] }]);
  });
});

describe('styxctl failures a user can cause', () => {
  it('explains that the daemon is not running and exits 3', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'styxctl-')), 'styx.sock');
    let stderr = '';
    const code = await runStyxctl(['--socket', missing, 'status'], {
      stdout: () => {},
      stderr: (t) => (stderr += t),
    });
    expect([code, stderr]).toEqual([
      EXIT.UNREACHABLE,
      `styxctl: styxd is not running (no control socket at ${missing})\n`,
    ]);
  });

  const usage: [string[], string][] = [
    [[], 'a command is required'],
    [['start', 'gw'], 'unknown command "start"'],
    [['up'], 'up needs a connection NAME'],
    [['down', 'a', 'b'], 'down takes only a connection NAME, got "b"'],
    [['status', 'a', 'b'], 'status takes at most one connection NAME, got "a b"'],
    [['reload', 'now'], 'reload takes no arguments, got "now"'],
    [['log', '--lines', 'many'], '--lines needs a number, not "many"'],
    [['--verbose', 'status'], 'unknown option --verbose'],
    [['status', '--socket'], '--socket needs a value'],
  ];
  for (const [args, message] of usage) {
    it(`usage: styxctl ${args.join(' ')}`, async () => {
      let stderr = '';
      const code = await runStyxctl(args, { stdout: () => {}, stderr: (t) => (stderr += t) });
      expect([code, stderr]).toEqual([EXIT.USAGE, `styxctl: ${message}\n${USAGE}\n`]);
    });
  }

  it('prints help on --help and exits 0', async () => {
    let stdout = '';
    expect(await runStyxctl(['--help'], { stdout: (t) => (stdout += t), stderr: () => {} })).toBe(
      0,
    );
    expect(stdout).toBe(`${USAGE}\n`);
  });

  it('the executable exits with the code and a one-line message, no stack trace', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'styxctl-')), 'styx.sock');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          join(import.meta.dirname, '../../src/control/styxctl-bin.ts'),
          '--socket',
          missing,
          'down',
          'gw',
        ],
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result).toEqual({
      code: EXIT.UNREACHABLE,
      stderr: `styxctl: styxd is not running (no control socket at ${missing})\n`,
    });
  });
});
