import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/ikev2/ports.js';
import { lifecyclePair } from '../support/lifecycle-pair.js';

type Pair = ReturnType<typeof lifecyclePair>;

async function establish(pair: Pair) {
  await pair.a.engine.initiate('a');
  expect(
    await pair.run(
      () => pair.childrenOf(pair.a).length === 1 && pair.childrenOf(pair.b).length === 1,
    ),
  ).toBe(true);
}

describe('NAT traversal (RFC 7296 §2.23, RFC 3948)', () => {
  it('nat_traversal force: a fake NAT-D hash makes both sides float to 4500 and encapsulate ESP in UDP', async () => {
    const pair = lifecyclePair({ a: { ike: { forceEncap: true } } });
    await establish(pair);
    const a = pair.a.engine.listSas()[0]!;
    const b = pair.b.engine.listSas()[0]!;
    expect(a.natLocal).toBe(true);
    expect(b.natRemote).toBe(true);
    expect(b.natLocal).toBe(false);
    expect(a.local.port).toBe(4500);
    expect(b.local.port).toBe(4500);
    for (const side of [pair.a, pair.b]) {
      for (const s of await side.kernel.listSas()) {
        expect(s.encap).toMatchObject({ type: 'espinudp', sport: 4500, dport: 4500 });
      }
    }
  });

  it('without a NAT nothing is encapsulated', async () => {
    const pair = lifecyclePair();
    await establish(pair);
    for (const s of await pair.a.kernel.listSas()) expect(s.encap).toBeUndefined();
  });

  it('behind a NAT a keepalive (one octet 0xFF) leaves every 20 s', async () => {
    const pair = lifecyclePair({ a: { ike: { forceEncap: true } } });
    const sent: { local: Endpoint; remote: Endpoint; at: number }[] = [];
    pair.a.engine.ports.network.sendNatKeepalive = (local, remote) =>
      sent.push({ local, remote, at: pair.clock.now() });
    await establish(pair);
    const t0 = pair.clock.now();
    await pair.run(() => false, 61_000);
    expect(sent).toHaveLength(3);
    expect(sent[0]!.local.port).toBe(4500);
    expect(sent[0]!.remote).toEqual({ address: '192.0.2.2', port: 4500 });
    expect(sent[0]!.at - t0).toBeLessThanOrEqual(20_000);
    // The peer, not behind a NAT, sends none.
    expect(pair.b.engine.ports.network.sendNatKeepalive).toBeUndefined();
  });

  it('a MAPPING event (the NAT gave the peer a new port) moves the SAs and IKE to that port', async () => {
    const pair = lifecyclePair({ a: { ike: { forceEncap: true } } });
    await establish(pair);
    const b = pair.b.engine.listSas()[0]!;
    const inbound = b.children[0]!.installedSas[0]!;
    pair.b.kernel.inject({
      type: 'mapping',
      sa: { dst: inbound.dst, spi: inbound.spi, proto: 'esp' },
      reqid: b.children[0]!.reqid,
      oldSrc: '192.0.2.1',
      oldSport: 4500,
      newSrc: '192.0.2.1',
      newSport: 34567,
    });
    await pair.run(() => false, 50);
    expect(b.remote).toEqual({ address: '192.0.2.1', port: 34567 });
    const sas = await pair.b.kernel.listSas();
    expect(sas.find((s) => s.dst === '192.0.2.2')!.encap).toMatchObject({
      sport: 34567,
      dport: 4500,
    });
    expect(sas.find((s) => s.dst === '192.0.2.1')!.encap).toMatchObject({
      sport: 4500,
      dport: 34567,
    });
  });
});
