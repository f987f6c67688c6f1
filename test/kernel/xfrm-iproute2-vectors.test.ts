/**
 * Our XFRM encoder against the bytes iproute2 6.1 sends for the same SA or
 * policy (test-vectors/kernel/iproute2-requests.json, recorded by capture.mjs
 * with strace). Sequence number and port id (header bytes 8..16) are zeroed on
 * both sides; everything else must match byte for byte.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeDeletePolicy,
  encodeFlushPolicies,
  encodeGetPolicy,
  encodePolicyRequest,
} from '../../src/kernel/xfrm/policy.js';
import {
  encodeAllocSpi,
  encodeDeleteSa,
  encodeFlushSas,
  encodeGetSa,
  encodeSaRequest,
} from '../../src/kernel/xfrm/sa.js';
import { recorded, withoutSeqPid } from './iproute2-vectors.js';

const k20 = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');
const k16 = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const k32 = Buffer.from('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f', 'hex');
const gcm = { name: 'rfc4106(gcm(aes))', key: k20, icvBits: 128 };

describe('XFRM SA requests match ip xfrm state', () => {
  it('ESP AES-GCM tunnel, IPv4, with a selector', () => {
    const bytes = encodeSaRequest(
      'add',
      {
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'esp',
        spi: 0xc0ffee01,
        reqid: 7,
        mode: 'tunnel',
        replayWindow: 32,
        aead: gcm,
        selector: { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 },
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-esp-gcm-tunnel-v4'));
  });

  it('ESP AES-CBC + HMAC-SHA-256 transport, IPv6, ESN, all six limits', () => {
    const bytes = encodeSaRequest(
      'add',
      {
        src: '2001:db8::1',
        dst: '2001:db8::2',
        proto: 'esp',
        spi: 0x1000,
        reqid: 9,
        mode: 'transport',
        esn: true,
        replayWindow: 128,
        crypt: { name: 'cbc(aes)', key: k16 },
        auth: { name: 'hmac(sha256)', key: k32, truncBits: 128 },
        lifetime: {
          softAddSeconds: 2,
          hardAddSeconds: 4,
          softBytes: 1_000_000,
          hardBytes: 2_000_000,
          softPackets: 100,
          hardPackets: 200,
        },
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-esp-cbc-sha256-transport-v6-esn'));
  });

  it('ESP in UDP with mark, output mark and if_id', () => {
    const bytes = encodeSaRequest(
      'add',
      {
        src: '198.51.100.7',
        dst: '203.0.113.9',
        proto: 'esp',
        spi: 0x0badcafe,
        reqid: 3,
        mode: 'tunnel',
        aead: gcm,
        encap: { type: 'espinudp', sport: 4500, dport: 4501 },
        mark: { value: 0x10, mask: 0xff },
        setMark: { value: 5 },
        ifId: 42,
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-esp-udp-encap-mark-ifid'));
  });

  it('AH tunnel with HMAC-SHA-256-128', () => {
    const bytes = encodeSaRequest(
      'add',
      {
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'ah',
        spi: 0x2000,
        reqid: 11,
        mode: 'tunnel',
        auth: { name: 'hmac(sha256)', key: k32, truncBits: 128 },
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-ah-tunnel-v4'));
  });

  it('IPComp deflate tunnel', () => {
    const bytes = encodeSaRequest(
      'add',
      {
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'comp',
        spi: 0x3000,
        reqid: 7,
        mode: 'tunnel',
        comp: { name: 'deflate' },
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-ipcomp-tunnel-v4'));
  });

  it('ALLOCSPI in a range', () => {
    const bytes = encodeAllocSpi(
      {
        src: '192.0.2.1',
        dst: '192.0.2.2',
        proto: 'esp',
        reqid: 7,
        mode: 'tunnel',
        min: 0x100,
        max: 0x200,
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('sa-allocspi'));
  });

  it('DELSA and GETSA by (dst, spi, proto) with the source address', () => {
    const id = { src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp' as const, spi: 0xc0ffee01 };
    expect(withoutSeqPid(encodeDeleteSa(id, 0))).toBe(recorded('sa-delete'));
    expect(withoutSeqPid(encodeGetSa(id, 0))).toBe(recorded('sa-get'));
  });

  it('FLUSHSA of ESP', () => {
    expect(withoutSeqPid(encodeFlushSas('esp', 0))).toBe(recorded('sa-flush-esp'));
  });
});

describe('XFRM policy requests match ip xfrm policy', () => {
  const selector = { src: '10.1.0.0', srcPrefixLen: 16, dst: '10.2.0.0', dstPrefixLen: 16 };

  it('outbound tunnel policy with one ESP template', () => {
    const bytes = encodePolicyRequest(
      'add',
      {
        selector,
        dir: 'out',
        priority: 100,
        templates: [{ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', reqid: 7, mode: 'tunnel' }],
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('policy-out-tunnel-v4'));
  });

  it('inbound IPv6 transport policy on UDP 500 with mark, if_id and an optional template', () => {
    const bytes = encodePolicyRequest(
      'add',
      {
        selector: { src: '2001:db8::2', dst: '2001:db8::1', proto: 17, sport: 500, dport: 500 },
        dir: 'in',
        priority: 200,
        mark: { value: 0x10, mask: 0xff },
        ifId: 42,
        templates: [
          { src: '::', dst: '::', proto: 'esp', reqid: 9, mode: 'transport', optional: true },
        ],
      },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('policy-in-transport-v6-mark-ifid'));
  });

  it('forward block policy', () => {
    const bytes = encodePolicyRequest(
      'add',
      { selector, dir: 'fwd', action: 'block', priority: 300 },
      0,
    );
    expect(withoutSeqPid(bytes)).toBe(recorded('policy-fwd-block'));
  });

  it('DELPOLICY, GETPOLICY and FLUSHPOLICY', () => {
    expect(withoutSeqPid(encodeDeletePolicy({ selector, dir: 'out' }, 0))).toBe(
      recorded('policy-delete'),
    );
    expect(withoutSeqPid(encodeGetPolicy({ selector, dir: 'out' }, 0))).toBe(
      recorded('policy-get'),
    );
    expect(withoutSeqPid(encodeFlushPolicies(0))).toBe(recorded('policy-flush'));
  });
});
