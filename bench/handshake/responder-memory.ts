/**
 * Memory per established IKE_SA at a responder (bench/handshake, issue 4).
 * Establishes childless IKE_SAs that are kept (not deleted) up to each
 * checkpoint (default 1,000, 5,000, 10,000), lets the setups in flight finish,
 * and records the responder's memory there; the growth between the baseline
 * (after 100 warm-up SAs) and a checkpoint, divided by the SAs added, is the
 * cost of one SA.
 *
 * Two responders can be measured:
 *  - `--engine`: a Styx Ikev2Engine in a child process started with
 *    `--expose-gc` (MemoryKernel, node:dgram on 127.0.0.1), which collects
 *    garbage before reporting `heapUsed` (the engine's own state) and RSS;
 *  - `--responder-pid PID --target ADDR`: a running responder (styxd or
 *    charon) whose VmRSS is read from /proc (RSS includes allocator slack and
 *    never shrinks, so it is an upper bound).
 *
 *   node responder-memory.js --engine [--checkpoints 1000,5000,10000]
 *   node responder-memory.js --responder-pid PID --target ADDR --local ADDR --label charon
 */

import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { ANY_IDENTITY } from '../../src/ikev2/connection.js';
import { Ikev2Engine, systemRandom } from '../../src/ikev2/engine.js';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import { systemClock } from '../../src/ikev2/ports.js';
import { MemoryKernel } from '../../src/kernel/index.js';
import { COUNTER_SLOTS, Counter, HandshakeDriver } from './initiator.js';

const PSK = 'styx handshake benchmark pre-shared key';
const IKE = 'aes256gcm16-prfsha256-x25519';
const BASELINE_SAS = 100;

interface MemorySample {
  readonly sas: number;
  readonly rssKb: number;
  readonly heapUsedKb?: number;
  /** Memory of ArrayBuffers and other objects outside the V8 heap (keys, messages). */
  readonly externalKb?: number;
}

interface ProbeMessage {
  readonly kind: 'ready' | 'sample';
  readonly port?: number;
  readonly sample?: MemorySample;
}

// ---------------------------------------------------------------- engine child

/** The child: a responder engine over node:dgram, answering memory queries. */
async function serveEngine(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind({ address: '127.0.0.1', port: 0 }, () => r()));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  const port = socket.address().port;
  const psk = new TextEncoder().encode(PSK);
  const { parseProposal } = await import('../../src/config/proposals.js');
  const { engineProposal } = await import('../../src/manager/engine-connection.js');
  const parsed = parseProposal(IKE, 'ike');
  if ('error' in parsed) throw new Error(parsed.error);
  const engine = new Ikev2Engine(
    {
      network: { send: (data, _l, remote) => socket.send(data, remote.port, remote.address) },
      clock: systemClock,
      random: systemRandom,
      logger: { log: () => undefined },
    },
    new MemoryKernel(),
    { cookieThreshold: 1e9, halfOpenLimit: 1e9 },
  );
  engine.setConnections([
    {
      name: 'bench',
      localAddrs: [],
      remoteAddrs: [],
      localPort: port,
      remotePort: 0,
      proposals: [engineProposal(parsed)],
      local: { method: 'psk', id: fqdnIdentity('responder.bench') },
      remote: { method: 'psk', id: ANY_IDENTITY },
      psk: { reveal: () => psk },
      children: [],
      fragmentation: true,
      fragmentSize: 1280,
      rekeyMs: 0,
      dpdDelayMs: 0,
    },
  ]);
  socket.on('message', (msg, rinfo) => {
    void engine.receive({
      data: new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
      remote: { address: rinfo.address, port: rinfo.port },
      local: { address: '127.0.0.1', port },
    });
  });
  process.on('message', (m: { kind: string }) => {
    if (m.kind !== 'measure') return;
    gc();
    gc();
    const mem = process.memoryUsage();
    const sample: MemorySample = {
      sas: engine.listSas().filter((sa) => sa.state === 'established').length,
      rssKb: Math.round(mem.rss / 1024),
      heapUsedKb: Math.round(mem.heapUsed / 1024),
      externalKb: Math.round(mem.external / 1024),
    };
    process.send!({ kind: 'sample', sample } satisfies ProbeMessage);
  });
  process.send!({ kind: 'ready', port } satisfies ProbeMessage);
}

// ---------------------------------------------------------------- prober

function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function probe(argv: readonly string[]): Promise<void> {
  const checkpoints = (arg(argv, 'checkpoints') ?? '1000,5000,10000').split(',').map(Number);
  const concurrency = Number(arg(argv, 'concurrency') ?? 32);
  const label = arg(argv, 'label') ?? 'engine';
  let target = arg(argv, 'target') ?? '127.0.0.1';
  let targetPort = Number(arg(argv, 'port') ?? 500);
  const local = arg(argv, 'local') ?? '127.0.0.1';
  const pid = arg(argv, 'responder-pid');
  let measure: () => Promise<MemorySample>;
  let child: ReturnType<typeof fork> | undefined;
  if (argv.includes('--engine')) {
    const c = fork(new URL(import.meta.url).pathname, ['--serve'], {
      execArgv: [...process.execArgv, '--expose-gc'],
    });
    child = c;
    const ready = await new Promise<ProbeMessage>((resolve) =>
      c.once('message', (m) => resolve(m as ProbeMessage)),
    );
    target = '127.0.0.1';
    targetPort = ready.port!;
    measure = () =>
      new Promise((resolve) => {
        c.once('message', (m) => resolve((m as ProbeMessage).sample!));
        c.send({ kind: 'measure' });
      });
  } else if (pid) {
    measure = async () => ({ sas: Number.NaN, rssKb: rssOf(Number(pid)) });
  } else {
    throw new Error('give --engine, or --responder-pid PID --target ADDR --local ADDR');
  }

  const counters = new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * 4));
  const phase = new Int32Array(new SharedArrayBuffer(4));
  const driver = new HandshakeDriver(
    {
      workerId: 0,
      target,
      targetPort,
      local,
      concurrency,
      psk: arg(argv, 'psk') ?? PSK,
      ikeProposal: IKE,
      remoteTs: '10.200.0.0/16',
      retransmitTimeoutMs: 4000,
      retransmitTries: 5,
      keepEstablished: true,
    },
    counters,
    phase,
  );
  const settle = async (n: number) => {
    driver.runUpTo(n);
    while (
      Atomics.load(counters, Counter.established) + Atomics.load(counters, Counter.failed) <
      n
    ) {
      await sleep(50);
    }
    // Let the last responses and the deletes of nothing settle, then measure.
    await sleep(500);
    return measure();
  };
  await driver.start(BASELINE_SAS);
  const base = await settle(BASELINE_SAS);
  const rows: Record<string, unknown>[] = [];
  for (const cp of checkpoints) {
    const t0 = performance.now();
    const s = await settle(cp);
    const established = Atomics.load(counters, Counter.established);
    const added = established - BASELINE_SAS;
    rows.push({
      label,
      established,
      failed: Atomics.load(counters, Counter.failed),
      responderSas: Number.isNaN(s.sas) ? null : s.sas,
      rssKb: s.rssKb,
      rssBytesPerSa: Math.round(((s.rssKb - base.rssKb) * 1024) / added),
      ...(s.heapUsedKb !== undefined && base.heapUsedKb !== undefined
        ? {
            heapUsedKb: s.heapUsedKb,
            heapBytesPerSa: Math.round(((s.heapUsedKb - base.heapUsedKb) * 1024) / added),
            externalKb: s.externalKb,
            heapPlusExternalBytesPerSa: Math.round(
              ((s.heapUsedKb + s.externalKb! - base.heapUsedKb - base.externalKb!) * 1024) / added,
            ),
          }
        : {}),
      secondsToCheckpoint: Math.round((performance.now() - t0) / 100) / 10,
    });
    process.stderr.write(`memory ${label}: ${JSON.stringify(rows.at(-1))}\n`);
  }
  process.stdout.write(`${JSON.stringify({ label, baseline: base, rows })}\n`);
  driver.close();
  child?.kill();
  process.exit(0);
}

const main = process.argv.includes('--serve') ? serveEngine() : probe(process.argv.slice(2));
main.catch((e: unknown) => {
  process.stderr.write(`responder-memory: ${(e as Error).stack}\n`);
  process.exit(1);
});
