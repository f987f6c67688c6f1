/**
 * One function builds a host: the IKEv2 engine on its ports, the kernel's
 * events wired to it, and the connection manager over both. styxd, the
 * simulator and the handshake bench all build their hosts here, so each
 * drives the same wiring and the same manager logic.
 */

import type { RandomSource } from '../crypto/types.js';
import type { EngineOptions } from '../ikev2/context.js';
import { Ikev2Engine } from '../ikev2/engine.js';
import type { ClockPort, Datagram, EngineLogger, NetworkPort } from '../ikev2/ports.js';
import type { IpsecKernel } from '../kernel/types.js';
import {
  type ConnectionFeature,
  ConnectionManager,
  type ManagerLog,
  type NetworkLookups,
} from './connection-manager.js';

export interface HostParts {
  readonly network: NetworkPort;
  readonly clock: ClockPort;
  readonly random: RandomSource;
  readonly logger: EngineLogger;
  readonly kernel: IpsecKernel;
  readonly options?: Partial<EngineOptions>;
  readonly managerLog: ManagerLog;
  readonly lookups?: NetworkLookups;
  readonly features?: readonly ConnectionFeature[];
  /** A datagram or kernel event whose handling threw (an engine fault, never a user mistake). */
  readonly onError: (what: string, e: unknown) => void;
}

export interface Host {
  readonly engine: Ikev2Engine;
  readonly manager: ConnectionManager;
  readonly kernel: IpsecKernel;
  /** Feeds a received IKE datagram to the engine. */
  receive(d: Datagram): Promise<void>;
  /** Stops listening to the kernel's events (the kernel itself is the caller's). */
  detach(): void;
}

export function buildHost(parts: HostParts): Host {
  const engine = new Ikev2Engine(
    {
      network: parts.network,
      clock: parts.clock,
      random: parts.random,
      logger: parts.logger,
      ...(parts.lookups && { resolveName: parts.lookups.resolveName }),
    },
    parts.kernel,
    parts.options,
  );
  const manager = new ConnectionManager({
    engine,
    log: parts.managerLog,
    ...(parts.lookups && { network: parts.lookups }),
    ...(parts.features && { features: parts.features }),
  });
  // ACQUIRE (trap policies), EXPIRE (rekey, hard expiry) and MAPPING (NAT) go to the engine.
  const detach = parts.kernel.onEvent((ev) => {
    engine.kernelEvent(ev).catch((e) => parts.onError(`kernel event ${ev.type}`, e));
  });
  return {
    engine,
    manager,
    kernel: parts.kernel,
    receive: (d) => engine.receive(d).catch((e) => parts.onError('receive', e)),
    detach,
  };
}
