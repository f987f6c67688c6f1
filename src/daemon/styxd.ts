/**
 * styxd: loads the configuration, opens the IKE sockets and the kernel
 * interface, runs the IKEv2 engine and serves the control socket. SIGTERM
 * deletes the SAs it owns (sending the deletes) and leaves nothing in the
 * kernel; SIGHUP reloads the configuration.
 */

import { formatConfigError, loadConfigFile } from '../config/load.js';
import type { StyxConfig } from '../config/types.js';
import { ControlServer } from '../control/server.js';
import { ControlError, type ControlHandler } from '../control/types.js';
import type { IkeConnection } from '../ikev2/connection.js';
import { Ikev2Engine, systemRandom } from '../ikev2/engine.js';
import { systemClock } from '../ikev2/ports.js';
import { NetlinkKernel } from '../kernel/index.js';
import { buildEngineConnections } from '../manager/engine-connection.js';
import { ikeSaStatus } from '../manager/status.js';
import { packageVersion, parseStyxdArgs, STYXD_HELP } from './args.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { IkeSocketSet } from './network.js';

interface Running {
  config: StyxConfig;
  readonly logger: Logger;
  readonly engine: Ikev2Engine;
}

/** Parses `conn|#3` labels from the engine into log context. */
function labelContext(label: string) {
  const m = /^(.*)\|#(\d+)$/.exec(label);
  return m ? { connection: m[1]!, ikeSa: Number(m[2]) } : {};
}

function controlHandler(run: Running, configPath: string): ControlHandler {
  const { engine, logger } = run;
  return {
    async up(name) {
      if (!engine.getConnections().some((c) => c.name === name)) {
        throw new ControlError('NOT_FOUND', `no connection named ${name}`);
      }
      // `up` twice must not make a second tunnel (the manual's duplicate-tunnel warning).
      const existing = engine.listSas().find((s) => s.conn?.name === name);
      if (existing?.state === 'established') return { message: `connection ${name} is already up` };
      const sa = existing ?? (await engine.initiate(name));
      const ok = await waitFor(() => sa.state === 'established' || sa.state === 'closed', 30_000);
      if (!ok || sa.state !== 'established') {
        throw new ControlError(
          'FAILED',
          `connection ${name} failed: ${sa.closeReason || 'timeout'}`,
        );
      }
      return { message: `connection ${name} established` };
    },
    async down(name) {
      await engine.terminate(name);
      return { message: `connection ${name} closed` };
    },
    async status(name) {
      const now = systemClock.now();
      const sas = engine.listSas().filter((sa) => !name || sa.conn?.name === name);
      return { ikeSas: await Promise.all(sas.map((sa) => ikeSaStatus(sa, engine.kernel, now))) };
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
      let conns: IkeConnection[];
      try {
        conns = await buildEngineConnections(
          result.config.connections,
          new Date(),
          result.config.eapUsers,
        );
      } catch (e) {
        const line = (e as Error).message;
        logger.error('config', `reload refused: ${line}`);
        throw new ControlError(
          'CONFIG_INVALID',
          'credentials cannot be loaded; the running configuration is kept',
          [line],
        );
      }
      const before = new Set(run.config.connections.map((c) => c.name));
      const after = new Set(result.config.connections.map((c) => c.name));
      run.config = result.config;
      engine.setConnections(conns);
      logger.info('config', `configuration reloaded from ${configPath}`);
      return {
        added: [...after].filter((n) => !before.has(n)),
        removed: [...before].filter((n) => !after.has(n)),
        changed: [],
        unchanged: [...after].filter((n) => before.has(n)),
      };
    },
    logs(options, onLine) {
      for (const line of logger.recent(options.lines)) onLine(line);
      return options.follow ? logger.subscribe((line) => onLine(line)) : () => undefined;
    },
  };
}

function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      if (cond()) resolve(true);
      else if (Date.now() - start > timeoutMs) resolve(false);
      else setTimeout(tick, 50);
    };
    tick();
  });
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
  let conns: IkeConnection[];
  try {
    // Certificates and keys are read once here; a bad file stops the start with its name.
    conns = await buildEngineConnections(config.connections, new Date(), config.eapUsers);
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
  let engine: Ikev2Engine | undefined;
  const sockets = new IkeSocketSet({
    ikePort: d.ikePort,
    nattPort: d.natTPort,
    onDatagram: (dg) => {
      void engine
        ?.receive(dg)
        .catch((e) => logger.error('ike', `unexpected error: ${(e as Error).message}`));
    },
    onError: (m) => logger.warn('net', m),
  });
  engine = new Ikev2Engine(
    {
      network: sockets,
      clock: systemClock,
      random: systemRandom,
      logger: {
        log: (level: LogLevel, sa, message, fields) =>
          logger.log(level, 'ike', message, labelContext(sa), fields ?? {}),
      },
    },
    kernel,
    {
      cookieThreshold: d.cookieThreshold,
      halfOpenLimit: d.halfOpenLimit,
      nattPort: d.natTPort,
      retransmit: {
        timeoutMs: d.retransmitTimeoutMs,
        base: d.retransmitBase,
        tries: d.retransmitTries,
        maxTimeoutMs: 0,
      },
    },
  );
  engine.setConnections(conns);
  const run: Running = { config, logger, engine };
  const control = await ControlServer.listen({
    path: d.socket,
    handler: controlHandler(run, configPath),
    onInternalError: (e) => logger.error('control', `internal error: ${(e as Error).message}`),
  });
  logger.info(
    'daemon',
    `styxd started with ${engine.getConnections().length} connection(s); control socket ${d.socket}`,
  );

  // ACQUIRE (trap policies), EXPIRE (rekey, hard expiry) and MAPPING (NAT) go to the engine.
  kernel.onEvent((ev) => {
    void engine!
      .kernelEvent(ev)
      .catch((e) => logger.error('kernel', `event ${ev.type} failed: ${(e as Error).message}`));
  });
  for (const c of run.config.connections) {
    if (!engine.getConnections().some((e) => e.name === c.name)) continue;
    // The manual's Init Type: trap policies first, so no packet leaves unencrypted.
    if (c.startAction === 'trap' || c.startAction === 'start+trap') {
      await engine
        .installTraps(c.name)
        .catch((e) => logger.error('ike', `cannot trap ${c.name}: ${(e as Error).message}`));
    }
    if (c.startAction === 'start' || c.startAction === 'start+trap') {
      void engine
        .initiate(c.name)
        .catch((e) => logger.error('ike', `cannot start ${c.name}: ${(e as Error).message}`));
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('daemon', `${signal} received, deleting SAs`);
      // Send the deletes and wait briefly for answers; whatever is left is removed locally.
      await Promise.race([engine!.shutdown(), new Promise((r) => setTimeout(r, 3000))]);
      await engine!.forceCloseAll('daemon stopped');
      await engine!.uninstallTraps();
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
