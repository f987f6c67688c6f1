/**
 * IKEv1 key derivation (RFC 2409 §5, §5.5 and Appendix B), as pure functions over
 * the registry's `PrfAlgorithm` (in IKEv1 the PRF is the HMAC of the negotiated
 * hash, RFC 2409 §4).
 *
 * Notation of RFC 2409: Ni_b / Nr_b are the nonce payload bodies, CKY-I / CKY-R the
 * ISAKMP cookies (SPIs), g^xy the Diffie-Hellman shared secret.
 */

import type { PrfAlgorithm } from '../types.js';
import { concat } from './bytes.js';

/** SKEYID = prf(pre-shared-key, Ni_b | Nr_b) (RFC 2409 §5, pre-shared keys). */
export function skeyidPreSharedKey(
  prf: PrfAlgorithm,
  preSharedKey: Uint8Array,
  niB: Uint8Array,
  nrB: Uint8Array,
): Uint8Array {
  return prf.compute(preSharedKey, concat(niB, nrB));
}

/** SKEYID = prf(Ni_b | Nr_b, g^xy) (RFC 2409 §5, signatures). */
export function skeyidSignature(
  prf: PrfAlgorithm,
  niB: Uint8Array,
  nrB: Uint8Array,
  sharedSecret: Uint8Array,
): Uint8Array {
  return prf.compute(concat(niB, nrB), sharedSecret);
}

export interface Ikev1KeyingInput {
  readonly skeyid: Uint8Array;
  /** g^xy, big-endian, padded to the group's length. */
  readonly sharedSecret: Uint8Array;
  readonly ckyI: Uint8Array;
  readonly ckyR: Uint8Array;
}

export interface Ikev1SaKeys {
  readonly skeyidD: Uint8Array;
  readonly skeyidA: Uint8Array;
  readonly skeyidE: Uint8Array;
}

/**
 * RFC 2409 §5:
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
export function deriveIkev1SaKeys(prf: PrfAlgorithm, input: Ikev1KeyingInput): Ikev1SaKeys {
  const tail = (n: number) => concat(input.sharedSecret, input.ckyI, input.ckyR, Uint8Array.of(n));
  const skeyidD = prf.compute(input.skeyid, tail(0));
  const skeyidA = prf.compute(input.skeyid, concat(skeyidD, tail(1)));
  const skeyidE = prf.compute(input.skeyid, concat(skeyidA, tail(2)));
  return { skeyidD, skeyidA, skeyidE };
}

/**
 * The Phase 1 encryption key from SKEYID_e (RFC 2409 §5.3 and Appendix B): the
 * first `keyLen` octets of SKEYID_e when it is long enough, otherwise
 *   Ka = K1 | K2 | K3 | ...,  K1 = prf(SKEYID_e, 0),  Kn = prf(SKEYID_e, Kn-1)
 * where "0" is a single zero octet.
 */
export function ikev1EncryptionKey(
  prf: PrfAlgorithm,
  skeyidE: Uint8Array,
  keyLen: number,
): Uint8Array {
  if (skeyidE.length >= keyLen) return skeyidE.slice(0, keyLen);
  const out = new Uint8Array(keyLen);
  let block = prf.compute(skeyidE, Uint8Array.of(0));
  let filled = 0;
  for (;;) {
    const take = Math.min(block.length, keyLen - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
    if (filled === keyLen) return out;
    block = prf.compute(skeyidE, block);
  }
}

/**
 * The expansion of RFC 2409 §5.5 for more keying material than one PRF output:
 *   K1 = prf(key, seed),  Kn = prf(key, Kn-1 | seed),  KEYMAT = K1 | K2 | ...
 */
export function ikev1ExpandKeymat(
  prf: PrfAlgorithm,
  key: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let filled = 0; filled < length; ) {
    block = prf.compute(key, concat(block, seed));
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * Quick Mode KEYMAT for one SA (RFC 2409 §5.5):
 *   KEYMAT = prf(SKEYID_d, protocol | SPI | Ni_b | Nr_b)                without PFS
 *   KEYMAT = prf(SKEYID_d, g(qm)^xy | protocol | SPI | Ni_b | Nr_b)     with PFS
 * expanded as in `ikev1ExpandKeymat`. Each direction has its own SPI, so the two
 * SAs get different keys.
 */
export function ikev1QuickModeKeymat(
  prf: PrfAlgorithm,
  skeyidD: Uint8Array,
  protocol: number,
  spi: Uint8Array,
  niB: Uint8Array,
  nrB: Uint8Array,
  length: number,
  pfsSharedSecret?: Uint8Array,
): Uint8Array {
  const seed = concat(pfsSharedSecret ?? new Uint8Array(0), Uint8Array.of(protocol), spi, niB, nrB);
  return ikev1ExpandKeymat(prf, skeyidD, seed, length);
}

export interface Ikev1Phase1HashInput {
  readonly skeyid: Uint8Array;
  readonly gxi: Uint8Array;
  readonly gxr: Uint8Array;
  readonly ckyI: Uint8Array;
  readonly ckyR: Uint8Array;
  /** The initiator's entire SA payload body, minus the generic header. */
  readonly saIB: Uint8Array;
}

/** HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) (RFC 2409 §5). */
export function ikev1HashI(prf: PrfAlgorithm, input: Ikev1Phase1HashInput, idiiB: Uint8Array) {
  return prf.compute(
    input.skeyid,
    concat(input.gxi, input.gxr, input.ckyI, input.ckyR, input.saIB, idiiB),
  );
}

/** HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) (RFC 2409 §5). */
export function ikev1HashR(prf: PrfAlgorithm, input: Ikev1Phase1HashInput, idirB: Uint8Array) {
  return prf.compute(
    input.skeyid,
    concat(input.gxr, input.gxi, input.ckyR, input.ckyI, input.saIB, idirB),
  );
}

/** The 4-octet Message ID as it appears in the ISAKMP header. */
function messageIdBytes(messageId: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, messageId >>> 0);
  return out;
}

/**
 * Quick Mode HASH(1) (RFC 2409 §5.5) and the HASH of Informational exchanges
 * (§5.7): prf(SKEYID_a, M-ID | <the message after the HASH payload>), over the
 * payloads with their generic headers and without the encryption padding.
 */
export function ikev1Hash1(
  prf: PrfAlgorithm,
  skeyidA: Uint8Array,
  messageId: number,
  afterHash: Uint8Array,
): Uint8Array {
  return prf.compute(skeyidA, concat(messageIdBytes(messageId), afterHash));
}

/** Quick Mode HASH(2) = prf(SKEYID_a, M-ID | Ni_b | <the message after the HASH payload>). */
export function ikev1Hash2(
  prf: PrfAlgorithm,
  skeyidA: Uint8Array,
  messageId: number,
  niB: Uint8Array,
  afterHash: Uint8Array,
): Uint8Array {
  return prf.compute(skeyidA, concat(messageIdBytes(messageId), niB, afterHash));
}

/** Quick Mode HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b), "0" a single zero octet. */
export function ikev1Hash3(
  prf: PrfAlgorithm,
  skeyidA: Uint8Array,
  messageId: number,
  niB: Uint8Array,
  nrB: Uint8Array,
): Uint8Array {
  return prf.compute(skeyidA, concat(Uint8Array.of(0), messageIdBytes(messageId), niB, nrB));
}

/** The negotiated hash function (RFC 2409 §4: the hash behind the HMAC PRF). */
export type Ikev1Hash = (data: Uint8Array) => Uint8Array;

/**
 * The IV of the first encrypted Phase 1 message (RFC 2409 App. B): the first
 * block of hash(g^xi | g^xr). Later Phase 1 messages chain on the last
 * ciphertext block of the previous one.
 */
export function ikev1Phase1Iv(
  hash: Ikev1Hash,
  gxi: Uint8Array,
  gxr: Uint8Array,
  blockSize: number,
): Uint8Array {
  return hash(concat(gxi, gxr)).slice(0, blockSize);
}

/**
 * The IV of the first message of a Quick Mode or Informational exchange (RFC 2409
 * App. B): the first block of hash(last Phase 1 CBC output block | M-ID).
 */
export function ikev1Phase2Iv(
  hash: Ikev1Hash,
  lastPhase1Block: Uint8Array,
  messageId: number,
  blockSize: number,
): Uint8Array {
  return hash(concat(lastPhase1Block, messageIdBytes(messageId))).slice(0, blockSize);
}
