/**
 * src/net/selftest-cli.ts between two network namespaces joined by veth, as
 * the lab runs it: each process ends by itself once its sockets are closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifindexOf, ip, NamespacePair, runCli } from './helpers.js';

let pair: NamespacePair;

beforeAll(() => {
  pair = new NamespacePair('cli');
  // Secondary addresses on the responder's side.
  ip('-n', pair.right, 'addr', 'add', '10.201.0.12/24', 'dev', 'veth0');
  ip('-n', pair.right, '-6', 'addr', 'add', 'fd00:201::12/64', 'dev', 'veth0', 'nodad');
  // Link-local addresses of our own, usable at once (no duplicate detection).
  ip('-n', pair.left, '-6', 'addr', 'add', 'fe80::201:1/64', 'dev', 'veth0', 'nodad');
  ip('-n', pair.right, '-6', 'addr', 'add', 'fe80::201:2/64', 'dev', 'veth0', 'nodad');
});

afterAll(() => pair?.destroy());

/** An echo responder on the wildcard address answering one request sent to `to`. */
async function echoExchange(wildcard: string, to: string, port: number) {
  const responder = runCli(
    ['listen', '--address', wildcard, '--port', String(port), '--echo', '--count', '1'],
    pair.right,
  );
  await responder.waitFor((e) => e.event === 'listening');
  const initiator = runCli(
    [
      'send',
      '--to',
      to,
      '--port',
      String(port),
      '--text',
      'SA_INIT',
      '--wait-reply',
      '--timeout',
      '5000',
    ],
    pair.left,
  );
  expect(await initiator.exited).toBe(0);
  expect(await responder.exited).toBe(0);
  return {
    request: await responder.waitFor((e) => e.event === 'message'),
    reply: await initiator.waitFor((e) => e.event === 'message'),
  };
}

describe('selftest CLI across namespaces', { timeout: 60_000 }, () => {
  it('a request to a secondary IPv4 address is answered from that address', async () => {
    const { request, reply } = await echoExchange('0.0.0.0', '10.201.0.12', 500);
    expect(request).toMatchObject({
      localAddress: '10.201.0.12',
      localPort: 500,
      remoteAddress: '10.201.0.1',
      ifindex: ifindexOf('veth0', pair.right),
      data: Buffer.from('SA_INIT').toString('hex'),
    });
    expect(reply).toMatchObject({ remoteAddress: '10.201.0.12', remotePort: 500 });
  });

  it('a request to a secondary IPv6 address is answered from that address', async () => {
    const { request, reply } = await echoExchange('::', 'fd00:201::12', 500);
    expect(request).toMatchObject({ localAddress: 'fd00:201::12', remoteAddress: 'fd00:201::1' });
    expect(reply).toMatchObject({ remoteAddress: 'fd00:201::12', remotePort: 500 });
  });

  it('link-local IPv6: the scope is reported as %interface and used to answer', async () => {
    const { request, reply } = await echoExchange('::', 'fe80::201:2%veth0', 500);
    expect(request).toMatchObject({
      localAddress: 'fe80::201:2%veth0',
      remoteAddress: 'fe80::201:1%veth0',
      ifindex: ifindexOf('veth0', pair.right),
    });
    expect(reply).toMatchObject({
      remoteAddress: 'fe80::201:2%veth0',
      localAddress: 'fe80::201:1%veth0',
    });
  });

  it('NAT-T sockets at both ends exchange IKE with the marker removed (port 4500)', async () => {
    const responder = runCli(
      ['listen', '--address', '0.0.0.0', '--port', '4500', '--natt', '--echo', '--count', '1'],
      pair.right,
    );
    await responder.waitFor((e) => e.event === 'listening');
    const initiator = runCli(
      [
        'send',
        '--to',
        '10.201.0.2',
        '--port',
        '4500',
        '--bind-port',
        '4500',
        '--natt',
        '--hex',
        '0102',
        '--wait-reply',
        '--timeout',
        '5000',
      ],
      pair.left,
    );
    expect(await initiator.exited).toBe(0);
    expect(await responder.waitFor((e) => e.event === 'message')).toMatchObject({
      data: '0102',
      length: 2,
    });
    expect(await initiator.waitFor((e) => e.event === 'message')).toMatchObject({
      data: '0102',
      remotePort: 4500,
    });
  });

  it('SO_MARK selects the routing table: unmarked has no route, marked is delivered', async () => {
    // Only marked traffic finds a route to 10.203.0.2 (a table of its own).
    ip('-n', pair.left, 'addr', 'add', '10.203.0.1/32', 'dev', 'veth0');
    ip('-n', pair.right, 'addr', 'add', '10.203.0.2/32', 'dev', 'veth0');
    ip('-n', pair.right, 'route', 'add', '10.203.0.1/32', 'dev', 'veth0');
    ip('-n', pair.left, 'route', 'add', '10.203.0.2/32', 'dev', 'veth0', 'table', '203');
    ip('-n', pair.left, 'rule', 'add', 'fwmark', '0xcb', 'lookup', '203');
    const unmarked = runCli(['send', '--to', '10.203.0.2', '--port', '500'], pair.left);
    expect(await unmarked.exited).toBe(1);
    expect(unmarked.events).toContainEqual(
      expect.objectContaining({ event: 'error', code: 'ENETUNREACH', syscall: 'sendmsg' }),
    );
    const responder = runCli(
      ['listen', '--address', '10.203.0.2', '--port', '500', '--count', '1'],
      pair.right,
    );
    await responder.waitFor((e) => e.event === 'listening');
    const marked = runCli(
      ['send', '--to', '10.203.0.2', '--port', '500', '--mark', String(0xcb)],
      pair.left,
    );
    expect(await marked.exited).toBe(0);
    expect(await responder.exited).toBe(0);
    expect(responder.events).toContainEqual(
      expect.objectContaining({ event: 'message', localAddress: '10.203.0.2' }),
    );
  });

  it('reports a failed bind as a JSON error line and exits 1', async () => {
    const run = runCli(['listen', '--address', '10.9.9.9', '--port', '500'], pair.left);
    expect(await run.exited).toBe(1);
    expect(run.events).toEqual([
      expect.objectContaining({ event: 'error', code: 'EADDRNOTAVAIL', syscall: 'bind' }),
    ]);
  });

  it('a listener whose peer never speaks ends at its timeout with exit code 1', async () => {
    const run = runCli(
      ['listen', '--address', '0.0.0.0', '--port', '510', '--timeout', '200'],
      pair.left,
    );
    expect(await run.exited).toBe(1);
    expect(run.events.map((e) => e.event)).toEqual(['listening', 'timeout']);
  });
});
