/**
 * Bodies of the top-level ISAKMP payloads, i.e. what follows the 4-octet
 * generic header (RFC 2408 §3.2). Each decoder gets exactly the body its
 * header delimits and checks every inner length against it; `base` is the
 * body's offset in the message, for error reports.
 */

import { decodeDataAttributes, encodeDataAttributes } from './attributes.js';
import {
  checkLength,
  checkUint,
  concatBytes,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './bytes.js';
import { IdType, IsakmpNotify, PayloadType } from './constants.js';
import { fail } from './errors.js';
import { decodeSaBody, encodeSaBody } from './sa.js';
import type { IsakmpPayload } from './types.js';

/**
 * Lengths of the address ID types, RFC 2407 §4.6.2.2 - §4.6.2.9: an address,
 * or two (address and mask, or range start and end).
 */
const ADDRESS_ID_LENGTH: ReadonlyMap<number, number> = new Map([
  [IdType.ID_IPV4_ADDR, 4],
  [IdType.ID_IPV4_ADDR_SUBNET, 8],
  [IdType.ID_IPV4_ADDR_RANGE, 8],
  [IdType.ID_IPV6_ADDR, 16],
  [IdType.ID_IPV6_ADDR_SUBNET, 32],
  [IdType.ID_IPV6_ADDR_RANGE, 32],
]);

/** RFC 3947 §5.2: NAT-OA carries one IPv4 or IPv6 address. */
const NAT_OA_ADDRESS_LENGTH: ReadonlyMap<number, number> = new Map([
  [IdType.ID_IPV4_ADDR, 4],
  [IdType.ID_IPV6_ADDR, 16],
]);

/** The payload types decoded into a typed payload; all others become `unknown`. */
const KNOWN_TYPES: ReadonlySet<number> = new Set([
  PayloadType.SA,
  PayloadType.KE,
  PayloadType.ID,
  PayloadType.CERT,
  PayloadType.CR,
  PayloadType.HASH,
  PayloadType.SIG,
  PayloadType.NONCE,
  PayloadType.N,
  PayloadType.D,
  PayloadType.VID,
  PayloadType.ATTR,
  PayloadType.NAT_D,
  PayloadType.NAT_OA,
  PayloadType.NAT_D_DRAFT,
  PayloadType.NAT_OA_DRAFT,
  PayloadType.FRAGMENT,
]);

/** Whether `type` is decoded into a typed payload (and so may not be sent as `unknown`). */
export function isKnownPayloadType(type: number): boolean {
  return KNOWN_TYPES.has(type);
}

function need(body: Uint8Array, min: number, base: number, what: string): void {
  if (body.length < min) fail('TRUNCATED', `${what} payload shorter than ${min} octets`, base);
}

function decodeId(body: Uint8Array, base: number): IsakmpPayload {
  need(body, 4, base, 'ID');
  const idType = body[0]!;
  const expected = ADDRESS_ID_LENGTH.get(idType);
  if (expected !== undefined && body.length - 4 !== expected) {
    fail(
      'BAD_LENGTH',
      `ID type ${idType} needs ${expected} octets, has ${body.length - 4}`,
      base + 4,
      IsakmpNotify.INVALID_ID_INFORMATION,
    );
  }
  return { kind: 'id', idType, protocolId: body[1]!, port: readU16(body, 2), data: body.slice(4) };
}

function decodeNotify(body: Uint8Array, base: number): IsakmpPayload {
  need(body, 8, base, 'Notification');
  const spiSize = body[5]!;
  if (body.length - 8 < spiSize) {
    fail('TRUNCATED', 'Notification SPI runs past the payload', base + 5, IsakmpNotify.INVALID_SPI);
  }
  return {
    kind: 'notify',
    doi: readU32(body, 0),
    protocolId: body[4]!,
    notifyType: readU16(body, 6),
    spi: body.slice(8, 8 + spiSize),
    data: body.slice(8 + spiSize),
  };
}

function decodeDelete(body: Uint8Array, base: number): IsakmpPayload {
  need(body, 8, base, 'Delete');
  const spiSize = body[5]!;
  const count = readU16(body, 6);
  // RFC 2408 §3.15: the payload length is fixed by SPI size times count; checking
  // it before collecting bounds the SPI list by the bytes actually present.
  if (body.length - 8 !== spiSize * count) {
    fail(
      'BAD_LENGTH',
      `Delete payload holds ${body.length - 8} octets, not ${count} SPIs of ${spiSize}`,
      base + 6,
    );
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(body.slice(8 + i * spiSize, 8 + (i + 1) * spiSize));
  return { kind: 'delete', doi: readU32(body, 0), protocolId: body[4]!, spiSize, spis };
}

function decodeNatOa(type: 21 | 131, body: Uint8Array, base: number): IsakmpPayload {
  need(body, 4, base, 'NAT-OA');
  const idType = body[0]!;
  const expected = NAT_OA_ADDRESS_LENGTH.get(idType);
  if (expected === undefined || body.length - 4 !== expected) {
    fail(
      'BAD_VALUE',
      `NAT-OA with ID type ${idType} and ${body.length - 4} octets`,
      base,
      IsakmpNotify.INVALID_ID_INFORMATION,
    );
  }
  return { kind: 'nat-oa', type, idType, address: body.slice(4) };
}

/** Decodes the body of one payload of type `type`. */
export function decodePayloadBody(type: number, body: Uint8Array, base: number): IsakmpPayload {
  switch (type) {
    case PayloadType.SA:
      return decodeSaBody(body, base);
    case PayloadType.KE:
      return { kind: 'ke', data: body.slice() };
    case PayloadType.ID:
      return decodeId(body, base);
    case PayloadType.CERT:
      need(body, 1, base, 'Certificate');
      return { kind: 'cert', encoding: body[0]!, data: body.slice(1) };
    case PayloadType.CR:
      need(body, 1, base, 'Certificate Request');
      return { kind: 'cr', certType: body[0]!, authority: body.slice(1) };
    case PayloadType.HASH:
      return { kind: 'hash', data: body.slice() };
    case PayloadType.SIG:
      return { kind: 'sig', data: body.slice() };
    case PayloadType.NONCE:
      return { kind: 'nonce', data: body.slice() };
    case PayloadType.N:
      return decodeNotify(body, base);
    case PayloadType.D:
      return decodeDelete(body, base);
    case PayloadType.VID:
      return { kind: 'vid', data: body.slice() };
    case PayloadType.ATTR:
      need(body, 4, base, 'Attribute');
      return {
        kind: 'attr',
        cfgType: body[0]!,
        identifier: readU16(body, 2),
        attributes: decodeDataAttributes(body.subarray(4), base + 4),
      };
    case PayloadType.NAT_D:
    case PayloadType.NAT_D_DRAFT:
      return { kind: 'nat-d', type, hash: body.slice() };
    case PayloadType.NAT_OA:
    case PayloadType.NAT_OA_DRAFT:
      return decodeNatOa(type, body, base);
    case PayloadType.FRAGMENT:
      need(body, 4, base, 'Fragment');
      return {
        kind: 'fragment',
        fragmentId: readU16(body, 0),
        fragmentNumber: body[2]!,
        flags: body[3]!,
        data: body.slice(4),
      };
    case PayloadType.NONE:
    case PayloadType.PROPOSAL:
    case PayloadType.TRANSFORM:
      // RFC 2408 §3.5, §3.6: P and T exist only inside an SA payload.
      return fail(
        'BAD_VALUE',
        `payload type ${type} outside an SA payload`,
        base - 4,
        IsakmpNotify.INVALID_PAYLOAD_TYPE,
        type,
      );
    default:
      return { kind: 'unknown', type, body: body.slice() };
  }
}

/** The wire payload type of a typed payload. */
export function payloadTypeOf(payload: IsakmpPayload): number {
  switch (payload.kind) {
    case 'sa':
      return PayloadType.SA;
    case 'ke':
      return PayloadType.KE;
    case 'id':
      return PayloadType.ID;
    case 'cert':
      return PayloadType.CERT;
    case 'cr':
      return PayloadType.CR;
    case 'hash':
      return PayloadType.HASH;
    case 'sig':
      return PayloadType.SIG;
    case 'nonce':
      return PayloadType.NONCE;
    case 'notify':
      return PayloadType.N;
    case 'delete':
      return PayloadType.D;
    case 'vid':
      return PayloadType.VID;
    case 'attr':
      return PayloadType.ATTR;
    case 'nat-d':
    case 'nat-oa':
    case 'unknown':
      return payload.type;
    case 'fragment':
      return PayloadType.FRAGMENT;
  }
}

function prefixed(prefix: Uint8Array, rest: Uint8Array): Uint8Array {
  return concatBytes([prefix, rest]);
}

function encodeIdBody(p: Extract<IsakmpPayload, { kind: 'id' }>): Uint8Array {
  const expected = ADDRESS_ID_LENGTH.get(p.idType);
  if (expected !== undefined) checkLength(`ID type ${p.idType} data`, p.data, expected, expected);
  const head = new Uint8Array(4);
  head[0] = checkUint('ID type', p.idType, 8);
  head[1] = checkUint('ID protocol', p.protocolId, 8);
  writeU16(head, 2, checkUint('ID port', p.port, 16));
  return prefixed(head, p.data);
}

function encodeNotifyBody(p: Extract<IsakmpPayload, { kind: 'notify' }>): Uint8Array {
  checkLength('notify SPI', p.spi, 0, 0xff);
  const head = new Uint8Array(8);
  writeU32(head, 0, checkUint('notify DOI', p.doi, 32));
  head[4] = checkUint('notify protocol id', p.protocolId, 8);
  head[5] = p.spi.length;
  writeU16(head, 6, checkUint('notify type', p.notifyType, 16));
  return concatBytes([head, p.spi, p.data]);
}

function encodeDeleteBody(p: Extract<IsakmpPayload, { kind: 'delete' }>): Uint8Array {
  checkUint('delete SPI size', p.spiSize, 8);
  checkUint('delete SPI count', p.spis.length, 16);
  for (const spi of p.spis) checkLength('delete SPI', spi, p.spiSize, p.spiSize);
  const head = new Uint8Array(8);
  writeU32(head, 0, checkUint('delete DOI', p.doi, 32));
  head[4] = checkUint('delete protocol id', p.protocolId, 8);
  head[5] = p.spiSize;
  writeU16(head, 6, p.spis.length);
  return concatBytes([head, ...p.spis]);
}

/** Encodes the body of one payload; RangeError when a field does not fit. */
export function encodePayloadBody(payload: IsakmpPayload): Uint8Array {
  switch (payload.kind) {
    case 'sa':
      return encodeSaBody(payload);
    case 'ke':
    case 'hash':
    case 'sig':
    case 'nonce':
    case 'vid':
      return payload.data.slice();
    case 'id':
      return encodeIdBody(payload);
    case 'cert':
      return prefixed(Uint8Array.of(checkUint('cert encoding', payload.encoding, 8)), payload.data);
    case 'cr':
      return prefixed(
        Uint8Array.of(checkUint('cert type', payload.certType, 8)),
        payload.authority,
      );
    case 'notify':
      return encodeNotifyBody(payload);
    case 'delete':
      return encodeDeleteBody(payload);
    case 'attr': {
      const head = new Uint8Array(4);
      head[0] = checkUint('attribute payload type', payload.cfgType, 8);
      writeU16(head, 2, checkUint('attribute payload identifier', payload.identifier, 16));
      return prefixed(head, encodeDataAttributes(payload.attributes));
    }
    case 'nat-d':
      if (payload.type !== PayloadType.NAT_D && payload.type !== PayloadType.NAT_D_DRAFT) {
        throw new RangeError(`ISAKMP encode: NAT-D payload type ${payload.type}`);
      }
      return payload.hash.slice();
    case 'nat-oa': {
      if (payload.type !== PayloadType.NAT_OA && payload.type !== PayloadType.NAT_OA_DRAFT) {
        throw new RangeError(`ISAKMP encode: NAT-OA payload type ${payload.type}`);
      }
      const expected = NAT_OA_ADDRESS_LENGTH.get(payload.idType);
      if (expected === undefined)
        throw new RangeError(`ISAKMP encode: NAT-OA ID type ${payload.idType}`);
      checkLength('NAT-OA address', payload.address, expected, expected);
      return prefixed(Uint8Array.of(payload.idType, 0, 0, 0), payload.address);
    }
    case 'fragment': {
      const head = new Uint8Array(4);
      writeU16(head, 0, checkUint('fragment id', payload.fragmentId, 16));
      head[2] = checkUint('fragment number', payload.fragmentNumber, 8);
      head[3] = checkUint('fragment flags', payload.flags, 8);
      return prefixed(head, payload.data);
    }
    case 'unknown':
      checkUint('payload type', payload.type, 8);
      if (isKnownPayloadType(payload.type) || payload.type <= PayloadType.TRANSFORM) {
        throw new RangeError(
          `ISAKMP encode: payload type ${payload.type} cannot be sent as unknown`,
        );
      }
      return payload.body.slice();
  }
}
