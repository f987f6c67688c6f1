import { describe, expect, it } from 'vitest';
import { ExchangeType } from '../../src/wire/ikev2/index.js';
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

/** INFORMATIONAL requests a sent (empty ones are liveness checks). */
const informationalFromA = (pair: Pair) =>
  pair.net.sent.filter(
    (s) =>
      s.from.address === '192.0.2.1' &&
      s.data[18] === ExchangeType.INFORMATIONAL &&
      (s.data[19]! & 0x20) === 0,
  ).length;

const cut = (pair: Pair) => {
  pair.net.blocked = () => true;
};

describe('dead peer detection (RFC 7296 §2.4)', () => {
  it('checks liveness after the delay and stays up while the peer answers', async () => {
    const pair = lifecyclePair({ a: { ike: { dpdDelayMs: 10_000, dpdTimeoutMs: 30_000 } } });
    await establish(pair);
    await pair.run(() => false, 35_000);
    expect(informationalFromA(pair)).toBeGreaterThanOrEqual(3);
    expect(pair.a.engine.listSas()).toHaveLength(1);
  });

  it('ESP arriving on the inbound SA counts as liveness: no check is sent', async () => {
    const pair = lifecyclePair({ a: { ike: { dpdDelayMs: 10_000 } } });
    await establish(pair);
    const inbound = pair.childrenOf(pair.a)[0]!.installedSas[0]!;
    for (let i = 0; i < 6; i++) {
      pair.a.kernel.addTraffic(inbound, 100, 1);
      await pair.run(() => false, 5_000);
    }
    expect(informationalFromA(pair)).toBe(0);
  });

  it('action clear: a cut-off peer is declared dead within delay + timeout and everything is removed', async () => {
    const pair = lifecyclePair({
      a: {
        ike: { dpdDelayMs: 10_000, dpdTimeoutMs: 30_000 },
        policy: { dpdAction: 'clear' },
      },
    });
    await establish(pair);
    const t0 = pair.clock.now();
    cut(pair);
    const dead = await pair.run(() => pair.a.engine.listSas().length === 0, 60_000);
    expect(dead).toBe(true);
    expect(pair.clock.now() - t0).toBeLessThanOrEqual(40_000 + 10);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listPolicies()).toHaveLength(0);
    expect(pair.a.logger.lines.some((l) => /peer is dead \(DPD\)/.test(l))).toBe(true);
  });

  it('action restart: a new IKE_SA comes up once the peer is reachable again, and only one', async () => {
    const pair = lifecyclePair({
      a: {
        ike: { dpdDelayMs: 5000, dpdTimeoutMs: 15_000 },
        policy: { dpdAction: 'restart' },
      },
    });
    await establish(pair);
    const first = pair.a.engine.listSas()[0]!;
    cut(pair);
    await pair.run(() => first.state === 'closed', 30_000);
    expect(first.state).toBe('closed');
    pair.net.blocked = () => false;
    const up = await pair.run(
      () =>
        pair.a.engine
          .listSas()
          .some((s) => s !== first && s.state === 'established' && s.children.length === 1),
      200_000,
    );
    expect(up).toBe(true);
    expect(pair.a.engine.listSas()).toHaveLength(1);
  });

  it('action trap: trap policies take the place of the tunnel and traffic brings it back', async () => {
    const pair = lifecyclePair({
      a: {
        ike: { dpdDelayMs: 5000, dpdTimeoutMs: 15_000 },
        policy: { dpdAction: 'trap' },
      },
    });
    await establish(pair);
    cut(pair);
    await pair.run(() => pair.a.engine.listSas().length === 0, 30_000);
    const policies = await pair.a.kernel.listPolicies();
    expect(policies).toHaveLength(1);
    expect(policies[0]!.dir).toBe('out');
    expect(policies[0]!.templates[0]).toMatchObject({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
    });
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    pair.net.blocked = () => false;
    // b still believes in its old IKE_SA; a packet at a triggers the ACQUIRE.
    const ev = pair.a.kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.7', proto: 1 });
    expect(ev).toBeDefined();
    const up = await pair.run(() => pair.childrenOf(pair.a).length === 1, 30_000);
    expect(up).toBe(true);
  });
});
