import { describe, expect, it } from 'vitest';
import type { Datagram } from '../../src/ikev2/ports.js';
import { type HostObserver, SimHost } from '../../src/sim/host.js';
import { ManualClock } from '../../src/sim/manual-clock.js';
import { type DatagramFate, MemoryNetwork } from '../../src/sim/memory-network.js';
import { SimRandom, seededBytes } from '../../src/sim/random.js';

const A = { address: '192.0.2.1', port: 500 };
const B = { address: '192.0.2.2', port: 500 };

function wire() {
  const clock = new ManualClock();
  const net = new MemoryNetwork(clock);
  const got: Datagram[] = [];
  const fates: DatagramFate[] = [];
  net.bind(B.address, (d) => {
    got.push(d);
  });
  net.observer = (fate) => fates.push(fate);
  return { clock, net, got, fates, port: net.portFor() };
}

describe('memory network for the simulator', () => {
  it('counts datagrams in flight and drops those in flight when the link is cut', async () => {
    const { clock, net, got, fates, port } = wire();
    net.conditions = { loss: 0, duplicate: 0, delayMs: 10, jitterMs: 0 };
    port.send(new Uint8Array([1]), A, B);
    port.send(new Uint8Array([2]), A, B);
    expect(net.inFlight).toBe(2);
    expect(net.lastSendAt).toBe(0);
    let cut = true;
    net.blocked = (from, to) => cut && from.address === A.address && to.address === B.address;
    clock.advance(10);
    await net.settle();
    expect(net.inFlight).toBe(0);
    expect(got).toHaveLength(0);
    cut = false;
    port.send(new Uint8Array([3]), A, B);
    clock.advance(10);
    await net.settle();
    expect(got.map((d) => d.data[0])).toEqual([3]);
    expect(fates).toEqual(['sent', 'sent', 'blocked', 'blocked', 'sent', 'delivered']);
  });

  it('duplicates and reorders with jitter, reproducibly', async () => {
    const runOnce = async () => {
      const { clock, net, got, port } = wire();
      net.conditions = { loss: 0.2, duplicate: 0.3, delayMs: 1, jitterMs: 50 };
      for (let i = 0; i < 40; i++) port.send(new Uint8Array([i]), A, B);
      clock.advance(100);
      await net.settle();
      return got.map((d) => d.data[0]);
    };
    const order = await runOnce();
    expect(await runOnce()).toEqual(order);
    expect(order.length).not.toBe(40);
    expect(order).not.toEqual([...order].sort((x, y) => x! - y!));
    expect(new Set(order).size).toBeLessThan(order.length);
  });
});

describe('simulated host restart', () => {
  it('silences the old engine: its timers are cancelled and it sends nothing more', async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork(clock);
    const sentFrom: string[] = [];
    net.observer = (fate, from) => {
      if (fate === 'sent') sentFrom.push(from.address);
    };
    const observer: HostObserver = {
      engineLog: () => undefined,
      established: () => undefined,
      closed: () => undefined,
      error: (_h, what, e) => {
        throw new Error(`${what}: ${String(e)}`);
      },
    };
    const conn = {
      name: 'x',
      localAddrs: [A.address],
      remoteAddrs: [B.address],
      localPort: 500,
      remotePort: 500,
      proposals: [
        {
          protocol: 'ike' as const,
          encr: [{ id: 20, keyLen: 256 }],
          prf: [5],
          integ: [],
          ke: [19],
          esn: [],
        },
      ],
      local: { method: 'psk' as const, id: { type: 2, data: new Uint8Array([97]) } },
      remote: { method: 'psk' as const, id: { type: 2, data: new Uint8Array([98]) } },
      children: [],
      fragmentation: false,
      fragmentSize: 1280,
      rekeyMs: 0,
      dpdDelayMs: 0,
    };
    const host = new SimHost('a', A.address, [conn], new Map(), 9, clock, net, observer);
    host.boot();
    const first = host.engine;
    await first.initiate('x');
    expect(sentFrom).toEqual([A.address]);
    // Nobody answers: the first generation would retransmit at 4 s.
    host.boot();
    expect(host.engine).not.toBe(first);
    expect(host.generation).toBe(1);
    clock.advance(200_000);
    expect(sentFrom).toEqual([A.address]);
    expect(clock.nextDueIn()).toBeUndefined();
  });
});

describe('seeded randomness', () => {
  it('draws integers within bounds and forks independent, reproducible streams', () => {
    const r = new SimRandom(5);
    const ints = Array.from({ length: 200 }, () => r.int(3, 7));
    expect(Math.min(...ints)).toBe(3);
    expect(Math.max(...ints)).toBe(7);
    const f1 = new SimRandom(5).fork('x');
    const f2 = new SimRandom(5).fork('x');
    const g = new SimRandom(5).fork('y');
    const take = (s: SimRandom) => Array.from({ length: 5 }, () => s.float());
    expect(take(f1)).toEqual(take(f2));
    expect(take(new SimRandom(5).fork('x'))).not.toEqual(take(g));
    expect(seededBytes('s')(40)).toEqual(seededBytes('s')(40));
    expect(seededBytes('s')(40)).not.toEqual(seededBytes('t')(40));
  });
});
