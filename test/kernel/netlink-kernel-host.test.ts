/**
 * NetlinkKernel against this host's real kernel, in a fresh network namespace
 * (`unshare -n`) so the host's own policies are never touched. The host has
 * XFRM netlink without ESP: policies, larval SAs (ALLOCSPI), errors, ACQUIRE,
 * POLEXPIRE and rtnetlink work; an SA with algorithms fails with ENOSYS.
 * What we install is read back with `ip`, a decoder we did not write.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

const root = process.getuid?.() === 0;
const hasUnshare = spawnSync('unshare', ['--version']).status === 0;
const hasCapsh = spawnSync('capsh', ['--print']).status === 0;
const skipReason = !root
  ? 'needs root for a network namespace'
  : !hasUnshare
    ? 'needs unshare(1)'
    : undefined;

function runFixture(command: string[]): Record<string, unknown> {
  const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`fixture failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe.skipIf(skipReason !== undefined)(
  `NetlinkKernel on the host kernel${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    // biome-ignore lint/suspicious/noExplicitAny: JSON printed by the fixture; the assertions check its shape
    let out: Record<string, any>;
    beforeAll(() => {
      out = runFixture([
        'unshare',
        '-n',
        'node',
        '--import',
        'tsx',
        'test/kernel/fixtures/host-kernel-scenario.ts',
      ]);
    }, 40_000);

    it('installs policies that ip xfrm policy reads back field by field', () => {
      const text = out.ipPolicyAfterAdd as string;
      expect(text).toContain('src 10.1.0.0/16 dst 10.2.0.0/16');
      expect(text).toMatch(
        /dir out priority 100 ptype main\s*\n\s*tmpl src 192\.0\.2\.1 dst 192\.0\.2\.2\n\s*proto esp reqid 7 mode tunnel/,
      );
      expect(text).toContain('src 2001:db8:1::/48 dst 2001:db8:2::/48 proto udp dport 4500');
      expect(text).toMatch(/dir in priority 200 ptype main\s*\n\s*mark 0x10\/0xff/);
      expect(text).toMatch(/proto esp reqid 9 mode transport\n\s*level use/);
      expect(text).toContain('if_id 0x2a');
    });

    it('reads policies back with GETPOLICY, including mark and if_id', () => {
      expect(out.getV4).toMatchObject({
        selector: { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 },
        dir: 'out',
        action: 'allow',
        priority: 100,
        templates: [{ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', reqid: 7, mode: 'tunnel' }],
      });
      expect(out.getV6).toMatchObject({
        selector: { proto: 17, dport: 4500, dportMask: 0xffff },
        mark: { value: 0x10, mask: 0xff },
        ifId: 42,
        templates: [{ proto: 'esp', mode: 'transport', reqid: 9, optional: true }],
      });
      expect(out.listCount).toBe(2);
      expect(out.priorityAfterUpdate).toBe(150);
    });

    it('maps the kernel errno to KernelError codes that name the policy or SA', () => {
      expect(out.duplicate).toBe('EEXIST');
      expect(out.duplicateMessage).toBe('add policy out 10.1.0.0/16 -> 10.2.0.0/16: EEXIST');
      expect(out.deleteAgain).toBe('ENOENT');
      expect(out.ipPolicyAfterDelete).not.toContain('10.1.0.0/16');
      expect(out.deleteSaAgain).toBe('ESRCH');
      expect(out.getMissingSa).toBe('ESRCH');
      expect(out.unknownAlgorithm).toBe(
        'add SA esp spi 0x00000042 src 192.0.2.1 dst 192.0.2.2: ENOSYS (unknown algorithm)',
      );
    });

    it('allocates an SPI in range and reads the larval SA back', () => {
      expect(out.spi).toBeGreaterThanOrEqual(0x1000);
      expect(out.spi).toBeLessThanOrEqual(0x1fff);
      expect(out.larval).toMatchObject({
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'esp',
        reqid: 7,
        mode: 'tunnel',
        spi: out.spi,
      });
      expect(out.ipStateLarval).toContain(
        `proto esp spi 0x${(out.spi as number).toString(16).padStart(8, '0')} reqid 7 mode tunnel`,
      );
      // No ESP in this kernel: completing the SA fails the way an unknown algorithm does.
      expect(out.updateWithoutEsp).toBe('ENOSYS');
    });

    it('receives ACQUIRE with the packet selector, the template endpoints and the reqid', () => {
      const acquire = out.events.find((e: { type: string }) => e.type === 'acquire');
      expect(acquire).toMatchObject({
        src: '10.1.0.1',
        dst: '10.2.0.9',
        proto: 'esp',
        reqid: 9,
        mode: 'tunnel',
        selector: {
          src: '10.1.0.1',
          dst: '10.2.0.9',
          srcPrefixLen: 32,
          dstPrefixLen: 32,
          proto: 1,
        },
        policy: { dir: 'out', priority: 50 },
      });
    });

    it('receives POLEXPIRE soft, then hard', () => {
      const expiries = out.events.filter((e: { type: string }) => e.type === 'polexpire');
      expect(expiries.map((e: { hard: boolean }) => e.hard)).toEqual([false, true]);
      expect(expiries[0].policy).toMatchObject({
        dir: 'fwd',
        selector: { src: '10.7.0.0', dst: '10.8.0.0' },
      });
    });

    it('manages addresses and routes and reports their changes, including the default gateway', () => {
      expect(out.ipRouteTable220).toContain('10.3.0.0/16 dev v0 proto static scope link metric 7');
      expect(out.defaultGateway).toMatchObject({
        dst: '0.0.0.0',
        prefixLen: 0,
        gateway: '10.1.255.254',
        metric: 300,
      });
      expect(out.addresses).toContainEqual(
        expect.objectContaining({ address: '10.1.0.1', prefixLen: 16, family: 4 }),
      );
      const kinds = new Set(
        out.events.map((e: { type: string; action?: string }) => `${e.type}:${e.action ?? ''}`),
      );
      for (const k of [
        'link:new',
        'link:del',
        'address:new',
        'address:del',
        'route:new',
        'route:del',
      ])
        expect(kinds).toContain(k);
      expect(out.events).toContainEqual(
        expect.objectContaining({
          type: 'route',
          action: 'new',
          route: expect.objectContaining({ dst: '0.0.0.0', gateway: '10.1.255.254' }),
        }),
      );
      expect(out.deleteRouteAgain).toBe('ESRCH');
      expect(out.deleteLinkAgain).toBe('ENODEV');
      // This host kernel has no xfrm_interface: rtnetlink answers "not supported".
      expect(out.xfrmInterface).toBe('EOPNOTSUPP');
    });

    it('runs dumps asked for at once one after another (the kernel refuses a second with EBUSY)', () => {
      expect(out.concurrentDumps).toEqual([true, true, true, true]);
    });

    it('flushes, and nothing that arrived was unparsable', () => {
      expect(out.policiesAfterFlush).toBe(0);
      expect(out.ipStateAfterFlush).toBe('');
      expect(out.stats.unparsable).toBe(0);
      expect(out.warnings).toEqual([]);
    });

    it.skipIf(!hasCapsh)('answers EPERM without CAP_NET_ADMIN', () => {
      const r = runFixture([
        'unshare',
        '-n',
        'capsh',
        '--drop=cap_net_admin',
        '--',
        '-c',
        'node --import tsx test/kernel/fixtures/without-net-admin.ts',
      ]);
      expect(r).toEqual({
        code: 'EPERM',
        message: 'add policy out 10.1.0.0/16 -> 10.2.0.0/16: EPERM (CAP_NET_ADMIN is required)',
      });
    });
  },
);
