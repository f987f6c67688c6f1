/**
 * Messages we encode, dissected by Wireshark's ISAKMP dissector (tshark -V):
 * an independent decoder must find every payload we meant and no malformed
 * packet or expert error. Runs where tshark is installed.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  CfgAttribute,
  CfgType,
  Doi,
  EncapsulationMode,
  EspTransformId,
  ExchangeType,
  encodeIsakmpMessage,
  GroupDescription,
  IdType,
  IpsecSituation,
  type IsakmpHeader,
  type IsakmpMessage,
  IsakmpNotify,
  IsakmpTransformId,
  integerAttribute,
  LifeType,
  Phase1Attribute,
  Phase1Encryption,
  Phase1Hash,
  Phase2Attribute,
  Phase2AuthAlgorithm,
  ProtocolId,
} from '../../../src/wire/isakmp/index.js';
import { ascii, hex } from './helpers.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/** IPv4 + UDP 500→500 around an ISAKMP message (checksummed IP header, UDP checksum 0). */
function udpPacket(payload: Uint8Array): Uint8Array {
  const packet = new Uint8Array(28 + payload.length);
  const view = new DataView(packet.buffer);
  packet.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
  view.setUint16(2, packet.length);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += view.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  view.setUint16(10, ~sum & 0xffff);
  view.setUint16(20, 500);
  view.setUint16(22, 500);
  view.setUint16(24, 8 + payload.length);
  packet.set(payload, 28);
  return packet;
}

/** A classic pcap file with LINKTYPE_RAW (101) records. */
function pcap(packets: Uint8Array[]): Uint8Array {
  const parts: Buffer[] = [];
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(101, 20);
  parts.push(global);
  packets.forEach((p, i) => {
    const record = Buffer.alloc(16);
    record.writeUInt32LE(i + 1, 0);
    record.writeUInt32LE(p.length, 8);
    record.writeUInt32LE(p.length, 12);
    parts.push(record, Buffer.from(p));
  });
  return Buffer.concat(parts);
}

function header(exchangeType: number, messageId = 0): IsakmpHeader {
  return {
    initiatorCookie: hex('1122334455667788'),
    responderCookie:
      exchangeType === ExchangeType.IDENTITY_PROTECTION
        ? new Uint8Array(8)
        : hex('99aabbccddeeff00'),
    exchangeType,
    flags: 0,
    messageId,
  };
}

const cookies = hex('1122334455667788 99aabbccddeeff00');

const messages: IsakmpMessage[] = [
  {
    header: header(ExchangeType.IDENTITY_PROTECTION),
    payloads: [
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
                  integerAttribute(Phase1Attribute.ENCRYPTION_ALGORITHM, Phase1Encryption.AES_CBC),
                  integerAttribute(Phase1Attribute.KEY_LENGTH, 256),
                  integerAttribute(Phase1Attribute.HASH_ALGORITHM, Phase1Hash.SHA2_256),
                  integerAttribute(
                    Phase1Attribute.AUTHENTICATION_METHOD,
                    AuthMethod.XAUTH_INIT_PRE_SHARED,
                  ),
                  integerAttribute(Phase1Attribute.GROUP_DESCRIPTION, GroupDescription.ECP_256),
                  integerAttribute(Phase1Attribute.LIFE_TYPE, LifeType.SECONDS),
                  integerAttribute(Phase1Attribute.LIFE_DURATION, 86400),
                ],
              },
            ],
          },
        ],
      },
      { kind: 'vid', data: hex('4a131c81070358455c5728f20e95452f') },
      { kind: 'vid', data: hex('afcad71368a1f1c96b8696fc77570100') },
    ],
  },
  {
    header: header(ExchangeType.AGGRESSIVE),
    payloads: [
      { kind: 'ke', data: new Uint8Array(64).fill(0x42) },
      { kind: 'nonce', data: new Uint8Array(32).fill(0x17) },
      { kind: 'id', idType: IdType.ID_FQDN, protocolId: 17, port: 500, data: ascii('gw.example') },
      { kind: 'nat-d', type: 20, hash: new Uint8Array(32).fill(1) },
      { kind: 'nat-d', type: 20, hash: new Uint8Array(32).fill(2) },
      { kind: 'cr', certType: 4, authority: new Uint8Array(0) },
    ],
  },
  {
    header: header(ExchangeType.QUICK_MODE, 0x01020304),
    payloads: [
      { kind: 'hash', data: new Uint8Array(32).fill(9) },
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
                  integerAttribute(Phase2Attribute.KEY_LENGTH, 128),
                  integerAttribute(
                    Phase2Attribute.AUTHENTICATION_ALGORITHM,
                    Phase2AuthAlgorithm.HMAC_SHA2_256,
                  ),
                  integerAttribute(
                    Phase2Attribute.ENCAPSULATION_MODE,
                    EncapsulationMode.UDP_ENCAPSULATED_TUNNEL,
                  ),
                  integerAttribute(Phase2Attribute.SA_LIFE_TYPE, LifeType.SECONDS),
                  integerAttribute(Phase2Attribute.SA_LIFE_DURATION, 100000, false),
                ],
              },
            ],
          },
        ],
      },
      { kind: 'nonce', data: new Uint8Array(24).fill(5) },
      {
        kind: 'id',
        idType: IdType.ID_IPV4_ADDR_SUBNET,
        protocolId: 0,
        port: 0,
        data: hex('0a000000ffffff00'),
      },
      { kind: 'id', idType: IdType.ID_IPV4_ADDR, protocolId: 0, port: 0, data: hex('0a010203') },
      { kind: 'nat-oa', type: 21, idType: IdType.ID_IPV4_ADDR, address: hex('c0a80001') },
    ],
  },
  {
    header: header(ExchangeType.INFORMATIONAL, 0x0a0b0c0d),
    payloads: [
      {
        kind: 'notify',
        doi: Doi.IPSEC,
        protocolId: ProtocolId.ISAKMP,
        notifyType: IsakmpNotify.R_U_THERE,
        spi: cookies,
        data: hex('00000001'),
      },
      {
        kind: 'delete',
        doi: Doi.IPSEC,
        protocolId: ProtocolId.IPSEC_ESP,
        spiSize: 4,
        spis: [hex('c0ffee01')],
      },
    ],
  },
  {
    header: header(ExchangeType.TRANSACTION, 0x11111111),
    payloads: [
      { kind: 'hash', data: new Uint8Array(32).fill(7) },
      {
        kind: 'attr',
        cfgType: CfgType.REPLY,
        identifier: 0,
        attributes: [
          { type: CfgAttribute.INTERNAL_IP4_ADDRESS, format: 'variable', value: hex('0a4d0901') },
          { type: CfgAttribute.XAUTH_USER_NAME, format: 'variable', value: ascii('styx-user') },
          { type: CfgAttribute.XAUTH_STATUS, format: 'basic', value: 1 },
        ],
      },
    ],
  },
];

/** tshark -V over the given ISAKMP messages. */
function dissect(isakmpMessages: Uint8Array[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'styx-isakmp-'));
  try {
    const file = join(dir, 'encoded.pcap');
    writeFileSync(file, pcap(isakmpMessages.map(udpPacket)));
    return execFileSync('tshark', ['-r', file, '-V', '-o', 'ip.check_checksum:TRUE'], {
      encoding: 'utf8',
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const PROBLEM = /Malformed|Expert Info \(Error|\[Checksum Status: Bad\]/i;

describe.runIf(hasTshark)('tshark dissects ISAKMP messages we encode', () => {
  const text = dissect(messages.map(encodeIsakmpMessage));

  it('finds no malformed packet and no expert error', () => {
    expect(text).not.toMatch(PROBLEM);
  });

  it('would notice a malformed message (the check above can fail)', () => {
    const broken = encodeIsakmpMessage(messages[1]!);
    broken[28 + 3] = 0xff; // the KE payload now claims to run past the message
    expect(dissect([broken])).toMatch(PROBLEM);
  });

  it('sees every message as ISAKMP version 1.0 with the exchange we set', () => {
    expect(
      text.match(/^Internet Security Association and Key Management Protocol$/gm),
    ).toHaveLength(messages.length);
    expect(text.match(/Version: 1\.0/g)).toHaveLength(messages.length);
    for (const exchange of [2, 4, 32, 5, 6])
      expect(text).toMatch(new RegExp(`Exchange type: .*\\(${exchange}\\)`));
  });

  it('decodes the payloads, attributes and values we encoded', () => {
    for (const needle of [
      /Payload: Security Association \(1\)/,
      /Payload: Proposal \(2\) # 1/,
      /Payload: Transform \(3\) # 1/,
      /IKE Attribute \(t=12,l=4\): Life-Duration: 86400/,
      /Authentication Method: XAUTHInitPreShared \(65001\)/,
      /Payload: Vendor ID \(13\) : RFC 3947 Negotiation of NAT-Traversal/,
      /Payload: Nonce \(10\)/,
      /Payload: NAT-D \(RFC 3947\) \(20\)/,
      /Payload: NAT-OA \(RFC 3947\) \(21\)/,
      /NAT Original IPv4 Address: 192\.168\.0\.1/,
      /ID_FQDN: gw\.example/,
      /Identification Data:10\.0\.0\.0\/255\.255\.255\.0/,
      /Certificate Type: X\.509 Certificate - Signature \(4\)/,
      /SPI: c0ffee01/,
      /Encapsulation Mode: UDP-Encapsulated-Tunnel \(3\)/,
      /IPsec Attribute \(t=2,l=4\): SA-Life-Duration: 100000/,
      /Notify Message Type: R-U-THERE \(36136\)/,
      /SPI: 112233445566778899aabbccddeeff00/,
      /Delete SPI: c0ffee01/,
      /Type: ISAKMP_CFG_REPLY \(2\)/,
      /INTERNAL IP4 ADDRESS: 10\.77\.9\.1/,
      /XAUTH USER NAME: styx-user/,
      /XAUTH STATUS: Success \(1\)/,
    ]) {
      expect(text).toMatch(needle);
    }
  });
});
