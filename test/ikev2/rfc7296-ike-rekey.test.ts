import { describe, expect, it } from 'vitest';
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

/** Both sides hold one IKE_SA with the same SPIs, carrying the one CHILD_SA. */
async function expectOneIkeSa(pair: Pair) {
  const [a] = pair.a.engine.listSas();
  const [b] = pair.b.engine.listSas();
  expect(pair.a.engine.listSas()).toHaveLength(1);
  expect(pair.b.engine.listSas()).toHaveLength(1);
  expect(Buffer.from(a!.spiI).equals(Buffer.from(b!.spiI))).toBe(true);
  expect(Buffer.from(a!.spiR).equals(Buffer.from(b!.spiR))).toBe(true);
  expect(a!.children).toHaveLength(1);
  expect(b!.children).toHaveLength(1);
  expect(await pair.settledOne()).toBe(true);
}

describe('IKE_SA rekey (RFC 7296 §2.18)', () => {
  it('the responder of the first IKE_SA rekeys it: new SPIs and keys, the CHILD_SA moves along, the old IKE_SA goes', async () => {
    const pair = lifecyclePair({ b: { ike: { rekeyMs: 20_000 } } });
    await establish(pair);
    const before = pair.a.engine.listSas()[0]!;
    const child = before.children[0]!;
    await pair.run(() => false, 21_000);
    await expectOneIkeSa(pair);
    const [a] = pair.a.engine.listSas();
    expect(a).not.toBe(before);
    expect(before.state).toBe('closed');
    // b initiated the rekey, so b is the new IKE_SA's initiator.
    expect(a!.role).toBe('responder');
    expect(pair.b.engine.listSas()[0]!.role).toBe('initiator');
    expect(a!.children[0]).toBe(child);
    // The new IKE_SA works: a CHILD_SA rekey runs over it.
    const { startChildRekey } = await import('../../src/ikev2/child-rekey.js');
    await pair.run(() => false, 10);
    startChildRekey(pair.a.engine, a!, child);
    await pair.run(() => pair.childrenOf(pair.a)[0] !== child, 5_000);
    await pair.run(() => false, 100);
    await expectOneIkeSa(pair);
  });

  it('rekeys repeatedly and a peer delete of the old IKE_SA triggers no close action', async () => {
    const pair = lifecyclePair({
      a: { ike: { rekeyMs: 15_000 }, policy: { closeAction: 'start' } },
    });
    await establish(pair);
    await pair.run(() => false, 62_000);
    expect(pair.a.logger.lines.filter((l) => /IKE_SA rekeyed to/.test(l)).length).toBe(4);
    await expectOneIkeSa(pair);
  });

  it('CHILD_SAs keep their rekey schedule on the new IKE_SA', async () => {
    const pair = lifecyclePair({
      a: { ike: { rekeyMs: 15_000 }, child: { rekeyMs: 20_000, lifeMs: 40_000 } },
    });
    await establish(pair);
    await pair.run(() => false, 63_000);
    expect(pair.a.logger.lines.filter((l) => /IKE_SA rekeyed to/.test(l)).length).toBe(4);
    expect(pair.a.logger.lines.filter((l) => /CHILD_SA net\{\d+\} rekeyed to/.test(l)).length).toBe(
      3,
    );
    await expectOneIkeSa(pair);
  });

  for (const seed of ['k1', 'k2', 'k3', 'k4']) {
    it(`simultaneous IKE_SA rekeys leave one IKE_SA on each side (seed ${seed})`, async () => {
      const pair = lifecyclePair({
        a: { ike: { rekeyMs: 20_000 } },
        b: { ike: { rekeyMs: 20_000 } },
        seed,
      });
      await establish(pair);
      await pair.run(() => false, 20_500);
      const collided = [pair.a, pair.b].some((s) =>
        s.logger.lines.some((l) => /IKE_SA rekey collision/.test(l)),
      );
      expect(collided).toBe(true);
      await pair.run(() => false, 1_000);
      await expectOneIkeSa(pair);
    });
  }
});
