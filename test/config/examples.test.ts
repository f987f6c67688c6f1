/** The shipped example configurations load without errors. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigFile } from '../../src/config/index.js';

const dir = join(import.meta.dirname, '../../examples');

describe('examples', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it('has examples', () => expect(files).toContain('gw-gw.yaml'));
  for (const file of files) {
    it(`${file} is valid`, async () => {
      const result = await loadConfigFile(join(dir, file));
      expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([]);
    });
  }

  it('gw-gw.yaml says what the manual recommends', async () => {
    const result = await loadConfigFile(join(dir, 'gw-gw.yaml'));
    if (!result.ok) throw new Error('invalid');
    const c = result.config.connections[0]!;
    expect([c.name, c.startAction, c.closeAction, c.dpd.action]).toEqual([
      'gw-gw',
      'start',
      'none',
      'restart',
    ]);
    expect(c.children[0]!.proposals[0]!.encryption[0]!.keyword).toBe('aes256gcm16');
  });
});
