// One strongSwan charon per namespace (docs/lab.md): its own strongswan.conf
// through STRONGSWAN_CONF, its own vici socket, and its own /run through a
// private mount namespace, since charon refuses to start when /run/charon.pid
// exists.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Background, inNamespace, type Log, run, startBackground, waitFor } from './exec.js';
import type { CharonDaemon } from './scenario.js';

export interface CharonInstance {
  readonly ns: string;
  readonly uri: string;
  /** strongswan.conf of this instance, for swanctl too (STRONGSWAN_CONF). */
  readonly conf: string;
  readonly swanctlFile: string;
  readonly process: Background;
  /** SWANCTL_DIR for swanctl, when the scenario placed credential files. */
  readonly swanctlDir?: string;
}

/**
 * The plugins each instance loads. Debian's modular list (every installed
 * plugin) takes ~6 s to load inside UML; this list takes under a second and
 * covers PSK, certificates and EAP, the IKE and ESP algorithms the scenarios use,
 * the kernel, the sockets and vici.
 */
export const CHARON_PLUGINS =
  'random nonce openssl aes sha1 sha2 md5 hmac xcbc cmac ctr ccm gcm chapoly curve25519 gmp kdf ' +
  'pem pkcs1 pkcs8 x509 pubkey revocation constraints kernel-netlink socket-default vici counters ' +
  'eap-identity eap-md5 eap-mschapv2 eap-tls';

/** The plugins swanctl loads to read keys and certificates. */
export const SWANCTL_PLUGINS =
  'pem pkcs1 pkcs8 pkcs12 x509 pubkey openssl curve25519 gmp sha1 sha2 hmac aes random';

/** strongswan.conf for one instance. */
export function strongswanConf(socket: string, logFile: string, charonSettings = ''): string {
  return `charon {
  load_modular = no
  load = ${CHARON_PLUGINS}
  plugins {
    vici {
      socket = unix://${socket}
    }
  }
  filelog {
    lab {
      path = ${logFile}
      time_format = %H:%M:%S
      ike_name = yes
      default = 1
      ike = 2
      cfg = 2
      knl = 2
      net = 1
      flush_line = yes
    }
  }
${charonSettings}
}
# swanctl loads every installed plugin by default, which takes ~7 s in UML.
swanctl {
  load = ${SWANCTL_PLUGINS}
}
`;
}

/** Starts charon in `spec.ns` without waiting for it. */
export function startCharon(spec: CharonDaemon, dir: string, runDir: string): CharonInstance {
  const confDir = join(dir, spec.ns);
  mkdirSync(confDir, { recursive: true });
  // The vici socket lives on the UML's own tmpfs: sockets on hostfs are not portable.
  const sockDir = join(runDir, spec.ns);
  mkdirSync(sockDir, { recursive: true });
  const socket = join(sockDir, 'charon.vici');
  const conf = join(confDir, 'strongswan.conf');
  writeFileSync(conf, strongswanConf(socket, join(confDir, 'charon.log'), spec.charonSettings));
  const swanctlFile = join(confDir, 'swanctl.conf');
  writeFileSync(swanctlFile, spec.swanctl);
  for (const f of spec.files ?? []) {
    const target = join(confDir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(f.from, target);
  }
  const argv = inNamespace(spec.ns, [
    'unshare',
    '-m',
    'sh',
    '-c',
    // A checkout under /run is hidden by this private /run: put it back from
    // the handle uml-init.sh keeps at STYX_LAB_CHECKOUT.
    'mount -t tmpfs tmpfs /run && case $STYX_LAB_ROOT in /run/*) mkdir -p "$STYX_LAB_ROOT" && ' +
      'mount --bind "$STYX_LAB_CHECKOUT" "$STYX_LAB_ROOT";; esac && exec /usr/lib/ipsec/charon',
  ]);
  const process_ = startBackground(argv, join(confDir, 'charon.out'), {
    ...process.env,
    STRONGSWAN_CONF: conf,
  });
  return {
    ns: spec.ns,
    uri: `unix://${socket}`,
    conf,
    swanctlFile,
    process: process_,
    ...(spec.files?.length ? { swanctlDir: confDir } : {}),
  };
}

/** Waits for the vici socket, then loads the configuration with swanctl. */
export async function readyCharon(c: CharonInstance, log: Log): Promise<void> {
  const socket = c.uri.slice('unix://'.length);
  let exited = false;
  void c.process.exited.then(() => {
    exited = true;
  });
  await waitFor(
    `charon in ${c.ns} (vici socket)`,
    () => {
      if (exited) throw new Error(`charon in ${c.ns} exited: ${c.process.output().slice(-300)}`);
      return existsSync(socket);
    },
    30_000,
    200,
  );
  const r = await run(swanctl(c, ['--load-all', '--noprompt', '--file', c.swanctlFile]), {
    timeoutMs: 20_000,
    env: swanctlEnv(c),
  });
  log.result(r);
  if (r.code !== 0)
    throw new Error(`swanctl --load-all in ${c.ns} failed: ${r.stderr || r.stdout}`);
}

export function swanctl(c: CharonInstance, args: readonly string[]): string[] {
  return inNamespace(c.ns, ['swanctl', ...args, '--uri', c.uri]);
}

export function swanctlEnv(c: CharonInstance): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STRONGSWAN_CONF: c.conf,
    ...(c.swanctlDir ? { SWANCTL_DIR: c.swanctlDir } : {}),
  };
}
