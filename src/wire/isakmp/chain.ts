/**
 * The payload chain, RFC 2408 §3.2: each generic header names the type of
 * the payload after it, the last says NONE (0).
 *
 *   Next Payload(8) | RESERVED(8) | Payload Length(16, header included) | body
 *
 * Reserved octets are ignored on decode and written as zero (RFC 2408 §3.2),
 * so the canonical form of a message has them zero.
 */

import { concatBytes, plainView, readU16, writeU16 } from './bytes.js';
import { GENERIC_PAYLOAD_HEADER_LENGTH, IsakmpNotify, PayloadType } from './constants.js';
import { fail } from './errors.js';
import { decodePayloadBody, encodePayloadBody, payloadTypeOf } from './payload-bodies.js';
import type { IsakmpPayload, IsakmpPayloadChain, PayloadSpan } from './types.js';

export interface DecodePayloadsOptions {
  /** Offset of `buf` in the whole message, added to error offsets (default 0). */
  baseOffset?: number;
  /**
   * Whether bytes may follow the last payload. True by default, for decrypted
   * bodies: IKEv1 pads the plaintext to the cipher's block size and the chain,
   * not a length, says where the payloads end (RFC 2409 §5.5 hashes the
   * message "excluding any padding added for encryption"; RFC 2408 §3.1: the
   * header length covers the encrypted, padded body).
   */
  allowPadding?: boolean;
}

/**
 * Decodes the payload chain in `buf` starting with a payload of `firstType`
 * (the header's Next Payload). Throws only {@link IsakmpWireError}.
 */
export function decodeIsakmpPayloads(
  input: Uint8Array,
  firstType: number,
  options: DecodePayloadsOptions = {},
): IsakmpPayloadChain {
  const buf = plainView(input);
  const base = options.baseOffset ?? 0;
  const allowPadding = options.allowPadding ?? true;
  const payloads: IsakmpPayload[] = [];
  const spans: PayloadSpan[] = [];
  let type = firstType;
  let offset = 0;
  // Every payload is at least 4 octets, so the loop runs at most buf.length / 4 times.
  while (type !== PayloadType.NONE) {
    if (buf.length - offset < GENERIC_PAYLOAD_HEADER_LENGTH) {
      fail('TRUNCATED', `payload of type ${type} truncated`, base + offset);
    }
    const next = buf[offset]!;
    const length = readU16(buf, offset + 2);
    if (length < GENERIC_PAYLOAD_HEADER_LENGTH) {
      fail('BAD_LENGTH', `payload length ${length} below the generic header`, base + offset + 2);
    }
    if (length > buf.length - offset) {
      fail('TRUNCATED', `payload of type ${type} runs past the message`, base + offset + 2);
    }
    const body = buf.subarray(offset + GENERIC_PAYLOAD_HEADER_LENGTH, offset + length);
    payloads.push(decodePayloadBody(type, body, base + offset + GENERIC_PAYLOAD_HEADER_LENGTH));
    spans.push({ offset, length });
    offset += length;
    type = next;
  }
  if (!allowPadding && offset !== buf.length) {
    fail(
      'BAD_LENGTH',
      `${buf.length - offset} octets after the last payload`,
      base + offset,
      IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
    );
  }
  return { payloads, spans, end: offset };
}

/** Encodes payloads as a chain (no padding); the first type is `payloadTypeOf(payloads[0])`. */
export function encodeIsakmpPayloads(payloads: readonly IsakmpPayload[]): Uint8Array {
  const parts = payloads.map((payload, i) => {
    const body = encodePayloadBody(payload);
    const length = GENERIC_PAYLOAD_HEADER_LENGTH + body.length;
    if (length > 0xffff) {
      throw new RangeError(
        `ISAKMP encode: ${payload.kind} payload of ${length} octets exceeds 65535`,
      );
    }
    const header = new Uint8Array(GENERIC_PAYLOAD_HEADER_LENGTH);
    const following = payloads[i + 1];
    header[0] = following === undefined ? PayloadType.NONE : payloadTypeOf(following);
    writeU16(header, 2, length);
    return concatBytes([header, body]);
  });
  return concatBytes(parts);
}
