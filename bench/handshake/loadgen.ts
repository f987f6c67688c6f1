/**
 * IKE_SA setup load generator (bench/handshake, issue 4): worker threads, each
 * an Ikev2Engine initiator ({@link HandshakeDriver}), keep a target number of
 * setups in flight against one responder, PSK, by default
 * `aes256gcm16-prfsha256-x25519` and childless (RFC 6023), or with a CHILD_SA
 * when `--esp` is given. After a warm-up it counts the setups completed in a
 * fixed window (shared atomic counters, read at the window's two ends) and the
 * responder's CPU time over the same window (`--responder-pid`), and prints
 * one JSON object.
 *
 *   node loadgen.js --target 198.18.0.1 --local 198.18.0.2 [--workers 2]
 *     [--concurrency 64] [--warmup 3] [--duration 10] [--esp aes256gcm16]
 *     [--responder-pid PID] [--label NAME]
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  COUNTER_SLOTS,
  Counter,
  type DriverOptions,
  type DriverReport,
  HandshakeDriver,
  Phase,
} from './initiator.js';
import { cpuTicksFromStat, percentile, perSecond } from './stats.js';

interface LoadgenOptions {
  readonly workers: number;
  readonly concurrency: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly responderPid?: number;
  readonly label: string;
  readonly driver: Omit<DriverOptions, 'workerId' | 'concurrency'>;
}

const USAGE =
  'usage: loadgen --target ADDR --local ADDR [--port 500] [--workers N] [--concurrency N]\n' +
  '  [--warmup S] [--duration S] [--psk TEXT] [--ike PROPOSAL] [--esp PROPOSAL]\n' +
  '  [--remote-ts CIDR] [--retransmit-timeout MS] [--retransmit-tries N]\n' +
  '  [--responder-pid PID] [--label NAME] [--spi-seed N]';

export function parseArgs(argv: readonly string[]): LoadgenOptions {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: not a number: ${v}\n${USAGE}`);
    return n;
  };
  const target = get('target');
  const local = get('local');
  if (!target || !local) throw new Error(USAGE);
  const pid = get('responder-pid');
  const esp = get('esp');
  const spiSeed = get('spi-seed');
  return {
    workers: Math.max(1, num('workers', 2)),
    concurrency: Math.max(1, num('concurrency', 64)),
    warmupS: num('warmup', 3),
    durationS: Math.max(1, num('duration', 10)),
    ...(pid ? { responderPid: Number(pid) } : {}),
    label: get('label') ?? target,
    driver: {
      target,
      local,
      targetPort: num('port', 500),
      psk: get('psk') ?? 'styx handshake benchmark pre-shared key',
      ikeProposal: get('ike') ?? 'aes256gcm16-prfsha256-x25519',
      ...(esp ? { espProposal: esp } : {}),
      ...(spiSeed ? { spiSeed: Number(spiSeed) } : {}),
      remoteTs: get('remote-ts') ?? '10.200.0.0/16',
      retransmitTimeoutMs: num('retransmit-timeout', 4000),
      retransmitTries: num('retransmit-tries', 5),
    },
  };
}

/** Shares `total` setups in flight over `workers` as evenly as possible. */
export function splitConcurrency(total: number, workers: number): number[] {
  return Array.from(
    { length: workers },
    (_, i) => Math.floor(total / workers) + (i < total % workers ? 1 : 0),
  );
}

interface WorkerInit {
  readonly driver: DriverOptions;
  readonly counters: SharedArrayBuffer;
  readonly phase: SharedArrayBuffer;
}

function sums(counters: Int32Array, workers: number): number[] {
  const out = new Array<number>(COUNTER_SLOTS).fill(0);
  for (let w = 0; w < workers; w++)
    for (let s = 0; s < COUNTER_SLOTS; s++)
      out[s]! += Atomics.load(counters, w * COUNTER_SLOTS + s);
  return out;
}

function responderTicks(pid: number | undefined): { user: number; system: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runMain(opts: LoadgenOptions): Promise<void> {
  const counterBuf = new SharedArrayBuffer(opts.workers * COUNTER_SLOTS * 4);
  const phaseBuf = new SharedArrayBuffer(4);
  const counters = new Int32Array(counterBuf);
  const phase = new Int32Array(phaseBuf);
  const shares = splitConcurrency(opts.concurrency, opts.workers);
  const workers = shares.map((concurrency, workerId) => {
    const init: WorkerInit = {
      driver: { ...opts.driver, workerId, concurrency },
      counters: counterBuf,
      phase: phaseBuf,
    };
    return new Worker(new URL(import.meta.url), { workerData: init });
  });
  const reports = workers.map(
    (w) =>
      new Promise<DriverReport>((resolve, reject) => {
        w.on('message', (m: { kind: string; report?: DriverReport }) => {
          if (m.kind === 'report' && m.report) resolve(m.report);
        });
        w.on('error', reject);
      }),
  );

  const perSecondSeries: number[] = [];
  let last = 0;
  const sampler = setInterval(() => {
    const s = sums(counters, opts.workers);
    const est = s[Counter.established]!;
    perSecondSeries.push(est - last);
    last = est;
    process.stderr.write(
      `loadgen ${opts.label}: ${est} established, ` +
        `${s[Counter.inFlight]} in flight, ${s[Counter.failed]} failed, ` +
        `${s[Counter.retransmits]} retransmits, last second ${perSecondSeries.at(-1)}/s\n`,
    );
  }, 1000);

  await sleep(opts.warmupS * 1000);
  const before = sums(counters, opts.workers);
  const cpuBefore = process.cpuUsage();
  const respBefore = responderTicks(opts.responderPid);
  const t0 = performance.now();
  Atomics.store(phase, 0, Phase.measuring);
  await sleep(opts.durationS * 1000);
  Atomics.store(phase, 0, Phase.stopping);
  const t1 = performance.now();
  const after = sums(counters, opts.workers);
  const cpuAfter = process.cpuUsage(cpuBefore);
  const respAfter = responderTicks(opts.responderPid);
  clearInterval(sampler);
  for (const w of workers) w.postMessage({ kind: 'report' });
  const all = await Promise.all(reports);
  for (const w of workers) w.postMessage({ kind: 'close' });

  const windowMs = t1 - t0;
  const delta = (slot: number) => after[slot]! - before[slot]!;
  const setups = delta(Counter.established);
  const latencies = all.flatMap((r) => r.latenciesMs);
  const failures: Record<string, number> = {};
  for (const r of all)
    for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
  const engineCounters: Record<string, number> = {};
  for (const r of all)
    for (const [k, v] of Object.entries(r.engineCounters))
      engineCounters[k] = (engineCounters[k] ?? 0) + v;
  const hz = clockTicksPerSecond();
  const responderUserS =
    respBefore && respAfter ? round1((respAfter.user - respBefore.user) / hz) : null;
  const responderSystemS =
    respBefore && respAfter ? round1((respAfter.system - respBefore.system) / hz) : null;
  const responderCpuS =
    responderUserS !== null && responderSystemS !== null
      ? round1(responderUserS + responderSystemS)
      : null;
  const result = {
    label: opts.label,
    date: new Date().toISOString(),
    workers: opts.workers,
    concurrency: opts.concurrency,
    child: opts.driver.espProposal !== undefined,
    ike: opts.driver.ikeProposal,
    esp: opts.driver.espProposal ?? null,
    warmupS: opts.warmupS,
    windowMs: Math.round(windowMs),
    setups,
    setupsPerSecond: Math.round(perSecond(setups, windowMs) * 10) / 10,
    childrenEstablished: delta(Counter.childrenEstablished),
    deleted: delta(Counter.deleted),
    failed: delta(Counter.failed),
    retransmits: delta(Counter.retransmits),
    datagramsSent: delta(Counter.datagramsSent),
    datagramsReceived: delta(Counter.datagramsReceived),
    sendErrors: delta(Counter.sendErrors),
    latencyMs: {
      p50: round1(percentile(latencies, 50)),
      p90: round1(percentile(latencies, 90)),
      p99: round1(percentile(latencies, 99)),
      max: round1(percentile(latencies, 100)),
    },
    responderCpuS,
    responderUserS,
    responderSystemS,
    responderCpuMsPerSetup:
      responderCpuS !== null && setups > 0
        ? Math.round((responderCpuS * 1e5) / setups) / 100
        : null,
    loadgenCpuS: round1((cpuAfter.user + cpuAfter.system) / 1e6),
    perSecond: perSecondSeries,
    failures,
    initiatorEngineCounters: engineCounters,
    totals: {
      initiated: after[Counter.initiated],
      established: after[Counter.established],
      failed: after[Counter.failed],
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Workers close their sockets; give them a moment, then leave.
  await sleep(200);
  process.exit(0);
}

function round1(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 10) / 10 : x;
}

async function runWorker(init: WorkerInit): Promise<void> {
  const id = init.driver.workerId;
  const row = new Int32Array(init.counters, id * COUNTER_SLOTS * 4, COUNTER_SLOTS);
  const phase = new Int32Array(init.phase);
  const driver = new HandshakeDriver(init.driver, row, phase);
  parentPort!.on('message', (m: { kind: string }) => {
    if (m.kind === 'report') {
      driver.stop();
      parentPort!.postMessage({ kind: 'report', report: driver.report() });
    } else if (m.kind === 'close') {
      driver.close();
      process.exit(0);
    }
  });
  await driver.start();
}

if (isMainThread) {
  const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
  if (isEntry) {
    let opts: LoadgenOptions;
    try {
      opts = parseArgs(process.argv.slice(2));
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(2);
    }
    runMain(opts).catch((e: unknown) => {
      process.stderr.write(`loadgen: ${(e as Error).stack}\n`);
      process.exit(1);
    });
  }
} else {
  runWorker(workerData as WorkerInit).catch((e: unknown) => {
    process.stderr.write(`loadgen worker: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
