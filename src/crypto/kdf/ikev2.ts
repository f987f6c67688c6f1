/**
 * IKEv2 key derivation (RFC 7296 §2.14, §2.15, §2.17, §2.18), as pure functions
 * over the registry's `PrfAlgorithm`.
 */

import type { PrfAlgorithm } from '../types.js';
import { ascii, concat, split } from './bytes.js';
import { prfPlus } from './prf-plus.js';

const HALF_NONCE_LEN = 8;

/**
 * RFC 7296 §2.14: with a fixed-key PRF (AES-XCBC-PRF-128, RFC 4434; AES-CMAC-PRF-128,
 * RFC 4615) "only the first 64 bits of Ni and the first 64 bits of Nr are used in
 * calculating SKEYSEED, but all the bits are used for input to the prf+ function".
 */
export function usesTruncatedNonces(prf: PrfAlgorithm): boolean {
  return prf.fixedKey;
}

/** SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). */
export function skeyseed(
  prf: PrfAlgorithm,
  ni: Uint8Array,
  nr: Uint8Array,
  sharedSecret: Uint8Array,
): Uint8Array {
  const key = usesTruncatedNonces(prf)
    ? concat(ni.subarray(0, HALF_NONCE_LEN), nr.subarray(0, HALF_NONCE_LEN))
    : concat(ni, nr);
  return prf.compute(key, sharedSecret);
}

/**
 * SKEYSEED from an existing SK_d (RFC 7296 §2.18, rekeying an IKE SA):
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * The rekey exchange belongs to the old SA, so `prf` is the old SA's PRF.
 * RFC 9370 §2.2.4 appends the secrets of additional key exchanges after the
 * nonces: prf(SK_d, SK(0) | Ni | Nr | SK(1) | ... | SK(n)).
 */
export function rekeySkeyseed(
  prf: PrfAlgorithm,
  oldSkD: Uint8Array,
  sharedSecret: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
  additionalSharedSecrets: readonly Uint8Array[] = [],
): Uint8Array {
  return prf.compute(oldSkD, concat(sharedSecret, ni, nr, ...additionalSharedSecrets));
}

/** The lengths of the seven IKE SA keys, in the order RFC 7296 §2.14 takes them. */
export interface IkeSaKeyLengths {
  /** Key length of the negotiated integrity algorithm; 0 with an AEAD cipher. */
  readonly integKeyLen: number;
  /** Encryption key length including any salt (RFC 5282 §7.1: the salt follows the key). */
  readonly encrKeyLen: number;
}

export interface IkeSaKeys {
  readonly skD: Uint8Array;
  readonly skAi: Uint8Array;
  readonly skAr: Uint8Array;
  readonly skEi: Uint8Array;
  readonly skEr: Uint8Array;
  readonly skPi: Uint8Array;
  readonly skPr: Uint8Array;
}

/** Total octets of keying material for an IKE SA. */
export function ikeSaKeymatLength(prf: PrfAlgorithm, lengths: IkeSaKeyLengths): number {
  return 3 * prf.keyLen + 2 * lengths.integKeyLen + 2 * lengths.encrKeyLen;
}

/**
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (RFC 7296 §2.14). SK_d, SK_pi and SK_pr take the PRF's preferred key length.
 */
export function deriveIkeSaKeys(
  prf: PrfAlgorithm,
  seed: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
  spiI: Uint8Array,
  spiR: Uint8Array,
  lengths: IkeSaKeyLengths,
): IkeSaKeys {
  const keymat = prfPlus(prf, seed, concat(ni, nr, spiI, spiR), ikeSaKeymatLength(prf, lengths));
  const [skD, skAi, skAr, skEi, skEr, skPi, skPr] = split(keymat, [
    prf.keyLen,
    lengths.integKeyLen,
    lengths.integKeyLen,
    lengths.encrKeyLen,
    lengths.encrKeyLen,
    prf.keyLen,
    prf.keyLen,
  ]);
  keymat.fill(0);
  return {
    skD: skD!,
    skAi: skAi!,
    skAr: skAr!,
    skEi: skEi!,
    skEr: skEr!,
    skPi: skPi!,
    skPr: skPr!,
  };
}

/**
 * CHILD_SA keying material (RFC 7296 §2.17):
 *   KEYMAT = prf+(SK_d, Ni | Nr)                  without PFS
 *   KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr)     with a KE exchange (PFS)
 * RFC 9370 §2.2.4 appends additional key exchange secrets after the nonces.
 */
export function childSaKeymat(
  prf: PrfAlgorithm,
  skD: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
  length: number,
  pfs?: { sharedSecret: Uint8Array; additionalSharedSecrets?: readonly Uint8Array[] },
): Uint8Array {
  const seed = pfs
    ? concat(pfs.sharedSecret, ni, nr, ...(pfs.additionalSharedSecrets ?? []))
    : concat(ni, nr);
  return prfPlus(prf, skD, seed, length);
}

export interface ChildSaKeys {
  /** Keys of the SA carrying traffic from initiator to responder. */
  readonly encrI: Uint8Array;
  readonly integI: Uint8Array;
  /** Keys of the SA carrying traffic from responder to initiator. */
  readonly encrR: Uint8Array;
  readonly integR: Uint8Array;
}

/**
 * Splits CHILD_SA KEYMAT (RFC 7296 §2.17): the initiator-to-responder SA's keys
 * come first, and within each SA the encryption key (with salt) precedes the
 * integrity key.
 */
export function deriveChildSaKeys(
  prf: PrfAlgorithm,
  skD: Uint8Array,
  ni: Uint8Array,
  nr: Uint8Array,
  lengths: IkeSaKeyLengths,
  pfs?: { sharedSecret: Uint8Array; additionalSharedSecrets?: readonly Uint8Array[] },
): ChildSaKeys {
  const perSa = lengths.encrKeyLen + lengths.integKeyLen;
  const keymat = childSaKeymat(prf, skD, ni, nr, 2 * perSa, pfs);
  const [encrI, integI, encrR, integR] = split(keymat, [
    lengths.encrKeyLen,
    lengths.integKeyLen,
    lengths.encrKeyLen,
    lengths.integKeyLen,
  ]);
  keymat.fill(0);
  return { encrI: encrI!, integI: integI!, encrR: encrR!, integR: integR! };
}

/** RFC 7296 §2.15: the pad string keying the PSK and EAP AUTH computation. */
export const IKEV2_KEY_PAD = ascii('Key Pad for IKEv2');

/**
 * The octets an AUTH payload signs or MACs (RFC 7296 §2.15):
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
 *   ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR
 *   MACedIDForX = prf(SK_px, RestOfXIDPayload)
 * `idPayloadBody` is the ID payload without its generic header (ID type, three
 * reserved octets, identification data).
 */
export function authSignedOctets(
  prf: PrfAlgorithm,
  realMessage: Uint8Array,
  peerNonce: Uint8Array,
  skP: Uint8Array,
  idPayloadBody: Uint8Array,
): Uint8Array {
  return concat(realMessage, peerNonce, prf.compute(skP, idPayloadBody));
}

/**
 * AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)
 * (RFC 7296 §2.15), for a pre-shared key or an EAP MSK used as the shared secret.
 */
export function sharedKeyAuth(
  prf: PrfAlgorithm,
  sharedSecret: Uint8Array,
  signedOctets: Uint8Array,
): Uint8Array {
  const padded = prf.compute(sharedSecret, IKEV2_KEY_PAD);
  const auth = prf.compute(padded, signedOctets);
  padded.fill(0);
  return auth;
}
