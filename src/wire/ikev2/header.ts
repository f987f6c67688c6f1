/** The IKE header (RFC 7296 §3.1). */

import { WireError, WireNotify } from '../errors.js';
import { ByteReader, type ByteWriter } from './bytes.js';
import {
  IKE_HEADER_LENGTH,
  IKE_MAJOR_VERSION,
  IKE_SPI_LENGTH,
  IkeHeaderFlag,
} from './constants.js';
import type { IkeHeader, PeekedIkeHeader } from './types.js';

/**
 * Reads only the 28-octet header, so the engine can route a datagram by SPI
 * and exchange before any parsing or crypto. Checks nothing but that 28 octets
 * are there: not the version, not the length.
 */
export function peekIkeHeader(buf: Uint8Array): PeekedIkeHeader {
  const r = new ByteReader(buf, 0, buf.length);
  r.need(IKE_HEADER_LENGTH, 'IKE header');
  const initiatorSpi = r.bytes(IKE_SPI_LENGTH, 'initiator SPI');
  const responderSpi = r.bytes(IKE_SPI_LENGTH, 'responder SPI');
  const nextPayload = r.u8('next payload');
  const version = r.u8('version');
  const exchangeType = r.u8('exchange type');
  const flags = r.u8('flags');
  const messageId = r.u32('message ID');
  const length = r.u32('length');
  return {
    initiatorSpi,
    responderSpi,
    nextPayload,
    majorVersion: version >>> 4,
    minorVersion: version & 0x0f,
    exchangeType,
    flags: {
      initiator: (flags & IkeHeaderFlag.INITIATOR) !== 0,
      higherVersion: (flags & IkeHeaderFlag.VERSION) !== 0,
      response: (flags & IkeHeaderFlag.RESPONSE) !== 0,
    },
    messageId,
    length,
  };
}

/**
 * Reads the header of a whole datagram and checks what the chain decoder
 * relies on: major version 2 (RFC 7296 §3.1: a higher version draws
 * INVALID_MAJOR_VERSION; the minor version is ignored) and a Length field equal
 * to the datagram's size.
 */
export function decodeIkeHeader(buf: Uint8Array): PeekedIkeHeader {
  const header = peekIkeHeader(buf);
  if (header.majorVersion !== IKE_MAJOR_VERSION) {
    throw new WireError(
      'BAD_VERSION',
      `IKE major version ${header.majorVersion}, expected ${IKE_MAJOR_VERSION}`,
      17,
      WireNotify.INVALID_MAJOR_VERSION,
    );
  }
  if (header.length < IKE_HEADER_LENGTH) {
    throw new WireError('BAD_LENGTH', `IKE length ${header.length} < header size`, 24);
  }
  if (header.length > buf.length) {
    throw new WireError(
      'TRUNCATED',
      `IKE length ${header.length} but datagram has ${buf.length} octets`,
      24,
    );
  }
  if (header.length < buf.length) {
    throw new WireError(
      'BAD_LENGTH',
      `IKE length ${header.length} but datagram has ${buf.length} octets`,
      24,
    );
  }
  return header;
}

/**
 * Writes the header with a zero Length; the caller patches it at offset 24
 * once the payloads are written.
 */
export function encodeIkeHeader(w: ByteWriter, header: IkeHeader, nextPayload: number): void {
  checkSpi(w, header.initiatorSpi, 'initiator SPI');
  checkSpi(w, header.responderSpi, 'responder SPI');
  w.bytes(header.initiatorSpi);
  w.bytes(header.responderSpi);
  w.u8(nextPayload, 'next payload');
  if (header.majorVersion > 0x0f || header.minorVersion > 0x0f) {
    throw new WireError('BAD_VALUE', 'IKE version does not fit in 4 bits', w.length);
  }
  w.u8((header.majorVersion << 4) | header.minorVersion, 'version');
  w.u8(header.exchangeType, 'exchange type');
  const f = header.flags;
  w.u8(
    (f.initiator ? IkeHeaderFlag.INITIATOR : 0) |
      (f.higherVersion ? IkeHeaderFlag.VERSION : 0) |
      (f.response ? IkeHeaderFlag.RESPONSE : 0),
    'flags',
  );
  w.u32(header.messageId, 'message ID');
  w.u32(0, 'length');
}

function checkSpi(w: ByteWriter, spi: Uint8Array, what: string): void {
  if (spi.length !== IKE_SPI_LENGTH) {
    throw new WireError('BAD_VALUE', `${what} must be ${IKE_SPI_LENGTH} octets`, w.length);
  }
}
