// Running commands inside the lab: every command of a scenario goes through
// here, so its command line, exit status and output land in the scenario's log.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface ExecResult {
  readonly argv: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  /** Killed with SIGKILL after this long; the result then has timedOut set. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

/** The argv that runs `argv` inside network namespace `ns` (the UML root namespace when null). */
export function inNamespace(ns: string | null, argv: readonly string[]): string[] {
  if (ns === null) return [...argv];
  // `ip -n` enters the namespace itself: one process fewer than `ip netns exec`,
  // which counts inside UML where every exec costs tens of milliseconds.
  if (argv[0] === 'ip') return ['ip', '-n', ns, ...argv.slice(1)];
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** Appends to a log file; every scenario has one (`steps.log`). */
export class Log {
  constructor(readonly path: string) {}
  write(line: string): void {
    appendFileSync(this.path, `${new Date().toISOString().slice(11, 23)} ${line}\n`);
  }
  result(r: ExecResult): void {
    const how = r.timedOut ? 'timed out' : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
    let text = `$ ${r.argv.join(' ')}  -> ${how}\n`;
    if (r.stdout) text += indent(r.stdout);
    if (r.stderr) text += indent(r.stderr, 'stderr| ');
    appendFileSync(this.path, text);
  }
}

/**
 * Key material never reaches a log, even the lab's throwaway keys: `ip xfrm
 * state` prints them as `aead rfc4106(gcm(aes)) 0x<key> (288 bits) 128`.
 */
export function redactKeys(text: string): string {
  return text.replace(
    /\b((?:aead|enc|auth|auth-trunc|comp) \S+) 0x[0-9a-f]+/g,
    '$1 <key redacted>',
  );
}

function indent(text: string, prefix = '  | '): string {
  const lines = redactKeys(text).replace(/\n$/, '').split('\n');
  return `${lines.map((l) => prefix + l).join('\n')}\n`;
}

export function run(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty argv');
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      resolve({ argv, code, signal, stdout, stderr, timedOut });
    };
    child.on('error', (err) => {
      stderr += String(err);
      finish(127, null);
    });
    child.on('close', finish);
  });
}

/** A long-running process (a daemon, tcpdump): output goes to a file. */
export interface Background {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The output so far (stdout and stderr interleaved), also written to the log file. */
  output(): string;
  /** Signals, waits up to graceMs, then kills. Resolves when the process is gone. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function startBackground(
  argv: readonly string[],
  outputFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Background {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('startBackground: empty argv');
  const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const take = (d: Buffer) => {
    text += d.toString();
    appendFileSync(outputFile, d);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => {
      take(Buffer.from(`spawn error: ${String(err)}\n`));
      resolve({ code: 127, signal: null });
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    child,
    exited,
    output: () => text,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
      if (gone) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `predicate` holds, polling every intervalMs; rejects with `what` after timeoutMs. */
export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
