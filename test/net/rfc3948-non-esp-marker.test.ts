import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addNonEspMarker,
  NON_ESP_MARKER_LENGTH,
  stripNonEspMarker,
} from '../../src/net/non-esp-marker.js';

describe('RFC 3948 §2.2 non-ESP marker', () => {
  it('is four zero octets in front of the IKE message', () => {
    const datagram = addNonEspMarker(Uint8Array.of(0x11, 0x22, 0x33));
    expect(datagram.toString('hex')).toBe('00000000112233');
    expect(NON_ESP_MARKER_LENGTH).toBe(4);
  });

  it('is removed again on receipt, for any message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (message) => {
        const stripped = stripNonEspMarker(addNonEspMarker(message));
        expect(stripped).toEqual(Buffer.from(message));
      }),
    );
  });

  it('is missing when any of the first four octets is not zero (an SPI, RFC 4303 §2.1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 255 }),
        fc.uint8Array({ maxLength: 40 }),
        (position, value, rest) => {
          const datagram = Buffer.concat([Buffer.alloc(4), rest]);
          datagram[position] = value;
          expect(stripNonEspMarker(datagram)).toBeUndefined();
        },
      ),
    );
  });

  it('cannot be present in a datagram shorter than four octets', () => {
    expect(stripNonEspMarker(Buffer.alloc(3))).toBeUndefined();
    expect(stripNonEspMarker(Buffer.of(0xff))).toBeUndefined();
    expect(stripNonEspMarker(Buffer.alloc(4))).toEqual(Buffer.alloc(0));
  });
});
