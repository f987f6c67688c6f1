/**
 * Races between an operator's delete, rekeys and lost messages that the
 * simulator found (docs/simulator.md), each reduced to two engines: a delete
 * must win over an exchange in flight, and an IKE_SA whose peer stopped
 * answering must end (RFC 7296 §2.4).
 */

import { describe, expect, it } from 'vitest';
import { lifecyclePair } from '../support/lifecycle-pair.js';

type Pair = ReturnType<typeof lifecyclePair>;

/** The kernel's own timers: lifetimes and larval SAs, once a second. */
function kernelTick(pair: Pair): void {
  pair.clock.setTimer(1000, () => {
    pair.a.kernel.checkLifetimes();
    pair.b.kernel.checkLifetimes();
    kernelTick(pair);
  });
}

const B = '192.0.2.2';

/** One CHILD_SA installed on each side. */
const up = (pair: Pair) =>
  pair.childrenOf(pair.a).length === 1 && pair.childrenOf(pair.b).length === 1;

async function nothingLeft(pair: Pair) {
  for (const side of [pair.a, pair.b]) {
    expect(side.engine.listSas()).toHaveLength(0);
    expect(await side.kernel.listSas()).toHaveLength(0);
    expect(await side.kernel.listPolicies()).toHaveLength(0);
  }
}

describe('lifecycle races', () => {
  it('terminate while IKE_AUTH is in flight deletes the IKE_SA on both sides (fault 7)', async () => {
    const pair = lifecyclePair({ seed: 'race-auth' });
    let fromB = 0;
    // b's IKE_AUTH answer is held back for 6 s (b's IKE_SA_INIT answer passes).
    pair.net.blocked = (from) => from.address === B && ++fromB > 1 && pair.clock.now() < 6000;
    void pair.a.engine.initiate('a');
    await pair.run(() => pair.b.engine.listSas()[0]?.state === 'established');
    expect(pair.a.engine.listSas()[0]?.state).toBe('authenticating');
    void pair.a.engine.terminate('a');
    await pair.run(() => false, 60_000);
    await nothingLeft(pair);
  });

  it('terminate while an IKE_SA rekey is in flight leaves no successor behind', async () => {
    const pair = lifecyclePair({ seed: 'race-rekey', a: { ike: { rekeyMs: 10_000 } } });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => up(pair))).toBe(true);
    // The rekey goes out at 10 s; b's answers are lost for a while.
    pair.net.blocked = (from) => from.address === B && pair.clock.now() < 16_000;
    await pair.run(() => pair.a.logger.lines.some((l) => l.includes('rekeying IKE_SA')), 20_000);
    void pair.a.engine.terminate('a');
    await pair.run(() => false, 120_000);
    await nothingLeft(pair);
  });

  it('INITIAL_CONTACT closes only IKE_SAs established before its IKE_SA_INIT was answered', async () => {
    const pair = lifecyclePair({ seed: 'race-ic' });
    await pair.a.engine.initiate('a');
    await pair.run(() => up(pair));
    await pair.run(() => false, 10_000);
    // A second IKE_SA from a: its IKE_SA_INIT is answered at 10 s.
    await pair.a.engine.initiate('a');
    await pair.run(
      () =>
        pair.b.engine.listSas().every((s) => s.state === 'established') &&
        pair.b.engine.listSas().length === 2,
    );
    const [first, second] = [...pair.b.engine.listSas()].sort((x, y) => x.uniqueId - y.uniqueId);
    // Had the first come up after 10 s (both sides initiating, an IKE_AUTH
    // retransmitted for long), the peer may hold it: it stays.
    first!.establishedAt = pair.clock.now() + 1;
    await pair.b.engine.closeForInitialContact(second!);
    expect(first!.state).toBe('established');
    // Established before: stale after the peer's restart, it goes.
    first!.establishedAt = 50;
    await pair.b.engine.closeForInitialContact(second!);
    expect(first!.state).toBe('closed');
    expect(first!.closeReason).toBe('peer sent INITIAL_CONTACT');
  });

  it('a CHILD_SA delete the peer never answers ends the IKE_SA (RFC 7296 §2.4)', async () => {
    const pair = lifecyclePair({
      seed: 'race-delete',
      a: { child: { rekeyMs: 0, lifeMs: 30_000 } },
      b: { child: { rekeyMs: 0, lifeMs: 3_600_000 } },
    });
    kernelTick(pair);
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => up(pair))).toBe(true);
    // b loses its state silently (a restart without INITIAL_CONTACT of its own).
    await pair.b.engine.forceCloseAll('lost');
    // a's CHILD_SA expires at 30 s; its delete goes unanswered for the whole schedule.
    await pair.run(() => false, 250_000);
    expect(pair.a.logger.lines.join('\n')).toContain('peer did not answer a CHILD_SA delete');
    expect(pair.a.engine.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
  });
});
