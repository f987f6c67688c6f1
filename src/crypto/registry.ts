/**
 * The transform registry: every algorithm Styx can negotiate, keyed by IANA
 * transform type and ID (RFC 7296 §3.3.2), also reachable by its strongSwan-style
 * proposal keyword (`aes256gcm16`, `prfsha256`, `sha256`, `modp2048`, ...) for the
 * configuration. Proposals, key derivation, the kernel adapter (via `kernelName`)
 * and the configuration all read from here.
 */

import { selectedBackend } from './backend/index.js';
import type { SymmetricBackend } from './backend/types.js';
import { makeEncrAlgorithms } from './encr/index.js';
import { makeIntegAlgorithms } from './integ/index.js';
import { KE_METHODS } from './ke/index.js';
import { makePrfAlgorithms } from './prf/index.js';
import {
  type EncrAlgorithm,
  type IntegAlgorithm,
  type KeMethod,
  type PrfAlgorithm,
  TransformType,
  type Usage,
} from './types.js';

/** Spellings strongSwan also accepts, mapped to the keyword an entry carries. */
const KEYWORD_ALIASES: Readonly<Record<string, string>> = {
  aes: 'aes128',
  ...Object.fromEntries(
    [128, 192, 256].flatMap((bits) =>
      ['gcm', 'ccm'].flatMap((mode) => [
        [`aes${bits}${mode}`, `aes${bits}${mode}16`],
        [`aes${bits}${mode}64`, `aes${bits}${mode}8`],
        [`aes${bits}${mode}96`, `aes${bits}${mode}12`],
        [`aes${bits}${mode}128`, `aes${bits}${mode}16`],
      ]),
    ),
  ),
  sha: 'sha1',
  sha2_256: 'sha256',
  sha2_384: 'sha384',
  sha2_512: 'sha512',
  prfsha: 'prfsha1',
  prfsha2_256: 'prfsha256',
  prfsha2_384: 'prfsha384',
  prfsha2_512: 'prfsha512',
  curve25519: 'x25519',
  x25519: 'curve25519',
  curve448: 'x448',
  x448: 'curve448',
};

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code = 'REGISTRY_CONFLICT';
}

interface Keyed {
  readonly id: number;
  readonly keyword?: string;
  readonly usages: readonly Usage[];
}

function indexByKeyword<T extends Keyed>(what: string, entries: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const e of entries) {
    if (e.keyword === undefined) continue;
    if (map.has(e.keyword)) throw new RegistryError(`duplicate ${what} keyword ${e.keyword}`);
    map.set(e.keyword, e);
  }
  return map;
}

function indexById<T extends Keyed>(what: string, entries: readonly T[]): Map<number, T> {
  const map = new Map<number, T>();
  for (const e of entries) {
    if (map.has(e.id)) throw new RegistryError(`duplicate ${what} transform ID ${e.id}`);
    map.set(e.id, e);
  }
  return map;
}

function byKeyword<T>(map: Map<string, T>, keyword: string): T | undefined {
  const k = keyword.toLowerCase();
  const direct = map.get(k);
  if (direct !== undefined) return direct;
  const alias = KEYWORD_ALIASES[k];
  return alias === undefined ? undefined : map.get(alias);
}

function withUsage<T extends Keyed>(entries: readonly T[], usage?: Usage): readonly T[] {
  return usage === undefined ? entries : entries.filter((e) => e.usages.includes(usage));
}

export class TransformRegistry {
  private readonly encrByKeyword: Map<string, EncrAlgorithm>;
  private readonly prfById: Map<number, PrfAlgorithm>;
  private readonly prfByKeyword: Map<string, PrfAlgorithm>;
  private readonly integById: Map<number, IntegAlgorithm>;
  private readonly integByKeyword: Map<string, IntegAlgorithm>;
  private readonly keById: Map<number, KeMethod>;
  private readonly keByKeyword: Map<string, KeMethod>;

  constructor(
    readonly encr: readonly EncrAlgorithm[],
    readonly prf: readonly PrfAlgorithm[],
    readonly integ: readonly IntegAlgorithm[],
    readonly ke: readonly KeMethod[],
  ) {
    const seen = new Set<string>();
    for (const e of encr) {
      const key = `${e.id}/${e.keyLen}`;
      if (seen.has(key)) throw new RegistryError(`duplicate ENCR ${e.name} with ${e.keyLen}`);
      seen.add(key);
    }
    this.encrByKeyword = indexByKeyword('ENCR', encr);
    this.prfById = indexById('PRF', prf);
    this.prfByKeyword = indexByKeyword('PRF', prf);
    this.integById = indexById('INTEG', integ);
    this.integByKeyword = indexByKeyword('INTEG', integ);
    this.keById = indexById('KE', ke);
    this.keByKeyword = indexByKeyword('KE', ke);
  }

  /**
   * The ENCR transform with this ID and Key Length attribute (in bits, RFC 7296
   * §3.3.5). Ciphers that need the attribute (AES) match only with it; fixed-key
   * ciphers match without it, or with their own key length.
   */
  getEncr(id: number, keyLenBits?: number): EncrAlgorithm | undefined {
    return this.encr.find(
      (e) =>
        e.id === id &&
        (keyLenBits === undefined ? !e.keyLengthAttribute : keyLenBits === e.keyLen * 8),
    );
  }

  getPrf(id: number): PrfAlgorithm | undefined {
    return this.prfById.get(id);
  }

  getInteg(id: number): IntegAlgorithm | undefined {
    return this.integById.get(id);
  }

  getKe(id: number): KeMethod | undefined {
    return this.keById.get(id);
  }

  /** Looks up by transform type and ID, the way an SA payload names a transform. */
  get(
    type: number,
    id: number,
    keyLenBits?: number,
  ): EncrAlgorithm | PrfAlgorithm | IntegAlgorithm | KeMethod | undefined {
    switch (type) {
      case TransformType.ENCR:
        return this.getEncr(id, keyLenBits);
      case TransformType.PRF:
        return this.getPrf(id);
      case TransformType.INTEG:
        return this.getInteg(id);
      case TransformType.KE:
        return this.getKe(id);
      default:
        // RFC 9370 additional key exchanges (types 6..12) draw from the KE registry.
        return type >= TransformType.ADDKE1 && type <= TransformType.ADDKE7
          ? this.getKe(id)
          : undefined;
    }
  }

  encrByName(keyword: string): EncrAlgorithm | undefined {
    return byKeyword(this.encrByKeyword, keyword);
  }

  prfByName(keyword: string): PrfAlgorithm | undefined {
    return byKeyword(this.prfByKeyword, keyword);
  }

  integByName(keyword: string): IntegAlgorithm | undefined {
    return byKeyword(this.integByKeyword, keyword);
  }

  keByName(keyword: string): KeMethod | undefined {
    return byKeyword(this.keByKeyword, keyword);
  }

  listEncr(usage?: Usage): readonly EncrAlgorithm[] {
    return withUsage(this.encr, usage);
  }

  listPrf(usage?: Usage): readonly PrfAlgorithm[] {
    return withUsage(this.prf, usage);
  }

  listInteg(usage?: Usage): readonly IntegAlgorithm[] {
    return withUsage(this.integ, usage);
  }

  listKe(usage?: Usage): readonly KeMethod[] {
    return withUsage(this.ke, usage);
  }
}

/** A registry over one backend; tests build one per backend to run the same vectors. */
export function buildRegistry(
  backend: SymmetricBackend,
  keMethods: readonly KeMethod[] = KE_METHODS,
): TransformRegistry {
  return new TransformRegistry(
    makeEncrAlgorithms(backend),
    makePrfAlgorithms(backend),
    makeIntegAlgorithms(backend),
    keMethods,
  );
}

/** The registry Styx uses: the benchmark's winner per primitive. */
export const registry: TransformRegistry = buildRegistry(selectedBackend);

export const getEncr = (id: number, keyLenBits?: number): EncrAlgorithm | undefined =>
  registry.getEncr(id, keyLenBits);
export const getPrf = (id: number): PrfAlgorithm | undefined => registry.getPrf(id);
export const getInteg = (id: number): IntegAlgorithm | undefined => registry.getInteg(id);
export const getKe = (id: number): KeMethod | undefined => registry.getKe(id);
export const getEncrByKeyword = (keyword: string): EncrAlgorithm | undefined =>
  registry.encrByName(keyword);
export const getPrfByKeyword = (keyword: string): PrfAlgorithm | undefined =>
  registry.prfByName(keyword);
export const getIntegByKeyword = (keyword: string): IntegAlgorithm | undefined =>
  registry.integByName(keyword);
export const getKeByKeyword = (keyword: string): KeMethod | undefined => registry.keByName(keyword);
export const listEncr = (usage?: Usage): readonly EncrAlgorithm[] => registry.listEncr(usage);
export const listPrf = (usage?: Usage): readonly PrfAlgorithm[] => registry.listPrf(usage);
export const listInteg = (usage?: Usage): readonly IntegAlgorithm[] => registry.listInteg(usage);
export const listKe = (usage?: Usage): readonly KeMethod[] => registry.listKe(usage);
