// The scenario runner, run by interop/uml-init.sh inside User-Mode Linux:
// node .lab/build-<run>/interop/runner/main.js RUN_DIR [K/N]
// Reads RUN_DIR/run.json ({ pattern }), runs the matching scenarios one after
// the other (with K/N, every N-th from the K-th: lab.sh boots N UMLs), and
// appends a line per scenario and the summary to RUN_DIR/results-K.txt, which
// lab.sh on the host prints.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../scenarios/index.js';
import { parseShard, resultLine, selectByPattern, shardOf, summaryLine } from './expect.js';
import { runScenario, scenarioBoundMs } from './run-scenario.js';

async function main(): Promise<number> {
  const runDir = process.argv[2];
  const shard = parseShard(process.argv[3] ?? '0/1');
  if (!runDir || !shard) {
    console.error('usage: main.js RUN_DIR [K/N]');
    return 2;
  }
  const { pattern } = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as {
    pattern: string;
  };
  // This file is <build>/interop/runner/main.js.
  const buildRoot = resolve(fileURLToPath(import.meta.url), '../../..');
  const results = join(runDir, `results-${shard.index}.txt`);
  const say = (line: string) => {
    appendFileSync(results, `${line}\n`);
    console.log(line);
  };
  const matching = selectByPattern(SCENARIOS, pattern);
  if (matching.length === 0) say(`no scenario matches "${pattern}"`);
  const selected = shardOf(matching, shard);
  // The plan: what this boot will run, and how long each may take, so that
  // lab.sh can tell a stuck boot from a slow one and name what did not finish.
  writeFileSync(
    join(runDir, `plan-${shard.index}.txt`),
    selected.map((s) => `${s.name} ${Math.ceil(scenarioBoundMs(s) / 1000)}\n`).join(''),
  );
  let passed = 0;
  let failed = 0;
  for (const s of selected) {
    const r = await runScenario(s, { runDir, buildRoot });
    say(resultLine(s.name, r.failure, r.ms));
    if (r.failure === undefined) {
      passed++;
      // Only failed scenarios keep their logs, captures and daemon output.
      if (!process.env.STYX_LAB_KEEP) rmSync(r.dir, { recursive: true, force: true });
    } else {
      failed++;
      say(`  logs: ${r.dir}`);
    }
  }
  say(summaryLine(passed, failed));
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 2;
  },
);
