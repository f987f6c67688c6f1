import { describe, expect, it } from 'vitest';
import { childSubnetFor } from '../../bench/handshake/initiator.js';
import { parseArgs, splitConcurrency } from '../../bench/handshake/loadgen.js';
import {
  counterDelta,
  cpuTicksFromStat,
  percentile,
  perSecond,
  reasonKind,
  udpCounters,
} from '../../bench/handshake/stats.js';
import { ratio, summarize } from '../../bench/handshake/summarize.js';

describe('percentile (nearest rank)', () => {
  it('picks the sample at ceil(p/100 * n)', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 100)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
  });
  it('is NaN without samples and does not reorder its input', () => {
    expect(percentile([], 50)).toBeNaN();
    const xs = [3, 1, 2];
    percentile(xs, 50);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('perSecond', () => {
  it('scales a count over a window in milliseconds', () => {
    expect(perSecond(500, 2000)).toBe(250);
    expect(perSecond(10, 0)).toBe(0);
  });
});

describe('cpuTicksFromStat (proc(5) fields 14 and 15)', () => {
  it('adds utime and stime, counting fields after the command name', () => {
    // A command name with spaces and a parenthesis, as /proc allows.
    const stat =
      '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 567 0 0 20 0 11 0 99 0 0';
    expect(cpuTicksFromStat(stat)).toEqual({ user: 1234, system: 567 });
  });
  it('rejects text that is not a stat line', () => {
    expect(() => cpuTicksFromStat('garbage')).toThrow();
    expect(() => cpuTicksFromStat('1 (a) S 1')).toThrow();
  });
});

describe('udpCounters and counterDelta', () => {
  const snmp = (inDg: number, rcvbuf: number) =>
    'Ip: Forwarding DefaultTTL\nIp: 1 64\n' +
    'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n' +
    `Udp: ${inDg} 0 ${rcvbuf} 7 ${rcvbuf} 0\nUdpLite: InDatagrams\nUdpLite: 0\n`;
  it('reads the Udp: lines by name and subtracts', () => {
    const a = udpCounters(snmp(100, 2));
    const b = udpCounters(snmp(350, 9));
    expect(a.InDatagrams).toBe(100);
    expect(counterDelta(a, b)).toMatchObject({ InDatagrams: 250, RcvbufErrors: 7, NoPorts: 0 });
  });
  it('returns nothing when there is no Udp section', () => {
    expect(udpCounters('Ip: a\nIp: 1\n')).toEqual({});
  });
});

describe('reasonKind', () => {
  it('folds numbers and hex SPIs so that failures group by kind', () => {
    expect(reasonKind('request 3 not answered')).toBe(reasonKind('request 17 not answered'));
    expect(reasonKind('SA 0123456789abcdef gone')).toBe('SA X gone');
  });
});

describe('load generator arguments', () => {
  it('needs a target and a local address', () => {
    expect(() => parseArgs(['--target', '198.18.0.1'])).toThrow(/usage/);
  });
  it('takes defaults for the rest and the ESP proposal only when given', () => {
    const o = parseArgs(['--target', '198.18.0.1', '--local', '198.18.0.2']);
    expect(o.workers).toBe(2);
    expect(o.driver.ikeProposal).toBe('aes256gcm16-prfsha256-x25519');
    expect(o.driver.espProposal).toBeUndefined();
    const c = parseArgs([
      '--target',
      'a',
      '--local',
      'b',
      '--esp',
      'aes256gcm16',
      '--workers',
      '3',
    ]);
    expect(c.driver.espProposal).toBe('aes256gcm16');
    expect(c.workers).toBe(3);
  });
  it('rejects a non-numeric count', () => {
    expect(() => parseArgs(['--target', 'a', '--local', 'b', '--duration', 'ten'])).toThrow();
  });
  it('splits the setups in flight over the workers without losing any', () => {
    expect(splitConcurrency(64, 3)).toEqual([22, 21, 21]);
    expect(splitConcurrency(2, 4)).toEqual([1, 1, 0, 0]);
  });
});

describe('childSubnetFor', () => {
  it('gives each setup of a worker its own /32 for 65,536 setups', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 65536; n++) seen.add(childSubnetFor(3, n));
    expect(seen.size).toBe(65536);
    expect(childSubnetFor(3, 258)).toBe('10.4.1.2/32');
  });
});

describe('summarize', () => {
  const m = (label: string, sps: number, cpu: number | null) => ({
    label,
    setupsPerSecond: sps,
    responderCpuMsPerSetup: cpu,
    failed: 1,
    retransmits: 2,
    latencyMs: { p50: 1, p99: 2 },
    responderUdp: { rcvbufErrors: 3 },
  });
  it('averages rounds per responder and forms the Styx / strongSwan ratio', () => {
    const rows = summarize([
      m('styx', 100, 2),
      m('strongswan', 400, 0.5),
      m('styx', 200, 1),
      m('strongswan', 200, null),
    ]);
    expect(rows.find((r) => r.label === 'styx')).toMatchObject({
      runs: 2,
      setupsPerSecond: 150,
      cpuMsPerSetup: 1.5,
      failed: 2,
      rcvbufErrors: 6,
    });
    expect(rows.find((r) => r.label === 'strongswan')?.cpuMsPerSetup).toBe(0.5);
    expect(ratio(rows)).toBe(0.5);
    expect(ratio(rows.filter((r) => r.label === 'styx'))).toBeNull();
  });
});
