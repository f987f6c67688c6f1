/**
 * The deterministic simulator (issue 5): runs N seeded scenarios of IKEv2
 * engines on a memory network and checks the SA lifecycle invariants.
 *
 *   npx tsx scripts/simulate.ts --runs N [--seed S] [--verbose]
 *       [--operator raw|guarded] [--features +shortLifetimes,-restarts]
 *       [--max-children 3] [--ignore duplicate-ike-sa,...] [--quiet-ms 1000]
 *
 * Seeds S, S+1, ..., S+N-1 (S defaults to 1). One line per failing run with
 * the seed, the violated invariant and a short trace; then a summary. The
 * exit code is 1 when any run violated an invariant. `--seed S --runs 1
 * --verbose` prints the full event log of one run.
 */

import { DEFAULT_RUN_OPTIONS, type RunOptions, runScenario } from '../src/sim/runner.js';
import { DEFAULT_FEATURES, type SimFeatures } from '../src/sim/scenario.js';
import { generateScenario } from '../src/sim/scenario-generator.js';

interface Args {
  runs: number;
  seed: number;
  verbose: boolean;
  features: SimFeatures;
  options: RunOptions;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const features: Record<string, boolean | number> = { ...DEFAULT_FEATURES };
  if (value('--max-children')) features.maxChildren = Number(value('--max-children'));
  for (const item of (value('--features') ?? '').split(',').filter(Boolean)) {
    const on = !item.startsWith('-');
    const name = item.replace(/^[+-]/, '');
    if (!(name in features))
      throw new Error(`unknown feature ${name}; known: ${Object.keys(features).join(', ')}`);
    features[name] = on;
  }
  const operator = value('--operator') ?? DEFAULT_RUN_OPTIONS.operator;
  if (operator !== 'raw' && operator !== 'guarded') throw new Error('--operator is raw or guarded');
  const verbose = argv.includes('--verbose');
  return {
    runs: Number(value('--runs') ?? 1),
    seed: Number(value('--seed') ?? 1),
    verbose,
    features: features as unknown as SimFeatures,
    options: {
      operator,
      quietMs: Number(value('--quiet-ms') ?? DEFAULT_RUN_OPTIONS.quietMs),
      ignore: new Set((value('--ignore') ?? '').split(',').filter(Boolean)),
      logDatagrams: verbose,
    },
  };
}

/** The seed being run, for a crash report (an exception escaping a timer callback). */
let currentSeed: number | undefined;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  process.on('uncaughtException', (e) => {
    process.stderr.write(`simulate: crash in seed ${currentSeed}: ${(e as Error).stack ?? e}\n`);
    process.exit(2);
  });
  const started = performance.now();
  const byInvariant = new Map<string, number>();
  const tolerated = new Map<string, number>();
  let failing = 0;
  let violations = 0;
  let simulatedMs = 0;
  for (let i = 0; i < args.runs; i++) {
    const seed = args.seed + i;
    currentSeed = seed;
    const scenario = generateScenario(seed, args.features);
    const result = await runScenario(scenario, args.options);
    simulatedMs += result.simulatedMs;
    for (const t of result.tolerated) {
      const kind = t.replace(/^\S+ \S+: /, '').replace(/: .*\((no DPD|DPD pending)\)$/, ' ($1)');
      tolerated.set(kind, (tolerated.get(kind) ?? 0) + 1);
    }
    if (args.verbose) for (const line of result.log) process.stdout.write(`${line}\n`);
    if (result.violations.length === 0) continue;
    failing++;
    violations += result.violations.length;
    const kinds = [...new Set(result.violations.map((v) => v.invariant))];
    for (const k of kinds) byInvariant.set(k, (byInvariant.get(k) ?? 0) + 1);
    const first = result.violations[0]!;
    process.stdout.write(
      `FAIL seed=${seed} invariant=${first.invariant}${first.host ? ` host=${first.host}` : ''} t=${(first.at / 1000).toFixed(3)}s: ${first.detail}` +
        `${kinds.length > 1 ? ` (also: ${kinds.slice(1).join(', ')})` : ''}\n`,
    );
    if (!args.verbose) for (const line of first.trace) process.stdout.write(`    ${line}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `runs: ${args.runs}, violations: ${violations}, failing runs: ${failing}, ` +
      `${(args.runs / seconds).toFixed(1)} runs/s (${seconds.toFixed(1)} s wall, ${(simulatedMs / 3_600_000).toFixed(1)} h simulated)\n`,
  );
  for (const [k, n] of [...byInvariant].sort()) process.stdout.write(`  ${k}: ${n} run(s)\n`);
  for (const [k, n] of [...tolerated].sort()) process.stdout.write(`  tolerated ${k}: ${n}\n`);
  if (failing > 0)
    process.stdout.write(
      `reproduce: npx tsx scripts/simulate.ts --seed <seed> --runs 1 --verbose${argv.includes('--operator') ? ` --operator ${args.options.operator}` : ''}\n`,
    );
  return failing > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`simulate: ${(e as Error).stack ?? e}\n`);
    process.exit(2);
  },
);
