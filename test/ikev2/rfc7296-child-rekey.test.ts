import { describe, expect, it } from 'vitest';
import { ExchangeType } from '../../src/wire/ikev2/index.js';
import { ESP_GCM } from '../support/engine-pair.js';
import { lifecyclePair, lostSpis } from '../support/lifecycle-pair.js';

type Pair = ReturnType<typeof lifecyclePair>;

async function establish(pair: Pair) {
  await pair.a.engine.initiate('a');
  expect(
    await pair.run(
      () => pair.childrenOf(pair.a).length === 1 && pair.childrenOf(pair.b).length === 1,
    ),
  ).toBe(true);
  return { a: pair.childrenOf(pair.a)[0]!, b: pair.childrenOf(pair.b)[0]! };
}

/** Steps the clock 1 ms at a time for `ms`, checking after each step that traffic both ways would pass. */
async function stepChecking(pair: Pair, ms: number): Promise<number[]> {
  const lost: number[] = [];
  for (let t = 0; t < ms; t++) {
    await pair.net.settle();
    await new Promise((r) => setImmediate(r));
    await pair.net.settle();
    const aSas = await pair.a.kernel.listSas();
    const bSas = await pair.b.kernel.listSas();
    lost.push(...lostSpis(aSas, '192.0.2.1', bSas), ...lostSpis(bSas, '192.0.2.2', aSas));
    pair.clock.advance(1);
  }
  return lost;
}

async function expectMirrored(pair: Pair) {
  const aSas = await pair.a.kernel.listSas();
  const bSas = await pair.b.kernel.listSas();
  expect(aSas).toHaveLength(2);
  expect(bSas).toHaveLength(2);
  for (const s of aSas) {
    const twin = bSas.find((x) => x.spi === s.spi && x.dst === s.dst)!;
    expect(twin).toBeDefined();
    expect(Buffer.from(twin.aead!.key).equals(Buffer.from(s.aead!.key))).toBe(true);
  }
  // The policies survived the rekey: out, in and fwd, pointing at the CHILD_SA's reqid.
  for (const side of [pair.a, pair.b]) {
    const policies = await side.kernel.listPolicies();
    expect(policies.map((p) => p.dir).sort()).toEqual(['fwd', 'in', 'out']);
    const reqid = pair.childrenOf(side)[0]!.reqid;
    for (const p of policies) expect(p.templates[0]!.reqid).toBe(reqid);
  }
}

const requestsOfType = (pair: Pair, type: number) =>
  pair.net.sent.filter((s) => s.data[18] === type && (s.data[19]! & 0x20) === 0).length;

describe('CHILD_SA rekey (RFC 7296 §2.8)', () => {
  it('rekeys on the timer, installs the new SAs before removing the old, and keeps the reqid', async () => {
    const pair = lifecyclePair({ a: { child: { rekeyMs: 10_000, lifeMs: 20_000 } } });
    const first = await establish(pair);
    const lost = await stepChecking(pair, 11_000);
    expect(lost).toEqual([]);
    const now = { a: pair.childrenOf(pair.a)[0]!, b: pair.childrenOf(pair.b)[0]! };
    expect(now.a.uniqueId).not.toBe(first.a.uniqueId);
    expect(now.a.spiIn).not.toBe(first.a.spiIn);
    expect(now.a.spiOut).toBe(now.b.spiIn);
    expect(now.a.reqid).toBe(first.a.reqid);
    expect(await pair.settledOne()).toBe(true);
    await expectMirrored(pair);
    expect(pair.a.logger.lines.some((l) => /rekeyed to/.test(l))).toBe(true);
    expect(pair.b.logger.lines.some((l) => /rekeyed by peer/.test(l))).toBe(true);
  });

  it('rekeys 50 times in a row without a moment in which traffic would be lost', async () => {
    const pair = lifecyclePair({ b: { child: { rekeyMs: 2000, lifeMs: 4000 } } });
    await establish(pair);
    const lost = await stepChecking(pair, 50 * 2000 + 500);
    expect(lost).toEqual([]);
    expect(pair.b.logger.lines.filter((l) => /rekeyed to/.test(l))).toHaveLength(50);
    expect(await pair.settledOne()).toBe(true);
    await expectMirrored(pair);
  }, 60_000);

  it('with PFS the rekey carries a key exchange and the new CHILD_SA records the group', async () => {
    const pfs = { ...ESP_GCM, ke: [31] };
    const pair = lifecyclePair({
      a: { child: { rekeyMs: 10_000, lifeMs: 20_000, proposals: [pfs] } },
      b: { child: { proposals: [pfs] } },
    });
    await establish(pair);
    await pair.run(() => false, 10_500);
    expect(await pair.settledOne()).toBe(true);
    expect(pair.childrenOf(pair.a)[0]!.chosen?.ke).toBe(31);
    expect(pair.childrenOf(pair.b)[0]!.chosen?.ke).toBe(31);
    await expectMirrored(pair);
  });

  it('rekey: false leaves the rekey to the peer', async () => {
    const pair = lifecyclePair({
      a: { ike: { rekey: false }, child: { rekeyMs: 5000, lifeMs: 60_000 } },
      b: { child: { rekeyMs: 20_000, lifeMs: 60_000 } },
    });
    await establish(pair);
    const before = requestsOfType(pair, ExchangeType.CREATE_CHILD_SA);
    await pair.run(() => false, 10_000);
    expect(requestsOfType(pair, ExchangeType.CREATE_CHILD_SA)).toBe(before);
    await pair.run(() => false, 11_000);
    expect(pair.b.logger.lines.some((l) => /rekeyed to/.test(l))).toBe(true);
    expect(pair.a.logger.lines.some((l) => /rekeyed to/.test(l))).toBe(false);
    expect(await pair.settledOne()).toBe(true);
  });

  it('a soft byte limit from the kernel (EXPIRE) starts a rekey', async () => {
    const pair = lifecyclePair({
      a: { child: { rekeyMs: 0, lifeMs: 3_600_000, rekeyBytes: 1_000_000 } },
    });
    const first = await establish(pair);
    const out = first.a.installedSas.find((s) => s.src === '192.0.2.1')!;
    pair.a.kernel.addTraffic(out, 999_000, 700);
    await pair.run(() => false, 100);
    expect(pair.childrenOf(pair.a)[0]!.uniqueId).toBe(first.a.uniqueId);
    pair.a.kernel.addTraffic(out, 2_000, 2);
    await pair.run(() => pair.childrenOf(pair.a)[0]?.uniqueId !== first.a.uniqueId, 5000);
    await pair.run(() => false, 100);
    expect(await pair.settledOne()).toBe(true);
    await expectMirrored(pair);
  });

  it('a hard EXPIRE removes the CHILD_SA on both sides', async () => {
    const pair = lifecyclePair({ a: { child: { rekeyMs: 0, lifeMs: 30_000 } } });
    await establish(pair);
    await pair.run(() => false, 31_000);
    pair.a.kernel.checkLifetimes();
    await pair.run(() => false, 100);
    expect(pair.childrenOf(pair.a)).toHaveLength(0);
    expect(pair.childrenOf(pair.b)).toHaveLength(0);
    expect(await pair.b.kernel.listPolicies()).toHaveLength(0);
  });
});
