/** fast-check generators of canonical IKEv2 payloads and messages. */

import fc from 'fast-check';
import {
  ExchangeType,
  type IkeHeader,
  type IkeMessage,
  type IkePayload,
  isKnownPayloadType,
  type PayloadKind,
  type TrafficSelector,
  type TransformAttribute,
} from '../../../src/wire/ikev2/index.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u15 = fc.integer({ min: 0, max: 0x7fff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (maxLength: number, minLength = 0) => fc.uint8Array({ minLength, maxLength });

/** Sets the critical bit on some payloads, as RFC 7296 §3.2 lets a sender do. */
const maybeCritical = <P extends IkePayload>(arb: fc.Arbitrary<P>): fc.Arbitrary<IkePayload> =>
  fc.tuple(arb, fc.boolean()).map(([p, c]) => (c ? { ...p, critical: true } : p));

const attribute: fc.Arbitrary<TransformAttribute> = fc.oneof(
  fc.record({ format: fc.constant('TV' as const), type: u15, value: u16 }),
  fc.record({ format: fc.constant('TLV' as const), type: u15, value: bytes(8) }),
);

const sa = fc.record({
  kind: fc.constant('SA' as const),
  proposals: fc.array(
    fc.record({
      number: u8,
      protocolId: u8,
      spi: bytes(8),
      transforms: fc.array(
        fc.record({ type: u8, id: u16, attributes: fc.array(attribute, { maxLength: 3 }) }),
        { maxLength: 5 },
      ),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

const rangeSelector: fc.Arbitrary<TrafficSelector> = fc.oneof(
  fc.record({
    tsType: fc.constant(7 as const),
    ipProtocol: u8,
    startPort: u16,
    endPort: u16,
    startAddress: bytes(4, 4),
    endAddress: bytes(4, 4),
  }),
  fc.record({
    tsType: fc.constant(8 as const),
    ipProtocol: u8,
    startPort: u16,
    endPort: u16,
    startAddress: bytes(16, 16),
    endAddress: bytes(16, 16),
  }),
  fc.record({
    tsType: u8.filter((t) => t !== 7 && t !== 8),
    ipProtocol: u8,
    data: bytes(12),
  }),
);

const deletePayload = fc.integer({ min: 0, max: 8 }).chain((spiSize) =>
  fc.record({
    kind: fc.constant('D' as const),
    protocolId: u8,
    spiSize: fc.constant(spiSize),
    spis:
      spiSize === 0
        ? fc.constant<Uint8Array[]>([])
        : fc.array(bytes(spiSize, spiSize), { maxLength: 5 }),
  }),
);

const eap = fc
  .tuple(u8, u8, u8, bytes(20))
  .map(
    ([code, identifier, eapType, data]): IkePayload =>
      code === 1 || code === 2
        ? { kind: 'EAP', code, identifier, eapType, data }
        : { kind: 'EAP', code, identifier, data },
  );

const skf = fc.integer({ min: 1, max: 0xffff }).chain((total) =>
  fc.record({
    kind: fc.constant('SKF' as const),
    firstInnerType: u8,
    fragmentNumber: fc.integer({ min: 1, max: total }),
    totalFragments: fc.constant(total),
    body: bytes(64),
  }),
);

/** One arbitrary per payload kind. */
export const payloadArbitraries: Record<PayloadKind, fc.Arbitrary<IkePayload>> = {
  SA: maybeCritical(sa),
  KE: maybeCritical(fc.record({ kind: fc.constant('KE' as const), group: u16, data: bytes(64) })),
  IDi: maybeCritical(fc.record({ kind: fc.constant('IDi' as const), idType: u8, data: bytes(32) })),
  IDr: maybeCritical(fc.record({ kind: fc.constant('IDr' as const), idType: u8, data: bytes(32) })),
  CERT: maybeCritical(
    fc.record({ kind: fc.constant('CERT' as const), encoding: u8, data: bytes(40) }),
  ),
  CERTREQ: maybeCritical(
    fc.record({ kind: fc.constant('CERTREQ' as const), encoding: u8, data: bytes(40) }),
  ),
  AUTH: maybeCritical(
    fc.record({ kind: fc.constant('AUTH' as const), method: u8, data: bytes(40) }),
  ),
  Nonce: maybeCritical(fc.record({ kind: fc.constant('Nonce' as const), nonce: bytes(256, 16) })),
  N: maybeCritical(
    fc.record({
      kind: fc.constant('N' as const),
      protocolId: u8,
      spi: bytes(16),
      notifyType: u16,
      data: bytes(32),
    }),
  ),
  D: maybeCritical(deletePayload),
  V: maybeCritical(fc.record({ kind: fc.constant('V' as const), vendorId: bytes(20) })),
  TSi: maybeCritical(
    fc.record({
      kind: fc.constant('TSi' as const),
      selectors: fc.array(rangeSelector, { maxLength: 4 }),
    }),
  ),
  TSr: maybeCritical(
    fc.record({
      kind: fc.constant('TSr' as const),
      selectors: fc.array(rangeSelector, { maxLength: 4 }),
    }),
  ),
  SK: maybeCritical(
    fc.record({ kind: fc.constant('SK' as const), firstInnerType: u8, body: bytes(64) }),
  ),
  CP: maybeCritical(
    fc.record({
      kind: fc.constant('CP' as const),
      cfgType: u8,
      attributes: fc.array(fc.record({ type: u15, value: bytes(16) }), { maxLength: 4 }),
    }),
  ),
  EAP: maybeCritical(eap),
  SKF: maybeCritical(skf),
  // Unknown payloads are never critical: a critical one is rejected (RFC 7296 §2.5).
  unknown: fc.record({
    kind: fc.constant('unknown' as const),
    payloadType: u8.filter((t) => t !== 0 && !isKnownPayloadType(t)),
    body: bytes(16),
  }),
};

const SINGLE: ReadonlySet<PayloadKind> = new Set([
  'SA',
  'KE',
  'Nonce',
  'IDi',
  'IDr',
  'AUTH',
  'TSi',
  'TSr',
  'CP',
  'EAP',
]);

/** Drops second occurrences of payloads that may appear only once. */
function dropRepeatedSingles(payloads: IkePayload[]): IkePayload[] {
  const seen = new Set<PayloadKind>();
  return payloads.filter((p) => {
    if (!SINGLE.has(p.kind)) return true;
    if (seen.has(p.kind)) return false;
    seen.add(p.kind);
    return true;
  });
}

const chainOf = (kinds: PayloadKind[], maxLength: number) =>
  fc
    .array(fc.oneof(...kinds.map((k) => payloadArbitraries[k])), { maxLength })
    .map(dropRepeatedSingles);

/** The decrypted contents of SK: any payload but SK and SKF. */
export const innerChain = chainOf(
  (Object.keys(payloadArbitraries) as PayloadKind[]).filter((k) => k !== 'SK' && k !== 'SKF'),
  12,
);

const header = (exchangeType: fc.Arbitrary<number>): fc.Arbitrary<IkeHeader> =>
  fc.record({
    initiatorSpi: bytes(8, 8),
    responderSpi: bytes(8, 8),
    majorVersion: fc.constant(2),
    minorVersion: fc.integer({ min: 0, max: 15 }),
    exchangeType,
    flags: fc.record({
      initiator: fc.boolean(),
      higherVersion: fc.boolean(),
      response: fc.boolean(),
    }),
    messageId: u32,
  });

const ikeSaInit = fc.record({
  header: header(fc.constant(ExchangeType.IKE_SA_INIT)),
  payloads: chainOf(['SA', 'KE', 'Nonce', 'N', 'V', 'CERTREQ', 'unknown'], 10),
});

const encrypted = fc.record({
  header: header(
    fc.constantFrom(
      ExchangeType.IKE_AUTH,
      ExchangeType.CREATE_CHILD_SA,
      ExchangeType.INFORMATIONAL,
      ExchangeType.IKE_INTERMEDIATE,
      ExchangeType.IKE_FOLLOWUP_KE,
    ),
  ),
  payloads: fc
    .tuple(
      fc.array(payloadArbitraries.unknown, { maxLength: 2 }),
      fc.oneof(payloadArbitraries.SK, payloadArbitraries.SKF),
    )
    .map(([unknown, last]) => [...unknown, last]),
});

const unprotectedNotify = fc.record({
  header: header(fc.constant(ExchangeType.INFORMATIONAL)),
  payloads: fc.array(payloadArbitraries.N, { maxLength: 3 }),
});

/** Whole messages that obey the cleartext placement rules. */
export const ikeMessage: fc.Arbitrary<IkeMessage> = fc.oneof(
  ikeSaInit,
  encrypted,
  unprotectedNotify,
);
