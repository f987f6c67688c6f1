/**
 * styxd: loads the configuration, opens the IKE sockets and the kernel
 * interface, runs the IKEv2 engine and serves the control socket. SIGTERM
 * deletes the SAs it owns (sending the deletes) and leaves nothing in the
 * kernel; SIGHUP reloads the configuration.
 */

import { lookup } from 'node:dns/promises';
import { formatConfigError, loadConfigFile } from '../config/load.js';
import type { DaemonSettings, StyxConfig } from '../config/types.js';
import { ControlServer } from '../control/server.js';
import { ControlError, type ControlHandler } from '../control/types.js';
import type { EngineOptions } from '../ikev2/context.js';
import { systemRandom } from '../ikev2/engine.js';
import { systemClock } from '../ikev2/ports.js';
import { NetlinkKernel } from '../kernel/index.js';
import type { IpsecKernel } from '../kernel/types.js';
import { applianceFeatures } from '../manager/appliance/index.js';
import type { ManagedConnection, NetworkLookups } from '../manager/connection-manager.js';
import { buildManagedConnections } from '../manager/engine-connection.js';
import { buildHost, type Host } from '../manager/host.js';
import { ikeSaStatus } from '../manager/status.js';
import { packageVersion, parseStyxdArgs, STYXD_HELP } from './args.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { IkeSocketSet } from './network.js';

interface Running {
  config: StyxConfig;
  readonly logger: Logger;
  readonly host: Host;
}

/** Parses `conn|#3` labels from the engine into log context. */
function labelContext(label: string) {
  const m = /^(.*)\|#(\d+)$/.exec(label);
  return m ? { connection: m[1]!, ikeSa: Number(m[2]) } : {};
}

/** An operator command's wait for a tunnel: the control socket answers within this. */
const UP_TIMEOUT_MS = 30_000;

export function controlHandler(run: Running, configPath: string): ControlHandler {
  const { host, logger } = run;
  const { manager, engine } = host;
  return {
    async up(name) {
      if (!manager.get(name)) throw new ControlError('NOT_FOUND', `no connection named ${name}`);
      // `up` twice must not make a second tunnel (the manual's duplicate-tunnel warning).
      const attempt = manager.up(name);
      const outcome = await Promise.race([
        attempt.then(
          (r) => ({ ok: true as const, already: r.already }),
          (e: Error) => ({ ok: false as const, reason: e.message }),
        ),
        new Promise<{ ok: false; reason: string }>((r) =>
          setTimeout(() => r({ ok: false, reason: 'timeout' }), UP_TIMEOUT_MS).unref(),
        ),
      ]);
      if (!outcome.ok)
        throw new ControlError('FAILED', `connection ${name} failed: ${outcome.reason}`);
      return {
        message: outcome.already
          ? `connection ${name} is already up`
          : `connection ${name} established`,
      };
    },
    async down(name) {
      if (!manager.get(name)) throw new ControlError('NOT_FOUND', `no connection named ${name}`);
      await manager.down(name);
      return { message: `connection ${name} closed` };
    },
    async status(name) {
      const now = systemClock.now();
      const sas = engine.listSas().filter((sa) => !name || sa.conn?.name === name);
      const standby = manager
        .connections()
        .filter((c) => !name || c.name === name)
        .flatMap((c) => {
          const reason = manager.standbyReason(c.name);
          return reason ? [{ name: c.name, reason }] : [];
        });
      return {
        ikeSas: await Promise.all(sas.map((sa) => ikeSaStatus(sa, host.kernel, now))),
        ...(standby.length > 0 && { standby }),
      };
    },
    async reload() {
      const result = await loadConfigFile(configPath);
      if (!result.ok) {
        const lines = result.errors.map(formatConfigError);
        for (const l of lines) logger.error('config', `reload refused: ${l}`);
        throw new ControlError(
          'CONFIG_INVALID',
          'configuration has errors; the running configuration is kept',
          lines,
        );
      }
      let conns: ManagedConnection[];
      try {
        conns = await buildManagedConnections(result.config);
      } catch (e) {
        const line = (e as Error).message;
        logger.error('config', `reload refused: ${line}`);
        throw new ControlError(
          'CONFIG_INVALID',
          'credentials cannot be loaded; the running configuration is kept',
          [line],
        );
      }
      run.config = result.config;
      const summary = await manager.reload(conns);
      logger.info(
        'config',
        `configuration reloaded from ${configPath}: ${summary.added.length} added, ${summary.removed.length} removed, ${summary.changed.length} changed, ${summary.unchanged.length} unchanged`,
      );
      return summary;
    },
    logs(options, onLine) {
      for (const line of logger.recent(options.lines)) onLine(line);
      return options.follow ? logger.subscribe((line) => onLine(line)) : () => undefined;
    },
  };
}

/** The engine's options from the daemon settings. */
export function engineOptions(d: DaemonSettings): Partial<EngineOptions> {
  return {
    cookieThreshold: d.cookieThreshold,
    halfOpenLimit: d.halfOpenLimit,
    nattPort: d.natTPort,
    retransmit: {
      timeoutMs: d.retransmitTimeoutMs,
      base: d.retransmitBase,
      tries: d.retransmitTries,
      maxTimeoutMs: 0,
    },
  };
}

/** Host names and source addresses as the system resolves and routes them. */
function systemLookups(kernel: IpsecKernel): NetworkLookups {
  return {
    // getaddrinfo each time: Node keeps no DNS cache, so a DynDNS name is looked up anew.
    resolveName: async (name) => (await lookup(name, { all: true })).map((a) => a.address),
    sourceFor: async (dst) => (await kernel.routeTo(dst))?.src,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseStyxdArgs(argv);
  if (args.kind === 'help') {
    process.stdout.write(STYXD_HELP);
    return 0;
  }
  if (args.kind === 'version') {
    process.stdout.write(`styxd ${packageVersion()}\n`);
    return 0;
  }
  if (args.kind === 'error') {
    process.stderr.write(`styxd: ${args.message}\n${STYXD_HELP.split('\n\n')[0]}\n`);
    return 2;
  }
  const configPath = args.configPath;
  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatConfigError(e)}\n`);
    process.stderr.write(`styxd: ${loaded.errors.length} error(s) in ${configPath}; not started\n`);
    return 1;
  }
  const config = loaded.config;
  let conns: ManagedConnection[];
  try {
    // Certificates and keys are read once here; a bad file stops the start with its name.
    conns = await buildManagedConnections(config);
  } catch (e) {
    process.stderr.write(`styxd: ${(e as Error).message}; not started\n`);
    return 1;
  }
  if (args.checkOnly) {
    for (const w of loaded.warnings) process.stderr.write(`${formatConfigError(w)}\n`);
    process.stdout.write(`styxd: ${configPath}: ${conns.length} connection(s) usable\n`);
    return 0;
  }
  const d = config.daemon;
  const logger = createLogger({ level: d.logLevel, levels: d.logLevels, format: d.logFormat });
  for (const w of loaded.warnings) logger.warn('config', formatConfigError(w));

  const kernel = new NetlinkKernel({
    logger: { warn: (m, f) => logger.warn('kernel', m, {}, f) },
  });
  let host: Host | undefined;
  const sockets = new IkeSocketSet({
    ikePort: d.ikePort,
    nattPort: d.natTPort,
    onDatagram: (dg) => void host?.receive(dg),
    onError: (m) => logger.warn('net', m),
  });
  host = buildHost({
    network: sockets,
    clock: systemClock,
    random: systemRandom,
    logger: {
      log: (level: LogLevel, sa, message, fields) =>
        logger.log(level, 'ike', message, labelContext(sa), fields ?? {}),
    },
    kernel,
    options: engineOptions(d),
    managerLog: (level, message) => logger.log(level, 'manager', message),
    lookups: systemLookups(kernel),
    features: applianceFeatures(
      kernel,
      (level, message) => logger.log(level, 'appliance', message),
      { mark: d.firewallMark, ikePort: d.ikePort, natTPort: d.natTPort },
    ),
    onError: (what, e) =>
      logger.error('ike', `unexpected error in ${what}: ${(e as Error).message}`),
  });
  const run: Running = { config, logger, host };
  const control = await ControlServer.listen({
    path: d.socket,
    handler: controlHandler(run, configPath),
    onInternalError: (e) => logger.error('control', `internal error: ${(e as Error).message}`),
  });
  await host.manager.start(conns);
  logger.info(
    'daemon',
    `styxd started with ${conns.length} connection(s); control socket ${d.socket}`,
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('daemon', `${signal} received, deleting SAs`);
      // Send the deletes and wait briefly for answers; whatever is left is removed locally.
      await host!.manager.stop(3000);
      host!.detach();
      await control.close();
      sockets.close();
      await kernel.close();
      logger.info('daemon', 'stopped');
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => {
      void controlHandler(run, configPath)
        .reload()
        .catch(() => undefined);
    });
  });
}
