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

import { isSkProtectionError, protectSk, skBodyLength, unprotectSk } from '../crypto/sk.js';
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
  const bodyLen = skBodyLength(suite, opts.inner.length);
  // Encode header and payload header first with their final lengths: both are
  // authenticated (RFC 7296 §3.14, RFC 5282 §5); the body is filled in after.
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
  const sealed = protectSk({
    transform: suite,
    keys: skKeys(keys),
    header: msg.subarray(0, bodyOffset),
    plaintext: opts.inner,
    random,
  });
  msg.set(sealed, bodyOffset);
  return msg;
}

function skKeys(keys: SkDirectionKeys) {
  return { encryptionKey: keys.encKey, integrityKey: keys.integKey };
}

/**
 * Verifies and decrypts the SK/SKF payload that ends `datagram` (it must be the
 * last payload, RFC 7296 §3.14). Returns the inner payload chain's octets.
 * Throws WireError INTEGRITY when the ICV does not verify, or DECRYPT when the
 * plaintext is malformed; neither error carries key material.
 */
export function openSkMessage(
  suite: SkSuite,
  keys: SkDirectionKeys,
  datagram: Uint8Array,
  skBodyLength: number,
): Uint8Array {
  const bodyOffset = datagram.length - skBodyLength;
  try {
    return unprotectSk({
      transform: suite,
      keys: skKeys(keys),
      header: datagram.subarray(0, bodyOffset),
      body: datagram.subarray(bodyOffset),
    });
  } catch (e) {
    if (!isSkProtectionError(e)) throw e;
    const code = e.code === 'INTEGRITY_CHECK_FAILED' ? 'INTEGRITY' : 'DECRYPT';
    throw new WireError(code, e.message, bodyOffset);
  }
}
