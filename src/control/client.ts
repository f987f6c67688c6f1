/**
 * A client for the control socket: one request, one response; or a stream of
 * events (`log --follow`). Connection failures become a {@link ControlClientError}
 * whose message tells the operator what to do, never a stack trace.
 */
import { createConnection, type Socket } from 'node:net';
import { LineReader } from './lines.js';
import type { Command, ControlRequest, ControlResponse, WireError } from './types.js';

export class ControlClientError extends Error {
  override readonly name = 'ControlClientError';
  constructor(
    /** `UNREACHABLE` when the daemon cannot be reached, else the daemon's error code. */
    readonly code: WireError['code'] | 'UNREACHABLE' | 'PROTOCOL',
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** Responses can be large (status of many SAs), but not unbounded. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function explainConnectError(path: string, error: NodeJS.ErrnoException): ControlClientError {
  switch (error.code) {
    case 'ENOENT':
      return new ControlClientError(
        'UNREACHABLE',
        `styxd is not running (no control socket at ${path})`,
      );
    case 'ECONNREFUSED':
      return new ControlClientError(
        'UNREACHABLE',
        `styxd is not running (nothing listens on ${path})`,
      );
    case 'EACCES':
    case 'EPERM':
      return new ControlClientError(
        'UNREACHABLE',
        `permission denied on ${path}; styxctl must run as root (try sudo)`,
      );
    case 'ENOTSOCK':
      return new ControlClientError('UNREACHABLE', `${path} is not a socket; check --socket`);
    default:
      return new ControlClientError(
        'UNREACHABLE',
        `cannot connect to ${path}: ${error.code ?? error.message}`,
      );
  }
}

export interface RequestOptions {
  readonly name?: string;
  readonly follow?: boolean;
  readonly lines?: number;
}

export class ControlClient {
  #nextId = 1;

  constructor(readonly path: string) {}

  /** Sends one request and resolves with its result, or rejects with a ControlClientError. */
  async request(cmd: Command, args: RequestOptions = {}): Promise<unknown> {
    let result: unknown;
    await this.#exchange(
      cmd,
      args,
      (message, done) => {
        if ('event' in message) return;
        if (message.ok) result = message.result;
        done(message.ok ? undefined : toError(message.error));
      },
      false,
    );
    return result;
  }

  /**
   * Sends a streaming request (`log` with follow) and calls `onLine` per event
   * until the daemon closes the connection or `signal` aborts.
   */
  async stream(
    cmd: Command,
    args: RequestOptions,
    onLine: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#exchange(
      cmd,
      args,
      (message, done) => {
        if ('event' in message) onLine(message.line);
        else if (!message.ok) done(toError(message.error));
      },
      true,
      signal,
    );
  }

  #exchange(
    cmd: Command,
    args: RequestOptions,
    onMessage: (message: ControlResponse, done: (error?: Error) => void) => void,
    /** For a stream, the daemon closing the connection ends it normally. */
    closeIsEnd: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let connected = false;
      const socket: Socket = createConnection(this.path);
      const done = (error?: Error) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (error) reject(error);
        else resolve();
      };
      signal?.addEventListener('abort', () => done(), { once: true });
      const reader = new LineReader(
        MAX_RESPONSE_BYTES,
        (line) => {
          let message: ControlResponse;
          try {
            message = JSON.parse(line) as ControlResponse;
          } catch {
            return done(new ControlClientError('PROTOCOL', 'the daemon sent a malformed response'));
          }
          onMessage(message, done);
        },
        () => done(new ControlClientError('PROTOCOL', 'the daemon sent an oversized response')),
      );
      socket.on('connect', () => {
        connected = true;
        const request: ControlRequest = { id: this.#nextId++, cmd, args };
        socket.write(`${JSON.stringify(request)}\n`);
      });
      socket.on('data', (chunk: Buffer) => reader.push(chunk));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        done(
          connected
            ? new ControlClientError(
                'UNREACHABLE',
                `connection to styxd lost: ${error.code ?? error.message}`,
              )
            : explainConnectError(this.path, error),
        ),
      );
      socket.on('close', () =>
        done(
          connected && closeIsEnd
            ? undefined
            : new ControlClientError(
                'UNREACHABLE',
                'styxd closed the connection without answering',
              ),
        ),
      );
    });
  }
}

function toError(error: WireError): ControlClientError {
  return new ControlClientError(error.code, error.message, error.details ?? []);
}
