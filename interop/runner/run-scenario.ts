// Runs one scenario in a clean set of namespaces: build the topology, start the
// captures and daemons, run the steps, stop everything, check that no SA or
// policy is left in any namespace, and tear the namespaces down.
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Capture, startCapture } from './capture.js';
import { type CharonInstance, readyCharon, startCharon } from './charon.js';
import { type Background, inNamespace, Log, run, startBackground, waitFor } from './exec.js';
import { splitPerNamespace, xfrmEntries } from './expect.js';
import type { LabContext, NodeDaemon, ProcessDaemon, Scenario } from './scenario.js';
import { describeStep, driverPath, runStep, type StepEnv } from './steps.js';
import { TOPOLOGIES } from './topologies.js';
import { batchCommands, commandsFor } from './topology.js';

export interface ScenarioResult {
  readonly failure: string | undefined;
  readonly ms: number;
  readonly dir: string;
}

export interface RunPaths {
  /** The run directory on the host filesystem: one subdirectory per scenario. */
  readonly runDir: string;
  /** Compiled JavaScript (lab.sh compiles to .lab/build-<run>). */
  readonly buildRoot: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * The longest a scenario may take from start to result line: its steps' bound
 * plus topology, daemon start (charon takes seconds in UML) and teardown. lab.sh
 * declares a boot stuck when its current scenario overruns this.
 */
export function scenarioBoundMs(s: Scenario): number {
  return (s.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 90_000;
}

export async function runScenario(s: Scenario, paths: RunPaths): Promise<ScenarioResult> {
  const started = Date.now();
  const dir = join(paths.runDir, s.name);
  mkdirSync(dir, { recursive: true });
  // Sockets and scratch files stay on the UML's tmpfs.
  const scratch = join('/tmp/lab', s.name);
  mkdirSync(scratch, { recursive: true });
  const log = new Log(join(dir, 'steps.log'));
  const topology = TOPOLOGIES[s.topology];
  const charons = new Map<string, CharonInstance>();
  const nodeDaemons = new Map<string, Background>();
  const captures = new Map<string, Capture>();
  let failure: string | undefined;
  const fail = (why: string) => {
    log.write(`FAILURE: ${why}`);
    failure ??= why;
  };

  try {
    await resetLab(log);
    log.write('building topology');
    for (const c of batchCommands(commandsFor(topology))) {
      const r = await run(inNamespace(c.ns, c.argv), { timeoutMs: 10_000, input: c.input });
      if (r.code !== 0) {
        log.result(r);
        const what = c.input ?? c.argv.join(' ');
        throw new Error(`topology ${topology.name}: ${what.trim()}: ${r.stderr.trim()}`);
      }
    }
    log.write(`topology ${topology.name} built`);
    for (const c of s.setup ?? []) {
      const r = await run(inNamespace(c.ns, c.argv), { timeoutMs: 10_000 });
      log.result(r);
      if (r.code !== 0) throw new Error(`setup: ${c.argv.join(' ')}: ${r.stderr.trim()}`);
    }
    for (const spec of s.captures ?? []) captures.set(spec.name, await startCapture(spec, dir));
    for (const d of s.daemons ?? []) {
      if (d.kind === 'charon') charons.set(d.ns, startCharon(d, dir, scratch));
      else if (d.kind === 'node') nodeDaemons.set(d.name, startNodeDaemon(d, dir, paths.buildRoot));
      else
        nodeDaemons.set(
          d.name,
          startBackground(inNamespace(d.ns, d.argv), join(dir, `${d.name}.out`)),
        );
    }
    // Charon takes seconds to start inside UML: all start at once, then wait.
    await Promise.all([
      ...[...charons.values()].map((c) => readyCharon(c, log)),
      ...(s.daemons ?? [])
        .filter((d): d is NodeDaemon | ProcessDaemon => d.kind !== 'charon')
        .map((d) => readyProcess(d, nodeDaemons.get(d.name)!)),
    ]);
    log.write('daemons ready');
    await withTimeout(
      runSteps(s, { log, buildRoot: paths.buildRoot, charons, nodeDaemons, captures }),
      s.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  // Teardown: always, whatever failed above.
  log.write('teardown: stopping daemons and captures');
  await Promise.all([...nodeDaemons.values()].map((d) => d.stop('SIGTERM', 3000)));
  await Promise.all([...charons.values()].map((c) => c.process.stop('SIGTERM', 8000)));
  await Promise.all([...captures.values()].map((c) => c.process.stop('SIGINT', 3000)));
  log.write('teardown: checking for SAs and policies left behind');
  const leftovers = await findLeftovers(topology.namespaces, log);
  if (leftovers.length > 0) fail(`left in the kernel after the scenario: ${leftovers.join(', ')}`);
  log.write('teardown: deleting namespaces');
  await resetLab(log);
  log.write('teardown: done');
  rmSync(scratch, { recursive: true, force: true });
  return { failure, ms: Date.now() - started, dir };
}

async function runSteps(s: Scenario, base: Omit<StepEnv, 'context'>): Promise<void> {
  const context: LabContext = {
    dir: join(base.log.path, '..'),
    exec: async (ns, argv, timeoutMs = 30_000) => {
      const r = await run(inNamespace(ns, argv), { timeoutMs });
      base.log.result(r);
      return r;
    },
    step: (step) => runStep(step, env),
    log: (line) => base.log.write(line),
  };
  const env: StepEnv = { ...base, context };
  let n = 0;
  for (const step of s.steps) {
    n++;
    const what = describeStep(step);
    base.log.write(`-- step ${n}: ${what}`);
    try {
      await runStep(step, env);
    } catch (err) {
      throw new Error(`step ${n} (${what}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function startNodeDaemon(d: NodeDaemon, dir: string, buildRoot: string): Background {
  const argv = inNamespace(d.ns, ['node', driverPath(buildRoot, d.driver), ...(d.args ?? [])]);
  return startBackground(argv, join(dir, `${d.name}.out`));
}

async function readyProcess(d: NodeDaemon | ProcessDaemon, b: Background): Promise<void> {
  const ready = d.ready;
  if (!ready) return;
  let exited = false;
  void b.exited.then(() => {
    exited = true;
  });
  await waitFor(
    `${d.name} to print ${ready}`,
    () => {
      if (ready.test(b.output())) return true;
      if (exited) throw new Error(`${d.name} exited before ready: ${b.output().slice(-300)}`);
      return false;
    },
    // Seen in CI: a boot's first styxd took over 20 s to start while three
    // boots loaded node from a cold page cache at once.
    60_000,
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`steps timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** SAs and policies left in any namespace (or the UML's root namespace), as "moon: 2 SA". */
async function findLeftovers(namespaces: readonly string[], log: Log): Promise<string[]> {
  const found: string[] = [];
  for (const what of ['state', 'policy'] as const) {
    // Two processes for every namespace at once: spawning is slow inside UML.
    const all = await run(['ip', '-all', 'netns', 'exec', 'ip', 'xfrm', what], {
      timeoutMs: 10_000,
    });
    const root = await run(['ip', 'xfrm', what], { timeoutMs: 10_000 });
    const perNs = splitPerNamespace(all.stdout);
    perNs.set('root', root.stdout);
    for (const [ns, text] of perNs) {
      if (ns !== 'root' && !namespaces.includes(ns)) continue;
      const entries = xfrmEntries(text);
      if (entries.length > 0) {
        log.write(`left in ${ns} (ip xfrm ${what}):\n${entries.join('\n')}`);
        found.push(`${ns}: ${entries.length} ${what === 'state' ? 'SA' : 'policies'}`);
      }
    }
  }
  // firewall_rule's table (nothing else in a ruleset is ours to check).
  const tables = await run(['ip', '-all', 'netns', 'exec', 'nft', 'list', 'tables'], {
    timeoutMs: 10_000,
  });
  for (const [ns, text] of splitPerNamespace(tables.stdout)) {
    if (namespaces.includes(ns) && /^table inet styx$/m.test(text)) {
      log.write(`left in ${ns}: nftables table inet styx`);
      found.push(`${ns}: nftables table inet styx`);
    }
  }
  return found;
}

/** The network namespace inode of a process, or undefined when it is gone. */
function netnsOf(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** Processes outside the runner's own (the UML root) network namespace. */
function processesInNamespaces(): number[] {
  const own = netnsOf('self');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      const ns = netnsOf(pid);
      return ns !== undefined && ns !== own;
    })
    .map(Number);
}

/** Kills every process in the lab's namespaces, deletes them, flushes the root namespace. */
/**
 * Per-namespace files under /etc/netns (`ip netns exec` binds them over
 * /etc): uml-init.sh mounts a tmpfs there, so a scenario's hosts file never
 * reaches the host, and each scenario starts without any. Left alone when the
 * tmpfs is absent (that directory would be the host's).
 */
function clearNetnsEtc(): void {
  const mounts = readFileSync('/proc/mounts', 'utf8');
  if (!/^\S+ \/etc\/netns tmpfs /m.test(mounts)) return;
  for (const entry of readdirSync('/etc/netns'))
    rmSync(join('/etc/netns', entry), { recursive: true, force: true });
}

export async function resetLab(log: Log): Promise<void> {
  for (const pid of processesInNamespaces()) {
    log.write(`killing process ${pid} left in a namespace`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await waitFor(
    'processes in namespaces to exit',
    () => processesInNamespaces().length === 0,
    10_000,
  ).catch((err: Error) => log.write(err.message));
  // Inside UML only the lab's namespaces exist.
  await run(['ip', '-all', 'netns', 'delete']);
  clearNetnsEtc();
  await run(['ip', 'xfrm', 'state', 'flush']);
  await run(['ip', 'xfrm', 'policy', 'flush']);
}
