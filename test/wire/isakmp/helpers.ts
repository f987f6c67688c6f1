/** Test helpers for the ISAKMP codec tests. */

import { expect } from 'vitest';
import { IsakmpWireError } from '../../../src/wire/isakmp/index.js';

/** Bytes from hex written with spaces and line breaks for readability. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Runs `fn`, expecting an IsakmpWireError, and returns it for field checks. */
export function expectIsakmpError(fn: () => unknown): IsakmpWireError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IsakmpWireError);
    return e as IsakmpWireError;
  }
  throw new Error('expected an IsakmpWireError, nothing was thrown');
}
