/**
 * Chain rules: unknown payloads (RFC 7296 §2.5), what may appear outside SK per
 * exchange (§1.2-1.5, §3.14; RFC 5723 §4.1; RFC 7383 §2.5), single payloads,
 * SK last, length and count bounds, and the offsets errors report.
 */

import { describe, expect, it } from 'vitest';
import { WireError, WireNotify } from '../../../src/wire/errors.js';
import {
  decodeIkeMessage,
  decodePayloadChain,
  ExchangeType,
  encodeIkeMessage,
  encodePayloadChain,
  type IkePayload,
  MAX_PAYLOADS_PER_CHAIN,
  type PayloadKind,
  PayloadType,
} from '../../../src/wire/ikev2/index.js';
import { header, hex, ikeAuthInnerPayloads, toHex } from './fixtures.js';

const empty = new Uint8Array(0);

function errorOf(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** One small valid payload of each kind the codec understands. */
const sample: Record<Exclude<PayloadKind, 'unknown'>, IkePayload> = {
  SA: {
    kind: 'SA',
    proposals: [
      { number: 1, protocolId: 1, spi: empty, transforms: [{ type: 4, id: 31, attributes: [] }] },
    ],
  },
  KE: { kind: 'KE', group: 31, data: new Uint8Array(32) },
  IDi: { kind: 'IDi', idType: 2, data: hex('61') },
  IDr: { kind: 'IDr', idType: 2, data: hex('62') },
  CERT: { kind: 'CERT', encoding: 4, data: hex('30') },
  CERTREQ: { kind: 'CERTREQ', encoding: 4, data: new Uint8Array(20) },
  AUTH: { kind: 'AUTH', method: 2, data: new Uint8Array(32) },
  Nonce: { kind: 'Nonce', nonce: new Uint8Array(32) },
  N: { kind: 'N', protocolId: 0, spi: empty, notifyType: 16384, data: empty },
  D: { kind: 'D', protocolId: 1, spiSize: 0, spis: [] },
  V: { kind: 'V', vendorId: hex('01') },
  TSi: { kind: 'TSi', selectors: [] },
  TSr: { kind: 'TSr', selectors: [] },
  SK: { kind: 'SK', firstInnerType: 0, body: new Uint8Array(16) },
  CP: { kind: 'CP', cfgType: 1, attributes: [] },
  EAP: { kind: 'EAP', code: 3, identifier: 1, data: empty },
  SKF: { kind: 'SKF', firstInnerType: 0, fragmentNumber: 1, totalFragments: 1, body: empty },
};
const kinds = Object.keys(sample) as (keyof typeof sample)[];

/** The table, restated from the RFCs independently of src/wire/ikev2/placement.ts. */
const clearAllowed: [string, number, PayloadKind[]][] = [
  ['IKE_SA_INIT', ExchangeType.IKE_SA_INIT, ['SA', 'KE', 'Nonce', 'N', 'V', 'CERTREQ']],
  ['IKE_AUTH', ExchangeType.IKE_AUTH, ['SK', 'SKF']],
  ['CREATE_CHILD_SA', ExchangeType.CREATE_CHILD_SA, ['SK', 'SKF']],
  ['INFORMATIONAL', ExchangeType.INFORMATIONAL, ['SK', 'SKF', 'N']],
  ['IKE_SESSION_RESUME', ExchangeType.IKE_SESSION_RESUME, ['Nonce', 'N']],
  ['IKE_INTERMEDIATE', ExchangeType.IKE_INTERMEDIATE, ['SK', 'SKF']],
  ['IKE_FOLLOWUP_KE', ExchangeType.IKE_FOLLOWUP_KE, ['SK', 'SKF']],
  ['an unassigned exchange (99)', 99, ['SK', 'SKF']],
];

describe('payloads outside SK, per exchange', () => {
  for (const [name, exchangeType, allowed] of clearAllowed) {
    it.each(kinds)(`${name}: %s`, (kind) => {
      const wire = encodeIkeMessage({ header: header(exchangeType, 5), payloads: [sample[kind]] });
      if (allowed.includes(kind)) {
        expect(decodeIkeMessage(wire).payloads).toEqual([sample[kind]]);
        return;
      }
      const e = errorOf(() => decodeIkeMessage(wire));
      expect(e.code).toBe(
        kind === 'SK' || kind === 'SKF' ? 'MISPLACED_PAYLOAD' : 'NOT_ALLOWED_IN_CLEAR',
      );
      expect([e.offset, e.notify]).toEqual([28, WireNotify.INVALID_SYNTAX]);
    });
  }

  it('accepts every other payload kind inside SK, in one chain', () => {
    const inner = ikeAuthInnerPayloads();
    const wire = encodePayloadChain(inner);
    expect(decodePayloadChain(wire, PayloadType.IDi, 0, 'inner')).toEqual(inner);
  });

  it.each(['SK', 'SKF'] as const)('rejects %s nested inside SK', (kind) => {
    const wire = encodePayloadChain([sample[kind]]);
    const first = kind === 'SK' ? PayloadType.SK : PayloadType.SKF;
    expect(errorOf(() => decodePayloadChain(wire, first, 0, 'inner')).code).toBe(
      'MISPLACED_PAYLOAD',
    );
  });
});

describe('unknown payloads (RFC 7296 §2.5)', () => {
  it('skips a non-critical unknown payload in IKE_SA_INIT and re-encodes it unchanged', () => {
    const msg = {
      header: header(ExchangeType.IKE_SA_INIT, 0),
      payloads: [
        sample.N,
        { kind: 'unknown', payloadType: 222, body: hex('0102') } as IkePayload,
        sample.V,
      ],
    };
    const wire = encodeIkeMessage(msg);
    expect(decodeIkeMessage(wire)).toEqual(msg);
    expect(toHex(encodeIkeMessage(decodeIkeMessage(wire)))).toBe(toHex(wire));
  });

  it('skips a non-critical unknown payload in IKE_AUTH cleartext before SK', () => {
    const wire = hex(
      '0102030405060708 a1a2a3a4a5a6a7a8 de 20 23 08 00000001 00000028 2e 00 0006 abcd 00 00 0006 0102',
    );
    expect(decodeIkeMessage(wire).payloads.map((p) => p.kind)).toEqual(['unknown', 'SK']);
  });

  it('rejects a critical unknown payload with UNSUPPORTED_CRITICAL_PAYLOAD and its type', () => {
    // N (next: 222), then payload type 222 with the critical bit.
    const wire = hex(`0102030405060708 0000000000000000 29 20 22 08 00000000 0000002a
      de 00 0008 00 00 4000   00 80 0006 0102`);
    const e = errorOf(() => decodeIkeMessage(wire));
    expect(e.code).toBe('UNSUPPORTED_CRITICAL');
    expect(e.notify).toBe(WireNotify.UNSUPPORTED_CRITICAL_PAYLOAD);
    expect(e.payloadType).toBe(222);
    expect(e.offset).toBe(36);
  });

  it('rejects a critical unknown payload inside SK too', () => {
    const e = errorOf(() => decodePayloadChain(hex('00 80 0004'), 200, 0, 'inner'));
    expect([e.code, e.payloadType]).toEqual(['UNSUPPORTED_CRITICAL', 200]);
  });

  it('refuses to encode an understood type as unknown', () => {
    expect(() =>
      encodePayloadChain([{ kind: 'unknown', payloadType: PayloadType.NOTIFY, body: empty }]),
    ).toThrow(WireError);
  });
});

describe('payloads that appear at most once', () => {
  const singles = ['SA', 'KE', 'Nonce', 'IDi', 'IDr', 'AUTH', 'TSi', 'TSr', 'CP', 'EAP'] as const;
  it.each(singles)('a second %s is DUPLICATE_PAYLOAD at its offset', (kind) => {
    const one = encodePayloadChain([sample[kind]]);
    const wire = encodePayloadChain([sample[kind], sample[kind]]);
    const first = PayloadType[kind === 'Nonce' ? 'NONCE' : kind];
    const e = errorOf(() => decodePayloadChain(wire, first, 0, 'inner'));
    expect([e.code, e.offset]).toEqual(['DUPLICATE_PAYLOAD', one.length]);
  });

  it.each(['N', 'CERT', 'CERTREQ', 'D', 'V'] as const)('%s may repeat', (kind) => {
    const payloads = [sample[kind], sample[kind], sample[kind]];
    const first =
      PayloadType[
        { N: 'NOTIFY', CERT: 'CERT', CERTREQ: 'CERTREQ', D: 'DELETE', V: 'VENDOR_ID' }[
          kind
        ] as 'CERT'
      ];
    expect(decodePayloadChain(encodePayloadChain(payloads), first, 0, 'inner')).toEqual(payloads);
  });
});

describe('SK and SKF end the message (RFC 7296 §3.14, RFC 7383 §2.5)', () => {
  it('rejects octets after SK', () => {
    // SK (next inner: 0) of 6 octets, then a stray V payload.
    const wire = hex(`0102030405060708 a1a2a3a4a5a6a7a8 2e 20 23 08 00000001 00000028
      00 00 0006 0102   00 00 0006 abcd`);
    const e = errorOf(() => decodeIkeMessage(wire));
    expect([e.code, e.offset]).toEqual(['MISPLACED_PAYLOAD', 34]);
  });

  it('refuses to encode SK before another payload', () => {
    const msg = { header: header(ExchangeType.IKE_AUTH, 1), payloads: [sample.SK, sample.N] };
    expect(() => encodeIkeMessage(msg)).toThrow(WireError);
  });
});

describe('lengths and bounds', () => {
  const cases: [string, string, number, string, number][] = [
    ['payload length below 4', '00 00 0003', PayloadType.VENDOR_ID, 'BAD_LENGTH', 2],
    ['payload length beyond the chain', '00 00 0009 abcd', PayloadType.VENDOR_ID, 'BAD_LENGTH', 2],
    ['a truncated generic header', '00 00', PayloadType.VENDOR_ID, 'TRUNCATED', 0],
    ['octets after the last payload', '00 00 0006 abcd ff', PayloadType.VENDOR_ID, 'BAD_LENGTH', 6],
    [
      'a Next Payload pointing past the end',
      '2b 00 0006 abcd',
      PayloadType.VENDOR_ID,
      'TRUNCATED',
      6,
    ],
    ['an SA without a proposal', '00 00 0004', PayloadType.SA, 'BAD_LENGTH', 4],
    [
      'a proposal length past the SA',
      '00 00 000c 00 00 0010 01 01 00 00',
      PayloadType.SA,
      'TRUNCATED',
      8,
    ],
    [
      'a last proposal marked "more"',
      '00 00 000c 02 00 0008 01 01 00 00',
      PayloadType.SA,
      'BAD_VALUE',
      4,
    ],
    [
      'more transforms counted than present',
      '00 00 000c 00 00 0008 01 01 00 01',
      PayloadType.SA,
      'TRUNCATED',
      12,
    ],
    [
      'a transform marked "more" at the end',
      '00 00 0014 00 00 0010 01 01 00 01 03 00 0008 04 00 001f',
      PayloadType.SA,
      'BAD_VALUE',
      12,
    ],
    [
      'a TLV attribute past its transform',
      '00 00 0018 00 00 0014 01 01 00 01 00 00 000c 01 00 000c 0001 0009',
      PayloadType.SA,
      'TRUNCATED',
      24,
    ],
    [
      'an IPv4 selector of the IPv6 size',
      `00 00 0030 01 000000 07 00 0028 ${'00'.repeat(36)}`,
      PayloadType.TSi,
      'BAD_LENGTH',
      10,
    ],
    [
      'more selectors counted than present',
      '00 00 0008 01 000000',
      PayloadType.TSi,
      'TRUNCATED',
      8,
    ],
    [
      'SPI count and size that disagree with the length',
      '00 00 000c 03 04 0002 01020304',
      PayloadType.DELETE,
      'BAD_LENGTH',
      6,
    ],
    ['a nonce of 15 octets', `00 00 0013 ${'00'.repeat(15)}`, PayloadType.NONCE, 'BAD_LENGTH', 4],
    ['a nonce of 257 octets', `00 00 0105 ${'00'.repeat(257)}`, PayloadType.NONCE, 'BAD_LENGTH', 4],
    [
      'an EAP length that disagrees with the payload',
      '00 00 0009 02 07 0004 01',
      PayloadType.EAP,
      'BAD_LENGTH',
      6,
    ],
    [
      'a notify SPI longer than the payload',
      '00 00 0008 03 04 4009',
      PayloadType.NOTIFY,
      'TRUNCATED',
      8,
    ],
    [
      'a CP attribute past the payload',
      '00 00 000c 01 000000 0001 0004',
      PayloadType.CP,
      'TRUNCATED',
      12,
    ],
  ];
  it.each(cases)('rejects %s', (_name, bytes, first, code, offset) => {
    const e = errorOf(() => decodePayloadChain(hex(bytes), first, 0, 'inner'));
    expect([e.code, e.offset]).toEqual([code, offset]);
  });

  it.each([
    ['fragment number 0', '0000 0002'],
    ['fragment number above the total', '0003 0002'],
  ])('rejects an SKF with %s', (_name, numbers) => {
    const e = errorOf(() =>
      decodePayloadChain(hex(`00 00 0008 ${numbers}`), PayloadType.SKF, 0, 'clear', 35),
    );
    expect([e.code, e.offset]).toEqual(['BAD_VALUE', 4]);
  });

  it('bounds proposals per SA at 64', () => {
    const proposal = { number: 1, protocolId: 1, spi: empty, transforms: [] };
    const ok = encodePayloadChain([{ kind: 'SA', proposals: Array(64).fill(proposal) }]);
    expect(decodePayloadChain(ok, PayloadType.SA, 0, 'inner')).toHaveLength(1);
    // 65 proposals of 8 octets each, built by hand: the encoder refuses them.
    const body = `${'02 00 0008 01 01 00 00 '.repeat(64)} 00 00 0008 01 01 00 00`;
    const wire = hex(`00 00 ${(4 + 65 * 8).toString(16).padStart(4, '0')} ${body}`);
    const e = errorOf(() => decodePayloadChain(wire, PayloadType.SA, 0, 'inner'));
    expect([e.code, e.offset]).toEqual(['TOO_LARGE', 4 + 64 * 8]);
  });

  it('bounds transforms per proposal at 64', () => {
    const wire = hex(`00 00 000c 00 00 0008 01 01 00 41`);
    const e = errorOf(() => decodePayloadChain(wire, PayloadType.SA, 0, 'inner'));
    expect([e.code, e.offset]).toEqual(['TOO_LARGE', 11]);
  });

  it(`bounds payloads per chain at ${MAX_PAYLOADS_PER_CHAIN}`, () => {
    const v: IkePayload = { kind: 'V', vendorId: empty };
    const ok = encodePayloadChain(Array(MAX_PAYLOADS_PER_CHAIN).fill(v));
    expect(decodePayloadChain(ok, PayloadType.VENDOR_ID, 0, 'inner')).toHaveLength(
      MAX_PAYLOADS_PER_CHAIN,
    );
    const tooMany = encodePayloadChain(Array(MAX_PAYLOADS_PER_CHAIN + 1).fill(v));
    const e = errorOf(() => decodePayloadChain(tooMany, PayloadType.VENDOR_ID, 0, 'inner'));
    expect([e.code, e.offset]).toEqual(['TOO_LARGE', MAX_PAYLOADS_PER_CHAIN * 4]);
  });

  it('rejects a chain offset outside the buffer', () => {
    expect(errorOf(() => decodePayloadChain(hex('00'), 0, 5, 'inner')).code).toBe('BAD_LENGTH');
  });

  it('copies bytes out of the datagram: later writes to it do not show', () => {
    const wire = hex('00 00 0006 abcd');
    const [v] = decodePayloadChain(wire, PayloadType.VENDOR_ID, 0, 'inner');
    wire[4] = 0;
    expect(v).toEqual({ kind: 'V', vendorId: hex('abcd') });
  });
});
