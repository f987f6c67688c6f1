/**
 * Data attributes, RFC 2408 §3.3: the SA attributes of Transform payloads
 * (RFC 2409 Appendix A, RFC 2407 §4.5) and the attributes of the Attribute
 * payload (draft-dukes-ike-mode-cfg-02 §3.2) share this format.
 *
 *   AF(1) | Attribute Type(15) | Attribute Length or Value(16) | [Value]
 *
 * AF set: TV, the second word is the value ("basic"). AF clear: TLV, the
 * second word is the length of the value that follows ("variable").
 */

import { checkLength, checkUint, concatBytes, readU16, writeU16 } from './bytes.js';
import { ATTRIBUTE_FORMAT_TV } from './constants.js';
import { fail } from './errors.js';
import type { DataAttribute } from './types.js';

/**
 * Decodes the attributes filling `buf` exactly. `base` is the offset of
 * `buf` in the message, for error reports.
 */
export function decodeDataAttributes(buf: Uint8Array, base: number): DataAttribute[] {
  const attributes: DataAttribute[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < 4)
      fail('TRUNCATED', 'data attribute header truncated', base + offset);
    const word = readU16(buf, offset);
    const type = word & 0x7fff;
    const second = readU16(buf, offset + 2);
    if (word & ATTRIBUTE_FORMAT_TV) {
      attributes.push({ type, format: 'basic', value: second });
      offset += 4;
      continue;
    }
    if (buf.length - offset - 4 < second) {
      fail('TRUNCATED', `data attribute ${type} value runs past its payload`, base + offset);
    }
    attributes.push({
      type,
      format: 'variable',
      value: buf.slice(offset + 4, offset + 4 + second),
    });
    offset += 4 + second;
  }
  return attributes;
}

export function encodeDataAttribute(attribute: DataAttribute): Uint8Array {
  checkUint('attribute type', attribute.type, 15);
  if (attribute.format === 'basic') {
    const out = new Uint8Array(4);
    writeU16(out, 0, attribute.type | ATTRIBUTE_FORMAT_TV);
    writeU16(out, 2, checkUint('basic attribute value', attribute.value, 16));
    return out;
  }
  checkLength('variable attribute value', attribute.value, 0, 0xffff);
  const out = new Uint8Array(4 + attribute.value.length);
  writeU16(out, 0, attribute.type);
  writeU16(out, 2, attribute.value.length);
  out.set(attribute.value, 4);
  return out;
}

export function encodeDataAttributes(attributes: readonly DataAttribute[]): Uint8Array {
  return concatBytes(attributes.map(encodeDataAttribute));
}

/**
 * The attribute's value as an unsigned integer: a basic value, or a variable
 * value read big-endian (RFC 2409 Appendix A: Life Duration may be either).
 * Undefined when a variable value is empty or too large for a JavaScript
 * number to hold exactly.
 */
export function attributeInteger(attribute: DataAttribute): number | undefined {
  if (attribute.format === 'basic') return attribute.value;
  if (attribute.value.length === 0) return undefined;
  let value = 0;
  for (const b of attribute.value) {
    value = value * 256 + b;
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return value;
}

/**
 * An attribute carrying `value` in the shortest canonical form: basic when it
 * fits in 16 bits and the class allows it, else variable with the fewest
 * whole 4-octet words (strongSwan and RFC 2409 peers send 4 octets).
 */
export function integerAttribute(type: number, value: number, allowBasic = true): DataAttribute {
  checkUint('attribute type', type, 15);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `ISAKMP encode: attribute value must be a non-negative integer, got ${value}`,
    );
  }
  if (allowBasic && value <= 0xffff) return { type, format: 'basic', value };
  const length = value <= 0xffffffff ? 4 : 8;
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return { type, format: 'variable', value: bytes };
}
