/**
 * Every ISAKMP payload against bytes worked out by hand from the RFC layouts
 * (RFC 2408 §3.2-§3.16, RFC 2407 §4.6.2, RFC 3947 §3.2/§5.2,
 * draft-dukes-ike-mode-cfg-02 §3.2): decode gives the typed payload, encode
 * gives the bytes back.
 */

import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  CfgAttribute,
  CfgType,
  Doi,
  decodeIsakmpMessage,
  decodeIsakmpPayloads,
  EncapsulationMode,
  EspTransformId,
  ExchangeType,
  encodeIsakmpMessage,
  encodeIsakmpPayloads,
  GroupDescription,
  IdType,
  IpsecSituation,
  IsakmpNotify,
  type IsakmpPayload,
  IsakmpTransformId,
  LifeType,
  PayloadType,
  Phase1Attribute,
  Phase1Encryption,
  Phase1Hash,
  Phase2Attribute,
  Phase2AuthAlgorithm,
  ProtocolId,
} from '../../../src/wire/isakmp/index.js';
import { ascii, hex, toHex } from './helpers.js';

const cookieSpi = hex('0102030405060708 1112131415161718');

/** [name, payload type, generic header + body, typed payload] */
const cases: [string, number, string, IsakmpPayload][] = [
  [
    'SA, Phase 1: one ISAKMP proposal, KEY_IKE transform with TV attributes and a TLV life duration',
    PayloadType.SA,
    `0000 003c  00000001 00000001
       0000 0030  01 01 00 01
         0000 0028  01 01 0000
           8001 0007  800e 0080  8002 0004  8003 0001  8004 000e  800b 0001  000c 0004 00007080`,
    {
      kind: 'sa',
      doi: Doi.IPSEC,
      situation: IpsecSituation.IDENTITY_ONLY,
      proposals: [
        {
          number: 1,
          protocolId: ProtocolId.ISAKMP,
          spi: new Uint8Array(0),
          transforms: [
            {
              number: 1,
              transformId: IsakmpTransformId.KEY_IKE,
              attributes: [
                {
                  type: Phase1Attribute.ENCRYPTION_ALGORITHM,
                  format: 'basic',
                  value: Phase1Encryption.AES_CBC,
                },
                { type: Phase1Attribute.KEY_LENGTH, format: 'basic', value: 128 },
                {
                  type: Phase1Attribute.HASH_ALGORITHM,
                  format: 'basic',
                  value: Phase1Hash.SHA2_256,
                },
                {
                  type: Phase1Attribute.AUTHENTICATION_METHOD,
                  format: 'basic',
                  value: AuthMethod.PRE_SHARED_KEY,
                },
                {
                  type: Phase1Attribute.GROUP_DESCRIPTION,
                  format: 'basic',
                  value: GroupDescription.MODP_2048,
                },
                { type: Phase1Attribute.LIFE_TYPE, format: 'basic', value: LifeType.SECONDS },
                { type: Phase1Attribute.LIFE_DURATION, format: 'variable', value: hex('00007080') },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    'SA, Phase 2: two ESP proposals with 4-octet SPIs, the first with two transforms',
    PayloadType.SA,
    `0000 0054  00000001 00000001
       0200 0034  01 03 04 02  c0ffee01
         0300 0014  01 0c 0000  8004 0003  8005 0005  8006 0080
         0000 0014  02 0c 0000  8004 f003  8005 0002  8006 0100
       0000 0014  02 03 04 01  c0ffee02
         0000 0008  01 14 0000`,
    {
      kind: 'sa',
      doi: Doi.IPSEC,
      situation: IpsecSituation.IDENTITY_ONLY,
      proposals: [
        {
          number: 1,
          protocolId: ProtocolId.IPSEC_ESP,
          spi: hex('c0ffee01'),
          transforms: [
            {
              number: 1,
              transformId: EspTransformId.ESP_AES_CBC,
              attributes: [
                {
                  type: Phase2Attribute.ENCAPSULATION_MODE,
                  format: 'basic',
                  value: EncapsulationMode.UDP_ENCAPSULATED_TUNNEL,
                },
                {
                  type: Phase2Attribute.AUTHENTICATION_ALGORITHM,
                  format: 'basic',
                  value: Phase2AuthAlgorithm.HMAC_SHA2_256,
                },
                { type: Phase2Attribute.KEY_LENGTH, format: 'basic', value: 128 },
              ],
            },
            {
              number: 2,
              transformId: EspTransformId.ESP_AES_CBC,
              attributes: [
                {
                  type: Phase2Attribute.ENCAPSULATION_MODE,
                  format: 'basic',
                  value: EncapsulationMode.UDP_ENCAPSULATED_TUNNEL_DRAFT,
                },
                {
                  type: Phase2Attribute.AUTHENTICATION_ALGORITHM,
                  format: 'basic',
                  value: Phase2AuthAlgorithm.HMAC_SHA,
                },
                { type: Phase2Attribute.KEY_LENGTH, format: 'basic', value: 256 },
              ],
            },
          ],
        },
        {
          number: 2,
          protocolId: ProtocolId.IPSEC_ESP,
          spi: hex('c0ffee02'),
          transforms: [{ number: 1, transformId: EspTransformId.ESP_AES_GCM_16, attributes: [] }],
        },
      ],
    },
  ],
  ['KE', PayloadType.KE, '0000 0008 01020304', { kind: 'ke', data: hex('01020304') }],
  [
    'ID, ID_FQDN, protocol and port zero',
    PayloadType.ID,
    '0000 000b 02 00 0000 612e62',
    { kind: 'id', idType: IdType.ID_FQDN, protocolId: 0, port: 0, data: ascii('a.b') },
  ],
  [
    'ID, ID_IPV4_ADDR_SUBNET for UDP port 500',
    PayloadType.ID,
    '0000 0010 04 11 01f4 0a000000 ffffff00',
    {
      kind: 'id',
      idType: IdType.ID_IPV4_ADDR_SUBNET,
      protocolId: 17,
      port: 500,
      data: hex('0a000000 ffffff00'),
    },
  ],
  [
    'ID, ID_IPV6_ADDR',
    PayloadType.ID,
    '0000 0018 05 00 0000 20010db8000000000000000000000001',
    {
      kind: 'id',
      idType: IdType.ID_IPV6_ADDR,
      protocolId: 0,
      port: 0,
      data: hex('20010db8000000000000000000000001'),
    },
  ],
  [
    'CERT, X.509 signature encoding',
    PayloadType.CERT,
    '0000 0008 04 308200',
    { kind: 'cert', encoding: 4, data: hex('308200') },
  ],
  [
    'CR without an authority',
    PayloadType.CR,
    '0000 0005 04',
    { kind: 'cr', certType: 4, authority: new Uint8Array(0) },
  ],
  ['HASH', PayloadType.HASH, '0000 0008 aabbccdd', { kind: 'hash', data: hex('aabbccdd') }],
  ['SIG', PayloadType.SIG, '0000 0006 5a5a', { kind: 'sig', data: hex('5a5a') }],
  [
    'NONCE',
    PayloadType.NONCE,
    '0000 000c 0011223344556677',
    { kind: 'nonce', data: hex('0011223344556677') },
  ],
  [
    'N INITIAL-CONTACT with the cookie pair as SPI (RFC 2407 §4.6.3.3)',
    PayloadType.N,
    '0000 001c 00000001 01 10 6002 0102030405060708 1112131415161718',
    {
      kind: 'notify',
      doi: Doi.IPSEC,
      protocolId: ProtocolId.ISAKMP,
      notifyType: IsakmpNotify.INITIAL_CONTACT,
      spi: cookieSpi,
      data: new Uint8Array(0),
    },
  ],
  [
    'N R-U-THERE with a sequence number (RFC 3706 §5.2)',
    PayloadType.N,
    '0000 0020 00000001 01 10 8d28 0102030405060708 1112131415161718 0000002a',
    {
      kind: 'notify',
      doi: Doi.IPSEC,
      protocolId: ProtocolId.ISAKMP,
      notifyType: IsakmpNotify.R_U_THERE,
      spi: cookieSpi,
      data: hex('0000002a'),
    },
  ],
  [
    'D, two ESP SPIs',
    PayloadType.D,
    '0000 0014 00000001 03 04 0002 11111111 22222222',
    {
      kind: 'delete',
      doi: Doi.IPSEC,
      protocolId: ProtocolId.IPSEC_ESP,
      spiSize: 4,
      spis: [hex('11111111'), hex('22222222')],
    },
  ],
  [
    'D without SPIs keeps its SPI size',
    PayloadType.D,
    '0000 000c 00000001 01 10 0000',
    { kind: 'delete', doi: Doi.IPSEC, protocolId: ProtocolId.ISAKMP, spiSize: 16, spis: [] },
  ],
  [
    'VID, the RFC 3947 vendor ID (MD5 of "RFC 3947")',
    PayloadType.VID,
    '0000 0014 4a131c81070358455c5728f20e95452f',
    { kind: 'vid', data: hex('4a131c81070358455c5728f20e95452f') },
  ],
  [
    'ATTR, CFG_REQUEST with an empty TLV and a TV XAUTH-TYPE',
    PayloadType.ATTR,
    '0000 0010 01 00 1234 0001 0000 c088 0000',
    {
      kind: 'attr',
      cfgType: CfgType.REQUEST,
      identifier: 0x1234,
      attributes: [
        { type: CfgAttribute.INTERNAL_IP4_ADDRESS, format: 'variable', value: new Uint8Array(0) },
        { type: CfgAttribute.XAUTH_TYPE, format: 'basic', value: 0 },
      ],
    },
  ],
  [
    'ATTR, CFG_REPLY with an address',
    PayloadType.ATTR,
    '0000 0010 02 00 0001 0001 0004 0a4d0901',
    {
      kind: 'attr',
      cfgType: CfgType.REPLY,
      identifier: 1,
      attributes: [
        { type: CfgAttribute.INTERNAL_IP4_ADDRESS, format: 'variable', value: hex('0a4d0901') },
      ],
    },
  ],
  [
    'NAT-D (RFC 3947 number)',
    PayloadType.NAT_D,
    '0000 0018 000102030405060708090a0b0c0d0e0f10111213',
    { kind: 'nat-d', type: 20, hash: hex('000102030405060708090a0b0c0d0e0f10111213') },
  ],
  [
    'NAT-D (draft number 130)',
    PayloadType.NAT_D_DRAFT,
    '0000 0008 deadbeef',
    { kind: 'nat-d', type: 130, hash: hex('deadbeef') },
  ],
  [
    'NAT-OA, IPv4',
    PayloadType.NAT_OA,
    '0000 000c 01 000000 c0000201',
    { kind: 'nat-oa', type: 21, idType: IdType.ID_IPV4_ADDR, address: hex('c0000201') },
  ],
  [
    'NAT-OA, IPv6, draft number 131',
    PayloadType.NAT_OA_DRAFT,
    '0000 0018 05 000000 20010db8000000000000000000000002',
    {
      kind: 'nat-oa',
      type: 131,
      idType: IdType.ID_IPV6_ADDR,
      address: hex('20010db8000000000000000000000002'),
    },
  ],
  [
    'IKE fragment, last',
    PayloadType.FRAGMENT,
    '0000 000c 0001 02 01 deadbeef',
    { kind: 'fragment', fragmentId: 1, fragmentNumber: 2, flags: 1, data: hex('deadbeef') },
  ],
  [
    'unknown private-use type 200, kept whole',
    200,
    '0000 0006 abcd',
    { kind: 'unknown', type: 200, body: hex('abcd') },
  ],
  [
    'GDOI SEQ (18), not parsed, kept whole',
    PayloadType.SEQ,
    '0000 0008 00000007',
    { kind: 'unknown', type: PayloadType.SEQ, body: hex('00000007') },
  ],
];

describe('ISAKMP payloads: hand-checked bytes', () => {
  it.each(cases)('%s', (_name, type, wire, payload) => {
    const bytes = hex(wire);
    const chain = decodeIsakmpPayloads(bytes, type, { allowPadding: false });
    expect(chain.payloads).toEqual([payload]);
    expect(chain.spans).toEqual([{ offset: 0, length: bytes.length }]);
    expect(chain.end).toBe(bytes.length);
    expect(toHex(encodeIsakmpPayloads([payload]))).toBe(toHex(bytes));
  });

  it('chains payloads through Next Payload and ignores reserved octets', () => {
    // KE then NONCE; the KE's reserved octet is 0xff, which RFC 2408 §3.2
    // says is unused: decoded anyway, written back as zero.
    const bytes = hex('0aff 0006 0102  0000 0006 0304');
    const chain = decodeIsakmpPayloads(bytes, PayloadType.KE, { allowPadding: false });
    expect(chain.payloads).toEqual([
      { kind: 'ke', data: hex('0102') },
      { kind: 'nonce', data: hex('0304') },
    ]);
    expect(chain.spans).toEqual([
      { offset: 0, length: 6 },
      { offset: 6, length: 6 },
    ]);
    expect(toHex(encodeIsakmpPayloads(chain.payloads))).toBe('0a0000060102000000060304');
  });

  it('decodes a decrypted body with block padding after the last payload', () => {
    // HASH (8 octets) then 8 octets of padding to a 16-octet AES block.
    const bytes = hex('0000 0008 aabbccdd  0000000000000007');
    const chain = decodeIsakmpPayloads(bytes, PayloadType.HASH);
    expect(chain.payloads).toEqual([{ kind: 'hash', data: hex('aabbccdd') }]);
    expect(chain.end).toBe(8);
  });
});

describe('ISAKMP header, RFC 2408 §3.1', () => {
  const mainMode1 = hex(`
    0102030405060708 0000000000000000 0d 10 02 00 00000000 00000030
    0000 0014 4a131c81070358455c5728f20e95452f`);

  it('decodes a Main Mode first message and encodes it back', () => {
    const msg = decodeIsakmpMessage(mainMode1);
    expect(msg).toEqual({
      header: {
        initiatorCookie: hex('0102030405060708'),
        responderCookie: new Uint8Array(8),
        exchangeType: ExchangeType.IDENTITY_PROTECTION,
        flags: 0,
        messageId: 0,
      },
      payloads: [{ kind: 'vid', data: hex('4a131c81070358455c5728f20e95452f') }],
    });
    expect(toHex(encodeIsakmpMessage(msg))).toBe(toHex(mainMode1));
  });

  it('returns the body of an encrypted message as ciphertext with its first payload type', () => {
    const wire = hex(`
      0102030405060708 a1a2a3a4a5a6a7a8 08 10 20 01 fffffffe 0000002c
      00112233445566778899aabbccddeeff`);
    const msg = decodeIsakmpMessage(wire);
    expect(msg).toEqual({
      header: {
        initiatorCookie: hex('0102030405060708'),
        responderCookie: hex('a1a2a3a4a5a6a7a8'),
        exchangeType: ExchangeType.QUICK_MODE,
        flags: 1,
        messageId: 0xfffffffe,
      },
      firstPayload: PayloadType.HASH,
      ciphertext: hex('00112233445566778899aabbccddeeff'),
    });
    expect(toHex(encodeIsakmpMessage(msg))).toBe(toHex(wire));
  });

  it('encodes an empty plain message with Next Payload NONE', () => {
    const bytes = encodeIsakmpMessage({
      header: {
        initiatorCookie: hex('0102030405060708'),
        responderCookie: hex('1112131415161718'),
        exchangeType: ExchangeType.INFORMATIONAL,
        flags: 0,
        messageId: 7,
      },
      payloads: [],
    });
    expect(toHex(bytes)).toBe('0102030405060708111213141516171800100500000000070000001c');
  });

  it('refuses to encode a plain message with the E flag, or ciphertext without it', () => {
    const header = {
      initiatorCookie: new Uint8Array(8),
      responderCookie: new Uint8Array(8),
      exchangeType: ExchangeType.INFORMATIONAL,
      flags: 1,
      messageId: 0,
    };
    expect(() => encodeIsakmpMessage({ header, payloads: [] })).toThrow(RangeError);
    expect(() =>
      encodeIsakmpMessage({
        header: { ...header, flags: 0 },
        firstPayload: 8,
        ciphertext: new Uint8Array(16),
      }),
    ).toThrow(RangeError);
  });
});
