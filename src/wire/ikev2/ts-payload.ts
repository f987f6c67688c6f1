/** Traffic Selector payloads (RFC 7296 §3.13, selectors §3.13.1). */

import { WireError } from '../errors.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { TsType } from './constants.js';
import type { AddressRangeSelector, TrafficSelector, TsPayload } from './types.js';

/** Selector header: TS Type, IP Protocol ID, Selector Length (RFC 7296 §3.13.1). */
const SELECTOR_HEADER = 4;
/** Address length per range type. */
const ADDRESS_LENGTH: Readonly<Record<number, number>> = {
  [TsType.TS_IPV4_ADDR_RANGE]: 4,
  [TsType.TS_IPV6_ADDR_RANGE]: 16,
};

export function isAddressRangeSelector(s: TrafficSelector): s is AddressRangeSelector {
  return s.tsType === TsType.TS_IPV4_ADDR_RANGE || s.tsType === TsType.TS_IPV6_ADDR_RANGE;
}

export function decodeTsBody(r: ByteReader, kind: 'TSi' | 'TSr'): Omit<TsPayload, 'critical'> {
  const count = r.u8('number of TSs');
  r.skip(3, 'TS reserved');
  const selectors: TrafficSelector[] = [];
  for (let i = 0; i < count; i++) selectors.push(decodeSelector(r));
  r.expectEnd(kind);
  return { kind, selectors };
}

function decodeSelector(r: ByteReader): TrafficSelector {
  const start = r.pos;
  const tsType = r.u8('TS type');
  const ipProtocol = r.u8('IP protocol ID');
  const length = r.u16('selector length');
  if (length < SELECTOR_HEADER) {
    throw new WireError('BAD_LENGTH', `selector length ${length} < ${SELECTOR_HEADER}`, start + 2);
  }
  const body = r.sub(length - SELECTOR_HEADER, 'traffic selector');
  const addressLength = ADDRESS_LENGTH[tsType];
  if (addressLength === undefined) {
    return { tsType, ipProtocol, data: body.rest() };
  }
  if (length !== SELECTOR_HEADER + 4 + 2 * addressLength) {
    throw new WireError(
      'BAD_LENGTH',
      `selector type ${tsType} length ${length}, expected ${SELECTOR_HEADER + 4 + 2 * addressLength}`,
      start + 2,
    );
  }
  return {
    tsType: tsType as 7 | 8,
    ipProtocol,
    startPort: body.u16('start port'),
    endPort: body.u16('end port'),
    startAddress: body.bytes(addressLength, 'starting address'),
    endAddress: body.bytes(addressLength, 'ending address'),
  };
}

export function encodeTsBody(w: ByteWriter, ts: TsPayload): void {
  w.u8(ts.selectors.length, 'number of TSs');
  w.u8(0, 'reserved');
  w.u16(0, 'reserved');
  for (const s of ts.selectors) encodeSelector(w, s);
}

function encodeSelector(w: ByteWriter, s: TrafficSelector): void {
  const start = w.length;
  w.u8(s.tsType, 'TS type');
  w.u8(s.ipProtocol, 'IP protocol ID');
  w.u16(0, 'selector length');
  if (isAddressRangeSelector(s)) {
    const addressLength = ADDRESS_LENGTH[s.tsType]!;
    if (s.startAddress.length !== addressLength || s.endAddress.length !== addressLength) {
      throw new WireError(
        'BAD_VALUE',
        `type ${s.tsType} addresses must be ${addressLength} octets`,
        start,
      );
    }
    w.u16(s.startPort, 'start port');
    w.u16(s.endPort, 'end port');
    w.bytes(s.startAddress);
    w.bytes(s.endAddress);
  } else {
    if (ADDRESS_LENGTH[s.tsType] !== undefined) {
      throw new WireError('BAD_VALUE', `type ${s.tsType} selector given as opaque`, start);
    }
    w.bytes((s as { data: Uint8Array }).data);
  }
  w.patchU16(start + 2, w.length - start, 'selector length');
}
