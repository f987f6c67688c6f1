/**
 * The control socket: a local Unix stream socket (0600, root-owned) speaking
 * newline-delimited JSON. Every resource is bounded (style rule 6): clients,
 * request size, queued requests per client and unsent output per client.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { LineReader } from './lines.js';
import {
  COMMANDS,
  ControlError,
  type ControlErrorCode,
  type ControlHandler,
  type ControlResponse,
} from './types.js';

export interface ControlServerOptions {
  readonly path: string;
  readonly handler: ControlHandler;
  /** Concurrent clients; more are told BUSY and closed (default 16). */
  readonly maxClients?: number;
  /** Longest request line in bytes (default 64 KiB). */
  readonly maxRequestBytes?: number;
  /** Requests queued on one connection (default 8). */
  readonly maxQueuedRequests?: number;
  /** Unsent bytes a slow client may accumulate before it is dropped (default 1 MiB). */
  readonly maxPendingBytes?: number;
  /** Reports handler failures that are not ControlErrors (for the daemon log). */
  readonly onInternalError?: (error: unknown) => void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function fail(code: ControlErrorCode, message: string): never {
  throw new ControlError(code, message);
}

/** Refuses to replace a socket another daemon still answers on; removes a stale one. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; not replacing it`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another daemon is listening on ${path}`);
  unlinkSync(path);
}

export class ControlServer {
  readonly #server: Server;
  readonly #clients = new Set<Socket>();
  readonly #options: Required<Omit<ControlServerOptions, 'onInternalError'>> &
    Pick<ControlServerOptions, 'onInternalError'>;

  private constructor(server: Server, options: ControlServerOptions) {
    this.#server = server;
    this.#options = {
      maxClients: 16,
      maxRequestBytes: 64 * 1024,
      maxQueuedRequests: 8,
      maxPendingBytes: 1024 * 1024,
      ...options,
    };
  }

  /** Creates the socket with mode 0600 (owner root when run as root) and starts serving. */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o755 });
    await removeStaleSocket(options.path);
    const server = createServer();
    const control = new ControlServer(server, options);
    server.on('connection', (socket) => control.#accept(socket));
    // The umask closes the window between bind() and chmod() in which the
    // socket would carry default permissions; bind happens inside listen().
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(oldMask);
    }
    chmodSync(options.path, 0o600);
    if (process.getuid?.() === 0) chownSync(options.path, 0, 0);
    return control;
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** Stops accepting, disconnects every client and removes the socket file. */
  async close(): Promise<void> {
    for (const client of this.#clients) client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (this.#clients.size >= this.#options.maxClients) {
      const busy: ControlResponse = {
        id: null,
        ok: false,
        error: {
          code: 'BUSY',
          message: `too many control clients (at most ${this.#options.maxClients})`,
        },
      };
      socket.end(`${JSON.stringify(busy)}\n`);
      return;
    }
    this.#clients.add(socket);
    socket.on('close', () => this.#clients.delete(socket));
    socket.on('error', () => socket.destroy());
    new ClientSession(socket, this.#options);
  }
}

/** One connection: requests answered in order; a `log --follow` turns it into a stream. */
class ClientSession {
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #stopStream?: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly options: Required<Omit<ControlServerOptions, 'onInternalError'>> &
      Pick<ControlServerOptions, 'onInternalError'>,
  ) {
    const reader = new LineReader(
      options.maxRequestBytes,
      (line) => this.#enqueue(line),
      () =>
        this.#closeWith(null, 'TOO_LARGE', `request larger than ${options.maxRequestBytes} bytes`),
    );
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('close', () => this.#stopStream?.());
  }

  #send(message: ControlResponse): void {
    if (this.socket.destroyed) return;
    if (this.socket.writableLength > this.options.maxPendingBytes) {
      // A client that does not read (a stalled `log --follow`) is dropped rather than buffered.
      this.socket.destroy();
      return;
    }
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  #closeWith(id: number | string | null, code: ControlErrorCode, message: string): void {
    if (this.socket.destroyed) return;
    this.socket.end(`${JSON.stringify({ id, ok: false, error: { code, message } })}\n`);
    this.socket.destroySoon();
  }

  #enqueue(line: string): void {
    if (this.#stopStream) return; // a streaming connection takes no further requests
    if (this.#queued >= this.options.maxQueuedRequests) {
      this.#closeWith(null, 'BUSY', `more than ${this.options.maxQueuedRequests} requests pending`);
      return;
    }
    this.#queued++;
    this.#queue = this.#queue.then(async () => {
      await this.#handle(line);
      this.#queued--;
    });
  }

  async #handle(line: string): Promise<void> {
    let id: number | string | null = null;
    try {
      const request = parseRequest(line, (requestId) => {
        id = requestId;
      });
      const result = await this.#dispatch(request.id, request.cmd, request.args);
      if (result !== STREAMING) this.#send({ id, ok: true, result });
    } catch (e) {
      if (e instanceof ControlError) {
        this.#send({
          id,
          ok: false,
          error: { code: e.code, message: e.message, ...(e.details && { details: e.details }) },
        });
      } else {
        this.options.onInternalError?.(e);
        this.#send({
          id,
          ok: false,
          error: { code: 'INTERNAL', message: 'internal error; see the daemon log' },
        });
      }
    }
  }

  async #dispatch(
    id: number | string,
    cmd: string,
    args: Record<string, unknown>,
  ): Promise<unknown> {
    const handler = this.options.handler;
    switch (cmd) {
      case 'up':
        return handler.up(requireName(args));
      case 'down':
        return handler.down(requireName(args));
      case 'status':
        return handler.status(args.name === undefined ? undefined : requireName(args));
      case 'reload':
        return handler.reload();
      case 'log':
        return this.#logs(id, args);
      default:
        return fail(
          'UNKNOWN_COMMAND',
          `unknown command "${cmd}"; expected one of ${COMMANDS.join(', ')}`,
        );
    }
  }

  #logs(id: number | string, args: Record<string, unknown>): unknown {
    const follow = args.follow === true;
    const lines = args.lines;
    if (lines !== undefined && !(Number.isSafeInteger(lines) && (lines as number) >= 0)) {
      fail('BAD_REQUEST', 'args.lines must be a non-negative integer');
    }
    const options = { follow, ...(lines !== undefined && { lines: lines as number }) };
    if (!follow) {
      const collected: string[] = [];
      this.options.handler.logs(options, (line) => collected.push(line))();
      return { lines: collected };
    }
    this.#stopStream = this.options.handler.logs(options, (line) =>
      this.#send({ id, event: 'log', line }),
    );
    if (this.socket.destroyed) this.#stopStream();
    return STREAMING;
  }
}

const STREAMING = Symbol('streaming');

function parseRequest(
  line: string,
  onId: (id: number | string) => void,
): { id: number | string; cmd: string; args: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    fail('BAD_REQUEST', 'request is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('BAD_REQUEST', 'request must be a JSON object');
  const { id, cmd, args } = value as Record<string, unknown>;
  if (!(typeof id === 'number' || typeof id === 'string'))
    fail('BAD_REQUEST', 'request needs an id (number or string)');
  onId(id);
  if (typeof cmd !== 'string') fail('BAD_REQUEST', 'request needs a cmd string');
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    fail('BAD_REQUEST', 'args must be an object');
  }
  return { id, cmd, args: (args ?? {}) as Record<string, unknown> };
}

function requireName(args: Record<string, unknown>): string {
  const name = args.name;
  if (typeof name !== 'string') fail('BAD_REQUEST', 'args.name (a connection name) is required');
  if (!NAME.test(name))
    fail('BAD_REQUEST', `"${name.slice(0, 80)}" is not a valid connection name`);
  return name;
}
