/** Shared by the IKE socket tests: waiting for datagrams, running the probe CLI, namespaces. */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { IkeDatagram, IkeSocket } from '../../src/net/ike-socket.js';

/** The first `count` datagrams on `socket`, or a rejection after `timeoutMs`. */
export function receiveDatagrams(
  socket: IkeSocket,
  count: number,
  timeoutMs = 2000,
): Promise<IkeDatagram[]> {
  return new Promise((resolve, reject) => {
    const received: IkeDatagram[] = [];
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`received ${received.length} of ${count} datagrams in ${timeoutMs} ms`));
    }, timeoutMs);
    function onMessage(datagram: IkeDatagram): void {
      received.push(datagram);
      if (received.length < count) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(received);
    }
    socket.on('message', onMessage);
  });
}

export async function receiveOne(socket: IkeSocket, timeoutMs = 2000): Promise<IkeDatagram> {
  const [datagram] = await receiveDatagrams(socket, 1, timeoutMs);
  return datagram!;
}

/** The interface index of `name` in the current network namespace. */
export function ifindexOf(name: string, netns?: string): number {
  const prefix = netns === undefined ? [] : ['-n', netns];
  const output = execFileSync('ip', [...prefix, '-o', 'link', 'show', 'dev', name], {
    encoding: 'utf8',
  });
  return Number.parseInt(output, 10);
}

const CLI = fileURLToPath(new URL('../../src/net/selftest-cli.ts', import.meta.url));

export interface CliRun {
  /** stdout's JSON lines, in order. */
  events: Record<string, unknown>[];
  /** Resolves with the exit code once the process has ended by itself. */
  exited: Promise<number | null>;
  /** Resolves with the first event for which `match` holds. */
  waitFor(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM: the CLI closes its socket and ends by itself. */
  stop(): void;
}

/** Runs src/net/selftest-cli.ts, inside `netns` when given (`ip netns exec`). */
export function runCli(args: string[], netns?: string): CliRun {
  const command = ['node', '--import', 'tsx', CLI, ...args];
  const [file, ...rest] =
    netns === undefined ? command : ['ip', 'netns', 'exec', netns, ...command];
  const child = spawn(file!, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Record<string, unknown>[] = [];
  const waiters: {
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const event = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
      buffered = buffered.slice(newline + 1);
      events.push(event);
      for (const waiter of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    events,
    exited,
    stop: () => child.kill('SIGTERM'),
    waitFor(match) {
      const seen = events.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(() =>
          reject(new Error(`exited without the awaited event: ${JSON.stringify(events)}`)),
        );
      });
    },
  };
}

/**
 * Two network namespaces joined by a veth pair, 10.201.0.1/24 (`left`) and
 * 10.201.0.2/24 (`right`), fd00:201::1/64 and fd00:201::2/64: created here, so
 * the tests never touch the host's own interfaces, addresses or policies.
 */
export class NamespacePair {
  readonly left: string;
  readonly right: string;

  constructor(tag: string) {
    const suffix = `${process.pid}-${tag}`;
    this.left = `styx-l-${suffix}`;
    this.right = `styx-r-${suffix}`;
    try {
      this.#create();
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  #create(): void {
    ip('netns', 'add', this.left);
    ip('netns', 'add', this.right);
    ip(
      'link',
      'add',
      'veth0',
      'netns',
      this.left,
      'type',
      'veth',
      'peer',
      'name',
      'veth0',
      'netns',
      this.right,
    );
    for (const [ns, last] of [
      [this.left, 1],
      [this.right, 2],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `10.201.0.${last}/24`, 'dev', 'veth0');
      ip('-n', ns, '-6', 'addr', 'add', `fd00:201::${last}/64`, 'dev', 'veth0', 'nodad');
      ip('-n', ns, 'link', 'set', 'veth0', 'up');
    }
    // Permanent IPv6 neighbours: neighbour discovery is itself IPv6 between
    // these addresses, and a test's policy requiring ESP for all of it would
    // otherwise stop the path before the datagram under test is sent.
    for (const [ns, peer, last] of [
      [this.left, this.right, 2],
      [this.right, this.left, 1],
    ] as const) {
      const [link] = JSON.parse(ip('-n', peer, '-j', 'link', 'show', 'veth0')) as {
        address: string;
      }[];
      ip(
        '-n',
        ns,
        'neigh',
        'add',
        `fd00:201::${last}`,
        'lladdr',
        link!.address,
        'dev',
        'veth0',
        'nud',
        'permanent',
      );
    }
  }

  destroy(): void {
    for (const ns of [this.left, this.right]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // Absent when creation failed half-way.
      }
    }
  }
}

/** Whether `promise` resolves within `ms`; false when it rejects or is late. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
