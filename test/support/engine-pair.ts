/**
 * Two IKEv2 engines wired together in memory: a manual clock, a memory network,
 * two in-memory kernels and seeded randomness. Used by the engine tests.
 */

import type { ChildConnection, IkeConnection } from '../../src/ikev2/connection.js';
import type { EngineOptions } from '../../src/ikev2/context.js';
import { Ikev2Engine } from '../../src/ikev2/engine.js';
import { addressIdentity, fqdnIdentity } from '../../src/ikev2/identities.js';
import type { EngineLogger } from '../../src/ikev2/ports.js';
import type { Proposal } from '../../src/ikev2/proposals.js';
import { selectorFromCidr } from '../../src/ikev2/traffic-selectors.js';
import { MemoryKernel } from '../../src/kernel/index.js';
import { ConnectionManager, type ManagedConnection } from '../../src/manager/connection-manager.js';
import { type ConnectionPolicy, DEFAULT_POLICY } from '../../src/manager/policy.js';
import { ManualClock } from '../../src/sim/manual-clock.js';
import { MemoryNetwork, runUntil } from '../../src/sim/memory-network.js';
import { deriveSeed, seededBytes, seededRandom } from '../../src/sim/random.js';

/** Deterministic randomness, now in src/sim/random.ts; re-exported for the engine tests. */
export { seededBytes };

export const IKE_GCM_X25519: Proposal = {
  protocol: 'ike',
  encr: [{ id: 20, keyLen: 256 }],
  prf: [5],
  integ: [],
  ke: [31],
  esn: [],
};
export const IKE_CBC_MODP2048: Proposal = {
  protocol: 'ike',
  encr: [{ id: 12, keyLen: 256 }],
  prf: [5],
  integ: [12],
  ke: [14],
  esn: [],
};
export const ESP_GCM: Proposal = {
  protocol: 'esp',
  encr: [{ id: 20, keyLen: 256 }],
  prf: [],
  integ: [],
  ke: [],
  esn: [0],
};

export function secret(text: string) {
  const bytes = new TextEncoder().encode(text);
  return { reveal: () => bytes };
}

export function child(
  name: string,
  local: string,
  remote: string,
  over: Partial<ChildConnection> = {},
): ChildConnection {
  return {
    name,
    mode: 'tunnel',
    protocol: 'esp',
    proposals: [ESP_GCM],
    localTs: [selectorFromCidr(local)],
    remoteTs: [selectorFromCidr(remote)],
    ipcomp: false,
    rekeyMs: 3_600_000,
    lifeMs: 3_960_000,
    replayWindow: 32,
    ...over,
  };
}

export function connection(
  name: string,
  local: string,
  remote: string,
  over: Partial<IkeConnection> = {},
): IkeConnection {
  return {
    name,
    localAddrs: [local],
    remoteAddrs: [remote],
    localPort: 500,
    remotePort: 500,
    proposals: [IKE_GCM_X25519],
    local: { method: 'psk', id: fqdnIdentity(`${name}.local`) },
    remote: { method: 'psk', id: addressIdentity(remote) },
    psk: secret('correct horse battery staple'),
    children: [],
    fragmentation: true,
    fragmentSize: 1280,
    rekeyMs: 0,
    dpdDelayMs: 0,
    ...over,
  };
}

export class CapturingLogger implements EngineLogger {
  readonly lines: string[] = [];
  log(level: string, sa: string, message: string, fields?: Record<string, unknown>): void {
    this.lines.push(`${level} [${sa}] ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
  }
}

export function makePair(
  seed = 'pair',
  options: Partial<EngineOptions> = {},
  resolveName?: (name: string) => Promise<string[]>,
) {
  const clock = new ManualClock();
  // The seed picks the link's losses and delays too, not only the engines' bytes.
  const net = new MemoryNetwork(clock, seededRandom(deriveSeed(0, `${seed}/net`)));
  const mk = (name: string, address: string) => {
    const kernel = new MemoryKernel({ now: () => clock.now(), seed: name === 'a' ? 11 : 22 });
    const logger = new CapturingLogger();
    const engine = new Ikev2Engine(
      {
        network: net.portFor(),
        clock,
        random: seededBytes(`${seed}/${name}`),
        logger,
        ...(resolveName && { resolveName }),
      },
      kernel,
      options,
    );
    net.bind(address, (d) => engine.receive(d));
    // The appliance policies (start, close, DPD actions) live in the manager, as in styxd.
    const manager = new ConnectionManager({
      engine,
      log: (level, message) => logger.log(level, 'manager', message),
    });
    return { engine, kernel, logger, address, manager };
  };
  const a = mk('a', '192.0.2.1');
  const b = mk('b', '192.0.2.2');
  return {
    clock,
    net,
    a,
    b,
    run: (done: () => boolean, maxMs?: number) => runUntil(clock, net, done, maxMs),
  };
}

/** The manager's view of test connections: remote endpoints from remoteAddrs, one policy for all. */
export function managed(
  conns: readonly IkeConnection[],
  policy: Partial<ConnectionPolicy> = {},
): ManagedConnection[] {
  return conns.map((engine) => ({
    name: engine.name,
    engine,
    policy: { ...DEFAULT_POLICY, ...policy },
    endpoints: engine.remoteAddrs.map((address) => ({ kind: 'ip' as const, address })),
    fingerprint: JSON.stringify({ name: engine.name, policy }),
  }));
}

/**
 * Gives a side its connections through its manager, as styxd does. With the
 * default policy (responder only) nothing starts; setConnections is done when
 * this returns (the start actions follow asynchronously).
 */
export function configureSide(
  side: { manager: ConnectionManager },
  conns: readonly IkeConnection[],
  policy: Partial<ConnectionPolicy> = {},
): Promise<void> {
  return side.manager.start(managed(conns, policy));
}
