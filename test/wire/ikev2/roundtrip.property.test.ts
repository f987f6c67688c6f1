/**
 * Property tests: every payload kind, inner chains and whole messages survive
 * encode then decode unchanged, and decoding their bytes then encoding gives
 * the same bytes. Arbitrary bytes only ever raise WireError.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireError } from '../../../src/wire/errors.js';
import {
  decodeIkeMessage,
  decodePayloadChain,
  encodeIkeMessage,
  encodePayloadChain,
  type PayloadKind,
  payloadTypeOf,
} from '../../../src/wire/ikev2/index.js';
import { ikeMessage, innerChain, payloadArbitraries } from './arbitraries.js';
import { toHex } from './fixtures.js';

const runs = { numRuns: 300 };

describe('encode/decode round trips', () => {
  it.each(Object.keys(payloadArbitraries) as PayloadKind[])('%s payload', (kind) => {
    fc.assert(
      fc.property(payloadArbitraries[kind], (p) => {
        const wire = encodePayloadChain([p]);
        // SK and SKF only live in the cleartext of an encrypted exchange.
        const decoded =
          kind === 'SK' || kind === 'SKF'
            ? decodePayloadChain(wire, payloadTypeOf(p), 0, 'clear', 35)
            : decodePayloadChain(wire, payloadTypeOf(p), 0, 'inner');
        expect(decoded).toEqual([p]);
        expect(toHex(encodePayloadChain(decoded))).toBe(toHex(wire));
      }),
      runs,
    );
  });

  it('inner chains (decrypted SK contents)', () => {
    fc.assert(
      fc.property(innerChain, (payloads) => {
        const wire = encodePayloadChain(payloads);
        const first = payloads[0] ? payloadTypeOf(payloads[0]) : 0;
        const decoded = decodePayloadChain(wire, first, 0, 'inner');
        expect(decoded).toEqual(payloads);
        expect(toHex(encodePayloadChain(decoded))).toBe(toHex(wire));
      }),
      runs,
    );
  });

  it('whole messages', () => {
    fc.assert(
      fc.property(ikeMessage, (msg) => {
        const wire = encodeIkeMessage(msg);
        const decoded = decodeIkeMessage(wire);
        expect(decoded).toEqual(msg);
        expect(toHex(encodeIkeMessage(decoded))).toBe(toHex(wire));
      }),
      runs,
    );
  });
});

describe('totality', () => {
  const onlyWireErrors = (f: () => unknown): boolean => {
    try {
      f();
    } catch (e) {
      return e instanceof WireError;
    }
    return true;
  };

  it('decodeIkeMessage raises nothing but WireError on arbitrary bytes with a v2 header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28, maxLength: 300 }), (b) => {
        b[17] = 0x20;
        new DataView(b.buffer, b.byteOffset).setUint32(24, b.length);
        return onlyWireErrors(() => decodeIkeMessage(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodePayloadChain raises nothing but WireError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 255 }), (b, t) =>
        onlyWireErrors(() => decodePayloadChain(b, t, 0, 'inner')),
      ),
      { numRuns: 2000 },
    );
  });
});
