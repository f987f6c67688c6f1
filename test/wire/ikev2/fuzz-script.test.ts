/**
 * A short run of scripts/fuzz.ts, so a regression in either codec or in the
 * fuzzer itself shows up in the ordinary test run. The recorded long run is in
 * the issue note.
 */

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('scripts/fuzz.ts', () => {
  it('runs 20,000 seeded inputs with no untyped failure', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/fuzz.ts', '--iterations', '20000', '--seed', '1'],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('seed 1: 20000 inputs');
    expect(run.stdout).toContain('untyped failures or unstable re-encodings: 0');
  }, 60_000);
});
