/**
 * Synthesized IKEv2 messages covering every payload kind, shared by the tests
 * and by scripts/fuzz.ts as seeds. Values are arbitrary but well formed.
 */

import {
  AuthMethod,
  CertEncoding,
  CfgAttributeType,
  CfgType,
  EapCode,
  EncrId,
  EsnId,
  ExchangeType,
  IdType,
  type IkeHeader,
  type IkeMessage,
  type IkePayload,
  IntegId,
  KeMethod,
  NotifyType,
  PayloadType,
  PrfId,
  ProtocolId,
  TransformType,
  TsType,
} from '../../../src/wire/ikev2/index.js';

export const hex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

export function header(exchangeType: number, messageId: number, response = false): IkeHeader {
  return {
    initiatorSpi: hex('0102030405060708'),
    responderSpi: messageId === 0 && !response ? fill(8, 0) : hex('a1a2a3a4a5a6a7a8'),
    majorVersion: 2,
    minorVersion: 0,
    exchangeType,
    flags: { initiator: !response, higherVersion: false, response },
    messageId,
  };
}

export const ikeSaProposals: IkePayload = {
  kind: 'SA',
  proposals: [
    {
      number: 1,
      protocolId: ProtocolId.IKE,
      spi: new Uint8Array(0),
      transforms: [
        {
          type: TransformType.ENCR,
          id: EncrId.AES_CBC,
          attributes: [{ format: 'TV', type: 14, value: 256 }],
        },
        { type: TransformType.PRF, id: PrfId.HMAC_SHA2_256, attributes: [] },
        { type: TransformType.INTEG, id: IntegId.HMAC_SHA2_256_128, attributes: [] },
        { type: TransformType.KE, id: KeMethod.CURVE25519, attributes: [] },
      ],
    },
    {
      number: 2,
      protocolId: ProtocolId.IKE,
      spi: new Uint8Array(0),
      transforms: [
        {
          type: TransformType.ENCR,
          id: EncrId.AES_GCM_16,
          attributes: [
            { format: 'TV', type: 14, value: 128 },
            { format: 'TLV', type: 0x1234, value: hex('cafe') },
          ],
        },
        { type: TransformType.PRF, id: PrfId.HMAC_SHA2_512, attributes: [] },
        { type: TransformType.KE, id: KeMethod.ML_KEM_768, attributes: [] },
      ],
    },
  ],
};

export function ikeSaInitRequest(): IkeMessage {
  return {
    header: header(ExchangeType.IKE_SA_INIT, 0),
    payloads: [
      ikeSaProposals,
      { kind: 'KE', group: KeMethod.CURVE25519, data: fill(32, 0x11) },
      { kind: 'Nonce', nonce: fill(32, 0x22) },
      {
        kind: 'N',
        protocolId: 0,
        spi: new Uint8Array(0),
        notifyType: NotifyType.NAT_DETECTION_SOURCE_IP,
        data: fill(20, 0x33),
      },
      {
        kind: 'N',
        protocolId: 0,
        spi: new Uint8Array(0),
        notifyType: NotifyType.SIGNATURE_HASH_ALGORITHMS,
        data: hex('0002000300040005'),
      },
      { kind: 'V', vendorId: hex('882fe56d6fd20dbc2251613b2ebe5beb') },
      { kind: 'unknown', payloadType: 200, body: hex('deadbeef') },
      { kind: 'CERTREQ', encoding: CertEncoding.X509_SIGNATURE, data: fill(20, 0x44) },
    ],
  };
}

/** The decrypted contents of an IKE_AUTH request: every inner-only payload kind. */
export function ikeAuthInnerPayloads(): IkePayload[] {
  return [
    { kind: 'IDi', idType: IdType.ID_FQDN, data: new TextEncoder().encode('alice.styx.test') },
    { kind: 'CERT', encoding: CertEncoding.X509_SIGNATURE, data: fill(40, 0x55) },
    { kind: 'CERTREQ', encoding: CertEncoding.X509_SIGNATURE, data: fill(40, 0x66) },
    { kind: 'IDr', idType: IdType.ID_IPV4_ADDR, data: hex('c0000201') },
    { kind: 'AUTH', method: AuthMethod.SHARED_KEY_MIC, data: fill(32, 0x77) },
    {
      kind: 'CP',
      cfgType: CfgType.CFG_REQUEST,
      attributes: [
        { type: CfgAttributeType.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) },
        { type: CfgAttributeType.INTERNAL_IP4_DNS, value: new Uint8Array(0) },
        { type: CfgAttributeType.INTERNAL_IP6_ADDRESS, value: new Uint8Array(0) },
      ],
    },
    {
      kind: 'N',
      protocolId: 0,
      spi: new Uint8Array(0),
      notifyType: NotifyType.USE_TRANSPORT_MODE,
      data: new Uint8Array(0),
    },
    {
      kind: 'SA',
      proposals: [
        {
          number: 1,
          protocolId: ProtocolId.ESP,
          spi: hex('c1c2c3c4'),
          transforms: [
            {
              type: TransformType.ENCR,
              id: EncrId.AES_GCM_16,
              attributes: [{ format: 'TV', type: 14, value: 256 }],
            },
            { type: TransformType.ESN, id: EsnId.NO_ESN, attributes: [] },
          ],
        },
      ],
    },
    {
      kind: 'TSi',
      selectors: [
        {
          tsType: TsType.TS_IPV4_ADDR_RANGE,
          ipProtocol: 0,
          startPort: 0,
          endPort: 65535,
          startAddress: hex('0a000000'),
          endAddress: hex('0a0000ff'),
        },
        {
          tsType: TsType.TS_IPV6_ADDR_RANGE,
          ipProtocol: 17,
          startPort: 500,
          endPort: 500,
          startAddress: hex('20010db8000000000000000000000000'),
          endAddress: hex('20010db800000000ffffffffffffffff'),
        },
      ],
    },
    {
      kind: 'TSr',
      selectors: [
        {
          tsType: TsType.TS_IPV4_ADDR_RANGE,
          ipProtocol: 6,
          startPort: 443,
          endPort: 443,
          startAddress: hex('c0a80001'),
          endAddress: hex('c0a80001'),
        },
      ],
    },
    {
      kind: 'EAP',
      code: EapCode.RESPONSE,
      identifier: 7,
      eapType: 1,
      data: new TextEncoder().encode('alice'),
    },
    { kind: 'D', protocolId: ProtocolId.ESP, spiSize: 4, spis: [hex('01020304'), hex('05060708')] },
    { kind: 'V', vendorId: hex('0102') },
  ];
}

export function ikeAuthRequest(): IkeMessage {
  return {
    header: header(ExchangeType.IKE_AUTH, 1),
    payloads: [{ kind: 'SK', firstInnerType: PayloadType.IDi, body: fill(96, 0x88) }],
  };
}

export function ikeAuthFragment(): IkeMessage {
  return {
    header: header(ExchangeType.IKE_AUTH, 1, true),
    payloads: [
      {
        kind: 'SKF',
        firstInnerType: PayloadType.IDr,
        fragmentNumber: 1,
        totalFragments: 3,
        body: fill(64, 0x99),
      },
    ],
  };
}

/** RFC 7296 §1.5: an unprotected INVALID_IKE_SPI notification. */
export function invalidIkeSpiNotification(): IkeMessage {
  return {
    header: header(ExchangeType.INFORMATIONAL, 0, true),
    payloads: [
      {
        kind: 'N',
        protocolId: 0,
        spi: new Uint8Array(0),
        notifyType: NotifyType.INVALID_IKE_SPI,
        data: new Uint8Array(0),
      },
    ],
  };
}

export function sampleMessages(): IkeMessage[] {
  return [ikeSaInitRequest(), ikeAuthRequest(), ikeAuthFragment(), invalidIkeSpiNotification()];
}
