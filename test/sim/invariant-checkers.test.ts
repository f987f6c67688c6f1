import { describe, expect, it } from 'vitest';
import {
  checkAgreement,
  checkDuplicates,
  checkIntent,
  checkKernelOwnership,
  checkMirror,
  type PairIntent,
} from '../../src/sim/invariants.js';
import { ScenarioRun } from '../../src/sim/runner.js';
import type { SimFeatures } from '../../src/sim/scenario.js';
import { generateScenario } from '../../src/sim/scenario-generator.js';
import { type HostSnapshot, ikeKey, snapshotHost } from '../../src/sim/snapshot.js';

const CALM: SimFeatures = {
  threeHosts: false,
  maxChildren: 2,
  bothInitiate: false,
  operator: false,
  restarts: false,
  partitions: false,
  badLinks: false,
  shortLifetimes: false,
  dpd: false,
  onDemand: false,
  actions: false,
};

/** A settled world with one tunnel of two CHILD_SAs (the first such seed), as snapshots. */
async function settledSnapshots(): Promise<HostSnapshot[]> {
  let seed = 1;
  while (generateScenario(seed, CALM).pairs[0]!.conns[0].children.length !== 2) seed++;
  const scenario = generateScenario(seed, CALM);
  const run = new ScenarioRun(scenario);
  const result = await run.run();
  expect(result.violations).toEqual([]);
  return Promise.all([...run.world.hosts.values()].map(snapshotHost));
}

const never = () => undefined;
const clone = (s: HostSnapshot[]): HostSnapshot[] => structuredClone(s);
const kinds = (vs: { invariant: string }[]) => vs.map((v) => v.invariant);

function allViolations(snaps: HostSnapshot[], intents: PairIntent[] = [], checkUp = false) {
  const agreement = checkAgreement(snaps, never);
  return [
    ...snaps.flatMap((s) => [...checkKernelOwnership(s, true), ...checkDuplicates(s)]),
    ...agreement.violations,
    ...checkMirror(agreement.pairs),
    ...checkIntent(snaps, intents, agreement, checkUp),
  ];
}

describe('simulator invariant checkers', () => {
  it('find nothing wrong in a settled tunnel, whose kernel SAs mirror each other', async () => {
    const snaps = await settledSnapshots();
    expect(snaps.map((s) => s.kernelSas.length)).toEqual([4, 4]);
    const intents: PairIntent[] = [
      { conn: 'a-b', hosts: ['a', 'b'], intent: 'up', since: 0, children: ['c0', 'c1'] },
    ];
    expect(allViolations(snaps, intents, true)).toEqual([]);
    expect(checkAgreement(snaps, never).pairs).toHaveLength(2);
  });

  it('catch a stray kernel SA and a stray policy', async () => {
    const snaps = clone(await settledSnapshots());
    const a = snaps[0]!;
    const sa = structuredClone(a.kernelSas.find((s) => s.aead || s.crypt)!);
    (a.kernelSas as unknown[]).push({ ...sa, spi: 0x4242 });
    const policy = structuredClone(a.policies[0]!);
    (a.policies as unknown[]).push({
      ...policy,
      selector: { ...policy.selector, dst: '10.99.0.0' },
    });
    const found = checkKernelOwnership(a, false);
    expect(kinds(found)).toEqual(['kernel-sa-owner', 'kernel-policy-owner']);
    expect(found[0]!.detail).toContain('spi 00004242');
  });

  it('catch a policy that points at a CHILD_SA which no longer lists it (a duplicate overwrote it)', async () => {
    const snaps = clone(await settledSnapshots());
    const a = snaps[0]!;
    const p = a.policies[0] as { templates: { reqid?: number }[] };
    p.templates[0]!.reqid = 999;
    expect(kinds(checkKernelOwnership(a, false))).toEqual(['kernel-policy-owner']);
  });

  it('catch an SA the engine believes installed but the kernel lost (hard expiry)', async () => {
    const snaps = clone(await settledSnapshots());
    const b = snaps[1]!;
    (b.kernelSas as unknown[]).splice(0, 1);
    expect(kinds(checkKernelOwnership(b, false))).toContain('kernel-missing-sa');
  });

  it('count a larval SPI as a leak only once settled', async () => {
    const snaps = clone(await settledSnapshots());
    const a = snaps[0]!;
    const sa = structuredClone(a.kernelSas[0]!);
    delete sa.aead;
    delete sa.crypt;
    delete sa.auth;
    (a.kernelSas as unknown[]).push({ ...sa, spi: 0x777 });
    expect(checkKernelOwnership(a, false)).toEqual([]);
    expect(kinds(checkKernelOwnership(a, true))).toEqual(['larval-spi-leak']);
  });

  it('catch a duplicated CHILD_SA and a duplicated IKE_SA', async () => {
    const snaps = clone(await settledSnapshots());
    const a = snaps[0]!;
    const ike = a.sas[0]!;
    const dupChild = { ...ike.children[0]!, spiIn: 1, spiOut: 2 };
    (ike.children as unknown[]).push(dupChild);
    expect(kinds(checkDuplicates(a))).toEqual(['duplicate-child-sa']);
    (a.sas as unknown[]).push({ ...ike, spiI: 'ff', children: [] });
    expect(kinds(checkDuplicates(a))).toEqual(['duplicate-ike-sa', 'duplicate-child-sa']);
  });

  it('catch an IKE_SA or CHILD_SA only one side has, unless the tolerance explains it', async () => {
    const snaps = clone(await settledSnapshots());
    const [a, b] = snaps as [HostSnapshot, HostSnapshot];
    (b.sas[0]!.children as unknown[]).splice(1, 1);
    expect(kinds(checkAgreement(snaps, never).violations)).toEqual(['child-agreement']);
    (b.sas as unknown[]).splice(0, 1);
    const strict = checkAgreement(snaps, never);
    expect(kinds(strict.violations)).toEqual(['ike-agreement']);
    expect(strict.violations[0]!.host).toBe(a.name);
    const lenient = checkAgreement(snaps, () => 'peer restarted');
    expect(lenient.violations).toEqual([]);
    expect(lenient.tolerated).toEqual([
      { host: 'a', conn: 'a-b', ike: ikeKey(a.sas[0]!), reason: 'peer restarted' },
    ]);
  });

  it('do not count a tolerated stale IKE_SA as a duplicate tunnel', async () => {
    const snaps = clone(await settledSnapshots());
    const a = snaps[0]!;
    const ike = a.sas[0]!;
    const stale = { ...ike, spiI: 'ff', children: [{ ...ike.children[0]!, spiIn: 1, spiOut: 2 }] };
    (a.sas as unknown[]).push(stale);
    expect(kinds(checkDuplicates(a))).toEqual(['duplicate-ike-sa', 'duplicate-child-sa']);
    expect(checkDuplicates(a, new Set([ikeKey(stale)]))).toEqual([]);
  });

  it('catch kernel SAs of one CHILD_SA that do not mirror each other', async () => {
    const snaps = clone(await settledSnapshots());
    const b = snaps[1]!;
    const inbound = b.kernelSas.find((s) => s.dst === b.address && (s.aead || s.crypt))!;
    const key = (inbound.aead ?? inbound.crypt)!.key;
    key[0] = key[0]! ^ 1;
    const found = checkMirror(checkAgreement(snaps, never).pairs);
    expect(kinds(found)).toEqual(['kernel-mirror']);
    expect(found[0]!.detail).toMatch(/key differ/);
  });

  it('hold the operator intent: nothing from before a down, the whole tunnel after an up', async () => {
    const snaps = clone(await settledSnapshots());
    const agreement = checkAgreement(snaps, never);
    const down: PairIntent = {
      conn: 'a-b',
      hosts: ['a', 'b'],
      intent: 'down',
      since: 1e9,
      children: [],
    };
    expect(kinds(checkIntent(snaps, [down], agreement, false))).toEqual([
      'down-leftover',
      'down-leftover',
    ]);
    // An IKE_SA established after the down (the peer's attempt completing) is no leftover.
    expect(checkIntent(snaps, [{ ...down, since: 0 }], agreement, false)).toEqual([]);
    const up: PairIntent = {
      conn: 'a-b',
      hosts: ['a', 'b'],
      intent: 'up',
      since: 0,
      children: ['c0', 'c1', 'c2'],
    };
    const missing = checkIntent(snaps, [up], agreement, true);
    expect(kinds(missing)).toEqual(['tunnel-down']);
    expect(missing[0]!.detail).toContain('c2');
  });
});
