/**
 * Every payload against bytes written out by hand from the layouts of RFC 7296
 * §3.3-3.16 and RFC 7383 §2.5: decoding gives the typed payload, encoding gives
 * the bytes back. Each hex string is the generic payload header (Next Payload,
 * critical bit, length) followed by the body, spaced field by field.
 */

import { describe, expect, it } from 'vitest';
import {
  decodeIkeMessage,
  decodePayloadChain,
  encodeIkeMessage,
  encodePayloadChain,
  type IkePayload,
  PayloadType,
  transformKeyLength,
} from '../../../src/wire/ikev2/index.js';
import { hex, toHex } from './fixtures.js';

const empty = new Uint8Array(0);
const repeat = (byte: string, n: number): string => byte.repeat(n);

interface Row {
  name: string;
  type: number;
  payload: IkePayload;
  bytes: string;
}

/** Payloads allowed inside SK: decoded with context 'inner'. */
const innerRows: Row[] = [
  {
    name: 'KE §3.4: group 31, two reserved octets, data',
    type: PayloadType.KE,
    payload: { kind: 'KE', group: 31, data: hex('aabbccdd') },
    bytes: '00 00 000c  001f 0000  aabbccdd',
  },
  {
    name: 'IDi §3.5: ID_FQDN "a.io"',
    type: PayloadType.IDi,
    payload: { kind: 'IDi', idType: 2, data: hex('612e696f') },
    bytes: '00 00 000c  02 000000  612e696f',
  },
  {
    name: 'IDr §3.5: ID_IPV4_ADDR 192.0.2.1',
    type: PayloadType.IDr,
    payload: { kind: 'IDr', idType: 1, data: hex('c0000201') },
    bytes: '00 00 000c  01 000000  c0000201',
  },
  {
    name: 'CERT §3.6: X.509 signature encoding',
    type: PayloadType.CERT,
    payload: { kind: 'CERT', encoding: 4, data: hex('3082') },
    bytes: '00 00 0007  04  3082',
  },
  {
    name: 'CERTREQ §3.7: one 20-octet CA key hash',
    type: PayloadType.CERTREQ,
    payload: { kind: 'CERTREQ', encoding: 4, data: hex(repeat('11', 20)) },
    bytes: `00 00 0019  04  ${repeat('11', 20)}`,
  },
  {
    name: 'AUTH §3.8: shared key MIC',
    type: PayloadType.AUTH,
    payload: { kind: 'AUTH', method: 2, data: hex('0102') },
    bytes: '00 00 000a  02 000000  0102',
  },
  {
    name: 'Nonce §3.9: 16 octets (the minimum)',
    type: PayloadType.NONCE,
    payload: { kind: 'Nonce', nonce: hex(repeat('5a', 16)) },
    bytes: `00 00 0014  ${repeat('5a', 16)}`,
  },
  {
    name: 'N §3.10: NAT_DETECTION_SOURCE_IP, no SPI',
    type: PayloadType.NOTIFY,
    payload: { kind: 'N', protocolId: 0, spi: empty, notifyType: 16388, data: hex('01020304') },
    bytes: '00 00 000c  00 00 4004  01020304',
  },
  {
    name: 'N §3.10: REKEY_SA with an ESP SPI, no data',
    type: PayloadType.NOTIFY,
    payload: { kind: 'N', protocolId: 3, spi: hex('c1c2c3c4'), notifyType: 16393, data: empty },
    bytes: '00 00 000c  03 04 4009  c1c2c3c4',
  },
  {
    name: 'D §3.11: two ESP SPIs',
    type: PayloadType.DELETE,
    payload: { kind: 'D', protocolId: 3, spiSize: 4, spis: [hex('01020304'), hex('05060708')] },
    bytes: '00 00 0010  03 04 0002  01020304 05060708',
  },
  {
    name: 'D §3.11: the IKE SA (no SPI)',
    type: PayloadType.DELETE,
    payload: { kind: 'D', protocolId: 1, spiSize: 0, spis: [] },
    bytes: '00 00 0008  01 00 0000',
  },
  {
    name: 'V §3.12',
    type: PayloadType.VENDOR_ID,
    payload: { kind: 'V', vendorId: hex('abcd') },
    bytes: '00 00 0006  abcd',
  },
  {
    name: 'TSi §3.13.1: IPv4 range, any protocol, all ports',
    type: PayloadType.TSi,
    payload: {
      kind: 'TSi',
      selectors: [
        {
          tsType: 7,
          ipProtocol: 0,
          startPort: 0,
          endPort: 65535,
          startAddress: hex('0a000000'),
          endAddress: hex('0a0000ff'),
        },
      ],
    },
    bytes: '00 00 0018  01 000000  07 00 0010 0000 ffff 0a000000 0a0000ff',
  },
  {
    name: 'TSr §3.13.1: IPv6 range, UDP port 500',
    type: PayloadType.TSr,
    payload: {
      kind: 'TSr',
      selectors: [
        {
          tsType: 8,
          ipProtocol: 17,
          startPort: 500,
          endPort: 500,
          startAddress: hex('20010db8000000000000000000000000'),
          endAddress: hex('20010db800000000ffffffffffffffff'),
        },
      ],
    },
    bytes:
      '00 00 0030  01 000000  08 11 0028 01f4 01f4 20010db8000000000000000000000000 20010db800000000ffffffffffffffff',
  },
  {
    name: 'TSi: a TS_SECLABEL selector (RFC 9478) kept opaque',
    type: PayloadType.TSi,
    payload: { kind: 'TSi', selectors: [{ tsType: 10, ipProtocol: 0, data: hex('616263') }] },
    bytes: '00 00 000f  01 000000  0a 00 0007 616263',
  },
  {
    name: 'SA §3.3: one IKE proposal, AES-CBC-128 with KEY_LENGTH as TV',
    type: PayloadType.SA,
    payload: {
      kind: 'SA',
      proposals: [
        {
          number: 1,
          protocolId: 1,
          spi: empty,
          transforms: [
            { type: 1, id: 12, attributes: [{ format: 'TV', type: 14, value: 128 }] },
            { type: 2, id: 5, attributes: [] },
            { type: 3, id: 12, attributes: [] },
            { type: 4, id: 19, attributes: [] },
          ],
        },
      ],
    },
    bytes: `00 00 0030
      00 00 002c 01 01 00 04
        03 00 000c 01 00 000c 800e 0080
        03 00 0008 02 00 0005
        03 00 0008 03 00 000c
        00 00 0008 04 00 0013`,
  },
  {
    name: 'SA §3.3: two ESP proposals with SPIs, a TLV attribute',
    type: PayloadType.SA,
    payload: {
      kind: 'SA',
      proposals: [
        {
          number: 1,
          protocolId: 3,
          spi: hex('c1c2c3c4'),
          transforms: [{ type: 1, id: 20, attributes: [{ format: 'TV', type: 14, value: 256 }] }],
        },
        {
          number: 2,
          protocolId: 3,
          spi: hex('c5c6c7c8'),
          transforms: [
            { type: 1, id: 12, attributes: [{ format: 'TLV', type: 0x1234, value: hex('cafe') }] },
            { type: 5, id: 0, attributes: [] },
          ],
        },
      ],
    },
    bytes: `00 00 003e
      02 00 0018 01 03 04 01 c1c2c3c4
        00 00 000c 01 00 0014 800e 0100
      00 00 0022 02 03 04 02 c5c6c7c8
        03 00 000e 01 00 000c 1234 0002 cafe
        00 00 0008 05 00 0000`,
  },
  {
    name: 'CP §3.15: CFG_REPLY with an IPv4 address and an empty DNS attribute',
    type: PayloadType.CP,
    payload: {
      kind: 'CP',
      cfgType: 2,
      attributes: [
        { type: 1, value: hex('0a000001') },
        { type: 3, value: empty },
      ],
    },
    bytes: '00 00 0014  02 000000  0001 0004 0a000001  0003 0000',
  },
  {
    name: 'EAP §3.16: Response/Identity "bob"',
    type: PayloadType.EAP,
    payload: { kind: 'EAP', code: 2, identifier: 7, eapType: 1, data: hex('626f62') },
    bytes: '00 00 000c  02 07 0008 01 626f62',
  },
  {
    name: 'EAP §3.16: Success has no Type octet',
    type: PayloadType.EAP,
    payload: { kind: 'EAP', code: 3, identifier: 7, data: empty },
    bytes: '00 00 0008  03 07 0004',
  },
  {
    name: 'an unknown, non-critical type is kept raw (§2.5)',
    type: 128,
    payload: { kind: 'unknown', payloadType: 128, body: hex('1234') },
    bytes: '00 00 0006  1234',
  },
  {
    name: 'the critical bit of an understood payload is kept',
    type: PayloadType.VENDOR_ID,
    payload: { kind: 'V', vendorId: hex('abcd'), critical: true },
    bytes: '00 80 0006  abcd',
  },
];

/** SK and SKF live only in the cleartext of encrypted exchanges (IKE_AUTH here). */
const encryptedRows: Row[] = [
  {
    name: 'SK §3.14: Next Payload names the first inner payload (IDi)',
    type: PayloadType.SK,
    payload: { kind: 'SK', firstInnerType: 35, body: hex('0001020304050607') },
    bytes: '23 00 000c  0001020304050607',
  },
  {
    name: 'SKF RFC 7383 §2.5: fragment 1 of 2, first inner payload IDr',
    type: PayloadType.SKF,
    payload: {
      kind: 'SKF',
      firstInnerType: 36,
      fragmentNumber: 1,
      totalFragments: 2,
      body: hex('aabbccdd'),
    },
    bytes: '24 00 000c  0001 0002  aabbccdd',
  },
];

describe('payload bytes (RFC 7296 §3, RFC 7383 §2.5)', () => {
  it.each(innerRows)('$name', ({ type, payload, bytes }) => {
    const wire = hex(bytes);
    expect(decodePayloadChain(wire, type, 0, 'inner')).toEqual([payload]);
    expect(toHex(encodePayloadChain([payload]))).toBe(toHex(wire));
  });

  it.each(encryptedRows)('$name', ({ type, payload, bytes }) => {
    const wire = hex(bytes);
    expect(decodePayloadChain(wire, type, 0, 'clear', 35)).toEqual([payload]);
    expect(toHex(encodePayloadChain([payload]))).toBe(toHex(wire));
  });

  it('chains payloads through their Next Payload fields (§3.2)', () => {
    // N (next: V = 43 = 0x2b), then V (next: none).
    const wire = hex('2b 00 0008 00 00 4004   00 00 0006 abcd');
    const payloads: IkePayload[] = [
      { kind: 'N', protocolId: 0, spi: empty, notifyType: 16388, data: empty },
      { kind: 'V', vendorId: hex('abcd') },
    ];
    expect(decodePayloadChain(wire, PayloadType.NOTIFY, 0, 'inner')).toEqual(payloads);
    expect(toHex(encodePayloadChain(payloads))).toBe(toHex(wire));
  });

  it('decodes a chain that starts at an offset', () => {
    const wire = hex('ffffffff  00 00 0006 abcd');
    expect(decodePayloadChain(wire, PayloadType.VENDOR_ID, 4, 'inner')).toEqual([
      { kind: 'V', vendorId: hex('abcd') },
    ]);
  });

  it('encodes and decodes a whole IKE_SA_INIT message with a Nonce (§3.1 header + §3.9)', () => {
    const wire = hex(`0102030405060708 0000000000000000 28 20 22 08 00000000 00000030
      00 00 0014 ${repeat('5a', 16)}`);
    const msg = decodeIkeMessage(wire);
    expect(msg.payloads).toEqual([{ kind: 'Nonce', nonce: hex(repeat('5a', 16)) }]);
    expect(toHex(encodeIkeMessage(msg))).toBe(toHex(wire));
  });

  it('reads the KEY_LENGTH attribute of a transform', () => {
    const sa = innerRows.find((r) => r.name.startsWith('SA §3.3: one IKE'))!.payload;
    if (sa.kind !== 'SA') throw new Error('fixture');
    expect(transformKeyLength(sa.proposals[0]!.transforms[0]!)).toBe(128);
    expect(transformKeyLength(sa.proposals[0]!.transforms[1]!)).toBeUndefined();
  });
});
