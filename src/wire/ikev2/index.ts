/**
 * The IKEv2 wire codec (RFC 7296 §3): bytes to typed messages and back, no
 * crypto. Decoding throws only {@link WireError}, with the offset and the
 * notify type the failure maps to.
 */

import { WireError } from '../errors.js';
import { ByteWriter } from './bytes.js';
import { asPlainBytes, decodePayloadChain, encodePayloadChainInto } from './chain.js';
import { IKE_HEADER_LENGTH } from './constants.js';
import { decodeIkeHeader, encodeIkeHeader, peekIkeHeader as peekHeader } from './header.js';
import type { IkeMessage, PeekedIkeHeader } from './types.js';

export {
  decodePayloadChain,
  encodePayloadChain,
  isKnownPayloadType,
  payloadTypeOf,
} from './chain.js';
export * from './constants.js';
export { MAX_PAYLOADS_PER_CHAIN, MAX_PROPOSALS, MAX_TRANSFORMS_PER_PROPOSAL } from './limits.js';
export * from './notify-types.js';
export { clearPayloadsFor } from './placement.js';
export { lookupName, nameOf, type Registry, type ValueOf } from './registry.js';
export { transformKeyLength } from './sa-payload.js';
export { NONCE_MAX_LENGTH, NONCE_MIN_LENGTH } from './simple-payloads.js';
export * from './transforms.js';
export { isAddressRangeSelector } from './ts-payload.js';
export * from './types.js';

/**
 * Reads the 28-octet header only (RFC 7296 §3.1), checking nothing but its
 * presence, so the engine can route by SPI before parsing or crypto.
 */
export function peekIkeHeader(buf: Uint8Array): PeekedIkeHeader {
  return peekHeader(asPlainBytes(buf));
}

/**
 * Decodes one IKEv2 datagram (without the non-ESP marker of port 4500). The
 * SK/SKF contents stay opaque; decrypt them and call `decodePayloadChain` with
 * context 'inner'.
 */
export function decodeIkeMessage(buf: Uint8Array): IkeMessage {
  const bytes = asPlainBytes(buf);
  const { nextPayload, length: _length, ...header } = decodeIkeHeader(bytes);
  const payloads = decodePayloadChain(
    bytes,
    nextPayload,
    IKE_HEADER_LENGTH,
    'clear',
    header.exchangeType,
  );
  return { header, payloads };
}

/** Encodes a message, computing Next Payload and Length fields. */
export function encodeIkeMessage(msg: IkeMessage): Uint8Array {
  const w = new ByteWriter();
  encodeIkeHeader(w, msg.header, 0);
  const firstType = encodePayloadChainInto(w, msg.payloads);
  // The header's Next Payload is the first payload's type, known only now.
  w.patchU8(16, firstType);
  if (w.length > 0xffffffff) throw new WireError('TOO_LARGE', 'message too large', 24);
  w.patchU32(24, w.length);
  return w.finish();
}
