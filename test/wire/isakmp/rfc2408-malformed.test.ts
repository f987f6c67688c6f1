/**
 * Malformed ISAKMP input: each case must fail with an IsakmpWireError (a
 * WireError) carrying the offset of the fault and the RFC 2408 §3.14.1 notify
 * the engine would answer with.
 */

import { describe, expect, it } from 'vitest';
import { isWireError, WireNotify } from '../../../src/wire/errors.js';
import {
  decodeIsakmpMessage,
  decodeIsakmpPayloads,
  IsakmpNotify,
  PayloadType,
} from '../../../src/wire/isakmp/index.js';
import { expectIsakmpError, hex } from './helpers.js';

const cookies = '0102030405060708 0000000000000000';

/** A header with the given next payload, version, flags and body; length computed unless given. */
function message(
  next: string,
  body: string,
  version = '10',
  flags = '00',
  length?: number,
): Uint8Array {
  const bodyBytes = hex(body);
  const len = (length ?? 28 + bodyBytes.length).toString(16).padStart(8, '0');
  return hex(`${cookies} ${next} ${version} 02 ${flags} 00000000 ${len} ${body}`);
}

/** [name, input, code, offset, ISAKMP notify] for whole messages. */
const messageCases: [string, Uint8Array, string, number, number][] = [
  ['shorter than the header', hex('0102030405'), 'TRUNCATED', 5, IsakmpNotify.PAYLOAD_MALFORMED],
  [
    'IKEv2 version 2.0',
    message('00', '', '20'),
    'BAD_VERSION',
    17,
    IsakmpNotify.INVALID_MAJOR_VERSION,
  ],
  [
    'minor version 1',
    message('00', '', '11'),
    'BAD_VERSION',
    17,
    IsakmpNotify.INVALID_MINOR_VERSION,
  ],
  [
    'header length larger than the datagram',
    message('00', '', '10', '00', 40),
    'BAD_LENGTH',
    24,
    IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
  ],
  [
    'header length smaller than the datagram',
    message('0d', '0000 0005 aa', '10', '00', 32),
    'BAD_LENGTH',
    24,
    IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
  ],
  [
    'bytes after the last cleartext payload',
    message('0d', '0000 0005 aa ff'),
    'BAD_LENGTH',
    33,
    IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
  ],
  [
    'payload length below 4',
    message('0d', '0000 0003 aa'),
    'BAD_LENGTH',
    30,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'payload past the end',
    message('0d', '0000 0009 aa'),
    'TRUNCATED',
    30,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'chain names a payload that is not there',
    message('0d', '0a00 0005 aa'),
    'TRUNCATED',
    33,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'Proposal payload outside an SA',
    message('02', '0000 0008 01010000'),
    'BAD_VALUE',
    28,
    IsakmpNotify.INVALID_PAYLOAD_TYPE,
  ],
];

/** [name, first payload type, chain bytes, code, offset, ISAKMP notify] for payload bodies. */
const payloadCases: [string, number, string, string, number, number][] = [
  [
    'SA with the DOI 2',
    PayloadType.SA,
    '0000 000c 00000002 00000001',
    'BAD_VALUE',
    4,
    IsakmpNotify.DOI_NOT_SUPPORTED,
  ],
  [
    'SA with SIT_SECRECY',
    PayloadType.SA,
    '0000 000c 00000001 00000003',
    'BAD_VALUE',
    8,
    IsakmpNotify.SITUATION_NOT_SUPPORTED,
  ],
  [
    'SA without situation',
    PayloadType.SA,
    '0000 0008 00000001',
    'TRUNCATED',
    4,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'proposal counting two transforms but holding one',
    PayloadType.SA,
    '0000 001c 00000001 00000001 0000 0010 01 01 00 02 0000 0008 01 01 0000',
    'BAD_VALUE',
    19,
    IsakmpNotify.BAD_PROPOSAL_SYNTAX,
  ],
  [
    'proposal counting one transform but holding two',
    PayloadType.SA,
    '0000 0024 00000001 00000001 0000 0018 01 01 00 01 0300 0008 01 01 0000 0000 0008 02 01 0000',
    'BAD_VALUE',
    28,
    IsakmpNotify.BAD_PROPOSAL_SYNTAX,
  ],
  [
    'proposal followed by a Transform payload type',
    PayloadType.SA,
    '0000 0014 00000001 00000001 0300 0008 01 01 00 00',
    'BAD_VALUE',
    12,
    IsakmpNotify.INVALID_PAYLOAD_TYPE,
  ],
  [
    'last proposal says more follow',
    PayloadType.SA,
    '0000 0014 00000001 00000001 0200 0008 01 01 00 00',
    'BAD_LENGTH',
    12,
    IsakmpNotify.BAD_PROPOSAL_SYNTAX,
  ],
  [
    'proposal says none follow but bytes remain',
    PayloadType.SA,
    '0000 001c 00000001 00000001 0000 0008 01 01 00 00 0000 0008 02 01 00 00',
    'BAD_LENGTH',
    12,
    IsakmpNotify.BAD_PROPOSAL_SYNTAX,
  ],
  [
    'proposal SPI larger than the proposal',
    PayloadType.SA,
    '0000 0014 00000001 00000001 0000 0008 01 03 04 00',
    'TRUNCATED',
    18,
    IsakmpNotify.INVALID_SPI,
  ],
  [
    'proposal longer than the SA',
    PayloadType.SA,
    '0000 0014 00000001 00000001 0000 0010 01 01 00 00',
    'TRUNCATED',
    12,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'TLV attribute longer than its transform',
    PayloadType.SA,
    '0000 0020 00000001 00000001 0000 0014 01 01 00 01 0000 000c 01 01 0000 000c 0008',
    'TRUNCATED',
    28,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'attribute header cut short',
    PayloadType.SA,
    '0000 001e 00000001 00000001 0000 0012 01 01 00 01 0000 000a 01 01 0000 8001',
    'TRUNCATED',
    28,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'ID_IPV4_ADDR with 5 octets',
    PayloadType.ID,
    '0000 000d 01 00 0000 0a00000101',
    'BAD_LENGTH',
    8,
    IsakmpNotify.INVALID_ID_INFORMATION,
  ],
  [
    'ID shorter than its fixed part',
    PayloadType.ID,
    '0000 0006 0100',
    'TRUNCATED',
    4,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'CERT without encoding',
    PayloadType.CERT,
    '0000 0004',
    'TRUNCATED',
    4,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'Notification SPI past the payload',
    PayloadType.N,
    '0000 000e 00000001 03 04 6002 1111',
    'TRUNCATED',
    9,
    IsakmpNotify.INVALID_SPI,
  ],
  [
    'Delete counting more SPIs than present',
    PayloadType.D,
    '0000 0010 00000001 03 04 0002 11111111',
    'BAD_LENGTH',
    10,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'Delete with 65535 SPIs announced and none present',
    PayloadType.D,
    '0000 000c 00000001 03 04 ffff',
    'BAD_LENGTH',
    10,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'NAT-OA with an FQDN',
    PayloadType.NAT_OA,
    '0000 000c 02 000000 612e622e',
    'BAD_VALUE',
    4,
    IsakmpNotify.INVALID_ID_INFORMATION,
  ],
  [
    'NAT-OA IPv6 with 4 octets',
    PayloadType.NAT_OA,
    '0000 000c 05 000000 c0000201',
    'BAD_VALUE',
    4,
    IsakmpNotify.INVALID_ID_INFORMATION,
  ],
  [
    'ATTR without identifier',
    PayloadType.ATTR,
    '0000 0006 0100',
    'TRUNCATED',
    4,
    IsakmpNotify.PAYLOAD_MALFORMED,
  ],
  [
    'Transform payload type in the chain',
    PayloadType.TRANSFORM,
    '0000 0008 01 01 0000',
    'BAD_VALUE',
    0,
    IsakmpNotify.INVALID_PAYLOAD_TYPE,
  ],
];

describe('malformed ISAKMP messages', () => {
  it.each(messageCases)('%s', (_name, input, code, offset, notify) => {
    const error = expectIsakmpError(() => decodeIsakmpMessage(input));
    expect(isWireError(error)).toBe(true);
    expect([error.code, error.offset, error.isakmpNotify]).toEqual([code, offset, notify]);
  });

  it('maps a version error to the IKEv2 INVALID_MAJOR_VERSION and others to INVALID_SYNTAX', () => {
    expect(expectIsakmpError(() => decodeIsakmpMessage(message('00', '', '20'))).notify).toBe(
      WireNotify.INVALID_MAJOR_VERSION,
    );
    expect(expectIsakmpError(() => decodeIsakmpMessage(message('0d', '0000 0003 aa'))).notify).toBe(
      WireNotify.INVALID_SYNTAX,
    );
  });
});

describe('malformed ISAKMP payloads', () => {
  it.each(payloadCases)('%s', (_name, type, wire, code, offset, notify) => {
    const error = expectIsakmpError(() =>
      decodeIsakmpPayloads(hex(wire), type, { allowPadding: false }),
    );
    expect([error.code, error.offset, error.isakmpNotify]).toEqual([code, offset, notify]);
  });

  it('reports offsets relative to the whole message when given a base', () => {
    const error = expectIsakmpError(() =>
      decodeIsakmpPayloads(hex('0000 0003'), PayloadType.HASH, { baseOffset: 28 }),
    );
    expect(error.offset).toBe(30);
  });

  it('rejects padding after the chain when padding is not allowed', () => {
    const error = expectIsakmpError(() =>
      decodeIsakmpPayloads(hex('0000 0005 aa 00'), PayloadType.HASH, { allowPadding: false }),
    );
    expect([error.code, error.offset, error.isakmpNotify]).toEqual([
      'BAD_LENGTH',
      5,
      IsakmpNotify.UNEQUAL_PAYLOAD_LENGTHS,
    ]);
  });
});
