import { describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/config/types.js';
import type { IkeConnection } from '../../src/ikev2/connection.js';
import type { EngineEvent, EngineEventListener } from '../../src/ikev2/events.js';
import type { IkeSa } from '../../src/ikev2/ike-sa.js';
import { MemoryKernel } from '../../src/kernel/memory-kernel.js';
import { LocalAddressWatch } from '../../src/manager/appliance/address-watch.js';
import { GatewayWatch } from '../../src/manager/appliance/gateway-watch.js';
import {
  ConnectionManager,
  type ManagedConnection,
  type ManagedEngine,
} from '../../src/manager/connection-manager.js';
import { DEFAULT_POLICY, followUp } from '../../src/manager/policy.js';

/** An engine that records the manager's commands; the test plays the events. */
class FakeEngine implements ManagedEngine {
  readonly calls: string[] = [];
  readonly sas: IkeSa[] = [];
  private readonly listeners = new Set<EngineEventListener>();
  /** What each initiation leads to, in order: up, or down with a cause. */
  outcomes: ('up' | 'no-answer' | 'failed')[] = [];

  setConnections(conns: readonly IkeConnection[]) {
    this.calls.push(`set ${conns.map((c) => c.name).join(',')}`);
  }
  async initiate(name: string, endpoints: { local?: string; remote?: string } = {}) {
    this.calls.push(`initiate ${name} ${endpoints.local ?? '-'} -> ${endpoints.remote ?? '-'}`);
    const sa = { conn: { name }, state: 'connecting', closeReason: '' } as unknown as IkeSa;
    this.sas.push(sa);
    const outcome = this.outcomes.shift() ?? 'up';
    setTimeout(() => {
      if (outcome === 'up') {
        (sa as { state: string }).state = 'established';
        this.emit({ type: 'ike-up', sa });
      } else this.down(sa, outcome === 'no-answer' ? 'no-answer' : 'failed');
    }, 1);
    return sa;
  }
  down(sa: IkeSa, cause: Extract<EngineEvent, { type: 'ike-down' }>['cause']) {
    (sa as { state: string }).state = 'closed';
    this.sas.splice(this.sas.indexOf(sa), 1);
    this.emit({ type: 'ike-down', sa, reason: cause, cause });
  }
  async installTraps(name: string) {
    this.calls.push(`trap ${name}`);
    return 1;
  }
  async uninstallTraps(name?: string) {
    this.calls.push(`untrap ${name ?? '*'}`);
  }
  async terminate(name: string) {
    this.calls.push(`terminate ${name}`);
  }
  listSas() {
    return this.sas.filter((s) => s.state !== 'closed');
  }
  onEvent(l: EngineEventListener) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(ev: EngineEvent) {
    for (const l of this.listeners) l(ev);
  }
  async shutdown() {}
  async forceCloseAll(_reason: string, name?: string) {
    this.calls.push(`force-close ${name ?? '*'}`);
    for (const sa of this.listSas().filter((s) => !name || s.conn?.name === name))
      this.down(sa, 'local');
  }
}

function conn(name: string, over: Partial<ManagedConnection> = {}): ManagedConnection {
  return {
    name,
    engine: { name, localAddrs: [], remoteAddrs: ['192.0.2.2'] } as unknown as IkeConnection,
    policy: DEFAULT_POLICY,
    endpoints: [{ kind: 'ip', address: '192.0.2.2' }],
    fingerprint: `${name}-1`,
    ...over,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('appliance policies', () => {
  it('close action on a delete by the peer, DPD action on a dead peer, nothing otherwise', () => {
    const p = { startAction: 'none', closeAction: 'trap', dpdAction: 'restart' } as const;
    expect(followUp('peer-deleted', p)).toBe('trap');
    expect(followUp('dead-peer', p)).toBe('start');
    expect(followUp('dead-peer', { ...p, dpdAction: 'trap' })).toBe('trap');
    expect(followUp('dead-peer', { ...p, dpdAction: 'clear' })).toBe('none');
    for (const cause of ['local', 'replaced', 'failed', 'no-answer'] as const)
      expect(followUp(cause, p)).toBe('none');
  });
});

describe('ConnectionManager', () => {
  it('start actions: start initiates, trap installs trap policies, none waits', async () => {
    const engine = new FakeEngine();
    const m = new ConnectionManager({ engine, log: () => undefined });
    await m.start([
      conn('a', { policy: { ...DEFAULT_POLICY, startAction: 'start' } }),
      conn('b', { policy: { ...DEFAULT_POLICY, startAction: 'trap' } }),
      conn('c'),
    ]);
    await tick();
    // Initiation runs in the background (it may resolve names first): compare as a set.
    expect(engine.calls[0]).toBe('set a,b,c');
    expect(engine.calls.slice(1).sort()).toEqual(['initiate a - -> 192.0.2.2', 'trap b']);
  });

  it('reload: unchanged keep their SAs, changed are re-established, removed torn down, added started', async () => {
    const engine = new FakeEngine();
    const m = new ConnectionManager({ engine, log: () => undefined });
    const start = { ...DEFAULT_POLICY, startAction: 'start' as const };
    await m.start([conn('same', { policy: start }), conn('edit', { policy: start }), conn('gone')]);
    await tick();
    engine.calls.length = 0;
    const summary = await m.reload([
      conn('same', { policy: start }),
      conn('edit', { policy: start, fingerprint: 'edit-2' }),
      conn('new', { policy: start }),
    ]);
    expect(summary).toEqual({
      added: ['new'],
      removed: ['gone'],
      changed: ['edit'],
      unchanged: ['same'],
    });
    await tick();
    expect(engine.calls).toEqual([
      'untrap gone',
      'terminate gone',
      'untrap edit',
      'terminate edit',
      'set same,edit,new',
      'initiate edit - -> 192.0.2.2',
      'initiate new - -> 192.0.2.2',
    ]);
  });

  it('remote endpoints in order: the next one when IKE_SA_INIT goes unanswered; names resolved at each use', async () => {
    const engine = new FakeEngine();
    engine.outcomes = ['no-answer', 'no-answer', 'up'];
    let lookups = 0;
    const m = new ConnectionManager({
      engine,
      log: () => undefined,
      network: {
        resolveName: async () => [`198.51.100.${++lookups}`],
        sourceFor: async (dst) => (dst.startsWith('198.') ? '198.51.100.200' : '192.0.2.1'),
      },
    });
    await m.start([
      conn('x', {
        endpoints: [
          { kind: 'ip', address: '192.0.2.2' },
          { kind: 'name', name: 'peer.example' },
          { kind: 'name', name: 'peer.example' },
        ],
      }),
    ]);
    const { sa, already } = await m.up('x');
    expect(already).toBe(false);
    expect(sa.state).toBe('established');
    expect(engine.calls.slice(1)).toEqual([
      'initiate x 192.0.2.1 -> 192.0.2.2',
      'initiate x 198.51.100.200 -> 198.51.100.1',
      'initiate x 198.51.100.200 -> 198.51.100.2',
    ]);
    // Up again: the established IKE_SA, never a second tunnel.
    expect((await m.up('x')).already).toBe(true);
  });

  it('an authentication failure is not retried on the next endpoint, and up says why', async () => {
    const engine = new FakeEngine();
    engine.outcomes = ['failed'];
    const m = new ConnectionManager({ engine, log: () => undefined });
    await m.start([
      conn('x', {
        endpoints: [
          { kind: 'ip', address: '192.0.2.2' },
          { kind: 'ip', address: '192.0.2.3' },
        ],
      }),
    ]);
    await expect(m.up('x')).rejects.toThrow(/192\.0\.2\.2: failed/);
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toHaveLength(1);
    await expect(m.up('nope')).rejects.toThrow(/no connection named nope/);
  });

  it('a delete by the peer starts again once with close action start; features follow up and down', async () => {
    const engine = new FakeEngine();
    const seen: string[] = [];
    const m = new ConnectionManager({
      engine,
      log: () => undefined,
      features: [
        {
          name: 'probe',
          configure: async (cs) => void seen.push(`configure ${cs.length}`),
          up: async (c) => void seen.push(`up ${c.name}`),
          down: async (c) => void seen.push(`down ${c.name}`),
          stop: async () => void seen.push('stop'),
        },
      ],
    });
    await m.start([conn('x', { policy: { ...DEFAULT_POLICY, closeAction: 'start' } })]);
    const { sa } = await m.up('x');
    engine.down(sa, 'peer-deleted');
    await tick();
    await tick();
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toHaveLength(2);
    expect(engine.listSas()).toHaveLength(1);
    engine.down(engine.listSas()[0]!, 'local');
    await tick();
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toHaveLength(2);
    await m.stop(0);
    expect(seen).toEqual(['configure 1', 'up x', 'down x', 'up x', 'down x', 'stop']);
  });
});

describe('keyingtries', () => {
  it('repeats a round nobody answered, up to keyingtries rounds', async () => {
    const engine = new FakeEngine();
    engine.outcomes = ['no-answer', 'no-answer', 'up'];
    const m = new ConnectionManager({ engine, log: () => undefined });
    await m.start([conn('x', { policy: { ...DEFAULT_POLICY, keyingTries: 3 } })]);
    const { sa } = await m.up('x');
    expect(sa.state).toBe('established');
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toHaveLength(3);
  });

  it('gives up after one round by default, and at once on a definite failure', async () => {
    const engine = new FakeEngine();
    engine.outcomes = ['no-answer', 'up'];
    const m = new ConnectionManager({ engine, log: () => undefined });
    await m.start([conn('x'), conn('y', { policy: { ...DEFAULT_POLICY, keyingTries: 0 } })]);
    await expect(m.up('x')).rejects.toThrow(/192\.0\.2\.2: no-answer/);
    engine.outcomes = ['failed', 'up'];
    await expect(m.up('y')).rejects.toThrow(/failed/);
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toHaveLength(2);
  });
});

describe('restart on gateway change', () => {
  /** terminate closes the connection's SAs, as the engine does. */
  class ClosingEngine extends FakeEngine {
    override async terminate(name: string) {
      await super.terminate(name);
      for (const sa of this.listSas().filter((s) => s.conn?.name === name)) this.down(sa, 'local');
    }
  }
  const watched = (name: string, on: boolean) =>
    conn(name, {
      policy: { ...DEFAULT_POLICY, startAction: 'start' },
      config: { appliance: { restartOnGatewayChange: on } } as unknown as ConnectionConfig,
    });

  it('closes and initiates again the watched connections when the default gateway changes', async () => {
    const kernel = new MemoryKernel();
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.254' });
    const engine = new ClosingEngine();
    const log: string[] = [];
    const m = new ConnectionManager({
      engine,
      log: (_l, line) => log.push(line),
      features: [new GatewayWatch(kernel, (_l, line) => log.push(line))],
    });
    await m.start([watched('a', true), watched('b', false)]);
    await tick();
    // A route that is not the default changes nothing.
    await kernel.addRoute({ dst: '10.9.0.0', prefixLen: 16, gateway: '192.0.2.254' });
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.calls.filter((c) => c.startsWith('terminate'))).toEqual([]);
    await kernel.deleteRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.254' });
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.253' });
    await new Promise((r) => setTimeout(r, 400));
    expect(engine.calls.filter((c) => /^(terminate|initiate)/.test(c))).toEqual([
      'initiate a - -> 192.0.2.2',
      'initiate b - -> 192.0.2.2',
      'terminate a',
      'initiate a - -> 192.0.2.2',
    ]);
    expect(log.join('\n')).toMatch(/v4 default gateway 192\.0\.2\.254 .* -> 192\.0\.2\.253/);
    await m.stop(10);
  });
});

describe('standby while the local address is elsewhere (VRRP backup)', () => {
  const VIP = '192.0.2.1';
  const onVip = (name: string) =>
    conn(name, {
      engine: { name, localAddrs: [VIP], remoteAddrs: ['192.0.2.2'] } as unknown as IkeConnection,
      policy: { ...DEFAULT_POLICY, startAction: 'start' },
    });

  it('a backup neither offers nor starts the connection; it starts when the address arrives and stops when it goes', async () => {
    const kernel = new MemoryKernel();
    const engine = new FakeEngine();
    const log: string[] = [];
    const m = new ConnectionManager({
      engine,
      log: (_l, line) => log.push(line),
      features: [new LocalAddressWatch(kernel, (_l, line) => log.push(line))],
    });
    // 'any' has no explicit local address: it always runs.
    await m.start([
      onVip('ha'),
      conn('any', { policy: { ...DEFAULT_POLICY, startAction: 'start' } }),
    ]);
    await tick();
    expect(engine.calls.filter((c) => /^(set|initiate)/.test(c))).toEqual([
      'set any',
      'initiate any - -> 192.0.2.2',
    ]);
    expect(m.standbyReason('ha')).toMatch(/192\.0\.2\.1/);
    await expect(m.up('ha')).rejects.toThrow(/on standby/);
    expect(log.join('\n')).toMatch(/connection ha: on standby/);

    // keepalived made this node master: the VIP arrives.
    engine.calls.length = 0;
    await kernel.addAddress({ link: 'lo', address: VIP, prefixLen: 32 });
    await new Promise((r) => setTimeout(r, 250));
    expect(engine.calls).toEqual(['set ha,any', 'initiate ha 192.0.2.1 -> 192.0.2.2']);
    expect(m.standbyReason('ha')).toBeUndefined();

    // Backup again: its SAs go locally (no delete can leave from an address we lost), traps too.
    engine.calls.length = 0;
    await kernel.deleteAddress({ link: 'lo', address: VIP, prefixLen: 32 });
    await new Promise((r) => setTimeout(r, 250));
    expect(engine.calls).toEqual(['untrap ha', 'force-close ha', 'set any']);
    expect(engine.listSas().map((sa) => sa.conn?.name)).toEqual(['any']);
    // Its SAs' end on standby is not a failure: no close action starts it again.
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.calls.filter((c) => c.startsWith('initiate'))).toEqual([]);
    await m.stop(10);
  });

  it('an address unrelated to any connection changes nothing', async () => {
    const kernel = new MemoryKernel();
    const engine = new FakeEngine();
    const m = new ConnectionManager({
      engine,
      log: () => undefined,
      features: [new LocalAddressWatch(kernel, () => undefined)],
    });
    await m.start([onVip('ha')]);
    engine.calls.length = 0;
    await kernel.addAddress({ link: 'lo', address: '198.51.100.7', prefixLen: 32 });
    await new Promise((r) => setTimeout(r, 250));
    expect(engine.calls).toEqual([]);
    expect(m.standbyReason('ha')).toBeDefined();
    await m.stop(10);
  });
});
