/**
 * Human-readable output of `styxctl status`, laid out like `swanctl --list-sas`:
 * one block per IKE_SA, its CHILD_SAs indented below.
 */
import type {
  ChildSaStatus,
  IkeEndpointStatus,
  IkeSaStatus,
  ReloadResult,
  StatusResult,
} from './types.js';

/** `3725` → `1h 2m 5s`; exact enough for an operator, short enough for a line. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.slice(0, 2).join(' ');
}

/** `1536` → `1.5 KiB`; bytes below 1 KiB as is. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

function endpoint(label: string, e: IkeEndpointStatus): string {
  return `  ${label.padEnd(6)} '${e.id}' @ ${e.address}[${e.port}]${e.nat ? ' [NAT]' : ''}`;
}

function timing(parts: [string, number | undefined, 'ago' | 'in'][]): string | undefined {
  const shown = parts
    .filter(([, v]) => v !== undefined)
    .map(([label, v, dir]) =>
      dir === 'ago' ? `${label} ${formatSeconds(v!)} ago` : `${label} in ${formatSeconds(v!)}`,
    );
  return shown.length > 0 ? shown.join(', ') : undefined;
}

function algorithmText(a: { encryption?: string; keySize?: number; integrity?: string }): string[] {
  const out: string[] = [];
  if (a.encryption) out.push(a.keySize ? `${a.encryption}-${a.keySize}` : a.encryption);
  if (a.integrity) out.push(a.integrity);
  return out;
}

function formatChild(c: ChildSaStatus): string[] {
  const alg = c.algorithms
    ? [
        ...algorithmText(c.algorithms),
        ...(c.algorithms.ke ? [c.algorithms.ke] : []),
        ...(c.algorithms.esn ? ['ESN'] : []),
      ]
    : [];
  const flags = [c.encap ? 'ENCAP' : undefined, c.cpiIn ? 'IPCOMP' : undefined].filter(Boolean);
  const lines = [
    `  ${c.name}: #${c.uniqueId}${c.reqid !== undefined ? `, reqid ${c.reqid}` : ''}, ${c.state}, ${c.mode.toUpperCase()}${flags.length > 0 ? `-in-${flags.join('/')}` : ''}, ${c.protocol.toUpperCase()}${alg.length > 0 ? `:${alg.join('/')}` : ''}`,
  ];
  const times = timing([
    ['installed', c.installedSeconds, 'ago'],
    ['rekeying', c.rekeyInSeconds, 'in'],
    ['expires', c.lifeInSeconds, 'in'],
  ]);
  if (times) lines.push(`    ${times}`);
  const traffic = (
    dir: string,
    spi: string,
    cpi: string | undefined,
    bytes: number,
    packets: number,
    last?: number,
  ) =>
    `    ${dir.padEnd(4)}${spi}${cpi ? `_${cpi}` : ''}, ${formatBytes(bytes)}, ${packets} packets${last !== undefined ? `, ${formatSeconds(last)} ago` : ''}`;
  lines.push(traffic('in', c.spiIn, c.cpiIn, c.bytesIn, c.packetsIn, c.lastInSeconds));
  lines.push(traffic('out', c.spiOut, c.cpiOut, c.bytesOut, c.packetsOut, c.lastOutSeconds));
  lines.push(`    local  ${c.localTs.join(' ') || '-'}`);
  lines.push(`    remote ${c.remoteTs.join(' ') || '-'}`);
  return lines;
}

export function formatIkeSa(sa: IkeSaStatus): string[] {
  const spis = `${sa.initiatorSpi}_i${sa.initiator ? '*' : ''} ${sa.responderSpi}_r${sa.initiator ? '' : '*'}`;
  const lines = [
    `${sa.name}: #${sa.uniqueId}, ${sa.state}, IKEv${sa.version}, ${spis}`,
    endpoint('local', sa.local),
    endpoint('remote', sa.remote),
  ];
  if (sa.algorithms) {
    const a = sa.algorithms;
    lines.push(`  ${[...algorithmText(a), a.prf, a.ke].join('/')}`);
  }
  const times = timing([
    ['established', sa.establishedSeconds, 'ago'],
    ['rekeying', sa.rekeyInSeconds, 'in'],
    ['reauth', sa.reauthInSeconds, 'in'],
  ]);
  if (times) lines.push(`  ${times}`);
  for (const child of sa.children) lines.push(...formatChild(child));
  return lines;
}

export function formatStatus(status: StatusResult, name?: string): string {
  const standby = (status.standby ?? []).map((s) => `${s.name}: on standby (${s.reason})`);
  if (status.ikeSas.length === 0)
    return [...standby, name ? `no IKE_SA for connection ${name}` : 'no IKE_SAs'].join('\n');
  return [...standby, ...status.ikeSas.map((sa) => formatIkeSa(sa).join('\n'))].join('\n');
}

export function formatReload(result: ReloadResult): string {
  const part = (label: string, names: readonly string[]) =>
    names.length > 0 ? `${label}: ${names.join(', ')}` : undefined;
  const parts = [
    part('added', result.added),
    part('removed', result.removed),
    part('changed', result.changed),
    part('unchanged', result.unchanged),
  ].filter(Boolean);
  return `configuration reloaded${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`;
}
