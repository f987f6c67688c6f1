// Run by lab.sh on the host before any boot: checks that every charon plugin
// the scenarios load and every kernel module the UML init needs is installed,
// and fails at once with one line naming what is missing, instead of scenarios
// failing later with a bare timeout (a plugin that fails to load is only in
// charon.log). The UML boots on the host's root filesystem, so what is
// installed here is what the lab sees.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHARON_PLUGINS, SWANCTL_PLUGINS } from './charon.js';

const PLUGIN_DIR = '/usr/lib/ipsec/plugins';
const UML_MODULE_DIR = '/usr/lib/uml/modules';
/** The modules without which no scenario runs (interop/uml-init.sh loads them and more). */
export const REQUIRED_UML_MODULES = [
  'xfrm_user',
  'esp4',
  'esp6',
  'ah4',
  'ah6',
  'ipcomp',
  'ipcomp6',
  'xfrm_ipcomp',
  'veth',
  'nf_nat',
  'sch_netem',
];
const COMMANDS = ['/usr/bin/linux.uml', '/usr/lib/ipsec/charon', '/usr/sbin/swanctl'];

/** What is missing, in words; empty when the lab can run. */
export function missingForLab(): string[] {
  const missing: string[] = [];
  const plugins = new Set(`${CHARON_PLUGINS} ${SWANCTL_PLUGINS}`.split(/\s+/).filter(Boolean));
  for (const p of plugins) {
    if (!existsSync(join(PLUGIN_DIR, `libstrongswan-${p}.so`))) missing.push(`charon plugin ${p}`);
  }
  for (const c of COMMANDS) if (!existsSync(c)) missing.push(c);
  const versions = existsSync(UML_MODULE_DIR) ? readdirSync(UML_MODULE_DIR) : [];
  if (versions.length === 0) missing.push(`UML kernel modules (${UML_MODULE_DIR})`);
  else {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else names.add(e.name.replace(/\.ko(\.[a-z]+)?$/, ''));
      }
    };
    walk(join(UML_MODULE_DIR, versions[0]!));
    for (const m of REQUIRED_UML_MODULES) if (!names.has(m)) missing.push(`UML module ${m}`);
  }
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
