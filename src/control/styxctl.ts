/**
 * `styxctl`: the operator's command line for a running `styxd`.
 *
 *   styxctl [--socket PATH] [--json] up NAME | down NAME | status [NAME] | reload | log [--follow] [--lines N]
 *
 * Exit codes: 0 success, 1 the daemon refused or failed the command, 2 usage
 * error, 3 the daemon is not reachable. User mistakes print one clear line,
 * never a stack trace.
 */
import { ControlClient, ControlClientError } from './client.js';
import { formatReload, formatStatus } from './format.js';
import {
  type ActionResult,
  DEFAULT_SOCKET_PATH,
  type ReloadResult,
  type StatusResult,
} from './types.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

export const USAGE = `usage: styxctl [--socket PATH] [--json] COMMAND
commands:
  up NAME              start connection NAME and wait until it is up
  down NAME            close every SA of connection NAME
  status [NAME]        list IKE and CHILD SAs (of connection NAME)
  reload               load the configuration file again (a bad file changes nothing)
  log [--follow] [--lines N]
                       print recent log lines (and follow new ones)
options:
  --socket PATH        control socket (default ${DEFAULT_SOCKET_PATH})
  --json               machine-readable output
  -h, --help           show this help`;

export interface StyxctlIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Aborts a `log --follow` (SIGINT in the real CLI). */
  readonly signal?: AbortSignal;
}

interface Invocation {
  socket: string;
  json: boolean;
  follow: boolean;
  lines?: number;
  command?: string;
  operands: string[];
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Invocation | 'help' {
  const inv: Invocation = { socket: DEFAULT_SOCKET_PATH, json: false, follow: false, operands: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-h' || flag === '--help') return 'help';
    else if (flag === '--socket' || flag === '-s') inv.socket = value();
    else if (flag === '--json') inv.json = true;
    else if (flag === '--follow' || flag === '-f') inv.follow = true;
    else if (flag === '--lines' || flag === '-n') {
      const v = value();
      if (!/^\d{1,7}$/.test(v)) throw new UsageError(`--lines needs a number, not "${v}"`);
      inv.lines = Number(v);
    } else if (flag.startsWith('-')) throw new UsageError(`unknown option ${flag}`);
    else if (inv.command === undefined) inv.command = arg;
    else inv.operands.push(arg);
  }
  return inv;
}

function checkOperands(inv: Invocation): void {
  const count = inv.operands.length;
  const needs = (n: number, what: string) => {
    if (count < n) throw new UsageError(`${inv.command} needs ${what}`);
    if (count > n)
      throw new UsageError(
        `${inv.command} takes ${n === 0 ? 'no arguments' : `only ${what}`}, got "${inv.operands.slice(n).join(' ')}"`,
      );
  };
  switch (inv.command) {
    case 'up':
    case 'down':
      needs(1, 'a connection NAME');
      return;
    case 'status':
      if (count > 1)
        throw new UsageError(
          `status takes at most one connection NAME, got "${inv.operands.join(' ')}"`,
        );
      return;
    case 'reload':
    case 'log':
      needs(0, '');
      return;
    case undefined:
      throw new UsageError('a command is required');
    default:
      throw new UsageError(`unknown command "${inv.command}"`);
  }
}

async function execute(inv: Invocation, io: StyxctlIo): Promise<number> {
  const client = new ControlClient(inv.socket);
  const print = (human: string, data: unknown) =>
    io.stdout(`${inv.json ? JSON.stringify(data, null, 2) : human}\n`);
  switch (inv.command) {
    case 'up':
    case 'down': {
      const result = (await client.request(inv.command, {
        name: inv.operands[0]!,
      })) as ActionResult;
      print(result.message, result);
      return EXIT.OK;
    }
    case 'status': {
      const name = inv.operands[0];
      const result = (await client.request(
        'status',
        name === undefined ? {} : { name },
      )) as StatusResult;
      print(formatStatus(result, name), result);
      return EXIT.OK;
    }
    case 'reload': {
      const result = (await client.request('reload')) as ReloadResult;
      print(formatReload(result), result);
      return EXIT.OK;
    }
    default: {
      const args = { follow: inv.follow, ...(inv.lines !== undefined && { lines: inv.lines }) };
      const emit = (line: string) => io.stdout(`${inv.json ? JSON.stringify({ line }) : line}\n`);
      if (inv.follow) {
        await client.stream('log', args, emit, io.signal);
      } else {
        const result = (await client.request('log', args)) as { lines: string[] };
        for (const line of result.lines) emit(line);
      }
      return EXIT.OK;
    }
  }
}

/** Runs styxctl with `argv` (without node and script) and returns the exit code. */
export async function runStyxctl(argv: readonly string[], io: StyxctlIo): Promise<number> {
  let inv: Invocation | 'help';
  try {
    inv = parseArgs(argv);
    if (inv !== 'help') checkOperands(inv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`styxctl: ${e.message}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  if (inv === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.OK;
  }
  try {
    return await execute(inv, io);
  } catch (e) {
    if (!(e instanceof ControlClientError)) throw e;
    if (inv.json)
      io.stderr(
        `${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } })}\n`,
      );
    else io.stderr(`styxctl: ${e.message}\n${e.details.map((d) => `  ${d}\n`).join('')}`);
    return e.code === 'UNREACHABLE' ? EXIT.UNREACHABLE : EXIT.FAILED;
  }
}
