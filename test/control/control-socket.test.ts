/** The control socket over a real Unix socket: permissions, requests, errors, streaming and bounds. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient, ControlClientError } from '../../src/control/client.js';
import { ControlServer } from '../../src/control/server.js';
import { createLogger } from '../../src/daemon/logger.js';
import { FakeHandler, STATUS } from './fake-handler.js';

const servers: ControlServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Partial<Parameters<typeof ControlServer.listen>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'styx-control-'));
  const path = join(dir, 'run', 'styx.sock');
  const logger = createLogger({ sink: () => {}, now: () => new Date(0) });
  const handler = new FakeHandler(logger);
  const server = await ControlServer.listen({ path, handler, ...options });
  servers.push(server);
  return { path, handler, logger, server, client: new ControlClient(path) };
}

/** A raw connection that collects response lines. */
function rawClient(
  path: string,
): Promise<{ socket: Socket; lines: string[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    sockets.push(socket);
    const lines: string[] = [];
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, lines, closed }));
    socket.once('error', reject);
  });
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('control socket', () => {
  it('is created with mode 0600, owned by the daemon user, and removed on close', async () => {
    const { path, server } = await start();
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(process.getuid!());
    await server.close();
    servers.length = 0;
    expect(existsSync(path)).toBe(false);
  });

  it('answers up, down, status, reload and log requests', async () => {
    const { client, handler, logger } = await start();
    logger.info('ike', 'first');
    expect(await client.request('up', { name: 'gw-gw' })).toEqual({
      message: 'IKE_SA gw-gw #3 established, CHILD_SA net #5 installed',
    });
    expect(await client.request('down', { name: 'gw-gw' })).toEqual({
      message: 'closed 1 IKE_SA of gw-gw',
    });
    expect(await client.request('status')).toEqual(STATUS);
    expect(await client.request('status', { name: 'other' })).toEqual({ ikeSas: [] });
    expect(await client.request('reload')).toEqual({
      added: ['new'],
      removed: [],
      changed: ['gw-gw'],
      unchanged: ['other'],
    });
    expect(await client.request('log')).toEqual({
      lines: ['1970-01-01T00:00:00.000Z info  [ike] first'],
    });
    expect(handler.calls).toEqual(['up gw-gw', 'down gw-gw', 'status', 'status other', 'reload']);
  });

  it('passes the handler errors with their code and details, and hides internal ones', async () => {
    const { client } = await start();
    await expect(client.request('up', { name: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'no connection named "nope"',
    });
    await client.request('reload');
    await expect(client.request('reload')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: [
        'styx.yaml:12:15: connections.gw-gw.children.net.mode: "tunel" is not allowed; expected one of tunnel, transport',
      ],
    });
    const internal = await client
      .request('down', { name: 'boom' })
      .catch((e: ControlClientError) => e);
    expect(internal).toBeInstanceOf(ControlClientError);
    expect((internal as ControlClientError).code).toBe('INTERNAL');
    expect((internal as ControlClientError).message).not.toContain('secret internal detail');
  });

  it('rejects malformed requests without closing the connection', async () => {
    const { path } = await start();
    const { socket, lines } = await rawClient(path);
    socket.write('not json\n');
    socket.write('{"id":7,"cmd":"explode"}\n');
    socket.write('{"id":8,"cmd":"up"}\n');
    socket.write('{"id":9,"cmd":"up","args":{"name":"../../etc"}}\n');
    socket.write('{"cmd":"status"}\n');
    socket.write('{"id":10,"cmd":"status"}\n');
    await until(() => lines.length === 6);
    expect(lines.slice(0, 5).map((l) => JSON.parse(l))).toEqual([
      { id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'request is not valid JSON' } },
      {
        id: 7,
        ok: false,
        error: {
          code: 'UNKNOWN_COMMAND',
          message: 'unknown command "explode"; expected one of up, down, status, reload, log',
        },
      },
      {
        id: 8,
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'args.name (a connection name) is required' },
      },
      {
        id: 9,
        ok: false,
        error: { code: 'BAD_REQUEST', message: '"../../etc" is not a valid connection name' },
      },
      {
        id: null,
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'request needs an id (number or string)' },
      },
    ]);
    expect(JSON.parse(lines[5]!)).toMatchObject({ id: 10, ok: true });
  });

  it('answers pipelined requests in order', async () => {
    const { path, handler } = await start();
    let release!: () => void;
    handler.upGate = new Promise((r) => {
      release = r;
    });
    const { socket, lines } = await rawClient(path);
    socket.write('{"id":1,"cmd":"up","args":{"name":"gw-gw"}}\n{"id":2,"cmd":"status"}\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toEqual([]);
    release();
    await until(() => lines.length === 2);
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([1, 2]);
  });

  it('streams log lines to a follower until it disconnects', async () => {
    const { client, logger } = await start();
    logger.info('ike', 'before');
    const seen: string[] = [];
    const abort = new AbortController();
    const streaming = client.stream(
      'log',
      { follow: true },
      (line) => seen.push(line),
      abort.signal,
    );
    await until(() => seen.length === 1);
    logger.warn('kernel', 'after', { connection: 'gw-gw', ikeSa: 3 });
    await until(() => seen.length === 2);
    abort.abort();
    await streaming;
    expect(seen).toEqual([
      '1970-01-01T00:00:00.000Z info  [ike] before',
      '1970-01-01T00:00:00.000Z warn  [kernel] [gw-gw|#3] after',
    ]);
    // The server unsubscribes when the follower goes away.
    let delivered = 0;
    logger.subscribe(() => delivered++);
    await new Promise((r) => setTimeout(r, 20));
    logger.info('ike', 'later');
    expect(delivered).toBe(1);
  });

  it('limits concurrent clients and tells the extra one it is busy', async () => {
    const { path, server } = await start({ maxClients: 2 });
    await rawClient(path);
    await rawClient(path);
    await until(() => server.clientCount === 2);
    const third = await rawClient(path);
    await third.closed;
    expect(third.lines.map((l) => JSON.parse(l))).toEqual([
      {
        id: null,
        ok: false,
        error: { code: 'BUSY', message: 'too many control clients (at most 2)' },
      },
    ]);
  });

  it('closes a client whose request exceeds the size limit', async () => {
    const { path } = await start({ maxRequestBytes: 1024 });
    const big = await rawClient(path);
    big.socket.write('x'.repeat(2000));
    await big.closed;
    expect(big.lines.map((l) => JSON.parse(l))).toEqual([
      {
        id: null,
        ok: false,
        error: { code: 'TOO_LARGE', message: 'request larger than 1024 bytes' },
      },
    ]);
  });

  it('closes a client that queues too many requests', async () => {
    const { path, handler } = await start({ maxQueuedRequests: 2 });
    handler.upGate = new Promise(() => {});
    const c = await rawClient(path);
    c.socket.write('{"id":1,"cmd":"up","args":{"name":"a"}}\n'.repeat(3));
    await c.closed;
    expect(c.lines.map((l) => JSON.parse(l))).toEqual([
      { id: null, ok: false, error: { code: 'BUSY', message: 'more than 2 requests pending' } },
    ]);
  });

  it('replaces a stale socket but refuses to take over a live one or a regular file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'styx-control-'));
    const path = join(dir, 'styx.sock');
    const live = createServer();
    await new Promise<void>((r) => live.listen(path, r));
    const handler = new FakeHandler(createLogger({ sink: () => {} }));
    await expect(ControlServer.listen({ path, handler })).rejects.toThrow(
      `another daemon is listening on ${path}`,
    );
    await new Promise<void>((r) => live.close(() => r()));
    // A daemon killed hard leaves its socket file behind with nobody listening.
    const stalePath = join(dir, 'stale.sock');
    const crash = `require('node:net').createServer().listen(${JSON.stringify(stalePath)}, () => process.kill(process.pid, 'SIGKILL'))`;
    expect(() => execFileSync(process.execPath, ['-e', crash], { stdio: 'pipe' })).toThrow();
    expect(statSync(stalePath).isSocket()).toBe(true);
    const server = await ControlServer.listen({ path: join(dir, 'stale.sock'), handler });
    servers.push(server);
    expect(await new ControlClient(join(dir, 'stale.sock')).request('status')).toEqual(STATUS);
    writeFileSync(join(dir, 'file'), '');
    await expect(ControlServer.listen({ path: join(dir, 'file'), handler })).rejects.toThrow(
      'exists and is not a socket',
    );
  });
});

describe('control client', () => {
  it('explains a missing daemon', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'styx-control-')), 'styx.sock');
    await expect(new ControlClient(path).request('status')).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: `styxd is not running (no control socket at ${path})`,
    });
  });
});
