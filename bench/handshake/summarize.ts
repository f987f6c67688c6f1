/**
 * Summarises the benchmark's JSON lines (one per measurement): setups per
 * second per responder (mean over rounds), responder CPU per setup, the ratio
 * Styx / strongSwan, and the drops seen. `node summarize.js results.jsonl`
 */

import { readFileSync } from 'node:fs';

export interface Measurement {
  readonly label: string;
  readonly setupsPerSecond: number;
  readonly responderCpuMsPerSetup: number | null;
  readonly failed: number;
  readonly retransmits: number;
  readonly latencyMs: { p50: number; p99: number };
  readonly responderUdp?: { rcvbufErrors: number };
}

export interface ResponderSummary {
  readonly label: string;
  readonly runs: number;
  readonly setupsPerSecond: number;
  readonly cpuMsPerSetup: number | null;
  readonly failed: number;
  readonly retransmits: number;
  readonly rcvbufErrors: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function summarize(ms: readonly Measurement[]): ResponderSummary[] {
  const labels = [...new Set(ms.map((m) => m.label))];
  return labels.map((label) => {
    const mine = ms.filter((m) => m.label === label);
    const cpu = mine.map((m) => m.responderCpuMsPerSetup).filter((x): x is number => x !== null);
    return {
      label,
      runs: mine.length,
      setupsPerSecond: Math.round(mean(mine.map((m) => m.setupsPerSecond)) * 10) / 10,
      cpuMsPerSetup: cpu.length > 0 ? Math.round(mean(cpu) * 100) / 100 : null,
      failed: mine.reduce((a, m) => a + m.failed, 0),
      retransmits: mine.reduce((a, m) => a + m.retransmits, 0),
      rcvbufErrors: mine.reduce((a, m) => a + (m.responderUdp?.rcvbufErrors ?? 0), 0),
    };
  });
}

/** Styx / strongSwan for setups per second (higher is better for Styx). */
export function ratio(rows: readonly ResponderSummary[], a = 'styx', b = 'strongswan') {
  const x = rows.find((r) => r.label === a);
  const y = rows.find((r) => r.label === b);
  if (!x || !y || y.setupsPerSecond === 0) return null;
  return Math.round((x.setupsPerSecond / y.setupsPerSecond) * 100) / 100;
}

function main(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const rows = summarize(lines.map((l) => JSON.parse(l) as Measurement));
  for (const r of rows) {
    process.stdout.write(
      `${r.label.padEnd(11)} ${String(r.setupsPerSecond).padStart(8)} setups/s  ` +
        `${r.cpuMsPerSetup ?? '?'} ms responder CPU/setup  runs=${r.runs} failed=${r.failed} ` +
        `retransmits=${r.retransmits} rcvbufErrors=${r.rcvbufErrors}\n`,
    );
  }
  const q = ratio(rows);
  if (q !== null) process.stdout.write(`ratio styx/strongswan (setups/s): ${q}\n`);
}

const entry = process.argv[1]?.split('/').pop();
if (entry && import.meta.url.endsWith(`/${entry}`) && process.argv[2]) main(process.argv[2]);
