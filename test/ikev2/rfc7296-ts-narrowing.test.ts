import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  formatSelector,
  intersectSelectors,
  narrowPair,
  parseAddress,
  rangeToPrefixes,
  selectorContains,
  selectorFromCidr,
  type TrafficSelector,
} from '../../src/ikev2/traffic-selectors.js';

const cidr = (s: string, proto = 0, ports?: [number, number]) => selectorFromCidr(s, proto, ports);

describe('addresses', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fd00:1:0:0:1::', 'fd00:1:0:0:1::'],
    ['fd00:1:0:0:1:0:0:1', 'fd00:1::1:0:0:1'],
  ])('%s formats as %s', (text, formatted) => {
    const a = parseAddress(text);
    expect(a).not.toBeNull();
    expect(formatAddress(a!.bytes)).toBe(formatted);
  });
  it.each(['10.1.2', '256.1.1.1', '1::2::3', 'x::1', '1:2:3:4:5:6:7:8:9'])('rejects %s', (t) => {
    expect(parseAddress(t)).toBeNull();
  });
});

describe('narrowing (RFC 7296 §2.9)', () => {
  it('narrows a wider proposal to our subnet', () => {
    const got = intersectSelectors(cidr('10.0.0.0/8'), cidr('10.1.0.0/16'));
    expect(got && formatSelector(got)).toBe('10.1.0.0/16');
  });
  it('keeps protocol and ports of the narrower side', () => {
    const got = intersectSelectors(cidr('10.1.0.0/16', 6, [80, 80]), cidr('10.0.0.0/8'));
    expect(got && formatSelector(got)).toBe('10.1.0.0/16[6/80]');
  });
  it('different protocols do not meet', () => {
    expect(intersectSelectors(cidr('10.0.0.0/8', 6), cidr('10.0.0.0/8', 17))).toBeNull();
  });
  it('IPv4 and IPv6 do not meet', () => {
    expect(intersectSelectors(cidr('0.0.0.0/0'), cidr('::/0'))).toBeNull();
  });
  it('disjoint subnets give TS_UNACCEPTABLE', () => {
    const r = narrowPair(
      [cidr('10.3.0.0/16')],
      [cidr('10.2.0.0/16')],
      [cidr('10.1.0.0/16')],
      [cidr('10.2.0.0/16')],
    );
    expect(r).toBeNull();
  });
  it('narrows both sides and keeps a packet selector first', () => {
    const r = narrowPair(
      [cidr('10.1.0.5/32', 1), cidr('10.1.0.0/16')],
      [cidr('10.2.0.7/32', 1), cidr('10.2.0.0/16')],
      [cidr('10.1.0.0/24')],
      [cidr('10.2.0.0/16')],
    );
    expect(r?.tsi.map(formatSelector)).toEqual(['10.1.0.5/32[1]', '10.1.0.0/24']);
    expect(r?.tsr.map(formatSelector)).toEqual(['10.2.0.7/32[1]', '10.2.0.0/16']);
  });
});

describe('rangeToPrefixes', () => {
  it('splits 10.0.0.1-10.0.0.6 into exact prefixes', () => {
    const ts: TrafficSelector = {
      ...cidr('10.0.0.0/29'),
      start: parseAddress('10.0.0.1')!.bytes,
      end: parseAddress('10.0.0.6')!.bytes,
    };
    const got = rangeToPrefixes(ts).map((p) => `${formatAddress(p.address)}/${p.prefixLen}`);
    expect(got).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  });
  it('covers any range exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 5000 }),
        (a, n) => {
          const b = Math.min(0xffffffff, a + n);
          const bytes = (v: number) =>
            new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
          const ts: TrafficSelector = { ...cidr('0.0.0.0/0'), start: bytes(a), end: bytes(b) };
          let total = 0;
          for (const p of rangeToPrefixes(ts)) {
            const inner = { ...cidr(`${formatAddress(p.address)}/${p.prefixLen}`) };
            expect(selectorContains(ts, inner)).toBe(true);
            total += 2 ** (32 - p.prefixLen);
          }
          expect(total).toBe(b - a + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
