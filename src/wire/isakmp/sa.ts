/**
 * The Security Association payload body (RFC 2408 §3.4) with its nested
 * Proposal (§3.5) and Transform (§3.6) payloads.
 *
 *   SA body:        DOI(32) | Situation(32) | Proposal payloads
 *   Proposal:       generic header | Proposal #(8) | Protocol-Id(8) |
 *                   SPI Size(8) | # of Transforms(8) | SPI | Transforms
 *   Transform:      generic header | Transform #(8) | Transform-Id(8) |
 *                   RESERVED2(16) | SA Attributes
 *
 * Proposals chain with Next Payload 2 (P) and transforms with 3 (T); the last
 * of each says 0 (RFC 2408 §3.5, §3.6) and must end exactly where its
 * enclosing payload ends.
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
import { Doi, IpsecSituation, IsakmpNotify, PayloadType } from './constants.js';
import { fail } from './errors.js';
import type { Proposal, SaPayload, Transform } from './types.js';

const PROPOSAL_HEADER_LENGTH = 8;
const TRANSFORM_HEADER_LENGTH = 8;

/**
 * A nested payload's generic header: checks that its Next Payload is
 * `expected` or NONE, that NONE comes exactly at the end of the enclosing
 * payload, and that the length fits. Returns [next, length].
 */
function readNestedHeader(
  buf: Uint8Array,
  offset: number,
  base: number,
  expected: number,
  minLength: number,
  what: string,
): [number, number] {
  if (buf.length - offset < minLength) fail('TRUNCATED', `${what} header truncated`, base + offset);
  const next = buf[offset]!;
  const length = readU16(buf, offset + 2);
  if (next !== expected && next !== PayloadType.NONE) {
    fail(
      'BAD_VALUE',
      `${what} followed by payload type ${next}`,
      base + offset,
      IsakmpNotify.INVALID_PAYLOAD_TYPE,
      next,
    );
  }
  if (length < minLength) fail('BAD_LENGTH', `${what} length ${length} too small`, base + offset);
  if (length > buf.length - offset)
    fail('TRUNCATED', `${what} runs past its enclosing payload`, base + offset);
  const isLast = offset + length === buf.length;
  if ((next === PayloadType.NONE) !== isLast) {
    fail(
      'BAD_LENGTH',
      `${what} chain and enclosing length disagree`,
      base + offset,
      IsakmpNotify.BAD_PROPOSAL_SYNTAX,
    );
  }
  return [next, length];
}

function decodeTransform(buf: Uint8Array, base: number): Transform {
  return {
    number: buf[4]!,
    transformId: buf[5]!,
    attributes: decodeDataAttributes(
      buf.subarray(TRANSFORM_HEADER_LENGTH),
      base + TRANSFORM_HEADER_LENGTH,
    ),
  };
}

function decodeProposal(buf: Uint8Array, base: number): Proposal {
  const spiSize = buf[6]!;
  const transformCount = buf[7]!;
  if (buf.length < PROPOSAL_HEADER_LENGTH + spiSize) {
    fail('TRUNCATED', 'proposal SPI runs past the proposal', base + 6, IsakmpNotify.INVALID_SPI);
  }
  const transforms: Transform[] = [];
  let offset = PROPOSAL_HEADER_LENGTH + spiSize;
  while (offset < buf.length) {
    const [, length] = readNestedHeader(
      buf,
      offset,
      base,
      PayloadType.TRANSFORM,
      TRANSFORM_HEADER_LENGTH,
      'transform',
    );
    // The count is checked as we go, so a lying count cannot make us collect more.
    if (transforms.length === transformCount) {
      fail(
        'BAD_VALUE',
        'more transforms than the proposal counts',
        base + offset,
        IsakmpNotify.BAD_PROPOSAL_SYNTAX,
      );
    }
    transforms.push(decodeTransform(buf.subarray(offset, offset + length), base + offset));
    offset += length;
  }
  if (transforms.length !== transformCount) {
    fail(
      'BAD_VALUE',
      `proposal counts ${transformCount} transforms, has ${transforms.length}`,
      base + 7,
      IsakmpNotify.BAD_PROPOSAL_SYNTAX,
    );
  }
  return {
    number: buf[4]!,
    protocolId: buf[5]!,
    spi: buf.slice(PROPOSAL_HEADER_LENGTH, PROPOSAL_HEADER_LENGTH + spiSize),
    transforms,
  };
}

/**
 * Decodes an SA payload body. Only the IPsec DOI with a plain situation is
 * understood: RFC 2407 §4.6.1 puts labeled-domain fields after the situation
 * when SIT_SECRECY or SIT_INTEGRITY is set, and other DOIs define their own
 * situation, so neither can be delimited from the proposals here.
 */
export function decodeSaBody(body: Uint8Array, base: number): SaPayload {
  if (body.length < 8) fail('TRUNCATED', 'SA payload shorter than DOI and situation', base);
  const doi = readU32(body, 0);
  if (doi !== Doi.IPSEC) {
    fail('BAD_VALUE', `SA payload DOI ${doi} not supported`, base, IsakmpNotify.DOI_NOT_SUPPORTED);
  }
  const situation = readU32(body, 4);
  if (situation & (IpsecSituation.SECRECY | IpsecSituation.INTEGRITY)) {
    fail(
      'BAD_VALUE',
      `SA situation 0x${situation.toString(16)} not supported`,
      base + 4,
      IsakmpNotify.SITUATION_NOT_SUPPORTED,
    );
  }
  const proposals: Proposal[] = [];
  let offset = 8;
  while (offset < body.length) {
    const [, length] = readNestedHeader(
      body,
      offset,
      base,
      PayloadType.PROPOSAL,
      PROPOSAL_HEADER_LENGTH,
      'proposal',
    );
    proposals.push(decodeProposal(body.subarray(offset, offset + length), base + offset));
    offset += length;
  }
  return { kind: 'sa', doi, situation, proposals };
}

/** Writes a nested generic header in front of `content`; checks the 16-bit length. */
function withNestedHeader(
  next: number,
  content: Uint8Array,
  headerRest: Uint8Array,
  what: string,
): Uint8Array {
  const length = 4 + headerRest.length + content.length;
  if (length > 0xffff)
    throw new RangeError(`ISAKMP encode: ${what} of ${length} octets exceeds 65535`);
  const out = new Uint8Array(length);
  out[0] = next;
  writeU16(out, 2, length);
  out.set(headerRest, 4);
  out.set(content, 4 + headerRest.length);
  return out;
}

function encodeTransform(transform: Transform, isLast: boolean): Uint8Array {
  const rest = new Uint8Array(4);
  rest[0] = checkUint('transform number', transform.number, 8);
  rest[1] = checkUint('transform id', transform.transformId, 8);
  const next = isLast ? PayloadType.NONE : PayloadType.TRANSFORM;
  return withNestedHeader(next, encodeDataAttributes(transform.attributes), rest, 'transform');
}

function encodeProposal(proposal: Proposal, isLast: boolean): Uint8Array {
  checkLength('proposal SPI', proposal.spi, 0, 0xff);
  if (proposal.transforms.length > 0xff)
    throw new RangeError('ISAKMP encode: more than 255 transforms');
  const rest = new Uint8Array(4 + proposal.spi.length);
  rest[0] = checkUint('proposal number', proposal.number, 8);
  rest[1] = checkUint('proposal protocol id', proposal.protocolId, 8);
  rest[2] = proposal.spi.length;
  rest[3] = proposal.transforms.length;
  rest.set(proposal.spi, 4);
  const transforms = proposal.transforms.map((t, i, all) =>
    encodeTransform(t, i === all.length - 1),
  );
  const next = isLast ? PayloadType.NONE : PayloadType.PROPOSAL;
  return withNestedHeader(next, concatBytes(transforms), rest, 'proposal');
}

export function encodeSaBody(sa: SaPayload): Uint8Array {
  if (sa.doi !== Doi.IPSEC) throw new RangeError(`ISAKMP encode: SA DOI ${sa.doi} not supported`);
  checkUint('SA situation', sa.situation, 32);
  if (sa.situation & (IpsecSituation.SECRECY | IpsecSituation.INTEGRITY)) {
    throw new RangeError('ISAKMP encode: labeled-domain situations are not supported');
  }
  const head = new Uint8Array(8);
  writeU32(head, 0, sa.doi);
  writeU32(head, 4, sa.situation);
  const proposals = sa.proposals.map((p, i, all) => encodeProposal(p, i === all.length - 1));
  return concatBytes([head, ...proposals]);
}
