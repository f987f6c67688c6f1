/**
 * Datagrams recorded between two strongSwan 5.9.8 charons (sources and the
 * recording script in test-vectors/wire/ikev2/): each decodes, re-encodes to
 * the same bytes, and carries what the charon logs said it sent.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeIkeMessage,
  EncrId,
  ExchangeType,
  encodeIkeMessage,
  type IkeMessage,
  type IkePayload,
  KeMethod,
  NotifyType,
  PayloadType,
  transformKeyLength,
} from '../../../src/wire/ikev2/index.js';
import { hex, toHex } from './fixtures.js';

interface VectorFile {
  source: string;
  messages: { name: string; hex: string }[];
}

const load = (name: string): VectorFile =>
  JSON.parse(
    readFileSync(new URL(`../../../test-vectors/wire/ikev2/${name}`, import.meta.url), 'utf8'),
  ) as VectorFile;

const plain = load('strongswan-5.9.8-childless-psk.json');
const frag = load('strongswan-5.9.8-fragmented-invalid-ke.json');

const decodeNth = (file: VectorFile, i: number): IkeMessage =>
  decodeIkeMessage(hex(file.messages[i]!.hex));

const summary = (payloads: IkePayload[]): string[] =>
  payloads.map((p) => (p.kind === 'N' ? `N(${p.notifyType})` : p.kind));

describe('strongSwan 5.9.8 captures', () => {
  it.each([...plain.messages, ...frag.messages].map((m) => [m.name, m.hex]))(
    '%s decodes and re-encodes to the same bytes',
    (_name, wire) => {
      expect(toHex(encodeIkeMessage(decodeIkeMessage(hex(wire))))).toBe(wire);
    },
  );

  it('IKE_SA_INIT request: header, two IKE proposals, X25519 KE, nonce, notifies', () => {
    const msg = decodeNth(plain, 0);
    expect(msg.header.exchangeType).toBe(ExchangeType.IKE_SA_INIT);
    expect(msg.header.flags).toEqual({ initiator: true, higherVersion: false, response: false });
    expect(msg.header.messageId).toBe(0);
    expect(msg.header.responderSpi).toEqual(new Uint8Array(8));
    // charon logged: [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]
    expect(summary(msg.payloads)).toEqual([
      'SA',
      'KE',
      'Nonce',
      `N(${NotifyType.NAT_DETECTION_SOURCE_IP})`,
      `N(${NotifyType.NAT_DETECTION_DESTINATION_IP})`,
      `N(${NotifyType.IKEV2_FRAGMENTATION_SUPPORTED})`,
      `N(${NotifyType.SIGNATURE_HASH_ALGORITHMS})`,
      `N(${NotifyType.REDIRECT_SUPPORTED})`,
    ]);
    const [sa, ke, nonce, natS, , , hashes] = msg.payloads;
    if (sa?.kind !== 'SA' || ke?.kind !== 'KE' || nonce?.kind !== 'Nonce') throw new Error('shape');
    // proposals = aes256-sha256-x25519,aes128gcm16-prfsha256-ecp256
    const [p1, p2] = sa.proposals;
    expect(p1!.transforms.map((t) => [t.type, t.id])).toEqual([
      [1, EncrId.AES_CBC],
      [3, 12],
      [2, 5],
      [4, KeMethod.CURVE25519],
    ]);
    expect(transformKeyLength(p1!.transforms[0]!)).toBe(256);
    expect(p2!.number).toBe(2);
    expect(p2!.transforms.map((t) => [t.type, t.id])).toEqual([
      [1, EncrId.AES_GCM_16],
      [2, 5],
      [4, KeMethod.ECP_256],
    ]);
    expect(transformKeyLength(p2!.transforms[0]!)).toBe(128);
    expect(ke.group).toBe(KeMethod.CURVE25519);
    expect(ke.data).toHaveLength(32);
    expect(nonce.nonce).toHaveLength(32);
    if (natS?.kind !== 'N' || hashes?.kind !== 'N') throw new Error('shape');
    expect(natS.data).toHaveLength(20); // SHA-1 hash, RFC 7296 §2.23
    expect(hashes.data).toEqual(hex('0002 0003 0004 0005')); // RFC 7427 §4, RFC 8420
  });

  it('IKE_SA_INIT response: one chosen proposal and CHILDLESS_IKEV2_SUPPORTED', () => {
    const msg = decodeNth(plain, 1);
    expect(msg.header.flags).toEqual({ initiator: false, higherVersion: false, response: true });
    expect(msg.header.responderSpi).not.toEqual(new Uint8Array(8));
    const sa = msg.payloads[0];
    if (sa?.kind !== 'SA') throw new Error('shape');
    expect(sa.proposals).toHaveLength(1);
    expect(summary(msg.payloads)).toContain(`N(${NotifyType.CHILDLESS_IKEV2_SUPPORTED})`);
    expect(summary(msg.payloads)).toContain(`N(${NotifyType.MULTIPLE_AUTH_SUPPORTED})`);
  });

  it('IKE_AUTH and INFORMATIONAL travel in SK, naming their first inner payload', () => {
    const firstInner = plain.messages.slice(2).map((_, i) => {
      const msg = decodeNth(plain, i + 2);
      expect(msg.payloads).toHaveLength(1);
      const sk = msg.payloads[0]!;
      if (sk.kind !== 'SK') throw new Error('shape');
      return sk.firstInnerType;
    });
    // IKE_AUTH request starts with IDi, response with IDr; the Delete request
    // with D, and its empty response has no inner payload at all.
    expect(firstInner[0]).toBe(PayloadType.IDi);
    expect(firstInner[1]).toBe(PayloadType.IDr);
    expect(firstInner[4]).toBe(PayloadType.DELETE);
    expect(firstInner[5]).toBe(PayloadType.NONE);
  });

  it('INVALID_KE_PAYLOAD names the group the responder wants (RFC 7296 §3.10.1)', () => {
    const msg = decodeNth(frag, 1);
    expect(msg.payloads).toEqual([
      {
        kind: 'N',
        protocolId: 0,
        spi: new Uint8Array(0),
        notifyType: NotifyType.INVALID_KE_PAYLOAD,
        data: hex('0013'),
      },
    ]);
  });

  it('IKE_AUTH fragments carry numbers, totals and the inner type in fragment 1 only', () => {
    const fragments = frag.messages
      .map((_, i) => decodeNth(frag, i))
      .filter((m) => m.header.exchangeType === ExchangeType.IKE_AUTH)
      .map((m) => {
        const p = m.payloads[0]!;
        if (p.kind !== 'SKF' || m.payloads.length !== 1) throw new Error('shape');
        return [m.header.flags.response, p.fragmentNumber, p.totalFragments, p.firstInnerType];
      });
    // charon logged EF(1/4)..EF(4/4) out and EF(1/3)..EF(3/3) back.
    expect(fragments).toEqual([
      [false, 1, 4, PayloadType.IDi],
      [false, 2, 4, 0],
      [false, 3, 4, 0],
      [false, 4, 4, 0],
      [true, 1, 3, PayloadType.IDr],
      [true, 2, 3, 0],
      [true, 3, 3, 0],
    ]);
  });
});
