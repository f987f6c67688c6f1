/** Durations and sizes in the forms swanctl.conf accepts. */

const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `30` (seconds), `30s`, `10m`, `4h`, `1d` → milliseconds. */
export function parseDuration(text: string): number | { error: string } {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match)
    return { error: 'expected a duration: a number with unit s, m, h or d (e.g. 30s, 4h, 1d)' };
  const ms = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  if (!Number.isSafeInteger(ms)) return { error: 'expected a shorter duration' };
  return ms;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `1000`, `500k`, `10M`, `2G` (binary multiples, as strongSwan) → a count. */
export function parseSize(text: string): number | { error: string } {
  const match = /^(\d+)\s*([kmgt]?)$/i.exec(text.trim());
  if (!match) return { error: 'expected a number with an optional unit k, M, G or T (e.g. 500M)' };
  const n = Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(n)) return { error: 'expected a number below 2^53' };
  return n;
}

/** Formats milliseconds back into the largest exact unit, for docs and status output. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
