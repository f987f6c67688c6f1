/**
 * The shared IP address parser and formatter against oracles we did not
 * write: Node's inet_pton-based `isIPv4`/`isIPv6` decide what is an address,
 * and the WHATWG URL serializer (`new URL('http://[..]').hostname`, which
 * compresses the first longest zero run like RFC 5952 §4.2) gives the
 * canonical IPv6 text.
 */
import { isIPv4, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, parseIp } from '../../src/wire/ip-address.js';

const urlCanonical = (v6: string) => new URL(`http://[${v6}]/`).hostname.slice(1, -1);

describe('IP address text (RFC 4291 §2.2, RFC 5952 §4)', () => {
  it('agrees with inet_pton on what is an address, and formats like the URL serializer', () => {
    const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
    // Sparse zeros make compression cases likely.
    const sparse = fc
      .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
        minLength: 8,
        maxLength: 8,
      })
      .map((ws) => Uint8Array.from(ws.flatMap((w) => [w >> 8, w & 0xff])));
    fc.assert(
      fc.property(fc.oneof(v6Bytes, sparse), (bytes) => {
        const text = formatIp(bytes);
        expect(isIPv6(text)).toBe(true);
        expect(text).toBe(urlCanonical(text));
        expect(parseIp(text)).toEqual({ family: 6, bytes });
      }),
    );
  });

  it('round-trips IPv4 and rejects what inet_pton rejects', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        const text = formatIp(bytes);
        expect(isIPv4(text)).toBe(true);
        expect(parseIp(text)).toEqual({ family: 4, bytes });
      }),
    );
    const texts = fc.oneof(
      fc.stringMatching(/^[0-9.]{1,16}$/),
      fc.stringMatching(/^[0-9a-fA-F:.]{1,45}$/),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(parseIp(text) !== undefined).toBe(isIPv4(text) || isIPv6(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::', '::'],
  ])('%s is %s', (input, canonical) => {
    const ip = parseIp(input);
    expect(ip && formatIp(ip.bytes)).toBe(canonical);
  });

  it.each(['01.2.3.4', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '12345::', ''])(
    '%s is not an address',
    (input) => {
      expect(parseIp(input)).toBeUndefined();
    },
  );
});
