/**
 * Issue 2: "Every registry entry has vectors; a test fails if one is missing."
 * Each ENCR/PRF/INTEG entry must be named by a vector in one of the files the
 * vector tests run, and each KE method's ID must appear as the `group` of a
 * vector in test-vectors/ke (run by test/crypto/ke).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../../src/crypto/registry.js';
import { allVectors, loadVectorFile, VECTOR_FILES, VECTOR_ROOT } from './symmetric-vectors.js';

const namedByVectors = new Set(
  VECTOR_FILES.flatMap(({ file }) => allVectors(loadVectorFile(file))).flatMap(
    (v) => v.entries ?? [],
  ),
);

function keGroupsWithVectors(): Set<number> {
  const dir = join(VECTOR_ROOT, 'ke');
  const groups = new Set<number>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      vectors?: readonly { group?: unknown }[];
    };
    for (const v of file.vectors ?? []) if (typeof v.group === 'number') groups.add(v.group);
  }
  return groups;
}

describe('every registry entry has third-party vectors', () => {
  const symmetric = [
    ...registry.listEncr().map((e) => ['ENCR', e.keyword, e.name] as const),
    ...registry.listPrf().map((e) => ['PRF', e.keyword, e.name] as const),
    ...registry.listInteg().map((e) => ['INTEG', e.keyword, e.name] as const),
  ];

  it.each(symmetric)('%s %s (%s)', (_type, keyword) => {
    expect(keyword).toBeDefined();
    expect(namedByVectors.has(keyword!)).toBe(true);
  });

  it('vector files name only entries that exist', () => {
    const known = new Set(symmetric.map(([, keyword]) => keyword));
    expect([...namedByVectors].filter((k) => !known.has(k))).toEqual([]);
  });

  const keGroups = keGroupsWithVectors();
  it.each(registry.listKe().map((m) => [m.id, m.name] as const))('KE %i (%s)', (id) => {
    expect(keGroups.has(id)).toBe(true);
  });

  it('covers the methods issue 2 requires', () => {
    const required = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 27, 28, 29, 30, 31, 32, 35, 36, 37];
    expect(registry.listKe().map((m) => m.id)).toEqual(expect.arrayContaining(required));
  });
});
