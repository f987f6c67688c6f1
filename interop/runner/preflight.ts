// Run by lab.sh on the host before any boot: checks that every charon plugin
// the scenarios load and every command they run is installed (the lab kernel
// has everything built in: interop/kernel/build.sh checks its configuration),
// and fails at once with one line naming what is missing, instead of scenarios
// failing later with a bare timeout (a plugin that fails to load is only in
// charon.log). The UML boots on the host's root filesystem, so what is
// installed here is what the lab sees.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHARON_PLUGINS, SWANCTL_PLUGINS } from './charon.js';

const PLUGIN_DIR = '/usr/lib/ipsec/plugins';
const COMMANDS = [
  '/usr/lib/ipsec/charon',
  '/usr/sbin/swanctl',
  '/usr/sbin/nft',
  '/usr/sbin/tc',
  '/usr/sbin/keepalived',
];

/** What is missing, in words; empty when the lab can run. */
export function missingForLab(): string[] {
  const missing: string[] = [];
  const plugins = new Set(`${CHARON_PLUGINS} ${SWANCTL_PLUGINS}`.split(/\s+/).filter(Boolean));
  for (const p of plugins) {
    if (!existsSync(join(PLUGIN_DIR, `libstrongswan-${p}.so`))) missing.push(`charon plugin ${p}`);
  }
  for (const c of COMMANDS) if (!existsSync(c)) missing.push(c);
  return missing;
}

if (process.argv[1]?.endsWith('preflight.js')) {
  const missing = missingForLab();
  if (missing.length > 0) {
    console.error(
      `lab preflight: cannot run the lab, missing: ${missing.join(', ')} (scripts/setup.sh installs the packages)`,
    );
    process.exitCode = 2;
  }
}
