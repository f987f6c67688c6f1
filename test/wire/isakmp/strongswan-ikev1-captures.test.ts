/**
 * Real IKEv1 traffic between two strongSwan 5.9.8 charons (see
 * test-vectors/wire/isakmp/capture-strongswan-ikev1.sh): Main Mode with PSK,
 * Main Mode with XAUTH and Mode Config, and Aggressive Mode with PSK, each
 * followed by Quick Mode.
 *
 * Every message decodes, re-encodes to the captured bytes, and carries the
 * payloads charon itself logged for it. Encrypted bodies are decrypted with
 * the key charon logged and the IVs of RFC 2409 Appendix B, then decoded
 * with their block padding and checked the same way.
 */

import { readFileSync } from 'node:fs';
import { cbc } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  CfgAttribute,
  CfgType,
  decodeIsakmpMessage,
  decodeIsakmpPayloads,
  EncapsulationMode,
  EspTransformId,
  ExchangeType,
  encodeIsakmpMessage,
  encodeIsakmpPayloads,
  GroupDescription,
  IdType,
  type IsakmpMessage,
  IsakmpNotify,
  type IsakmpPayload,
  isEncryptedMessage,
  Phase1Attribute,
  Phase2Attribute,
  ProtocolId,
  type SaPayload,
} from '../../../src/wire/isakmp/index.js';
import { ascii, hex, toHex } from './helpers.js';

interface CapturedMessage {
  from: 'initiator' | 'responder';
  charon: string;
  hex: string;
}
interface Capture {
  encryptionKey: string;
  initialIv: string;
  messages: CapturedMessage[];
}

function loadCapture(mode: string): Capture {
  const url = new URL(
    `../../../test-vectors/wire/isakmp/strongswan-ikev1-${mode}.json`,
    import.meta.url,
  );
  return JSON.parse(readFileSync(url, 'utf8')) as Capture;
}

/** charon's exchange names (its log) to RFC numbers. */
const CHARON_EXCHANGE: Record<string, number> = {
  ID_PROT: ExchangeType.IDENTITY_PROTECTION,
  AGGRESSIVE: ExchangeType.AGGRESSIVE,
  TRANSACTION: ExchangeType.TRANSACTION,
  QUICK_MODE: ExchangeType.QUICK_MODE,
  INFORMATIONAL_V1: ExchangeType.INFORMATIONAL,
};
/** charon's payload abbreviations to our kinds. */
const CHARON_PAYLOAD: Record<string, IsakmpPayload['kind']> = {
  SA: 'sa',
  V: 'vid',
  KE: 'ke',
  No: 'nonce',
  'NAT-D': 'nat-d',
  ID: 'id',
  HASH: 'hash',
  N: 'notify',
  D: 'delete',
  CPRQ: 'attr',
  CPRP: 'attr',
  CPS: 'attr',
  CPA: 'attr',
};
const CHARON_CFG_TYPE: Record<string, number> = {
  CPRQ: CfgType.REQUEST,
  CPRP: CfgType.REPLY,
  CPS: CfgType.SET,
  CPA: CfgType.ACK,
};
const CHARON_CFG_ATTRIBUTE: Record<string, number> = {
  X_USER: CfgAttribute.XAUTH_USER_NAME,
  X_PWD: CfgAttribute.XAUTH_USER_PASSWORD,
  X_STATUS: CfgAttribute.XAUTH_STATUS,
  ADDR: CfgAttribute.INTERNAL_IP4_ADDRESS,
  DNS: CfgAttribute.INTERNAL_IP4_DNS,
};
const CHARON_NOTIFY: Record<string, number> = {
  INITIAL_CONTACT: IsakmpNotify.INITIAL_CONTACT,
  NO_PROP: IsakmpNotify.NO_PROPOSAL_CHOSEN,
};

interface CharonSummary {
  exchange: number;
  messageId: number;
  payloads: string[];
}

/** Parses "generating QUICK_MODE request 3746401477 [ HASH SA No KE ID ID ]". */
function parseCharonSummary(line: string): CharonSummary {
  const m = /^(?:generating|parsed) (\S+) (?:request|response) (\d+) \[ (.*) \]$/.exec(line);
  if (!m) throw new Error(`unexpected charon line: ${line}`);
  // Tokens like CPRQ(X_USER X_PWD) contain spaces inside the parentheses.
  const payloads = m[3]!.match(/[^\s(]+(?:\([^)]*\))?/g) ?? [];
  return { exchange: CHARON_EXCHANGE[m[1]!]!, messageId: Number(m[2]), payloads };
}

/** Checks one decoded payload against charon's token for it, e.g. N(INITIAL_CONTACT). */
function expectMatchesCharonToken(payload: IsakmpPayload, token: string): void {
  const name = token.replace(/\(.*$/, '');
  const detail = /\((.*)\)/.exec(token)?.[1];
  expect(payload.kind, token).toBe(CHARON_PAYLOAD[name]);
  if (payload.kind === 'notify') expect(payload.notifyType, token).toBe(CHARON_NOTIFY[detail!]);
  if (payload.kind === 'attr') {
    expect(payload.cfgType, token).toBe(CHARON_CFG_TYPE[name]);
    expect(
      payload.attributes.map((a) => a.type),
      token,
    ).toEqual(detail!.split(' ').map((a) => CHARON_CFG_ATTRIBUTE[a]));
  }
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function lastBlock(ciphertext: Uint8Array): Uint8Array {
  return ciphertext.slice(ciphertext.length - 16);
}

interface DecodedCapture {
  messages: IsakmpMessage[];
  /** The payloads of each message, decrypted where needed. */
  payloads: IsakmpPayload[][];
  /** The Phase 1 IV we derived, to compare with charon's log. */
  phase1Iv: Uint8Array;
}

/**
 * Decodes a capture, decrypting with AES-128-CBC and SHA-256 (the first
 * proposals, which charon selected) and the IV rules of RFC 2409 Appendix B:
 * Phase 1 starts from hash(g^xi | g^xr); every other exchange from
 * hash(last Phase 1 block | M-ID); later messages of an exchange chain from
 * the previous message's last ciphertext block.
 */
function decodeCapture(capture: Capture): DecodedCapture {
  const key = hex(capture.encryptionKey);
  const keData: Uint8Array[] = [];
  const nextIv = new Map<number, Uint8Array>();
  let phase1Iv: Uint8Array | undefined;
  let lastPhase1Block: Uint8Array | undefined;
  const messages: IsakmpMessage[] = [];
  const payloads: IsakmpPayload[][] = [];
  for (const captured of capture.messages) {
    const wire = hex(captured.hex);
    const msg = decodeIsakmpMessage(wire);
    expect(toHex(encodeIsakmpMessage(msg)), captured.charon).toBe(captured.hex);
    messages.push(msg);
    if (!isEncryptedMessage(msg)) {
      for (const p of msg.payloads) if (p.kind === 'ke') keData.push(p.data);
      payloads.push(msg.payloads);
      continue;
    }
    const mid = msg.header.messageId;
    if (phase1Iv === undefined) {
      phase1Iv = sha256(new Uint8Array([...keData[0]!, ...keData[1]!])).slice(0, 16);
      nextIv.set(0, phase1Iv);
    }
    const iv =
      nextIv.get(mid) ?? sha256(new Uint8Array([...lastPhase1Block!, ...u32(mid)])).slice(0, 16);
    nextIv.set(mid, lastBlock(msg.ciphertext));
    if (mid === 0) lastPhase1Block = lastBlock(msg.ciphertext);
    const plain = cbc(key, iv, { disablePadding: true }).decrypt(msg.ciphertext);
    const chain = decodeIsakmpPayloads(plain, msg.firstPayload, { baseOffset: 28 });
    // Whatever follows the chain is block padding: at most one cipher block.
    expect(plain.length - chain.end).toBeLessThanOrEqual(16);
    expect(toHex(encodeIsakmpPayloads(chain.payloads))).toBe(toHex(plain.subarray(0, chain.end)));
    let expectedOffset = 0;
    for (const span of chain.spans) {
      expect(span.offset).toBe(expectedOffset);
      expectedOffset += span.length;
    }
    expect(expectedOffset).toBe(chain.end);
    payloads.push(chain.payloads);
  }
  return { messages, payloads, phase1Iv: phase1Iv! };
}

function firstSa(payloads: IsakmpPayload[]): SaPayload {
  const sa = payloads.find((p): p is SaPayload => p.kind === 'sa');
  if (!sa) throw new Error('no SA payload');
  return sa;
}

function attributeValue(
  attributes: { type: number; format: string; value: unknown }[],
  type: number,
): unknown {
  return attributes.find((a) => a.type === type)?.value;
}

describe.each([
  ['psk', AuthMethod.PRE_SHARED_KEY],
  ['xauth', AuthMethod.XAUTH_INIT_PRE_SHARED],
  ['aggressive', AuthMethod.PRE_SHARED_KEY],
])('strongSwan IKEv1 capture: %s', (mode, authMethod) => {
  const capture = loadCapture(mode);
  const decoded = decodeCapture(capture);

  it('derives the Phase 1 IV charon logged, from the decoded KE payloads', () => {
    expect(toHex(decoded.phase1Iv)).toBe(capture.initialIv);
  });

  it('has the exchange, message ID and payloads charon logged for each message', () => {
    capture.messages.forEach((captured, i) => {
      const summary = parseCharonSummary(captured.charon);
      const msg = decoded.messages[i]!;
      expect(msg.header.exchangeType, captured.charon).toBe(summary.exchange);
      expect(msg.header.messageId, captured.charon).toBe(summary.messageId);
      const payloads = decoded.payloads[i]!;
      expect(payloads.length, captured.charon).toBe(summary.payloads.length);
      payloads.forEach((p, j) => {
        expectMatchesCharonToken(p, summary.payloads[j]!);
      });
    });
  });

  it('keeps the cookie pair through the IKE SA; only the first message has a zero responder cookie', () => {
    const [first, ...rest] = decoded.messages;
    expect(first!.header.responderCookie).toEqual(new Uint8Array(8));
    const responderCookie = rest[0]!.header.responderCookie;
    expect(responderCookie).not.toEqual(new Uint8Array(8));
    for (const msg of decoded.messages)
      expect(msg.header.initiatorCookie).toEqual(first!.header.initiatorCookie);
    for (const msg of rest) expect(msg.header.responderCookie).toEqual(responderCookie);
  });

  it('offers the configured IKE proposals in the first message', () => {
    const sa = firstSa(decoded.payloads[0]!);
    expect(sa.proposals).toHaveLength(1);
    expect(sa.proposals[0]!.protocolId).toBe(ProtocolId.ISAKMP);
    const [aes128, aes256] = sa.proposals[0]!.transforms.map((t) => t.attributes);
    expect(attributeValue(aes128!, Phase1Attribute.KEY_LENGTH)).toBe(128);
    expect(attributeValue(aes128!, Phase1Attribute.GROUP_DESCRIPTION)).toBe(
      GroupDescription.MODP_2048,
    );
    expect(attributeValue(aes128!, Phase1Attribute.AUTHENTICATION_METHOD)).toBe(authMethod);
    expect(attributeValue(aes256!, Phase1Attribute.KEY_LENGTH)).toBe(256);
    expect(attributeValue(aes256!, Phase1Attribute.GROUP_DESCRIPTION)).toBe(
      GroupDescription.MODP_1024,
    );
    const vids = decoded.payloads[0]!.filter((p) => p.kind === 'vid').map((p) => toHex(p.data));
    expect(vids).toContain('4a131c81070358455c5728f20e95452f'); // RFC 3947 §3.1
  });

  it('carries MODP-2048 KE, SHA-256 NAT-D hashes and FQDN identities in Phase 1', () => {
    const all = decoded.payloads.flat();
    expect(all.find((p) => p.kind === 'ke')).toMatchObject({
      data: expect.objectContaining({ length: 256 }),
    });
    const natd = all.filter((p) => p.kind === 'nat-d');
    expect(natd).toHaveLength(4);
    for (const p of natd)
      expect(p).toMatchObject({ type: 20, hash: expect.objectContaining({ length: 32 }) });
    const ids = all.filter((p) => p.kind === 'id');
    expect(ids[0]).toEqual({
      kind: 'id',
      idType: IdType.ID_FQDN,
      protocolId: 0,
      port: 0,
      data: ascii('a.styx.test'),
    });
    expect(ids[1]).toEqual({
      kind: 'id',
      idType: IdType.ID_FQDN,
      protocolId: 0,
      port: 0,
      data: ascii('b.styx.test'),
    });
  });

  it('proposes ESP with a 4-octet SPI and subnet identities in Quick Mode 1', () => {
    const index = capture.messages.findIndex((m) => m.charon.includes('QUICK_MODE request'));
    const qm1 = decoded.payloads[index]!;
    const proposal = firstSa(qm1).proposals[0]!;
    expect(proposal.protocolId).toBe(ProtocolId.IPSEC_ESP);
    expect(proposal.spi).toHaveLength(4);
    expect(proposal.transforms.map((t) => t.transformId)).toEqual([
      EspTransformId.ESP_AES_CBC,
      EspTransformId.ESP_AES_GCM_16,
    ]);
    for (const t of proposal.transforms) {
      expect(attributeValue(t.attributes, Phase2Attribute.ENCAPSULATION_MODE)).toBe(
        EncapsulationMode.TUNNEL,
      );
    }
    const ids = qm1.filter((p) => p.kind === 'id');
    expect(ids.map((p) => [p.idType, toHex(p.data)])).toEqual([
      [IdType.ID_IPV4_ADDR_SUBNET, '0a4d0100ffffff00'],
      [IdType.ID_IPV4_ADDR_SUBNET, '0a4d0200ffffff00'],
    ]);
  });
});

describe('strongSwan IKEv1 capture: Mode Config values', () => {
  const decoded = decodeCapture(loadCapture('xauth'));
  const attrs = decoded.payloads.flat().filter((p) => p.kind === 'attr');

  it('carries the XAUTH user name in the reply and the assigned address and DNS server', () => {
    const xauthReply = attrs.find((p) => p.cfgType === CfgType.REPLY && p.attributes.length === 2);
    expect(attributeValue(xauthReply!.attributes, CfgAttribute.XAUTH_USER_NAME)).toEqual(
      ascii('styx-user'),
    );
    const cfgReply = attrs.find((p) =>
      p.attributes.some((a) => a.type === CfgAttribute.INTERNAL_IP4_DNS),
    );
    expect(attributeValue(cfgReply!.attributes, CfgAttribute.INTERNAL_IP4_ADDRESS)).toEqual(
      hex('0a4d0901'),
    );
    expect(attributeValue(cfgReply!.attributes, CfgAttribute.INTERNAL_IP4_DNS)).toEqual(
      hex('0a4d0935'),
    );
  });

  it('sends XAUTH-STATUS OK as a basic attribute', () => {
    const set = attrs.find((p) => p.cfgType === CfgType.SET);
    expect(set!.attributes).toEqual([
      { type: CfgAttribute.XAUTH_STATUS, format: 'basic', value: 1 },
    ]);
  });
});
