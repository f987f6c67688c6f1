// The scenario runner.
//
// On the host, `node main.js --queue RUN_DIR` reads RUN_DIR/run.json ({ pattern })
// and writes RUN_DIR/queue.txt: the matching scenarios, longest bound first.
//
// Inside each User-Mode Linux boot (interop/uml-init.sh), `node main.js RUN_DIR K`
// takes scenarios from that queue until it is empty: a scenario is claimed by
// creating RUN_DIR/claims/<name> (mkdir is atomic on the host's filesystem, which
// hostfs passes through), so boots share the work however long each scenario takes.
// Before each scenario the boot writes RUN_DIR/current-K.txt ("name boundS
// startEpochS") so that lab.sh can tell a stuck boot from a slow one; a line per
// scenario and the boot's summary go to RUN_DIR/results-K.txt.
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from '../scenarios/index.js';
import { formatQueue, parseQueue, resultLine, selectByPattern, summaryLine } from './expect.js';
import { runScenario, scenarioBoundMs } from './run-scenario.js';

function writeQueue(runDir: string): number {
  const { pattern } = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as {
    pattern: string;
  };
  const matching = selectByPattern(SCENARIOS, pattern);
  const entries = matching.map((s) => ({
    name: s.name,
    boundS: Math.ceil(scenarioBoundMs(s) / 1000),
  }));
  writeFileSync(join(runDir, 'queue.txt'), formatQueue(entries));
  if (matching.length === 0) console.error(`lab: no scenario matches "${pattern}"`);
  return matching.length === 0 ? 1 : 0;
}

/** True when this boot got the scenario; false when another boot took it first. */
function claim(runDir: string, name: string): boolean {
  try {
    mkdirSync(join(runDir, 'claims', name));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function runBoot(runDir: string, boot: string): Promise<number> {
  // This file is <build>/interop/runner/main.js.
  const buildRoot = resolve(fileURLToPath(import.meta.url), '../../..');
  const results = join(runDir, `results-${boot}.txt`);
  const current = join(runDir, `current-${boot}.txt`);
  const say = (line: string) => {
    appendFileSync(results, `${line}\n`);
    console.log(line);
  };
  const byName = new Map(SCENARIOS.map((s) => [s.name, s]));
  mkdirSync(join(runDir, 'claims'), { recursive: true });
  let passed = 0;
  let failed = 0;
  for (const entry of parseQueue(readFileSync(join(runDir, 'queue.txt'), 'utf8'))) {
    const s = byName.get(entry.name);
    if (!s || !claim(runDir, entry.name)) continue;
    writeFileSync(current, `${s.name} ${entry.boundS} ${Math.floor(Date.now() / 1000)}\n`);
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
  rmSync(current, { force: true });
  say(summaryLine(passed, failed));
  return failed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const [first, second] = process.argv.slice(2);
  if (first === '--queue' && second) return writeQueue(second);
  if (first && second && /^\d+$/.test(second)) return runBoot(first, second);
  console.error('usage: main.js --queue RUN_DIR | main.js RUN_DIR BOOT');
  return 2;
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
