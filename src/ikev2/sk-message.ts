/**
 * Sealing and opening IKEv2 messages protected by the SK payload (RFC 7296
 * §3.14) and its fragment form SKF (RFC 7383 §2.5), with AEAD ciphers per
 * RFC 5282.
 *
 * Sealing: the header and SK (or SKF) payload header are encoded first with
 * their final lengths, because they are authenticated (RFC 7296 §3.14: the ICV
 * covers the whole message from the IKE header up to the ICV; RFC 5282 §5: the
 * AEAD's associated data is the IKE header and the SK payload header). Opening:
 * the ICV is checked before anything is decrypted or parsed.
 */

import { timingSafeEqual } from 'node:crypto';
import type { EncrAlgorithm, IntegAlgorithm, RandomSource } from '../crypto/types.js';
import { WireError } from '../wire/errors.js';
import {
  encodeIkeMessage,
  type IkeHeader,
  type SkfPayload,
  type SkPayload,
} from '../wire/ikev2/index.js';

export interface SkSuite {
  readonly encr: EncrAlgorithm;
  /** Absent with an AEAD cipher. */
  readonly integ?: IntegAlgorithm;
}

/** The keys of one direction: SK_ei/SK_ai or SK_er/SK_ar. */
export interface SkDirectionKeys {
  readonly encKey: Uint8Array;
  readonly integKey: Uint8Array;
}

function icvLength(suite: SkSuite): number {
  return suite.encr.aead ? suite.encr.icvLen : (suite.integ?.icvLen ?? 0);
}

/** Octets of inner plaintext that fit a sealed message of `maxLength` octets. */
export function innerCapacity(suite: SkSuite, maxLength: number, fragment: boolean): number {
  const header = 28 + 4 + (fragment ? 4 : 0);
  const overhead = header + suite.encr.ivLen + icvLength(suite);
  const room = maxLength - overhead;
  const block = Math.max(1, suite.encr.blockSize);
  // Leave room for the Pad Length octet; round down to whole blocks.
  return Math.max(0, Math.floor(room / block) * block - 1);
}

export interface SealOptions {
  readonly header: IkeHeader;
  /** Type of the first inner payload (Next Payload field of SK/SKF). */
  readonly firstInnerType: number;
  /** The encoded inner payload chain (or this fragment of it). */
  readonly inner: Uint8Array;
  readonly fragment?: { readonly number: number; readonly total: number };
}

/** Builds one protected datagram. */
export function sealSkMessage(
  suite: SkSuite,
  keys: SkDirectionKeys,
  random: RandomSource,
  opts: SealOptions,
): Uint8Array {
  const { encr } = suite;
  const block = Math.max(1, encr.blockSize);
  // RFC 7296 §3.14: padding makes (payloads | padding | pad length) a multiple of the block size.
  const padLen = (block - ((opts.inner.length + 1) % block)) % block;
  const plaintext = new Uint8Array(opts.inner.length + padLen + 1);
  plaintext.set(opts.inner);
  plaintext[plaintext.length - 1] = padLen;
  const icvLen = icvLength(suite);
  const bodyLen = encr.ivLen + plaintext.length + icvLen;
  const body = new Uint8Array(bodyLen);
  const payload: SkPayload | SkfPayload = opts.fragment
    ? {
        kind: 'SKF',
        firstInnerType: opts.firstInnerType,
        fragmentNumber: opts.fragment.number,
        totalFragments: opts.fragment.total,
        body,
      }
    : { kind: 'SK', firstInnerType: opts.firstInnerType, body };
  const msg = encodeIkeMessage({ header: opts.header, payloads: [payload] });
  const bodyOffset = msg.length - bodyLen;
  const iv = random(encr.ivLen);
  msg.set(iv, bodyOffset);
  const ctOffset = bodyOffset + encr.ivLen;
  if (encr.aead) {
    const sealed = encr.seal(keys.encKey, iv, msg.subarray(0, bodyOffset), plaintext);
    msg.set(sealed, ctOffset);
  } else {
    msg.set(encr.encrypt(keys.encKey, iv, plaintext), ctOffset);
    const integ = suite.integ;
    if (integ) {
      const icv = integ.compute(keys.integKey, msg.subarray(0, msg.length - icvLen));
      msg.set(icv.subarray(0, icvLen), msg.length - icvLen);
    }
  }
  plaintext.fill(0);
  return msg;
}

/**
 * Verifies and decrypts the SK/SKF payload that ends `datagram` (it must be the
 * last payload, RFC 7296 §3.14). Returns the inner payload chain's octets.
 * Throws WireError INTEGRITY when the ICV does not verify, or DECRYPT when the
 * plaintext's padding is malformed; neither error carries key material.
 */
export function openSkMessage(
  suite: SkSuite,
  keys: SkDirectionKeys,
  datagram: Uint8Array,
  skBodyLength: number,
): Uint8Array {
  const { encr } = suite;
  const icvLen = icvLength(suite);
  const bodyOffset = datagram.length - skBodyLength;
  const block = Math.max(1, encr.blockSize);
  const ctLen = skBodyLength - encr.ivLen - icvLen;
  if (ctLen < 1 || ctLen % block !== 0) {
    throw new WireError('BAD_LENGTH', 'encrypted payload has an impossible length', bodyOffset);
  }
  const iv = datagram.subarray(bodyOffset, bodyOffset + encr.ivLen);
  const ctOffset = bodyOffset + encr.ivLen;
  let plaintext: Uint8Array;
  if (encr.aead) {
    const opened = encr.open(
      keys.encKey,
      iv,
      datagram.subarray(0, bodyOffset),
      datagram.subarray(ctOffset),
    );
    if (!opened) throw new WireError('INTEGRITY', 'integrity check failed', bodyOffset);
    plaintext = opened;
  } else {
    const integ = suite.integ;
    if (!integ) throw new WireError('INTEGRITY', 'no integrity algorithm', bodyOffset);
    const expected = integ.compute(keys.integKey, datagram.subarray(0, datagram.length - icvLen));
    const got = datagram.subarray(datagram.length - icvLen);
    if (!timingSafeEqual(expected.subarray(0, icvLen), got)) {
      throw new WireError('INTEGRITY', 'integrity check failed', datagram.length - icvLen);
    }
    plaintext = encr.decrypt(keys.encKey, iv, datagram.subarray(ctOffset, ctOffset + ctLen));
  }
  const padLen = plaintext[plaintext.length - 1] ?? 0;
  if (padLen + 1 > plaintext.length) {
    throw new WireError('DECRYPT', 'padding longer than the encrypted data', ctOffset);
  }
  return plaintext.subarray(0, plaintext.length - padLen - 1);
}
