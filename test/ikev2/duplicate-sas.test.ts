/**
 * Duplicate IKE_SAs and CHILD_SAs (src/ikev2/duplicates.ts): both peers
 * initiating one connection at once end with one IKE_SA and one CHILD_SA per
 * configured child on each side, agreed by SPIs, with every policy pointing
 * at a CHILD_SA that exists; the redundant IKE_SA (lowest nonce, RFC 7296
 * §2.8.1's rule) is deleted by the side that initiated it.
 */

import { describe, expect, it } from 'vitest';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import type { IkeSa } from '../../src/ikev2/ike-sa.js';
import { spiHex } from '../../src/ikev2/ike-sa.js';
import { ExchangeType, peekIkeHeader } from '../../src/wire/ikev2/index.js';
import { child, configureSide, connection, makePair } from '../support/engine-pair.js';

type Pair = ReturnType<typeof makePair>;
type Side = Pair['a'];

function configure(pair: Pair, children: number, over: object = {}) {
  const kids = (l: number, r: number) =>
    Array.from({ length: children }, (_, k) =>
      child(`c${k}`, `10.${l}.${k}.0/24`, `10.${r}.${k}.0/24`),
    );
  void configureSide(
    pair.a,
    [
      connection('ab', '192.0.2.1', '192.0.2.2', {
        local: { method: 'psk', id: fqdnIdentity('moon') },
        remote: { method: 'psk', id: fqdnIdentity('sun') },
        children: kids(1, 2),
        ...over,
      }),
    ],
    { closeAction: 'start' },
  );
  void configureSide(
    pair.b,
    [
      connection('ab', '192.0.2.2', '192.0.2.1', {
        local: { method: 'psk', id: fqdnIdentity('sun') },
        remote: { method: 'psk', id: fqdnIdentity('moon') },
        children: kids(2, 1),
        ...over,
      }),
    ],
    { closeAction: 'start' },
  );
}

const key = (sa: IkeSa) => `${spiHex(sa.spiI)}_${spiHex(sa.spiR)}`;
const live = (side: Side) => side.engine.listSas();
const installed = (side: Side) =>
  live(side).flatMap((sa) => sa.children.filter((c) => c.state === 'installed'));

/** One IKE_SA on each side, the same one, with `children` CHILD_SAs whose SPIs cross. */
function expectOneTunnel(pair: Pair, children: number) {
  const [sa, sb] = [live(pair.a), live(pair.b)];
  expect(sa).toHaveLength(1);
  expect(sb).toHaveLength(1);
  expect(key(sa[0]!)).toBe(key(sb[0]!));
  const ca = installed(pair.a);
  const cb = installed(pair.b);
  expect(ca.map((c) => c.config.name).sort()).toEqual(
    Array.from({ length: children }, (_, k) => `c${k}`),
  );
  for (const c of ca)
    expect(cb.some((d) => d.spiIn === c.spiOut && d.spiOut === c.spiIn)).toBe(true);
  expect(cb).toHaveLength(ca.length);
}

/** Every kernel policy belongs to an installed CHILD_SA (by reqid) and every listed one exists. */
async function expectPoliciesOwned(side: Side) {
  const policies = await side.kernel.listPolicies();
  const reqids = new Set(installed(side).map((c) => c.reqid));
  for (const p of policies) expect(reqids.has(p.templates[0]?.reqid ?? -1)).toBe(true);
  const listed = installed(side).flatMap((c) => c.installedPolicies);
  expect(policies).toHaveLength(listed.length);
}

async function bothInitiate(pair: Pair) {
  await Promise.all([pair.a.engine.initiate('ab'), pair.b.engine.initiate('ab')]);
}

const logs = (side: Side) => side.logger.lines.join('\n');

describe('duplicate IKE_SAs from simultaneous initiation', () => {
  it('both sides initiating at once end with one IKE_SA and one CHILD_SA per child', async () => {
    const pair = makePair('dup-basic');
    configure(pair, 2);
    await bothInitiate(pair);
    await pair.run(() => false, 120_000);
    expectOneTunnel(pair, 2);
    await expectPoliciesOwned(pair.a);
    await expectPoliciesOwned(pair.b);
    // No close action (start) ran for the redundant IKE_SA's delete.
    for (const side of [pair.a, pair.b])
      expect(logs(side).match(/initiating IKE_SA/g)).toHaveLength(1);
  });

  it('a responder sends no request on an IKE_SA before its IKE_AUTH response', async () => {
    // The duplicate check probes an IKE_SA the moment it is established, while
    // the responder still installs its CHILD_SA: the peer, not yet established,
    // would drop a request that overtook the response (strongSwan does).
    const pair = makePair('dup-order');
    configure(pair, 1);
    let queued = 0;
    pair.b.engine.onEvent((e) => {
      if (e.type !== 'ike-up' || e.sa.role !== 'responder') return;
      queued++;
      pair.b.engine.queueRequest(
        e.sa,
        ExchangeType.INFORMATIONAL,
        () => [],
        async () => {},
      );
    });
    await pair.a.engine.initiate('ab');
    await pair.run(() => false, 10_000);
    expect(queued).toBe(1);
    const fromB = pair.net.sent
      .filter((d) => d.from.address === '192.0.2.2')
      .map((d) => peekIkeHeader(d.data.subarray(d.to.port === 4500 ? 4 : 0)))
      .filter((h) => h.exchangeType !== ExchangeType.IKE_SA_INIT);
    expect(fromB[0]?.exchangeType).toBe(ExchangeType.IKE_AUTH);
    expect(fromB[0]?.flags.response).toBe(true);
    expect(
      fromB.some((h) => h.exchangeType === ExchangeType.INFORMATIONAL && !h.flags.response),
    ).toBe(true);
  });

  it('the initiator of the IKE_SA holding the lowest nonce deletes it (RFC 7296 §2.8.1 rule)', async () => {
    const pair = makePair('dup-rule');
    configure(pair, 1);
    await bothInitiate(pair);
    const seen: IkeSa[] = [];
    const capture = () => {
      for (const sa of [...live(pair.a), ...live(pair.b)])
        if (sa.state === 'established' && !seen.includes(sa)) seen.push(sa);
      return false;
    };
    await pair.run(capture, 120_000);
    const survivor = live(pair.a)[0]!;
    const lowest = (sa: IkeSa) => (Buffer.compare(sa.ni, sa.nr) <= 0 ? sa.ni : sa.nr);
    const gone = seen.find((sa) => sa.state === 'closed' && sa.role === 'initiator')!;
    expect(gone).toBeDefined();
    expect(Buffer.compare(lowest(gone), lowest(survivor))).toBeLessThan(0);
    // Exactly one side deletes; the other waits for its delete.
    const [aDeletes, bDeletes] = [pair.a, pair.b].map((s) =>
      logs(s).includes('we delete this one'),
    );
    expect(aDeletes).not.toBe(bDeletes);
    expect(logs(aDeletes ? pair.b : pair.a)).toMatch(/the peer deletes this one/);
  });

  for (const seed of ['s1', 's2', 's3', 's4', 's5', 's6']) {
    it(`converges to one tunnel under 20 % loss and reordering (seed ${seed})`, async () => {
      const pair = makePair(`dup-loss-${seed}`);
      pair.net.conditions = { loss: 0.2, duplicate: 0.1, delayMs: 20, jitterMs: 200 };
      // A given-up exchange leaves a half the peer lost: DPD (restart) repairs that.
      configure(pair, 3, { dpdDelayMs: 5000, dpdAction: 'restart' });
      await bothInitiate(pair);
      await pair.run(() => false, 200_000);
      // The network heals: whatever was still retransmitting completes.
      pair.net.conditions = { loss: 0, duplicate: 0, delayMs: 5, jitterMs: 0 };
      await pair.run(() => false, 400_000);
      // Both IKE_SAs came up (the case under test) and one was found redundant.
      expect(logs(pair.a) + logs(pair.b)).toMatch(/duplicate of IKE_SA/);
      expect(live(pair.a)).toHaveLength(1);
      expect(live(pair.b)).toHaveLength(1);
      expect(key(live(pair.a)[0]!)).toBe(key(live(pair.b)[0]!));
      const names = (side: Side) => installed(side).map((c) => c.config.name);
      expect(new Set(names(pair.a)).size).toBe(names(pair.a).length);
      expect(new Set(names(pair.b)).size).toBe(names(pair.b).length);
      await expectPoliciesOwned(pair.a);
      await expectPoliciesOwned(pair.b);
    });
  }

  it('a peer that lost its IKE_SA and initiates again (INITIAL_CONTACT) leaves one tunnel', async () => {
    const pair = makePair('dup-stale');
    configure(pair, 1);
    await pair.a.engine.initiate('ab');
    await pair.run(() => installed(pair.b).length === 1 && installed(pair.a).length === 1);
    // b loses its IKE_SA silently (as after a restart), then initiates again.
    await pair.b.engine.forceCloseAll('simulated restart');
    await pair.b.engine.initiate('ab');
    await pair.run(() => false, 400_000);
    expectOneTunnel(pair, 1);
  });
});

describe('a second initiate of an established connection (fault 9, styxd up twice)', () => {
  it('ends with one IKE_SA carrying every CHILD_SA', async () => {
    const pair = makePair('dup-up-twice');
    configure(pair, 2);
    await pair.a.engine.initiate('ab');
    await pair.run(() => installed(pair.a).length === 2 && installed(pair.b).length === 2);
    await pair.a.engine.initiate('ab');
    await pair.run(() => false, 120_000);
    expect(logs(pair.a)).toMatch(/duplicate of IKE_SA .*: we delete this one/);
    expectOneTunnel(pair, 2);
    await expectPoliciesOwned(pair.a);
    await expectPoliciesOwned(pair.b);
  });
});

describe('duplicate CHILD_SAs inside one IKE_SA', () => {
  it('CREATE_CHILD_SA exchanges for the same child from both sides leave one CHILD_SA', async () => {
    const pair = makePair('dup-child');
    configure(pair, 2);
    await pair.a.engine.initiate('ab');
    await pair.run(() => installed(pair.a).length === 2 && installed(pair.b).length === 2);
    // Both operators bring c1 up again at once: the requests cross on the wire.
    await Promise.all([
      pair.a.engine.createChild('ab', 'c1'),
      pair.b.engine.createChild('ab', 'c1'),
    ]);
    await pair.run(() => false, 60_000);
    expect(logs(pair.a) + logs(pair.b)).toMatch(/duplicate CHILD_SA c1/);
    expectOneTunnel(pair, 2);
    await expectPoliciesOwned(pair.a);
    await expectPoliciesOwned(pair.b);
  });
});
