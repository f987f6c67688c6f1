import { describe, expect, it } from 'vitest';
import { packageVersion, parseStyxdArgs, STYXD_HELP } from '../../src/daemon/args.js';

describe('styxd command line', () => {
  it('reads --config, --config=FILE and --check', () => {
    expect(parseStyxdArgs(['--config', 'a.yaml'])).toEqual({
      kind: 'run',
      configPath: 'a.yaml',
      checkOnly: false,
    });
    expect(parseStyxdArgs(['--check', '--config=b.yaml'])).toEqual({
      kind: 'run',
      configPath: 'b.yaml',
      checkOnly: true,
    });
  });

  it('answers --help and --version before anything else', () => {
    expect(parseStyxdArgs(['--config', 'a.yaml', '-h'])).toEqual({ kind: 'help' });
    expect(parseStyxdArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseStyxdArgs(['--version'])).toEqual({ kind: 'version' });
    expect(STYXD_HELP).toMatch(/--config FILE/);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names what is wrong with a bad command line', () => {
    expect(parseStyxdArgs([])).toEqual({ kind: 'error', message: '--config FILE is required' });
    expect(parseStyxdArgs(['--config'])).toEqual({
      kind: 'error',
      message: '--config needs a file name',
    });
    expect(parseStyxdArgs(['--config', 'a.yaml', '--frob'])).toEqual({
      kind: 'error',
      message: 'unknown argument "--frob"',
    });
  });
});
