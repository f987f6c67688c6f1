/**
 * Typed kernel errors. A netlink request that the kernel refuses answers with
 * a negative errno in NLMSG_ERROR; we turn it into a {@link KernelError} whose
 * message names what was asked (operation and SA or policy, never a key).
 */
import { constants } from 'node:os';
import { familyOf, normalizeAddress } from './address.js';
import type { PolicyId, SaId, Selector } from './types.js';

/** Codes the engines act on; any other errno keeps its symbolic name. */
export type KernelErrorCode =
  | 'EEXIST'
  | 'ENOENT'
  | 'ESRCH'
  | 'EINVAL'
  | 'EPERM'
  | 'ENOSYS'
  | 'EPROTONOSUPPORT'
  | 'EAFNOSUPPORT'
  | 'ENODEV'
  | 'EOPNOTSUPP'
  | 'ENOBUFS'
  | 'EBUSY'
  | 'ETIMEDOUT'
  | 'ECLOSED'
  | 'EBADMSG'
  | (string & {});

const errnoNames = new Map<number, string>();
// Where Linux has two names for one number, keep the one its headers use first.
const preferred = new Set(['EOPNOTSUPP', 'EAGAIN', 'EDEADLK']);
for (const [name, value] of Object.entries(constants.errno)) {
  if (!errnoNames.has(value) || preferred.has(name)) errnoNames.set(value, name);
}

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `ERRNO${errno}`;
}

export function errnoOf(code: string): number {
  return (constants.errno as Record<string, number>)[code] ?? 0;
}

export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: KernelErrorCode,
    /** The kernel's errno (positive), 0 for errors raised by Styx itself. */
    readonly errno: number,
    /** What was asked, e.g. "add SA". */
    readonly operation: string,
    /** What it was about, e.g. "esp spi 0xc0ffee01 dst 192.0.2.2". */
    readonly subject: string,
    /** The kernel's extended-ACK text, if any. */
    readonly detail?: string,
  ) {
    super(
      `${operation} ${subject}: ${code}${detail ? ` (${detail})` : ''}${hint(code, operation)}`,
    );
  }
  static fromErrno(
    errno: number,
    operation: string,
    subject: string,
    detail?: string,
  ): KernelError {
    return new KernelError(errnoName(errno), errno, operation, subject, detail);
  }
}

function hint(code: string, operation: string): string {
  if (code === 'EPERM') return ' (CAP_NET_ADMIN is required)';
  if (code === 'ENOSYS' && operation.includes('SA')) return ' (unknown algorithm)';
  if (code === 'EPROTONOSUPPORT' && operation.includes('SA'))
    return ' (protocol or mode not available in this kernel)';
  return '';
}

export function isKernelError(e: unknown, code?: KernelErrorCode): e is KernelError {
  return e instanceof KernelError && (code === undefined || e.code === code);
}

/** SA lookups answer ESRCH, policy lookups ENOENT: either means "not there". */
export function isNotFound(e: unknown): boolean {
  return isKernelError(e, 'ESRCH') || isKernelError(e, 'ENOENT');
}

export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function safeAddress(a: string | undefined): string {
  if (a === undefined) return '?';
  try {
    return normalizeAddress(a);
  } catch {
    return JSON.stringify(a);
  }
}

/** "esp spi 0xc0ffee01 src 192.0.2.1 dst 192.0.2.2" — identifies an SA without its keys. */
export function describeSa(sa: Pick<SaId, 'proto' | 'spi' | 'dst' | 'src'>): string {
  const src = sa.src !== undefined ? ` src ${safeAddress(sa.src)}` : '';
  return `${sa.proto} spi ${hex32(sa.spi)}${src} dst ${safeAddress(sa.dst)}`;
}

export function describeSelector(s: Selector): string {
  let family: 4 | 6 = 4;
  try {
    family = familyOf(s.src);
  } catch {
    /* keep 4: this only formats text */
  }
  const full = family === 4 ? 32 : 128;
  let text = `${safeAddress(s.src)}/${s.srcPrefixLen ?? full} -> ${safeAddress(s.dst)}/${s.dstPrefixLen ?? full}`;
  if (s.proto) text += ` proto ${s.proto}`;
  if (s.sport) text += ` sport ${s.sport}`;
  if (s.dport) text += ` dport ${s.dport}`;
  return text;
}

/** "policy out 10.1.0.0/16 -> 10.2.0.0/16" (with index when given). */
export function describePolicy(p: Pick<PolicyId, 'selector' | 'dir' | 'index'>): string {
  return `${p.dir} ${describeSelector(p.selector)}${p.index ? ` index ${p.index}` : ''}`;
}
