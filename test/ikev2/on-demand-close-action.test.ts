import { describe, expect, it } from 'vitest';
import { lifecyclePair } from '../support/lifecycle-pair.js';

type Pair = ReturnType<typeof lifecyclePair>;

const flow = { src: '10.1.0.5', dst: '10.2.0.7', proto: 1 };

async function outPolicies(side: Pair['a']) {
  return (await side.kernel.listPolicies()).filter((p) => p.dir === 'out');
}

describe('on-demand tunnels (trap policies) and close actions', () => {
  it('start_action trap: an outbound trap policy, and the ACQUIRE of a packet starts the tunnel with the trap reqid', async () => {
    const pair = lifecyclePair({ a: { policy: { startAction: 'trap' } } });
    expect(await pair.a.engine.installTraps('a')).toBe(1);
    const traps = await outPolicies(pair.a);
    expect(traps).toHaveLength(1);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    const trapReqid = traps[0]!.templates[0]!.reqid;
    expect(pair.a.kernel.triggerAcquire(flow)).toBeDefined();
    expect(await pair.run(() => pair.childrenOf(pair.a).length === 1)).toBe(true);
    expect(pair.childrenOf(pair.a)[0]!.reqid).toBe(trapReqid);
    // The CHILD_SA's policies replaced the trap: a packet no longer raises ACQUIRE.
    expect(pair.a.kernel.triggerAcquire(flow)).toBeUndefined();
    expect(pair.a.engine.listSas()).toHaveLength(1);
  });

  it('close action none with a trap: after the peer deletes, the trap is back and traffic restarts the tunnel', async () => {
    const pair = lifecyclePair({ a: { policy: { startAction: 'trap', closeAction: 'none' } } });
    await pair.a.engine.installTraps('a');
    pair.a.kernel.triggerAcquire(flow);
    expect(await pair.run(() => pair.childrenOf(pair.b).length === 1)).toBe(true);
    void pair.b.engine.terminate('b');
    await pair.run(() => pair.a.engine.listSas().length === 0, 5_000);
    expect(pair.a.engine.listSas()).toHaveLength(0);
    const traps = await outPolicies(pair.a);
    expect(traps).toHaveLength(1);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    await pair.run(() => false, 1_000);
    // Nothing restarts by itself...
    expect(pair.a.engine.listSas()).toHaveLength(0);
    // ...until a packet comes.
    expect(pair.a.kernel.triggerAcquire(flow)).toBeDefined();
    expect(await pair.run(() => pair.childrenOf(pair.a).length === 1)).toBe(true);
  });

  it('the peer deleting only the CHILD_SA hands its outbound policy back to the trap, never deleting it', async () => {
    const pair = lifecyclePair({ a: { policy: { startAction: 'trap' } } });
    await pair.a.engine.installTraps('a');
    pair.a.kernel.triggerAcquire(flow);
    expect(await pair.run(() => pair.childrenOf(pair.b).length === 1)).toBe(true);
    await pair.run(() => false, 100);
    const trapReqid = (await outPolicies(pair.a))[0]!.templates[0]!.reqid;
    const deletes: string[] = [];
    const original = pair.a.kernel.deletePolicy.bind(pair.a.kernel);
    pair.a.kernel.deletePolicy = async (id) => {
      deletes.push(id.dir);
      return original(id);
    };
    const bSa = pair.b.engine.listSas()[0]!;
    const { deleteChildSa } = await import('../../src/ikev2/informational.js');
    void deleteChildSa(pair.b.engine, bSa, bSa.children[0]!);
    await pair.run(() => pair.childrenOf(pair.a).length === 0, 5_000);
    await pair.run(() => false, 100);
    expect(deletes.sort()).toEqual(['fwd', 'in']);
    const traps = await outPolicies(pair.a);
    expect(traps).toHaveLength(1);
    expect(traps[0]!.templates[0]!.reqid).toBe(trapReqid);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    // The IKE_SA is still up; the next packet brings a CHILD_SA back over it.
    expect(pair.a.kernel.triggerAcquire(flow)).toBeDefined();
    expect(await pair.run(() => pair.childrenOf(pair.a).length === 1)).toBe(true);
    expect(pair.a.engine.listSas()).toHaveLength(1);
  });

  it('close action start: a delete by the peer is followed by a new IKE_SA, exactly one', async () => {
    const pair = lifecyclePair({ a: { policy: { closeAction: 'start' } } });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.childrenOf(pair.b).length === 1)).toBe(true);
    const first = pair.a.engine.listSas()[0]!;
    void pair.b.engine.terminate('b');
    const back = await pair.run(
      () =>
        first.state === 'closed' &&
        pair.childrenOf(pair.a).length === 1 &&
        pair.childrenOf(pair.b).length === 1,
      10_000,
    );
    expect(back).toBe(true);
    expect(pair.a.engine.listSas()).toHaveLength(1);
    expect(pair.b.engine.listSas()).toHaveLength(1);
  });

  it('close action none: a delete by the peer leaves nothing behind', async () => {
    const pair = lifecyclePair();
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.childrenOf(pair.b).length === 1)).toBe(true);
    void pair.b.engine.terminate('b');
    await pair.run(() => false, 5_000);
    expect(pair.a.engine.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listPolicies()).toHaveLength(0);
  });

  it('a peer that restarts (INITIAL_CONTACT) replaces our stale IKE_SA and its kernel state', async () => {
    const pair = lifecyclePair();
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.childrenOf(pair.b).length === 1)).toBe(true);
    expect(await pair.run(() => pair.childrenOf(pair.a).length === 1)).toBe(true);
    const stale = pair.b.engine.listSas()[0]!;
    // a loses its state without telling b (a crash), then connects again.
    await pair.a.engine.forceCloseAll('crash');
    pair.net.sent.length = 0;
    await pair.a.engine.initiate('a');
    expect(
      await pair.run(() => pair.childrenOf(pair.a).length === 1 && stale.state === 'closed'),
    ).toBe(true);
    expect(stale.closeReason).toBe('peer sent INITIAL_CONTACT');
    await pair.run(() => false, 100);
    expect(await pair.settledOne()).toBe(true);
  });
});
