/**
 * Payload chains (RFC 7296 §3.2): the cleartext payloads after the IKE header,
 * or the decrypted contents of SK/SKF. Unknown payloads are kept raw unless
 * critical (§2.5); placement and single-occurrence rules are in placement.ts.
 */

import { WireError, WireNotify } from '../errors.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { PAYLOAD_HEADER_LENGTH, PayloadType } from './constants.js';
import { MAX_PAYLOADS_PER_CHAIN } from './limits.js';
import { checkPlacement, checkSingle } from './placement.js';
import { decodeSaBody, encodeSaBody } from './sa-payload.js';
import {
  decodeAuthBody,
  decodeCertBody,
  decodeCpBody,
  decodeDeleteBody,
  decodeEapBody,
  decodeIdBody,
  decodeKeBody,
  decodeNonceBody,
  decodeNotifyBody,
  decodeSkfBody,
  decodeVendorIdBody,
  encodeAuthBody,
  encodeCertBody,
  encodeCpBody,
  encodeDeleteBody,
  encodeEapBody,
  encodeIdBody,
  encodeKeBody,
  encodeNonceBody,
  encodeNotifyBody,
  encodeSkfBody,
  encodeVendorIdBody,
} from './simple-payloads.js';
import { decodeTsBody, encodeTsBody } from './ts-payload.js';
import type { ChainContext, IkePayload, PayloadKind } from './types.js';

const CRITICAL = 0x80;

type KnownKind = Exclude<PayloadKind, 'unknown'>;

const TYPE_OF_KIND: Readonly<Record<KnownKind, number>> = {
  SA: PayloadType.SA,
  KE: PayloadType.KE,
  IDi: PayloadType.IDi,
  IDr: PayloadType.IDr,
  CERT: PayloadType.CERT,
  CERTREQ: PayloadType.CERTREQ,
  AUTH: PayloadType.AUTH,
  Nonce: PayloadType.NONCE,
  N: PayloadType.NOTIFY,
  D: PayloadType.DELETE,
  V: PayloadType.VENDOR_ID,
  TSi: PayloadType.TSi,
  TSr: PayloadType.TSr,
  SK: PayloadType.SK,
  CP: PayloadType.CP,
  EAP: PayloadType.EAP,
  SKF: PayloadType.SKF,
};

const KIND_OF_TYPE: ReadonlyMap<number, KnownKind> = new Map(
  (Object.entries(TYPE_OF_KIND) as [KnownKind, number][]).map(([k, t]) => [t, k]),
);

/** True for the payload types this codec decodes into typed payloads. */
export function isKnownPayloadType(payloadType: number): boolean {
  return KIND_OF_TYPE.has(payloadType);
}

/** The wire payload type of a typed payload. */
export function payloadTypeOf(p: IkePayload): number {
  return p.kind === 'unknown' ? p.payloadType : TYPE_OF_KIND[p.kind];
}

/** Views a Buffer (or any Uint8Array subclass) as a plain Uint8Array, without copying. */
export function asPlainBytes(buf: Uint8Array): Uint8Array {
  return buf.constructor === Uint8Array
    ? buf
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decodes the chain that starts at `offset` with a payload of type `firstType`
 * and must end exactly at the end of `buf`.
 *
 * - `context` 'clear': the cleartext payloads of a message of `exchangeType`
 *   (placement checked per exchange, see placement.ts); 'inner': the decrypted
 *   contents of SK/SKF, where SK and SKF cannot nest.
 * - SK/SKF end the chain; their Next Payload field is the first inner type.
 */
export function decodePayloadChain(
  buf: Uint8Array,
  firstType: number,
  offset = 0,
  context: ChainContext = 'inner',
  exchangeType?: number,
): IkePayload[] {
  const bytes = asPlainBytes(buf);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new WireError('BAD_LENGTH', `chain offset ${offset} outside ${bytes.length} octets`, 0);
  }
  const r = new ByteReader(bytes, offset, bytes.length);
  const payloads: IkePayload[] = [];
  const seen = new Set<number>();
  let type = firstType;
  while (type !== PayloadType.NONE) {
    if (payloads.length >= MAX_PAYLOADS_PER_CHAIN) {
      throw new WireError('TOO_LARGE', `more than ${MAX_PAYLOADS_PER_CHAIN} payloads`, r.pos);
    }
    const start = r.pos;
    r.need(PAYLOAD_HEADER_LENGTH, 'generic payload header');
    const next = r.u8('next payload');
    const critical = (r.u8('payload flags') & CRITICAL) !== 0;
    const length = r.u16('payload length');
    if (length < PAYLOAD_HEADER_LENGTH || length - PAYLOAD_HEADER_LENGTH > r.remaining) {
      throw new WireError(
        'BAD_LENGTH',
        `payload length ${length} with ${r.remaining + PAYLOAD_HEADER_LENGTH} octets left`,
        start + 2,
      );
    }
    const body = r.sub(length - PAYLOAD_HEADER_LENGTH, 'payload body');
    const kind = KIND_OF_TYPE.get(type);
    if (kind === undefined) {
      if (critical) {
        throw new WireError(
          'UNSUPPORTED_CRITICAL',
          `critical payload of unknown type ${type}`,
          start,
          WireNotify.UNSUPPORTED_CRITICAL_PAYLOAD,
          type,
        );
      }
      payloads.push({ kind: 'unknown', payloadType: type, body: body.rest() });
    } else {
      checkPlacement(type, context, exchangeType, start);
      checkSingle(type, seen, start);
      const payload = decodeBody(body, kind, next);
      body.expectEnd(kind);
      if (critical) payload.critical = true;
      payloads.push(payload);
      if (kind === 'SK' || kind === 'SKF') {
        // RFC 7296 §3.14, RFC 7383 §2.5: the encrypted payload is the last one.
        if (r.remaining !== 0) {
          throw new WireError('MISPLACED_PAYLOAD', `${kind} is not the last payload`, r.pos);
        }
        return payloads;
      }
    }
    type = next;
  }
  r.expectEnd('payload chain');
  return payloads;
}

function decodeBody(r: ByteReader, kind: KnownKind, next: number): IkePayload {
  switch (kind) {
    case 'SA':
      return decodeSaBody(r);
    case 'KE':
      return decodeKeBody(r);
    case 'IDi':
    case 'IDr':
      return decodeIdBody(r, kind);
    case 'CERT':
    case 'CERTREQ':
      return decodeCertBody(r, kind);
    case 'AUTH':
      return decodeAuthBody(r);
    case 'Nonce':
      return decodeNonceBody(r);
    case 'N':
      return decodeNotifyBody(r);
    case 'D':
      return decodeDeleteBody(r);
    case 'V':
      return decodeVendorIdBody(r);
    case 'TSi':
    case 'TSr':
      return decodeTsBody(r, kind);
    case 'SK':
      return { kind: 'SK', firstInnerType: next, body: r.rest() };
    case 'CP':
      return decodeCpBody(r);
    case 'EAP':
      return decodeEapBody(r);
    case 'SKF':
      return decodeSkfBody(r, next);
  }
}

/** Encodes payloads as a chain, filling every Next Payload and length field. */
export function encodePayloadChain(payloads: readonly IkePayload[]): Uint8Array {
  const w = new ByteWriter();
  encodePayloadChainInto(w, payloads);
  return w.finish();
}

/** Appends the chain to `w`; returns the type of its first payload (0 if empty). */
export function encodePayloadChainInto(w: ByteWriter, payloads: readonly IkePayload[]): number {
  payloads.forEach((p, i) => {
    const isLast = i === payloads.length - 1;
    let next = isLast ? PayloadType.NONE : payloadTypeOf(payloads[i + 1]!);
    if (p.kind === 'SK' || p.kind === 'SKF') {
      if (!isLast) throw new WireError('BAD_VALUE', `${p.kind} must be the last payload`, w.length);
      next = p.firstInnerType;
    }
    if (
      p.kind === 'unknown' &&
      (p.payloadType === PayloadType.NONE || isKnownPayloadType(p.payloadType))
    ) {
      throw new WireError('BAD_VALUE', `payload type ${p.payloadType} given as unknown`, w.length);
    }
    const start = w.length;
    w.u8(next, 'next payload');
    w.u8(p.critical ? CRITICAL : 0, 'payload flags');
    w.u16(0, 'payload length');
    encodeBody(w, p);
    w.patchU16(start + 2, w.length - start, 'payload length');
  });
  return payloads.length === 0 ? PayloadType.NONE : payloadTypeOf(payloads[0]!);
}

function encodeBody(w: ByteWriter, p: IkePayload): void {
  switch (p.kind) {
    case 'SA':
      encodeSaBody(w, p);
      break;
    case 'KE':
      encodeKeBody(w, p);
      break;
    case 'IDi':
    case 'IDr':
      encodeIdBody(w, p);
      break;
    case 'CERT':
    case 'CERTREQ':
      encodeCertBody(w, p);
      break;
    case 'AUTH':
      encodeAuthBody(w, p);
      break;
    case 'Nonce':
      encodeNonceBody(w, p);
      break;
    case 'N':
      encodeNotifyBody(w, p);
      break;
    case 'D':
      encodeDeleteBody(w, p);
      break;
    case 'V':
      encodeVendorIdBody(w, p);
      break;
    case 'TSi':
    case 'TSr':
      encodeTsBody(w, p);
      break;
    case 'SK':
      w.bytes(p.body);
      break;
    case 'CP':
      encodeCpBody(w, p);
      break;
    case 'EAP':
      encodeEapBody(w, p);
      break;
    case 'SKF':
      encodeSkfBody(w, p);
      break;
    case 'unknown':
      w.bytes(p.body);
      break;
  }
}
