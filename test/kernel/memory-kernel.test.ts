/**
 * The in-memory kernel answers like Linux: EEXIST / ESRCH / ENOENT / ENOSYS /
 * EINVAL, SPIs in range from a seeded generator, larval SAs completed by
 * UPDSA, ACQUIRE on demand, soft and hard expiry on a manual clock.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { isKernelError, isNotFound, KernelError } from '../../src/kernel/errors.js';
import { MemoryKernel } from '../../src/kernel/memory-kernel.js';
import type { KernelEvent, PolicySpec, SaSpec } from '../../src/kernel/types.js';

const key20 = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);
const sa: SaSpec = {
  src: '192.0.2.1',
  dst: '192.0.2.2',
  proto: 'esp',
  spi: 0xc0ffee01,
  mode: 'tunnel',
  reqid: 7,
  aead: { name: 'rfc4106(gcm(aes))', key: key20, icvBits: 128 },
};
const policy: PolicySpec = {
  selector: { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 },
  dir: 'out',
  priority: 100,
  templates: [{ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', mode: 'tunnel', reqid: 7 }],
};

async function rejection(p: Promise<unknown>): Promise<KernelError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

let clock = 1_800_000_000_000;
let kernel: MemoryKernel;
let events: KernelEvent[];
beforeEach(() => {
  clock = 1_800_000_000_000;
  kernel = new MemoryKernel({ now: () => clock, seed: 42 });
  events = [];
  kernel.onEvent((e) => events.push(e));
});

describe('SAs', () => {
  it('adds, reads back with counters, refuses a duplicate, deletes, then reports ESRCH', async () => {
    await kernel.addSa(sa);
    const info = await kernel.getSa({ dst: sa.dst, spi: sa.spi, proto: 'esp' });
    expect(info).toMatchObject({ src: '192.0.2.1', reqid: 7, mode: 'tunnel', aead: sa.aead });
    expect(info.counters).toEqual({ bytes: 0, packets: 0, addTime: 1_800_000_000, useTime: 0 });
    const dup = await rejection(kernel.addSa(sa));
    expect(dup.code).toBe('EEXIST');
    expect(dup.message).toContain('esp spi 0xc0ffee01');
    expect(dup.message).toContain('dst 192.0.2.2');
    await kernel.deleteSa({ dst: sa.dst, spi: sa.spi, proto: 'esp' });
    const gone = await rejection(kernel.deleteSa({ dst: sa.dst, spi: sa.spi, proto: 'esp' }));
    expect(gone.code).toBe('ESRCH');
    expect(isNotFound(gone)).toBe(true);
    expect(kernel.stats()).toMatchObject({ requests: 5, errors: 2 });
  });

  it('never puts key material in an error message', async () => {
    const e = await rejection(
      kernel.addSa({ ...sa, aead: { ...sa.aead!, name: 'gcm(nonsense)' } }),
    );
    expect(e.code).toBe('ENOSYS');
    expect(e.message).not.toMatch(/a0a1a2|160,161/);
    expect(JSON.stringify(e)).not.toMatch(/a0a1a2|160,161/);
  });

  it('answers EINVAL for a key of the wrong size and for ESP without a cipher', async () => {
    expect(
      (await rejection(kernel.addSa({ ...sa, aead: { ...sa.aead!, key: new Uint8Array(16) } })))
        .code,
    ).toBe('EINVAL');
    const { aead: _, ...noCipher } = sa;
    expect((await rejection(kernel.addSa(noCipher))).code).toBe('EINVAL');
  });

  it('allocates SPIs inside the range, deterministically per seed, and UPDSA completes the larval SA', async () => {
    const req = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp' as const,
      reqid: 7,
      min: 0x1000,
      max: 0x10ff,
    };
    const spis = [
      await kernel.allocSpi(req),
      await kernel.allocSpi(req),
      await kernel.allocSpi(req),
    ];
    for (const spi of spis) {
      expect(spi).toBeGreaterThanOrEqual(0x1000);
      expect(spi).toBeLessThanOrEqual(0x10ff);
    }
    expect(new Set(spis).size).toBe(3);
    const again = new MemoryKernel({ now: () => clock, seed: 42 });
    expect(await again.allocSpi(req)).toBe(spis[0]);
    const larval = await kernel.getSa({ dst: '192.0.2.2', spi: spis[0]!, proto: 'esp' });
    expect(larval.lifetime).toEqual({ hardAddSeconds: 30 });
    expect((await rejection(kernel.addSa({ ...sa, spi: spis[0]! }))).code).toBe('EEXIST');
    await kernel.updateSa({ ...sa, spi: spis[0]! });
    expect((await kernel.getSa({ dst: '192.0.2.2', spi: spis[0]!, proto: 'esp' })).aead?.name).toBe(
      'rfc4106(gcm(aes))',
    );
    expect((await rejection(kernel.updateSa({ ...sa, spi: 0x5 }))).code).toBe('ESRCH');
  });

  it('fills a small range completely, then answers ENOENT', async () => {
    const req = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'comp' as const,
      min: 0x100,
      max: 0x103,
    };
    const got = new Set<number>();
    for (let i = 0; i < 4; i++) got.add(await kernel.allocSpi(req));
    expect([...got].sort()).toEqual([0x100, 0x101, 0x102, 0x103]);
    expect((await rejection(kernel.allocSpi(req))).code).toBe('ENOENT');
  });

  it('flushes one protocol or all', async () => {
    await kernel.addSa(sa);
    await kernel.addSa({
      src: sa.src,
      dst: sa.dst,
      proto: 'comp',
      spi: 0x3000,
      mode: 'tunnel',
      comp: { name: 'deflate' },
    });
    await kernel.flushSas('esp');
    expect((await kernel.listSas()).map((s) => s.proto)).toEqual(['comp']);
    await kernel.flushSas();
    expect(await kernel.listSas()).toEqual([]);
  });
});

describe('lifetimes on the manual clock', () => {
  it('emits a soft EXPIRE once, then a hard one that removes the SA', async () => {
    await kernel.addSa({ ...sa, lifetime: { softAddSeconds: 2, hardAddSeconds: 4 } });
    clock += 1000;
    expect(kernel.checkLifetimes()).toEqual([]);
    clock += 1000;
    kernel.checkLifetimes();
    clock += 1000;
    kernel.checkLifetimes();
    clock += 1000;
    kernel.checkLifetimes();
    expect(events.map((e) => e.type === 'expire' && e.hard)).toEqual([false, true]);
    expect(events[1]).toMatchObject({
      sa: { spi: sa.spi, dst: '192.0.2.2', src: '192.0.2.1', proto: 'esp', reqid: 7 },
    });
    expect(await kernel.listSas()).toEqual([]);
  });

  it('applies byte and packet limits as traffic is counted, and records first use', async () => {
    await kernel.addSa({ ...sa, lifetime: { softBytes: 1000, hardPackets: 3 } });
    const id = { dst: sa.dst, spi: sa.spi, proto: 'esp' as const };
    kernel.addTraffic(id, 600);
    expect(events).toEqual([]);
    kernel.addTraffic(id, 600);
    expect(events).toMatchObject([{ type: 'expire', hard: false }]);
    expect((await kernel.getSa(id)).counters).toMatchObject({
      bytes: 1200,
      packets: 2,
      useTime: 1_800_000_000,
    });
    kernel.addTraffic(id, 10);
    expect(events).toMatchObject([
      { type: 'expire', hard: false },
      { type: 'expire', hard: true },
    ]);
  });

  it('expires policies with POLEXPIRE', async () => {
    await kernel.addPolicy({ ...policy, lifetime: { softAddSeconds: 1, hardAddSeconds: 2 } });
    clock += 1000;
    kernel.checkLifetimes();
    clock += 1000;
    kernel.checkLifetimes();
    expect(events.map((e) => e.type === 'polexpire' && e.hard)).toEqual([false, true]);
    expect(await kernel.listPolicies()).toEqual([]);
  });
});

describe('policies and ACQUIRE', () => {
  it('numbers policies like xfrm_gen_index, refuses duplicates, answers ENOENT when missing', async () => {
    await kernel.addPolicy(policy);
    await kernel.addPolicy({ ...policy, dir: 'in' });
    await kernel.addPolicy({ ...policy, dir: 'fwd' });
    expect((await kernel.listPolicies()).map((p) => p.index)).toEqual([1, 8, 18]);
    const dup = await rejection(kernel.addPolicy(policy));
    expect(dup.code).toBe('EEXIST');
    expect(dup.message).toContain('out 10.1.0.0/16 -> 10.2.0.0/16');
    await kernel.updatePolicy({ ...policy, priority: 5 });
    expect((await kernel.getPolicy({ selector: policy.selector, dir: 'out' })).priority).toBe(5);
    await kernel.deletePolicy({ selector: policy.selector, dir: 'out' });
    expect(
      (await rejection(kernel.getPolicy({ selector: policy.selector, dir: 'out' }))).code,
    ).toBe('ENOENT');
    await kernel.deletePolicy({ selector: policy.selector, dir: 'in', index: 8 });
    await kernel.flushPolicies();
    expect(await kernel.listPolicies()).toEqual([]);
  });

  it('sends ACQUIRE for a flow that hits a policy with no SA, once until answered', async () => {
    await kernel.addPolicy(policy);
    expect(kernel.triggerAcquire({ src: '10.9.0.1', dst: '10.2.0.5' })).toBeUndefined();
    const acquire = kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.5', proto: 1 });
    expect(acquire).toMatchObject({
      type: 'acquire',
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      reqid: 7,
      mode: 'tunnel',
      selector: { src: '10.1.0.5', dst: '10.2.0.5', srcPrefixLen: 32, dstPrefixLen: 32, proto: 1 },
      policy: { dir: 'out', index: 1, priority: 100 },
    });
    expect(events).toEqual([acquire]);
    expect(kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.5', proto: 1 })).toBeUndefined();
    await kernel.addSa(sa);
    expect(kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.5', proto: 1 })).toBeUndefined();
    await kernel.deleteSa({ dst: sa.dst, spi: sa.spi, proto: 'esp' });
    expect(kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.5', proto: 1 })?.seq).toBe(2);
  });

  it('does not acquire for a block policy', async () => {
    await kernel.addPolicy({ ...policy, action: 'block', templates: [] });
    expect(kernel.triggerAcquire({ src: '10.1.0.5', dst: '10.2.0.5' })).toBeUndefined();
  });
});

describe('links, addresses and routes', () => {
  it('creates an XFRM interface, brings it up, adds an address and a route, and reports each change', async () => {
    const index = await kernel.addXfrmInterface({ name: 'ipsec0', ifId: 42, underlying: 'lo' });
    await kernel.setLinkUp('ipsec0', true);
    await kernel.addAddress({ link: index, address: '10.99.0.1', prefixLen: 32 });
    await kernel.addRoute({
      dst: '10.2.0.0',
      prefixLen: 16,
      link: 'ipsec0',
      table: 220,
      metric: 10,
    });
    expect(events.map((e) => `${e.type}`)).toEqual(['link', 'link', 'address', 'route']);
    expect((await kernel.listLinks()).find((l) => l.name === 'ipsec0')).toMatchObject({
      up: true,
      kind: 'xfrm',
      xfrmIfId: 42,
      xfrmLink: 1,
    });
    expect(await kernel.listRoutes({ table: 220 })).toMatchObject([
      { dst: '10.2.0.0', oif: index, metric: 10, scope: 253 },
    ]);
    expect((await rejection(kernel.addXfrmInterface({ name: 'ipsec0', ifId: 1 }))).code).toBe(
      'EEXIST',
    );
    await kernel.deleteLink('ipsec0');
    expect(await kernel.listAddresses()).toEqual([]);
    expect((await rejection(kernel.deleteLink('ipsec0'))).code).toBe('ENODEV');
  });

  it('finds the main table default gateway with the lowest metric', async () => {
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.254', metric: 100 });
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.253', metric: 50 });
    await kernel.addRoute({ dst: '0.0.0.0', prefixLen: 0, gateway: '192.0.2.1', table: 100 });
    expect((await kernel.defaultGateway(4))?.gateway).toBe('192.0.2.253');
    expect(await kernel.defaultGateway(6)).toBeUndefined();
    await kernel.deleteRoute({ dst: '0.0.0.0', prefixLen: 0, metric: 50 });
    expect((await kernel.defaultGateway(4))?.gateway).toBe('192.0.2.254');
    expect(
      isKernelError(
        await rejection(kernel.deleteRoute({ dst: '0.0.0.0', prefixLen: 0, metric: 50 })),
        'ESRCH',
      ),
    ).toBe(true);
  });
});
