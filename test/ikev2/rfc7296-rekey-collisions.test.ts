import { describe, expect, it } from 'vitest';
import { holdsLowestNonce } from '../../src/ikev2/child-rekey.js';
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

const bytes = (...v: number[]) => Uint8Array.from(v);

describe('rekey collisions (RFC 7296 §2.8.1)', () => {
  it('the exchange holding the lowest of the four nonces is the redundant one', () => {
    const low = { ni: bytes(9, 9), nr: bytes(1, 2) };
    const high = { ni: bytes(5, 0), nr: bytes(7, 0) };
    expect(holdsLowestNonce(low, high)).toBe(true);
    expect(holdsLowestNonce(high, low)).toBe(false);
    // Only the lowest nonce counts, wherever it sits.
    expect(
      holdsLowestNonce({ ni: bytes(0, 1), nr: bytes(255) }, { ni: bytes(0, 2), nr: bytes(0, 3) }),
    ).toBe(true);
  });

  for (const seed of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) {
    it(`simultaneous CHILD_SA rekeys leave one CHILD_SA on each side (seed ${seed})`, async () => {
      const same = { rekeyMs: 10_000, lifeMs: 30_000 };
      const pair = lifecyclePair({ a: { child: same }, b: { child: same }, seed });
      await establish(pair);
      // Both timers fire at the same instant: the requests cross on the wire.
      await pair.run(() => false, 10_200);
      const collided = [pair.a, pair.b].some((s) =>
        s.logger.lines.some((l) => /rekey collision: deleting our redundant/.test(l)),
      );
      expect(collided).toBe(true);
      expect(await pair.settledOne()).toBe(true);
      const a = pair.childrenOf(pair.a)[0]!;
      const b = pair.childrenOf(pair.b)[0]!;
      expect(a.spiOut).toBe(b.spiIn);
      expect(a.spiIn).toBe(b.spiOut);
      const aSas = await pair.a.kernel.listSas();
      const bSas = await pair.b.kernel.listSas();
      for (const s of aSas) expect(bSas.some((x) => x.spi === s.spi && x.dst === s.dst)).toBe(true);
      expect((await pair.a.kernel.listPolicies()).length).toBe(3);
      expect((await pair.b.kernel.listPolicies()).length).toBe(3);
      // And the next round of rekeys works too.
      await pair.run(() => false, 10_500);
      expect(await pair.settledOne()).toBe(true);
    });
  }

  it('a rekey that meets a delete gets TEMPORARY_FAILURE and the CHILD_SA is gone on both sides', async () => {
    const pair = lifecyclePair({ b: { child: { rekeyMs: 10_000, lifeMs: 30_000 } } });
    await establish(pair);
    await pair.run(() => false, 9_999);
    // a deletes the CHILD_SA exactly when b's rekey timer fires.
    const sa = pair.a.engine.listSas()[0]!;
    const child = sa.children[0]!;
    const { deleteChildSa } = await import('../../src/ikev2/informational.js');
    void deleteChildSa(pair.a.engine, sa, child);
    await pair.run(() => false, 2_000);
    expect(pair.b.logger.lines.some((l) => /refused: TEMPORARY_FAILURE/.test(l))).toBe(true);
    expect(pair.childrenOf(pair.a)).toHaveLength(0);
    expect(pair.childrenOf(pair.b)).toHaveLength(0);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    expect(await pair.b.kernel.listSas()).toHaveLength(0);
  });
});
