/**
 * Protection of the Encrypted payload SK (RFC 7296 §3.14), with AEAD ciphers per
 * RFC 5282, and of the Encrypted Fragment payload SKF (RFC 7383 §2.5).
 *
 * Independent of the wire codec: the caller passes the bytes that precede the
 * encrypted body in the message, from the first octet of the IKE header through
 * the SK payload's generic header (for SKF also its Fragment Number and Total
 * Fragments fields), with every length field already final. `skBodyLength` tells
 * how long the body will be so those fields can be written first.
 *
 *   body = IV | Encrypted(inner payloads | Padding | Pad Length) | ICV
 *
 * Non-AEAD: the ICV is the integrity algorithm over header | IV | ciphertext
 * ("from the first octet of the Fixed IKE header through the last octet of the
 * Encrypted Payload", RFC 7296 §3.14). AEAD: header is the associated data and the
 * IV the explicit part of the nonce (RFC 5282 §5.1); the ICV is the AEAD tag.
 *
 * On the way in, lengths are checked first (cheap, public), then the ICV in
 * constant time, and only then is anything decrypted and the padding read.
 * Errors say which of those failed and nothing about keys or contents.
 */

import { timingSafeEqual } from 'node:crypto';
import { concatBytes as concat } from './backend/bytes.js';
import type {
  AeadAlgorithm,
  CipherAlgorithm,
  EncrAlgorithm,
  IntegAlgorithm,
  RandomSource,
} from './types.js';

/** The negotiated ENCR (and INTEG, required unless ENCR is an AEAD). */
export interface SkTransform {
  readonly encr: EncrAlgorithm;
  readonly integ?: IntegAlgorithm;
}

/** The keys of one direction: SK_ei/SK_ai for the initiator's messages, SK_er/SK_ar for the responder's. */
export interface SkKeys {
  /** SK_e including any salt (RFC 5282 §7.1, RFC 3686 §5.1). */
  readonly encryptionKey: Uint8Array;
  /** SK_a; absent with an AEAD cipher. */
  readonly integrityKey?: Uint8Array;
}

export type SkErrorCode = 'INTEGRITY_CHECK_FAILED' | 'MALFORMED';

/** A received SK/SKF body that must be dropped (RFC 7296 §2.21.2: without an answer). */
export class SkProtectionError extends Error {
  override readonly name = 'SkProtectionError';
  constructor(
    readonly code: SkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isSkProtectionError(e: unknown): e is SkProtectionError {
  return e instanceof SkProtectionError;
}

type Resolved =
  | { readonly aead: true; readonly alg: AeadAlgorithm; readonly icvLen: number }
  | {
      readonly aead: false;
      readonly alg: CipherAlgorithm;
      readonly integ: IntegAlgorithm;
      readonly icvLen: number;
    };

function resolve(transform: SkTransform): Resolved {
  const { encr, integ } = transform;
  if (encr.aead) {
    // RFC 5282 §8: with a combined-mode cipher the integrity transform is absent.
    if (integ && integ.id !== 0) throw new TypeError('an AEAD cipher takes no integrity algorithm');
    return { aead: true, alg: encr, icvLen: encr.icvLen };
  }
  if (!integ || integ.icvLen === 0)
    throw new TypeError('a non-AEAD cipher needs an integrity algorithm');
  return { aead: false, alg: encr, integ, icvLen: integ.icvLen };
}

/** Octets of padding plus the Pad Length octet that align `plaintextLength` to the block size. */
function paddingLength(plaintextLength: number, blockSize: number): number {
  const unaligned = (plaintextLength + 1) % blockSize;
  return 1 + (unaligned === 0 ? 0 : blockSize - unaligned);
}

/** Length of the SK/SKF body (IV, ciphertext, ICV) that will carry `plaintextLength` octets of payloads. */
export function skBodyLength(transform: SkTransform, plaintextLength: number): number {
  const t = resolve(transform);
  return t.alg.ivLen + plaintextLength + paddingLength(plaintextLength, t.alg.blockSize) + t.icvLen;
}

export interface ProtectInput {
  readonly transform: SkTransform;
  readonly keys: SkKeys;
  /** IKE header through the SK (or SKF) payload header, length fields final. */
  readonly header: Uint8Array;
  /** The inner payloads. */
  readonly plaintext: Uint8Array;
  /** Source of the IV (RFC 7296 §3.14: unpredictable for CBC; unique for counter modes). */
  readonly random: RandomSource;
}

/** Returns the SK/SKF body: IV | ciphertext | ICV. */
export function protectSk(input: ProtectInput): Uint8Array {
  const t = resolve(input.transform);
  const padLen = paddingLength(input.plaintext.length, t.alg.blockSize);
  // Padding content is ours to choose (RFC 7296 §3.14); zeros, then the Pad Length octet.
  const padded = new Uint8Array(input.plaintext.length + padLen);
  padded.set(input.plaintext);
  padded[padded.length - 1] = padLen - 1;
  const iv = input.random(t.alg.ivLen);
  if (t.aead) {
    return concat(iv, t.alg.seal(input.keys.encryptionKey, iv, input.header, padded));
  }
  const ciphertext = t.alg.encrypt(input.keys.encryptionKey, iv, padded);
  const icv = t.integ.compute(
    requireIntegrityKey(input.keys),
    concat(input.header, iv, ciphertext),
  );
  return concat(iv, ciphertext, icv);
}

export interface UnprotectInput {
  readonly transform: SkTransform;
  readonly keys: SkKeys;
  /** IKE header through the SK (or SKF) payload header, exactly as received. */
  readonly header: Uint8Array;
  /** The received body: IV | ciphertext | ICV. */
  readonly body: Uint8Array;
}

/** Verifies and decrypts an SK/SKF body; returns the inner payloads without padding. */
export function unprotectSk(input: UnprotectInput): Uint8Array {
  const t = resolve(input.transform);
  const { ivLen, blockSize } = t.alg;
  const cipherLen = input.body.length - ivLen - t.icvLen;
  // At least the Pad Length octet must be encrypted, in whole blocks.
  if (cipherLen < 1 || cipherLen % blockSize !== 0) {
    throw new SkProtectionError('MALFORMED', 'encrypted payload length does not fit the cipher');
  }
  const iv = input.body.subarray(0, ivLen);
  const ciphertext = input.body.subarray(ivLen, ivLen + cipherLen);
  let padded: Uint8Array;
  if (t.aead) {
    const opened = guard(() =>
      t.alg.open(input.keys.encryptionKey, iv, input.header, input.body.subarray(ivLen)),
    );
    if (opened === null) throw integrityFailure();
    padded = opened;
  } else {
    const received = input.body.subarray(ivLen + cipherLen);
    const integrityKey = requireIntegrityKey(input.keys);
    const expected = guard(() =>
      t.integ.compute(integrityKey, concat(input.header, iv, ciphertext)),
    );
    if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
      throw integrityFailure();
    }
    padded = guard(() => t.alg.decrypt(input.keys.encryptionKey, iv, ciphertext));
  }
  const padLength = padded[padded.length - 1]!;
  if (padLength + 1 > padded.length) {
    throw new SkProtectionError('MALFORMED', 'pad length exceeds the decrypted data');
  }
  return padded.slice(0, padded.length - padLength - 1);
}

/**
 * SKF (RFC 7383 §2.5) is protected exactly like SK; only the header differs (it
 * includes Fragment Number and Total Fragments), and that is the caller's input.
 */
export const protectSkf = protectSk;
export const unprotectSkf = unprotectSk;

function integrityFailure(): SkProtectionError {
  return new SkProtectionError('INTEGRITY_CHECK_FAILED', 'integrity check value does not verify');
}

function requireIntegrityKey(keys: SkKeys): Uint8Array {
  if (!keys.integrityKey) throw new TypeError('integrity key missing');
  return keys.integrityKey;
}

/** Library errors on received data (bad lengths the checks above missed) become MALFORMED. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SkProtectionError) throw e;
    throw new SkProtectionError('MALFORMED', 'encrypted payload could not be processed');
  }
}
