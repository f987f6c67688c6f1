/**
 * The per-socket bypass policy (IP_XFRM_POLICY / IPV6_XFRM_POLICY, allow in and
 * out) against a real SPD, in two namespaces created for the test: each side
 * has policies requiring ESP for all traffic between them, in and out, and no
 * SA. The host kernel has no ESP, but policy lookup is XFRM core: without the
 * bypass a datagram is held back on the way out (no SA) or dropped on the way
 * in (no matching SA); with it, it passes in clear (RFC 7296 §2.23 needs IKE
 * to stay outside the tunnels it negotiates).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip, NamespacePair, runCli, settlesWithin } from './helpers.js';

let pair: NamespacePair;

function requireEsp(ns: string, local: string, remote: string): void {
  for (const [dir, src, dst] of [
    ['out', local, remote],
    ['in', remote, local],
  ] as const) {
    ip(
      '-n',
      ns,
      'xfrm',
      'policy',
      'add',
      'src',
      src,
      'dst',
      dst,
      'dir',
      dir,
      'tmpl',
      'src',
      src,
      'dst',
      dst,
      'proto',
      'esp',
      'mode',
      'transport',
    );
  }
}

beforeAll(() => {
  pair = new NamespacePair('bypass');
  requireEsp(pair.left, '10.201.0.1', '10.201.0.2');
  requireEsp(pair.right, '10.201.0.2', '10.201.0.1');
  requireEsp(pair.left, 'fd00:201::1', 'fd00:201::2');
  requireEsp(pair.right, 'fd00:201::2', 'fd00:201::1');
});

afterAll(() => pair?.destroy());

/** Whether one datagram from left to right arrives. */
async function arrives(to: string, port: number, senderBypass: boolean, listenerBypass: boolean) {
  const bypass = (on: boolean) => (on ? [] : ['--no-bypass']);
  const listener = runCli(
    ['listen', '--address', to, '--port', String(port), '--count', '1', ...bypass(listenerBypass)],
    pair.right,
  );
  await listener.waitFor((e) => e.event === 'listening');
  const message = listener.waitFor((e) => e.event === 'message');
  const sender = runCli(
    ['send', '--to', to, '--port', String(port), ...bypass(senderBypass)],
    pair.left,
  );
  expect(await sender.exited).toBe(0);
  // Sent by now; across a veth pair it arrives well within the second.
  const arrived = await settlesWithin(message, 1000);
  // With --count 1 a listener that got its datagram ends by itself.
  if (!arrived) listener.stop();
  expect(await listener.exited).toBe(0);
  return arrived;
}

// Each case starts Node.js processes in the namespaces: seconds, not milliseconds.
describe('IKE socket bypass policy under policies that require ESP for everything', {
  timeout: 60_000,
}, () => {
  it('the policies are in force: a plain ping does not pass', () => {
    expect(() =>
      ip('netns', 'exec', pair.left, 'ping', '-c', '1', '-W', '1', '10.201.0.2'),
    ).toThrow();
  });

  it('IKE passes in clear over IPv4 when both sockets bypass', async () => {
    expect(await arrives('10.201.0.2', 500, true, true)).toBe(true);
  });

  it('without the bypass on the sender (out) or the receiver (in) it does not', async () => {
    const [noOut, noIn] = await Promise.all([
      arrives('10.201.0.2', 501, false, true),
      arrives('10.201.0.2', 502, true, false),
    ]);
    expect({ noOut, noIn }).toEqual({ noOut: false, noIn: false });
  });

  it('the same over IPv6', async () => {
    const [both, noOut, noIn] = await Promise.all([
      arrives('fd00:201::2', 500, true, true),
      arrives('fd00:201::2', 501, false, true),
      arrives('fd00:201::2', 502, true, false),
    ]);
    expect({ both, noOut, noIn }).toEqual({ both: true, noOut: false, noIn: false });
  });

  it('the socket policies live and die with the socket', async () => {
    const count = () => ip('-s', '-n', pair.right, 'xfrm', 'policy', 'count');
    const listener = runCli(
      ['listen', '--address', '0.0.0.0', '--port', '503', '--count', '1'],
      pair.right,
    );
    await listener.waitFor((e) => e.event === 'listening');
    expect(count()).toMatch(/SPD IN {2}2 OUT 2 FWD 0 \(Sock: IN 1 OUT 1 FWD 0\)/);
    const sender = runCli(['send', '--to', '10.201.0.2', '--port', '503'], pair.left);
    expect(await sender.exited).toBe(0);
    expect(await listener.exited).toBe(0);
    expect(count()).toMatch(/SPD IN {2}2 OUT 2 FWD 0 \(Sock: IN 0 OUT 0 FWD 0\)/);
  });
});
