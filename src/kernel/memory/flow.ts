/**
 * Policy lookup of {@link MemoryKernel}: does a packet's flow match a selector
 * (prefixes, protocol, ports under their masks, interface).
 */
import { addressToBytes, familyOf } from '../address.js';
import type { Selector } from '../types.js';
import { normalizeSelector } from '../xfrm/structs.js';

/** What a packet looks like to the policy lookup of {@link MemoryKernel.triggerAcquire}. */
export interface Flow {
  src: string;
  dst: string;
  proto?: number;
  sport?: number;
  dport?: number;
  ifindex?: number;
}

export function prefixMatches(address: string, prefix: string, len: number): boolean {
  const a = addressToBytes(address);
  const p = addressToBytes(prefix);
  if (a.length !== p.length) return false;
  for (let bit = 0; bit < len; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((a[bit >> 3] ?? 0) & mask) !== ((p[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

export function selectorMatches(sel: Selector, flow: Flow): boolean {
  const s = normalizeSelector(sel);
  if (familyOf(s.src) !== familyOf(flow.src)) return false;
  if (!prefixMatches(flow.src, s.src, s.srcPrefixLen ?? 0)) return false;
  if (!prefixMatches(flow.dst, s.dst, s.dstPrefixLen ?? 0)) return false;
  if (s.proto && s.proto !== flow.proto) return false;
  if (s.sportMask && ((flow.sport ?? 0) & s.sportMask) !== ((s.sport ?? 0) & s.sportMask))
    return false;
  if (s.dportMask && ((flow.dport ?? 0) & s.dportMask) !== ((s.dport ?? 0) & s.dportMask))
    return false;
  if (s.ifindex && s.ifindex !== flow.ifindex) return false;
  return true;
}
