/**
 * NetlinkKernel in a kernel that has ESP, AH and IPComp: User-Mode Linux booted
 * on the host's root filesystem (docs/lab.md). SAs of every shape the codec
 * writes (AEAD, cipher + integrity, AH, IPComp, ESP in UDP, ESN, large replay
 * windows, marks, if_id, output mark, TFC padding, extra flags, IPv4 and IPv6)
 * are read back with GETSA and with `ip xfrm state`, a larval SA from ALLOCSPI
 * is completed with UPDSA, and a 2 s soft / 4 s hard lifetime gives both
 * EXPIRE events. The boot takes ~20 s, so it runs when STYX_UML=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const skipReason =
  process.env.STYX_UML !== '1'
    ? 'set STYX_UML=1 to boot User-Mode Linux'
    : !existsSync('/usr/src/linux-source-6.1.tar.xz')
      ? 'needs the lab kernel source (scripts/setup.sh installs linux-source-6.1)'
      : undefined;
/** The lab's kernel (interop/kernel/build.sh builds it once and caches it). */
const umlKernel = () =>
  execFileSync('bash', [join(ROOT, 'interop/kernel/build.sh'), '--path'], {
    encoding: 'utf8',
  }).trim();

const hex = (n: number, seed: number) =>
  Buffer.from(Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff)).toString('hex');

describe.skipIf(skipReason !== undefined)(
  `NetlinkKernel in User-Mode Linux${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    // biome-ignore lint/suspicious/noExplicitAny: JSON printed by the fixture; the assertions check its shape
    let out: Record<string, any>;
    beforeAll(() => {
      const root = ROOT;
      const dir = mkdtempSync(join(tmpdir(), 'styx-uml-'));
      const file = join(dir, 'out.json');
      try {
        const run = spawnSync(
          'setsid',
          [
            umlKernel(),
            'mem=512M',
            'root=/dev/root',
            'rootfstype=hostfs',
            'rootflags=/',
            'rw',
            'quiet',
            `init=${root}/test/kernel/fixtures/uml-init.sh`,
            'con=null',
            'con0=fd:0,fd:1',
            `STYX_ROOT=${root}`,
            'STYX_FIXTURE=test/kernel/fixtures/sa-readback-scenario.ts',
            `STYX_OUT=${file}`,
          ],
          {
            encoding: 'utf8',
            timeout: 110_000,
            stdio: ['ignore', 'pipe', 'pipe'],
            killSignal: 'SIGKILL',
          },
        );
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        if (!text) {
          const err = existsSync(`${file}.stderr`) ? readFileSync(`${file}.stderr`, 'utf8') : '';
          throw new Error(
            `the fixture printed nothing (status ${run.status}): ${err}\n${run.stdout.slice(-2000)}`,
          );
        }
        out = JSON.parse(text);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it('installs every SA shape', () => {
      expect(out.added).toEqual({
        gcmTunnelV4: 'OK',
        cbcSha256TransportV6Esn: 'OK',
        encapMarkIfId: 'OK',
        ahTunnelV4: 'OK',
        ipcompTunnelV4: 'OK',
      });
    });

    it('reads each SA back through GETSA as it was set', () => {
      expect(out.read.gcmTunnelV4).toMatchObject({
        src: '192.0.2.1',
        dst: '192.0.2.2',
        spi: 0xc0ffee01,
        proto: 'esp',
        mode: 'tunnel',
        reqid: 7,
        replayWindow: 32,
        aead: { name: 'rfc4106(gcm(aes))', key: hex(36, 1), icvBits: 128 },
        selector: { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 },
        lifetime: {
          softBytes: 1_000_000,
          hardBytes: 2_000_000,
          softPackets: 1000,
          hardPackets: 2000,
        },
      });
      expect(out.read.cbcSha256TransportV6Esn).toMatchObject({
        src: '2001:db8::1',
        dst: '2001:db8::2',
        mode: 'transport',
        esn: true,
        replayWindow: 128,
        crypt: { name: 'cbc(aes)', key: hex(16, 2) },
        auth: { name: 'hmac(sha256)', key: hex(32, 3), truncBits: 128 },
        flags: ['noecn'],
        extraFlags: ['dont-encap-dscp'],
      });
      expect(out.read.cbcSha256TransportV6Esn.selector).toBeUndefined();
      expect(out.read.encapMarkIfId).toMatchObject({
        aead: { name: 'rfc7539esp(chacha20,poly1305)', icvBits: 128 },
        encap: { type: 'espinudp', sport: 4500, dport: 4501 },
        mark: { value: 0x10, mask: 0xff },
        setMark: { value: 5, mask: 0xf },
        ifId: 42,
        tfcPad: 64,
      });
      expect(out.read.ahTunnelV4).toMatchObject({
        proto: 'ah',
        replayWindow: 64,
        auth: { name: 'hmac(sha512)', key: hex(64, 5), truncBits: 256 },
      });
      expect(out.read.ipcompTunnelV4).toMatchObject({
        proto: 'comp',
        spi: 0x3000,
        comp: { name: 'deflate' },
      });
    });

    it('reads each SA back through ip xfrm state', () => {
      const text = out.ipState as string;
      expect(text).toContain('proto esp spi 0xc0ffee01 reqid 7 mode tunnel');
      expect(text).toContain(`aead rfc4106(gcm(aes)) 0x${hex(36, 1)} 128`);
      expect(text).toContain('sel src 10.1.0.0/16 dst 10.2.0.0/16');
      expect(text).toMatch(
        /proto esp spi 0x00001000 reqid 9 mode transport\n\s*replay-window 0 flag noecn esn/,
      );
      expect(text).toContain(`auth-trunc hmac(sha256) 0x${hex(32, 3)} 128`);
      expect(text).toContain(`enc cbc(aes) 0x${hex(16, 2)}`);
      expect(text).toMatch(/replay_window 128, bitmap-length 4/);
      expect(text).toContain('mark 0x10/0xff output-mark 0x5/0xf');
      expect(text).toContain('encap type espinudp sport 4500 dport 4501 addr 0.0.0.0');
      expect(text).toContain('if_id 0x2a');
      expect(text).toContain('tfcpad 64');
      expect(text).toContain(`auth-trunc hmac(sha512) 0x${hex(64, 5)} 256`);
      expect(text).toMatch(/replay_window 64, bitmap-length 2/);
      expect(text).toMatch(
        /proto comp spi 0x00003000 reqid 7 mode tunnel\n(.*\n)*?\s*comp deflate/,
      );
    });

    it('completes a larval SA with UPDSA and gets a soft then a hard EXPIRE', () => {
      expect(out.update).toBe('OK');
      expect(out.updated).toMatchObject({
        reqid: 8,
        aead: { name: 'rfc4106(gcm(aes))' },
        lifetime: { softAddSeconds: 2, hardAddSeconds: 4 },
      });
      expect(out.expires.map((e: { hard: boolean }) => e.hard)).toEqual([false, true]);
      expect(out.expires[1].sa).toMatchObject({
        src: '192.0.2.2',
        dst: '192.0.2.1',
        spi: out.updated.spi,
        reqid: 8,
      });
      expect(out.afterExpire).toMatch(/: ESRCH$/);
    });

    it('answers ENOSYS for an unknown algorithm and EINVAL for a bad key size', () => {
      expect(out.unknownAlgorithm).toBe(
        'add SA ah spi 0x00002001 src 192.0.2.1 dst 192.0.2.2: ENOSYS (unknown algorithm)',
      );
      expect(out.badKey).toBe('add SA esp spi 0x00000077 src 192.0.2.1 dst 192.0.2.2: EINVAL');
    });

    it('lists our five SAs (not the kernel helper state under IPComp), flushes, parses everything', () => {
      expect(out.list).toBe(5);
      expect(out.afterFlush).toBe(0);
      expect(out.stats.unparsable).toBe(0);
    });
  },
);
