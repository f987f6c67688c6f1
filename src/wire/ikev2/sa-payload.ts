/** The Security Association payload: proposals, transforms, attributes (RFC 7296 §3.3). */

import { WireError } from '../errors.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { MAX_PROPOSALS, MAX_TRANSFORMS_PER_PROPOSAL } from './limits.js';
import { ATTRIBUTE_FORMAT_TV, TransformAttributeType } from './transforms.js';
import type { Proposal, SaPayload, Transform, TransformAttribute } from './types.js';

/** "Last Substruc" values (RFC 7296 §3.3.1, §3.3.2). */
const LAST = 0;
const MORE_PROPOSALS = 2;
const MORE_TRANSFORMS = 3;
const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;

export function decodeSaBody(r: ByteReader): Omit<SaPayload, 'critical'> {
  const proposals: Proposal[] = [];
  if (r.remaining === 0) {
    throw new WireError('BAD_LENGTH', 'SA payload without a proposal', r.pos);
  }
  while (r.remaining > 0) {
    if (proposals.length >= MAX_PROPOSALS) {
      throw new WireError('TOO_LARGE', `more than ${MAX_PROPOSALS} proposals`, r.pos);
    }
    const start = r.pos;
    const lastSubstruc = r.u8('proposal last substruc');
    r.skip(1, 'proposal reserved');
    const length = r.u16('proposal length');
    if (length < PROPOSAL_HEADER) {
      throw new WireError(
        'BAD_LENGTH',
        `proposal length ${length} < ${PROPOSAL_HEADER}`,
        start + 2,
      );
    }
    const body = r.sub(length - 4, 'proposal');
    const expected = r.remaining === 0 ? LAST : MORE_PROPOSALS;
    if (lastSubstruc !== expected) {
      throw new WireError(
        'BAD_VALUE',
        `proposal last substruc ${lastSubstruc}, expected ${expected}`,
        start,
      );
    }
    proposals.push(decodeProposal(body));
  }
  return { kind: 'SA', proposals };
}

function decodeProposal(r: ByteReader): Proposal {
  const number = r.u8('proposal number');
  const protocolId = r.u8('protocol ID');
  const spiSize = r.u8('SPI size');
  const countAt = r.pos;
  const count = r.u8('number of transforms');
  if (count > MAX_TRANSFORMS_PER_PROPOSAL) {
    throw new WireError(
      'TOO_LARGE',
      `${count} transforms exceed ${MAX_TRANSFORMS_PER_PROPOSAL}`,
      countAt,
    );
  }
  const spi = r.bytes(spiSize, 'proposal SPI');
  const transforms: Transform[] = [];
  for (let i = 0; i < count; i++) {
    transforms.push(decodeTransform(r, i === count - 1));
  }
  r.expectEnd('proposal');
  return { number, protocolId, spi, transforms };
}

function decodeTransform(r: ByteReader, isLast: boolean): Transform {
  const start = r.pos;
  const lastSubstruc = r.u8('transform last substruc');
  const expected = isLast ? LAST : MORE_TRANSFORMS;
  if (lastSubstruc !== expected) {
    throw new WireError(
      'BAD_VALUE',
      `transform last substruc ${lastSubstruc}, expected ${expected}`,
      start,
    );
  }
  r.skip(1, 'transform reserved');
  const length = r.u16('transform length');
  if (length < TRANSFORM_HEADER) {
    throw new WireError(
      'BAD_LENGTH',
      `transform length ${length} < ${TRANSFORM_HEADER}`,
      start + 2,
    );
  }
  const body = r.sub(length - 4, 'transform');
  const type = body.u8('transform type');
  body.skip(1, 'transform reserved');
  const id = body.u16('transform ID');
  const attributes: TransformAttribute[] = [];
  while (body.remaining > 0) attributes.push(decodeAttribute(body));
  return { type, id, attributes };
}

/** RFC 7296 §3.3.5: AF=1 is TV (value in the length slot), AF=0 is TLV. */
function decodeAttribute(r: ByteReader): TransformAttribute {
  const word = r.u16('attribute type');
  const type = word & 0x7fff;
  if (word & ATTRIBUTE_FORMAT_TV) {
    return { format: 'TV', type, value: r.u16('attribute value') };
  }
  const length = r.u16('attribute length');
  return { format: 'TLV', type, value: r.bytes(length, 'attribute value') };
}

export function encodeSaBody(w: ByteWriter, sa: SaPayload): void {
  if (sa.proposals.length === 0 || sa.proposals.length > MAX_PROPOSALS) {
    throw new WireError('BAD_VALUE', `SA needs 1..${MAX_PROPOSALS} proposals`, w.length);
  }
  sa.proposals.forEach((p, i) => {
    encodeProposal(w, p, i === sa.proposals.length - 1);
  });
}

function encodeProposal(w: ByteWriter, p: Proposal, isLast: boolean): void {
  if (p.transforms.length > MAX_TRANSFORMS_PER_PROPOSAL) {
    throw new WireError('BAD_VALUE', 'too many transforms', w.length);
  }
  const start = w.length;
  w.u8(isLast ? LAST : MORE_PROPOSALS, 'last substruc');
  w.u8(0, 'reserved');
  w.u16(0, 'proposal length');
  w.u8(p.number, 'proposal number');
  w.u8(p.protocolId, 'protocol ID');
  w.u8(p.spi.length, 'SPI size');
  w.u8(p.transforms.length, 'number of transforms');
  w.bytes(p.spi);
  p.transforms.forEach((t, i) => {
    encodeTransform(w, t, i === p.transforms.length - 1);
  });
  w.patchU16(start + 2, w.length - start, 'proposal length');
}

function encodeTransform(w: ByteWriter, t: Transform, isLast: boolean): void {
  const start = w.length;
  w.u8(isLast ? LAST : MORE_TRANSFORMS, 'last substruc');
  w.u8(0, 'reserved');
  w.u16(0, 'transform length');
  w.u8(t.type, 'transform type');
  w.u8(0, 'reserved');
  w.u16(t.id, 'transform ID');
  for (const a of t.attributes) {
    if (a.format === 'TV') {
      w.u16(ATTRIBUTE_FORMAT_TV | checkAttributeType(w, a.type), 'attribute type');
      w.u16(a.value, 'attribute value');
    } else {
      w.u16(checkAttributeType(w, a.type), 'attribute type');
      w.u16(a.value.length, 'attribute length');
      w.bytes(a.value);
    }
  }
  w.patchU16(start + 2, w.length - start, 'transform length');
}

function checkAttributeType(w: ByteWriter, type: number): number {
  if (!Number.isInteger(type) || type < 0 || type > 0x7fff) {
    throw new WireError('BAD_VALUE', `attribute type ${type} does not fit in 15 bits`, w.length);
  }
  return type;
}

/** The KEY_LENGTH attribute (RFC 7296 §3.3.5) of a transform, in bits, if present. */
export function transformKeyLength(t: Transform): number | undefined {
  for (const a of t.attributes) {
    if (a.format === 'TV' && a.type === TransformAttributeType.KEY_LENGTH) return a.value;
  }
  return undefined;
}
