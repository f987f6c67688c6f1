// Packet captures: tcpdump writes a pcap for the whole scenario (packet-buffered,
// so it can be decoded while still running); checks decode it with tcpdump -r.
import { join } from 'node:path';
import { type Background, inNamespace, type Log, run, startBackground, waitFor } from './exec.js';
import type { CaptureSpec } from './scenario.js';

export interface Capture {
  readonly spec: CaptureSpec;
  readonly pcap: string;
  readonly process: Background;
}

export async function startCapture(spec: CaptureSpec, dir: string): Promise<Capture> {
  const pcap = join(dir, `${spec.name}.pcap`);
  const argv = inNamespace(spec.ns, [
    'tcpdump',
    '-i',
    spec.dev,
    '-U',
    // Without it packets reach tcpdump in blocks, up to a second late.
    '--immediate-mode',
    '-n',
    '-s',
    '0',
    '-w',
    pcap,
    ...(spec.filter ? [spec.filter] : []),
  ]);
  const process = startBackground(argv, join(dir, `${spec.name}.tcpdump.log`));
  await waitFor(
    `tcpdump on ${spec.ns}:${spec.dev}`,
    () => /listening on/.test(process.output()),
    15_000,
  );
  return { spec, pcap, process };
}

/** The capture so far, one packet a line (tcpdump -nn -v, continuation lines joined). */
export async function decodeCapture(c: Capture, log: Log): Promise<string> {
  const r = await run(['tcpdump', '-nn', '-v', '-r', c.pcap], { timeoutMs: 20_000 });
  log.write(`decoded ${c.pcap}: ${r.stdout.split('\n').length} lines (${r.stderr.trim()})`);
  return r.stdout.replace(/\n\s+/g, ' ');
}
