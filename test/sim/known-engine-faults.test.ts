/**
 * Engine faults the simulator found (docs/simulator.md, "Known engine
 * faults"), each reduced to a two-engine reproduction that states the correct
 * behaviour. They are marked `it.fails` while the fault exists: when a fix
 * lands the test starts passing, vitest reports it, and it becomes a plain
 * `it`.
 */

import { describe, expect, it } from 'vitest';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import { child, connection, IKE_GCM_X25519, makePair } from '../support/engine-pair.js';

type Pair = ReturnType<typeof makePair>;

function configure(pair: Pair, children = 1, over: { a?: object; b?: object } = {}) {
  const kids = (l: number, r: number) =>
    Array.from({ length: children }, (_, k) =>
      child(`c${k}`, `10.${l}.${k}.0/24`, `10.${r}.${k}.0/24`),
    );
  pair.a.engine.setConnections([
    connection('a', '192.0.2.1', '192.0.2.2', {
      local: { method: 'psk', id: fqdnIdentity('moon') },
      remote: { method: 'psk', id: fqdnIdentity('sun') },
      children: kids(1, 2),
      ...over.a,
    }),
  ]);
  pair.b.engine.setConnections([
    connection('b', '192.0.2.2', '192.0.2.1', {
      local: { method: 'psk', id: fqdnIdentity('sun') },
      remote: { method: 'psk', id: fqdnIdentity('moon') },
      children: kids(2, 1),
      ...over.b,
    }),
  ]);
}

const childNames = (pair: Pair, side: 'a' | 'b') =>
  pair[side].engine
    .listSas()
    .flatMap((sa) => sa.children.map((c) => c.config.name))
    .sort();

/** The kernel's own timers: larval SAs (ALLOCSPI) expire after 30 s. */
function kernelTick(pair: Pair): void {
  pair.clock.setTimer(1000, () => {
    pair.a.kernel.checkLifetimes();
    pair.b.kernel.checkLifetimes();
    kernelTick(pair);
  });
}

describe('engine faults found by the simulator', () => {
  it('creates all three configured CHILD_SAs on both sides (one request at a time, RFC 7296 §2.3)', async () => {
    const pair = makePair('fault-pump');
    configure(pair, 3);
    await pair.a.engine.initiate('a');
    await pair.run(() => false, 60_000);
    expect(childNames(pair, 'a')).toEqual(['c0', 'c1', 'c2']);
    expect(childNames(pair, 'b')).toEqual(['c0', 'c1', 'c2']);
  });

  // Fixed: the inbound SA is added when its larval state expired (child-sa.ts installInbound).
  it('completes a CHILD_SA whose IKE_AUTH is answered after 40 s of retransmissions', async () => {
    const pair = makePair('fault-larval');
    kernelTick(pair);
    configure(pair);
    let fromB = 0;
    // Every answer of the responder after its IKE_SA_INIT answer is lost for 40 s.
    pair.net.blocked = (from) =>
      from.address === '192.0.2.2' && ++fromB > 1 && pair.clock.now() < 40_000;
    await pair.a.engine.initiate('a');
    await pair.run(() => false, 120_000);
    // Either the tunnel is up on both sides or on neither: never only on the responder.
    expect(childNames(pair, 'a')).toEqual(childNames(pair, 'b'));
  });

  it('keeps retransmitting the delete when terminate is called twice', async () => {
    const pair = makePair('fault-down-twice');
    configure(pair);
    await pair.a.engine.initiate('a');
    await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 1);
    let cut = true;
    pair.net.blocked = () => cut;
    void pair.a.engine.terminate('a');
    await pair.run(() => false, 5_000);
    void pair.a.engine.terminate('a');
    await pair.run(() => false, 1_000);
    cut = false;
    await pair.run(() => false, 200_000);
    expect(pair.b.engine.listSas()).toHaveLength(0);
    expect(await pair.b.kernel.listSas()).toHaveLength(0);
  });

  it('ignores a duplicated INVALID_KE_PAYLOAD answer while retrying with the asked group', async () => {
    const pair = makePair('fault-invalid-ke');
    pair.net.conditions = { loss: 0, duplicate: 1, delayMs: 5, jitterMs: 0 };
    configure(pair, 1, {
      a: { proposals: [{ ...IKE_GCM_X25519, ke: [31, 19] }] },
      b: { proposals: [{ ...IKE_GCM_X25519, ke: [19] }] },
    });
    await pair.a.engine.initiate('a');
    await pair.run(() => false, 60_000);
    expect(pair.a.engine.listSas()[0]?.state).toBe('established');
  });

  it('ignores a duplicated COOKIE answer while retrying with the cookie', async () => {
    const pair = makePair('fault-cookie');
    pair.net.conditions = { loss: 0, duplicate: 1, delayMs: 5, jitterMs: 0 };
    (pair.b.engine.options as { cookieThreshold: number }).cookieThreshold = 0;
    configure(pair);
    await pair.a.engine.initiate('a');
    await pair.run(() => false, 60_000);
    expect(pair.a.engine.listSas()[0]?.state).toBe('established');
  });

  // Fixed in f7b88ba.
  it('releases the SPI of an IKE_AUTH offer when the IKE_SA is given up', async () => {
    const pair = makePair('fault-spi-leak');
    configure(pair);
    let fromB = 0;
    pair.net.blocked = (from) => from.address === '192.0.2.2' && ++fromB > 1;
    await pair.a.engine.initiate('a');
    await pair.run(() => false, 200_000);
    expect(pair.a.engine.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
  });
});
