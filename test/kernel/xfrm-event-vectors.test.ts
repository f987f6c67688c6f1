/**
 * The XFRM event decoders against messages built by a C program with the
 * kernel's own structure definitions (test-vectors/kernel/xfrm-events.c), so
 * the offsets come from the compiler, not from us. ACQUIRE and POLEXPIRE are
 * also checked live in netlink-kernel-host.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NetlinkParseError, splitMessages } from '../../src/kernel/netlink/message.js';
import { decodeXfrmEvent } from '../../src/kernel/xfrm/events.js';

const vectors = (
  JSON.parse(
    readFileSync(new URL('../../test-vectors/kernel/xfrm-events.json', import.meta.url), 'utf8'),
  ) as {
    vectors: { name: string; hex: string }[];
  }
).vectors;

function decode(name: string) {
  const v = vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  const [msg] = splitMessages(Buffer.from(v.hex, 'hex'));
  return decodeXfrmEvent(msg!);
}

describe('XFRM event decoding', () => {
  it('EXPIRE (soft) names the SA and carries its mark', () => {
    expect(decode('expire-soft-v4')).toEqual({
      type: 'expire',
      hard: false,
      sa: {
        src: '192.0.2.1',
        dst: '192.0.2.2',
        spi: 0xc0ffee01,
        proto: 'esp',
        reqid: 7,
        mode: 'tunnel',
        mark: { value: 0x10, mask: 0xff },
      },
    });
  });

  it('POLEXPIRE (hard) names the policy', () => {
    expect(decode('polexpire-hard-v4')).toEqual({
      type: 'polexpire',
      hard: true,
      policy: {
        index: 18,
        dir: 'fwd',
        selector: { src: '10.7.0.0', dst: '10.8.0.0', srcPrefixLen: 16, dstPrefixLen: 16 },
      },
    });
  });

  it('ACQUIRE (IPv6 transport) gives the flow, the reqid from the template and the if_id', () => {
    expect(decode('acquire-transport-v6')).toEqual({
      type: 'acquire',
      selector: {
        src: '2001:db8::1',
        dst: '2001:db8::2',
        srcPrefixLen: 128,
        dstPrefixLen: 128,
        proto: 6,
        sport: 1234,
        sportMask: 0xffff,
        dport: 80,
        dportMask: 0xffff,
      },
      src: '2001:db8::1',
      dst: '2001:db8::2',
      proto: 'esp',
      reqid: 9,
      mode: 'transport',
      policy: {
        index: 25,
        dir: 'out',
        priority: 1000,
        selector: { src: '2001:db8::', dst: '2001:db8::', srcPrefixLen: 64, dstPrefixLen: 64 },
      },
      seq: 77,
      ifId: 42,
    });
  });

  it('MIGRATE lists old and new endpoints and the KM addresses', () => {
    expect(decode('migrate-v4')).toEqual({
      type: 'migrate',
      selector: { src: '10.1.0.0', dst: '10.2.0.0', srcPrefixLen: 16, dstPrefixLen: 16 },
      dir: 'out',
      migrations: [
        {
          oldSrc: '192.0.2.1',
          oldDst: '192.0.2.2',
          newSrc: '198.51.100.1',
          newDst: '192.0.2.2',
          proto: 'esp',
          mode: 'tunnel',
          reqid: 7,
        },
      ],
      kmAddress: { local: '198.51.100.1', remote: '192.0.2.2' },
    });
  });

  it('MAPPING gives the NAT-T peer address and port change', () => {
    expect(decode('mapping-v4')).toEqual({
      type: 'mapping',
      sa: { dst: '198.51.100.7', spi: 0x0badcafe, proto: 'esp' },
      reqid: 3,
      oldSrc: '203.0.113.9',
      oldSport: 4500,
      newSrc: '203.0.113.10',
      newSport: 31000,
    });
  });

  it('throws only NetlinkParseError on any truncation of any event', () => {
    for (const v of vectors) {
      const full = Buffer.from(v.hex, 'hex');
      for (let cut = 16; cut < full.length; cut += 4) {
        const truncated = Buffer.from(full.subarray(0, cut));
        truncated.writeUInt32LE(cut, 0);
        const [msg] = splitMessages(truncated);
        try {
          decodeXfrmEvent(msg!);
        } catch (e) {
          expect(e).toBeInstanceOf(NetlinkParseError);
        }
      }
    }
  });
});
