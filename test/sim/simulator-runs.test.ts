import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_OPTIONS, runScenario } from '../../src/sim/runner.js';
import { DEFAULT_FEATURES, type SimFeatures } from '../../src/sim/scenario.js';
import { generateScenario } from '../../src/sim/scenario-generator.js';

const VERBOSE = { ...DEFAULT_RUN_OPTIONS, logDatagrams: true };

/**
 * The short CI run: every feature of the configuration space (both
 * sides initiating, three CHILD_SAs, lossy links, lifetimes of seconds, DPD,
 * on-demand, close and DPD actions, restarts, partitions, operators).
 */
const CI_FEATURES: SimFeatures = DEFAULT_FEATURES;
/** Seeds in the CI run: about 10 s on an idle core; `npm run simulate` runs thousands. */
const CI_SEEDS = 100;
/** The run's own bound, above vitest's default, for a busy machine. */
const CI_TIMEOUT_MS = 60_000;

describe('the deterministic simulator', () => {
  it('gives the same event log for the same seed, and another for another seed', async () => {
    const seed = 1234;
    const first = await runScenario(generateScenario(seed), VERBOSE);
    const second = await runScenario(generateScenario(seed), VERBOSE);
    expect(first.log.length).toBeGreaterThan(20);
    expect(second.log).toEqual(first.log);
    expect(second.violations.map((v) => v.detail)).toEqual(first.violations.map((v) => v.detail));
    const other = await runScenario(generateScenario(seed + 1), VERBOSE);
    expect(other.log).not.toEqual(first.log);
  });

  it('generates the same scenario from a seed', () => {
    const a = JSON.stringify(generateScenario(77));
    expect(JSON.stringify(generateScenario(77))).toBe(a);
    expect(JSON.stringify(generateScenario(78))).not.toBe(a);
  });

  it(
    `passes ${CI_SEEDS} seeded scenarios with every feature on`,
    async () => {
      const failures: string[] = [];
      let events = 0;
      for (let seed = 1; seed <= CI_SEEDS; seed++) {
        const scenario = generateScenario(seed, CI_FEATURES);
        events += scenario.events.length;
        const result = await runScenario(scenario);
        for (const v of result.violations)
          failures.push(`seed ${seed}: ${v.invariant} ${v.detail}`);
      }
      expect(events).toBeGreaterThan(2 * CI_SEEDS);
      expect(failures).toEqual([]);
    },
    CI_TIMEOUT_MS,
  );

  it('reports an engine that leaves a tunnel down: an unanswerable peer', async () => {
    // Both sides configured, but the responder's PSK differs: the tunnel wanted up never comes.
    const scenario = generateScenario(5, {
      ...CI_FEATURES,
      bothInitiate: false,
      operator: false,
      restarts: false,
      partitions: false,
    });
    const pair = scenario.pairs[0]!;
    const responder = pair.policies[0]!.startAction === 'none' ? 0 : 1;
    const wrong = new TextEncoder().encode('another psk');
    const conns = [...pair.conns] as [(typeof pair.conns)[0], (typeof pair.conns)[1]];
    conns[responder] = { ...conns[responder], psk: { reveal: () => wrong } };
    const broken = { ...scenario, pairs: [{ ...pair, conns }] };
    const result = await runScenario(broken);
    expect(result.violations.map((v) => v.invariant)).toContain('tunnel-down');
    expect(result.violations[0]!.trace.join('\n')).toMatch(
      /AUTHENTICATION_FAILED|pre-shared key failed/,
    );
  });
});
