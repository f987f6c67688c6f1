/**
 * Pure helpers of the handshake benchmark: percentiles, rates, the CPU time
 * of a process from /proc/PID/stat, and the UDP counters of /proc/net/snmp.
 * Kept apart from the load generator so they can be tested without sockets.
 */

/** The p-th percentile (0..100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(Math.max(p, 0), 100) / 100) * sorted.length);
  return sorted[Math.max(rank, 1) - 1]!;
}

/** Events per second over a window; 0 for an empty window. */
export function perSecond(count: number, windowMs: number): number {
  return windowMs > 0 ? (count * 1000) / windowMs : 0;
}

/**
 * User and system CPU time in clock ticks from the text of /proc/PID/stat
 * (proc(5): fields 14 utime and 15 stime; all threads of the process). The
 * command name (field 2) is in parentheses and may contain spaces, so fields
 * are counted after the last ')'.
 */
export function cpuTicksFromStat(stat: string): { user: number; system: number } {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/PID/stat line');
  // After ')' come field 3 (state) onwards.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error('utime/stime missing in /proc/PID/stat');
  }
  return { user: utime, system: stime };
}

/** The `Udp:` counters of /proc/net/snmp as name → value. */
export function udpCounters(snmp: string): Record<string, number> {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines;
  if (!names || !values) return {};
  const n = names.split(/\s+/).slice(1);
  const v = values.split(/\s+/).slice(1).map(Number);
  const out: Record<string, number> = {};
  n.forEach((name, i) => {
    out[name] = v[i] ?? Number.NaN;
  });
  return out;
}

/** Counter deltas `after - before` for the names present in both. */
export function counterDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const b = before[k];
    if (b !== undefined) out[k] = v - b;
  }
  return out;
}

/**
 * A reason with numbers and hex runs replaced, so that "request 3 not
 * answered" and "request 4 not answered" count as one kind of failure.
 */
export function reasonKind(reason: string): string {
  return reason.replace(/\b[0-9a-f]{8,}\b/gi, 'X').replace(/\d+/g, 'N');
}
