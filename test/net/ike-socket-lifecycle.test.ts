/** Closing: nothing is delivered afterwards, and an open socket is what keeps a process alive. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openIkeEndpoint } from '../../src/net/ike-socket.js';

const MODULE = fileURLToPath(new URL('../../src/net/ike-socket.ts', import.meta.url));

/** Runs `body` in a fresh Node.js process with `openIkeEndpoint` imported; resolves its exit code. */
function runScript(body: string, limitMs: number): Promise<number | null | 'still running'> {
  const source = `import { openIkeEndpoint } from ${JSON.stringify(MODULE)};\n${body}`;
  const child = spawn('node', ['--import', 'tsx', '--input-type=module', '-e', source], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('IKE socket lifecycle', () => {
  it('emits close once, and delivers nothing that was still queued', async () => {
    const server = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
    const client = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
    let messages = 0;
    let closes = 0;
    server.on('message', () => messages++);
    server.on('close', () => closes++);
    // Queued in the kernel before the event loop can read it.
    client.send(Buffer.from('late'), { to: '127.0.0.1', port: server.localPort });
    server.close();
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.close();
    expect({ messages, closes }).toEqual({ messages: 0, closes: 1 });
  });

  it('a process whose sockets are closed ends by itself', async () => {
    const script = `
      const a = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
      const b = openIkeEndpoint({ address: '::1', port: 0, natt: true });
      a.on('message', () => { a.close(); b.close(); });
      a.send(Buffer.from('x'), { to: '127.0.0.1', port: a.localPort });`;
    expect(await runScript(script, 10_000)).toBe(0);
  });

  it('an open socket keeps the process alive, unless unref() is called', async () => {
    const open = `openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });`;
    const unref = `openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false }).unref();`;
    const [held, released] = await Promise.all([runScript(open, 1500), runScript(unref, 10_000)]);
    expect({ held, released }).toEqual({ held: 'still running', released: 0 });
  });

  it('a worker thread that ends with sockets open or closing tears down cleanly, many times', async () => {
    // Teardown must close the handles and wait for libuv before the addon is
    // unloaded; a close callback left pending into unloaded code crashes.
    const addon = fileURLToPath(new URL('../../build/Release/styx_native.node', import.meta.url));
    const worker = `
      const { UdpSocket } = require(${JSON.stringify(addon)});
      const open = new UdpSocket({ address: '127.0.0.1', port: 0 }, () => {}, () => {});
      const closing = new UdpSocket({ address: '::1', port: 0, encapEspInUdp: true }, () => {}, () => {});
      closing.close();
      if (require('node:worker_threads').workerData % 2) open.unref();
      setImmediate(() => process.exit(0));`;
    const script = `
      import { Worker } from 'node:worker_threads';
      for (let i = 0; i < 12; i++) {
        const worker = new Worker(${JSON.stringify(worker)}, { eval: true, execArgv: [], workerData: i });
        await new Promise((resolve) => worker.on('exit', resolve));
      }
      const last = new Worker(${JSON.stringify(worker.replace('setImmediate(() => process.exit(0));', ''))}, { eval: true, execArgv: [], workerData: 0 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await last.terminate();`;
    expect(await runScript(script, 20_000)).toBe(0);
  });

  it('a listener that throws reaches uncaughtException, like a node:dgram listener', async () => {
    const script = `
      process.on('uncaughtException', (error) => { process.exitCode = error.message === 'boom' ? 7 : 1; a.close(); });
      const a = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
      a.on('message', () => { throw new Error('boom'); });
      a.send(Buffer.from('x'), { to: '127.0.0.1', port: a.localPort });`;
    expect(await runScript(script, 10_000)).toBe(7);
  });
});
