/** styxd's command line: `--config FILE`, `--check`, `--help`, `--version`. */
import { readFileSync } from 'node:fs';

export const STYXD_HELP = `usage: styxd --config FILE.yaml [--check]
       styxd --help | --version

Runs the Styx IKE daemon: loads FILE.yaml (see docs/configuration.md), binds
the IKE ports (UDP 500 and 4500 by default), installs SAs and policies in the
kernel over netlink/XFRM and serves the control socket that styxctl talks to.

options:
  --config FILE   the configuration file (YAML); required
  --check         load and validate FILE, print what was found, and exit
                  (0: usable, 1: errors, reported as file:line:column)
  -h, --help      show this help and exit
  --version       print the version and exit

signals: SIGHUP reloads FILE (a bad file changes nothing), SIGTERM and SIGINT
delete every SA (the peers are told) and exit.

The host needs root or CAP_NET_ADMIN (+ CAP_NET_BIND_SERVICE for ports below
1024), a kernel with XFRM and the ESP/AH/IPComp modules the configuration uses,
the IKE ports free, and a writable directory for the control socket
(/run/styx by default).
`;

export type StyxdArgs =
  | { readonly kind: 'run'; readonly configPath: string; readonly checkOnly: boolean }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

export function parseStyxdArgs(argv: readonly string[]): StyxdArgs {
  let configPath: string | undefined;
  let checkOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return { kind: 'help' };
    if (a === '--version') return { kind: 'version' };
    if (a === '--check') checkOnly = true;
    else if (a === '--config') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) {
        return { kind: 'error', message: '--config needs a file name' };
      }
      configPath = v;
    } else if (a.startsWith('--config=')) configPath = a.slice('--config='.length);
    else return { kind: 'error', message: `unknown argument "${a}"` };
  }
  if (!configPath) return { kind: 'error', message: '--config FILE is required' };
  return { kind: 'run', configPath, checkOnly };
}

/** The version in the package's package.json (found from src/ and from dist/src/). */
export function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const text = readFileSync(new URL(rel, import.meta.url), 'utf8');
      const pkg = JSON.parse(text) as { name?: string; version?: string };
      if (pkg.name === 'styx-ike' && pkg.version) return pkg.version;
    } catch {
      // not this one: try the next level up
    }
  }
  return 'unknown';
}
