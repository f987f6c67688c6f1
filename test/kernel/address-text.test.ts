/**
 * Address text <-> bytes for the kernel codecs; IPv6 output in RFC 5952 §4
 * canonical form (lowercase, longest zero run compressed, first on a tie,
 * a single zero group never compressed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressToBytes, bytesToAddress, normalizeAddress } from '../../src/kernel/address.js';

describe('kernel address text', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80::1%eth0', 'fe80::1'],
    ['192.0.2.1', '192.0.2.1'],
  ])('%s -> %s', (input, canonical) => {
    expect(normalizeAddress(input)).toBe(canonical);
  });

  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        expect(addressToBytes(bytesToAddress(b, 6))).toEqual(b);
      }),
    );
  });

  it('refuses what is not an address', () => {
    expect(() => addressToBytes('10.0.0.256')).toThrow(TypeError);
    expect(() => addressToBytes('host.example')).toThrow(TypeError);
  });
});
