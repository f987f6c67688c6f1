/** The IKE header (RFC 7296 §3.1): fields, flags, version and length checks, peeking. */

import { describe, expect, it } from 'vitest';
import { WireError, WireNotify } from '../../../src/wire/errors.js';
import {
  decodeIkeMessage,
  encodeIkeMessage,
  peekIkeHeader,
} from '../../../src/wire/ikev2/index.js';
import { hex, toHex } from './fixtures.js';

// SPIi, SPIr, Next Payload, Version, Exchange Type, Flags, Message ID, Length.
const headerOnly = (version = '20', flags = '08', length = '0000001c', tail = '') =>
  hex(`0102030405060708 a1a2a3a4a5a6a7a8 00 ${version} 25 ${flags} 00000007 ${length} ${tail}`);

function decodeError(buf: Uint8Array): WireError {
  try {
    decodeIkeMessage(buf);
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

describe('IKE header (RFC 7296 §3.1)', () => {
  it('decodes every field of a header-only INFORMATIONAL message', () => {
    const msg = decodeIkeMessage(headerOnly());
    expect(msg).toEqual({
      header: {
        initiatorSpi: hex('0102030405060708'),
        responderSpi: hex('a1a2a3a4a5a6a7a8'),
        majorVersion: 2,
        minorVersion: 0,
        exchangeType: 37,
        flags: { initiator: true, higherVersion: false, response: false },
        messageId: 7,
      },
      payloads: [],
    });
    expect(toHex(encodeIkeMessage(msg))).toBe(toHex(headerOnly()));
  });

  it.each([
    ['08', { initiator: true, higherVersion: false, response: false }],
    ['10', { initiator: false, higherVersion: true, response: false }],
    ['20', { initiator: false, higherVersion: false, response: true }],
    ['38', { initiator: true, higherVersion: true, response: true }],
  ])('flags 0x%s', (flags, expected) => {
    const msg = decodeIkeMessage(headerOnly('20', flags));
    expect(msg.header.flags).toEqual(expected);
    expect(toHex(encodeIkeMessage(msg))).toBe(toHex(headerOnly('20', flags)));
  });

  it('ignores reserved flag bits on receipt and clears them on send', () => {
    const msg = decodeIkeMessage(headerOnly('20', '0f'));
    expect(msg.header.flags).toEqual({ initiator: true, higherVersion: false, response: false });
    expect(toHex(encodeIkeMessage(msg))).toBe(toHex(headerOnly('20', '08')));
  });

  it('keeps a minor version it must otherwise ignore', () => {
    expect(decodeIkeMessage(headerOnly('21')).header.minorVersion).toBe(1);
  });

  it.each(['10', '30', 'f0'])('rejects major version in 0x%s with INVALID_MAJOR_VERSION', (v) => {
    const e = decodeError(headerOnly(v));
    expect(e.code).toBe('BAD_VERSION');
    expect(e.notify).toBe(WireNotify.INVALID_MAJOR_VERSION);
    expect(e.offset).toBe(17);
  });

  it('rejects a Length beyond the datagram as TRUNCATED', () => {
    const e = decodeError(headerOnly('20', '08', '0000001d'));
    expect([e.code, e.offset, e.notify]).toEqual(['TRUNCATED', 24, WireNotify.INVALID_SYNTAX]);
  });

  it('rejects a Length short of the datagram', () => {
    const e = decodeError(headerOnly('20', '08', '0000001c', 'ff'));
    expect([e.code, e.offset]).toEqual(['BAD_LENGTH', 24]);
  });

  it('rejects a Length below the header size', () => {
    expect(decodeError(headerOnly('20', '08', '00000010')).code).toBe('BAD_LENGTH');
  });

  it('rejects fewer than 28 octets', () => {
    const e = decodeError(headerOnly().slice(0, 27));
    expect([e.code, e.offset]).toEqual(['TRUNCATED', 0]);
  });

  it('accepts a Buffer and returns plain Uint8Array fields', () => {
    const msg = decodeIkeMessage(Buffer.from(headerOnly()));
    expect(msg.header.initiatorSpi.constructor).toBe(Uint8Array);
    expect(msg.header.initiatorSpi).toEqual(hex('0102030405060708'));
  });

  it('refuses to encode SPIs that are not 8 octets', () => {
    const msg = decodeIkeMessage(headerOnly());
    msg.header.responderSpi = hex('00');
    expect(() => encodeIkeMessage(msg)).toThrow(WireError);
  });
});

describe('peekIkeHeader', () => {
  it('reads the header, Next Payload and claimed Length without checking them', () => {
    // Version 1.0 and a Length far beyond the buffer: peeking still answers.
    const buf = hex('0102030405060708 0000000000000000 21 10 22 08 00000000 00010000');
    expect(peekIkeHeader(buf)).toEqual({
      initiatorSpi: hex('0102030405060708'),
      responderSpi: hex('0000000000000000'),
      nextPayload: 33,
      majorVersion: 1,
      minorVersion: 0,
      exchangeType: 34,
      flags: { initiator: true, higherVersion: false, response: false },
      messageId: 0,
      length: 65536,
    });
  });

  it('throws TRUNCATED for fewer than 28 octets', () => {
    expect(() => peekIkeHeader(new Uint8Array(27))).toThrow(WireError);
  });
});
