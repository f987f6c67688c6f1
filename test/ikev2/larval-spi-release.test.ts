import { describe, expect, it } from 'vitest';
import { lifecyclePair } from '../support/lifecycle-pair.js';

describe('SPIs of CHILD_SA offers that are never answered', () => {
  it('an IKE_SA closed during IKE_AUTH leaves no larval SA behind', async () => {
    const pair = lifecyclePair();
    const sa = await pair.a.engine.initiate('a');
    await pair.run(() => sa.state === 'authenticating' || sa.outstanding?.exchangeType === 35);
    // IKE_AUTH carries the first CHILD_SA offer: its inbound SPI is allocated.
    expect(await pair.a.kernel.listSas()).toHaveLength(1);
    await pair.a.engine.forceCloseAll('operator gave up');
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
  });

  it('a CREATE_CHILD_SA whose IKE_SA is deleted by the peer meanwhile releases its SPI', async () => {
    const pair = lifecyclePair();
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.childrenOf(pair.a).length === 1)).toBe(true);
    await pair.run(() => false, 100);
    pair.net.blocked = (from) => from.address === '192.0.2.1';
    const { startCreateChild } = await import('../../src/ikev2/create-child-sa.js');
    const sa = pair.a.engine.listSas()[0]!;
    startCreateChild(pair.a.engine, sa, sa.conn!.children[0]!);
    await pair.run(() => false, 50);
    expect(await pair.a.kernel.listSas()).toHaveLength(3);
    await pair.a.engine.forceCloseAll('peer gone');
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
  });
});
