/**
 * Proposal keywords (strongSwan syntax) → IANA transforms, read from the crypto
 * transform registry so each algorithm exists once (architecture principle 3).
 * Only the ESN transform (RFC 7296 §3.3.2, type 5), which is not an algorithm,
 * is defined here.
 */
import {
  getEncrByKeyword,
  getIntegByKeyword,
  getKeByKeyword,
  getPrfByKeyword,
  listEncr,
  listInteg,
  listKe,
  listPrf,
} from '../crypto/registry.js';
import type { Usage as RegistryUsage } from '../crypto/types.js';
import type { TransformSpec } from './types.js';

export type Usage = 'ike' | 'esp' | 'ah';

export interface KeywordEntry extends Omit<TransformSpec, 'keyword'> {
  readonly usages: readonly Usage[];
}

const ESN: Readonly<Record<string, KeywordEntry>> = {
  noesn: { type: 'esn', id: 0, usages: ['esp', 'ah'] },
  esn: { type: 'esn', id: 1, usages: ['esp', 'ah'] },
};

function usagesOf(usages: readonly RegistryUsage[]): Usage[] {
  return usages.filter((u): u is Usage => u === 'ike' || u === 'esp' || u === 'ah');
}

export function lookupKeyword(keyword: string): KeywordEntry | undefined {
  const esn = ESN[keyword];
  if (esn) return esn;
  const encr = getEncrByKeyword(keyword);
  if (encr) {
    return {
      type: 'encr',
      id: encr.id,
      // Only variable-length ciphers carry the Key Length attribute (RFC 7296 §3.3.5).
      ...(encr.keyLengthAttribute && { keyBits: encr.keyLen * 8 }),
      aead: encr.aead,
      usages: usagesOf(encr.usages),
    };
  }
  const integ = getIntegByKeyword(keyword);
  if (integ) return { type: 'integ', id: integ.id, usages: usagesOf(integ.usages) };
  const prf = getPrfByKeyword(keyword);
  if (prf) return { type: 'prf', id: prf.id, usages: usagesOf(prf.usages) };
  const ke = getKeByKeyword(keyword);
  if (ke) {
    const usages = usagesOf(ke.usages);
    // PFS does not depend on the IPsec protocol: a method usable with ESP serves AH too.
    return {
      type: 'ke',
      id: ke.id,
      usages: usages.includes('esp') ? [...new Set([...usages, 'ah' as const])] : usages,
    };
  }
  return undefined;
}

/** Every keyword, for "did you mean" suggestions. */
export function allKeywords(): string[] {
  const entries = [...listEncr(), ...listInteg(), ...listPrf(), ...listKe()];
  return [
    ...entries.flatMap((e) => (e.keyword ? [e.keyword] : [])),
    'x25519',
    'x448',
    ...Object.keys(ESN),
  ];
}

/**
 * strongSwan derives the IKE PRF from the integrity algorithm when none is
 * given: HMAC-SHA2-256-128 → PRF-HMAC-SHA2-256, AES-XCBC-96 → PRF-AES128-XCBC.
 */
export function prfKeywordForInteg(integKeyword: string): string | undefined {
  const integ = getIntegByKeyword(integKeyword);
  const candidate = integ?.keyword ? `prf${integ.keyword}` : undefined;
  return candidate && getPrfByKeyword(candidate) ? candidate : undefined;
}
