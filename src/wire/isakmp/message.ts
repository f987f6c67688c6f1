/**
 * The ISAKMP message: the fixed header (RFC 2408 §3.1) and either a payload
 * chain in the clear or, with the E flag, an opaque encrypted body.
 *
 *   Initiator Cookie(64) | Responder Cookie(64) | Next Payload(8) |
 *   MjVer(4) MnVer(4) | Exchange Type(8) | Flags(8) | Message ID(32) |
 *   Length(32)
 */

import { checkLength, checkUint, plainView, readU32, writeU32 } from './bytes.js';
import { decodeIsakmpPayloads, encodeIsakmpPayloads } from './chain.js';
import {
  COOKIE_LENGTH,
  ISAKMP_HEADER_LENGTH,
  ISAKMP_MAJOR_VERSION,
  ISAKMP_MINOR_VERSION,
  IsakmpFlag,
  IsakmpNotify,
  PayloadType,
} from './constants.js';
import { fail } from './errors.js';
import { payloadTypeOf } from './payload-bodies.js';
import type { IsakmpHeader, IsakmpMessage } from './types.js';

/** Whether a decoded or built message is the encrypted form. */
export function isEncryptedMessage(
  msg: IsakmpMessage,
): msg is Extract<IsakmpMessage, { ciphertext: Uint8Array }> {
  return 'ciphertext' in msg;
}

/**
 * Decodes one ISAKMP message (a UDP payload, after any non-ESP marker).
 * Throws only {@link IsakmpWireError}, whose `isakmpNotify` says what to answer.
 */
export function decodeIsakmpMessage(input: Uint8Array): IsakmpMessage {
  const buf = plainView(input);
  if (buf.length < ISAKMP_HEADER_LENGTH)
    fail('TRUNCATED', 'shorter than the ISAKMP header', buf.length);
  const version = buf[17]!;
  // RFC 2408 §5.1: a greater major version, or a greater minor version, is rejected.
  if (version >> 4 !== ISAKMP_MAJOR_VERSION) {
    fail('BAD_VERSION', `major version ${version >> 4}`, 17, IsakmpNotify.INVALID_MAJOR_VERSION);
  }
  if ((version & 0x0f) !== ISAKMP_MINOR_VERSION) {
    fail('BAD_VERSION', `minor version ${version & 0x0f}`, 17, IsakmpNotify.INVALID_MINOR_VERSION);
  }
  const length = readU32(buf, 24);
  // RFC 2408 §5.1: the header length must be the length of the message received.
  if (length !== buf.length) {
    fail(
      'BAD_LENGTH',
      `header length ${length} but ${buf.length} octets received`,
      24,
      IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
    );
  }
  const header: IsakmpHeader = {
    initiatorCookie: buf.slice(0, 8),
    responderCookie: buf.slice(8, 16),
    exchangeType: buf[18]!,
    flags: buf[19]!,
    messageId: readU32(buf, 20),
  };
  const firstPayload = buf[16]!;
  const body = buf.subarray(ISAKMP_HEADER_LENGTH);
  if (header.flags & IsakmpFlag.ENCRYPTION) {
    return { header, firstPayload, ciphertext: body.slice() };
  }
  const chain = decodeIsakmpPayloads(body, firstPayload, {
    baseOffset: ISAKMP_HEADER_LENGTH,
    allowPadding: false,
  });
  return { header, payloads: chain.payloads };
}

function encodeHeader(header: IsakmpHeader, firstPayload: number, length: number): Uint8Array {
  checkLength('initiator cookie', header.initiatorCookie, COOKIE_LENGTH, COOKIE_LENGTH);
  checkLength('responder cookie', header.responderCookie, COOKIE_LENGTH, COOKIE_LENGTH);
  const out = new Uint8Array(length);
  out.set(header.initiatorCookie, 0);
  out.set(header.responderCookie, 8);
  out[16] = checkUint('next payload', firstPayload, 8);
  out[17] = (ISAKMP_MAJOR_VERSION << 4) | ISAKMP_MINOR_VERSION;
  out[18] = checkUint('exchange type', header.exchangeType, 8);
  out[19] = checkUint('flags', header.flags, 8);
  writeU32(out, 20, checkUint('message id', header.messageId, 32));
  writeU32(out, 24, checkUint('message length', length, 32));
  return out;
}

/**
 * Encodes a message. The header's E flag must match the form: a plain message
 * without it, an encrypted one (ciphertext already made by the engine) with it.
 */
export function encodeIsakmpMessage(msg: IsakmpMessage): Uint8Array {
  const encryptedFlag = (msg.header.flags & IsakmpFlag.ENCRYPTION) !== 0;
  if (isEncryptedMessage(msg)) {
    if (!encryptedFlag) throw new RangeError('ISAKMP encode: ciphertext without the E flag');
    const out = encodeHeader(
      msg.header,
      msg.firstPayload,
      ISAKMP_HEADER_LENGTH + msg.ciphertext.length,
    );
    out.set(msg.ciphertext, ISAKMP_HEADER_LENGTH);
    return out;
  }
  if (encryptedFlag) throw new RangeError('ISAKMP encode: E flag set on a plain message');
  const body = encodeIsakmpPayloads(msg.payloads);
  const first = msg.payloads[0];
  const firstType = first === undefined ? PayloadType.NONE : payloadTypeOf(first);
  const out = encodeHeader(msg.header, firstType, ISAKMP_HEADER_LENGTH + body.length);
  out.set(body, ISAKMP_HEADER_LENGTH);
  return out;
}
