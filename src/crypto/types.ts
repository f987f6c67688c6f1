/**
 * The contracts every algorithm in the transform registry fulfils.
 *
 * Each algorithm exists once, keyed by its IANA transform type and ID (RFC 7296
 * §3.3.2, IANA "IKEv2 Transform Type N Values"). The implementation behind an
 * entry (`@noble/*` or `node:crypto`) is chosen per primitive by measurement in
 * `bench/`; callers only see these interfaces. All lengths are in octets.
 */

import type { TransformType } from '../wire/ikev2/transforms.js';

/**
 * The transform types and IANA transform IDs (RFC 7296 §3.3.2; type 5 renamed by
 * RFC 9370) are defined once, with the wire codec; re-exported here so crypto code
 * and its tests can name entries without reaching into src/wire.
 */
export { EncrId, IntegId, PrfId, TransformType } from '../wire/ikev2/transforms.js';

export type TransformTypeValue = (typeof TransformType)[keyof typeof TransformType];

/** Where a transform may be used. */
export type Usage = 'ike' | 'esp' | 'ah' | 'ikev1';

interface RegistryEntryBase {
  readonly id: number;
  /** IANA name, e.g. `ENCR_AES_CBC`. */
  readonly name: string;
  /** Short name in strongSwan proposal syntax where one exists, e.g. `aes256gcm16`. */
  readonly keyword?: string;
  readonly usages: readonly Usage[];
}

/** A pseudo-random function (RFC 7296 §2.13). */
export interface PrfAlgorithm extends RegistryEntryBase {
  /** Preferred key length (for SK_d / SK_pi / SK_pr). */
  readonly keyLen: number;
  /**
   * True for PRFs with a fixed-size key (AES-XCBC-PRF-128, AES-CMAC-PRF-128): RFC 7296
   * §2.14 then keys SKEYSEED with only half of each nonce (64 bits of Ni and of Nr).
   * `compute` still accepts any key length (RFC 4434 §2, RFC 4615 §3).
   */
  readonly fixedKey: boolean;
  /** Output length of one PRF invocation. */
  readonly outLen: number;
  compute(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** An integrity algorithm; `compute` returns the truncated ICV. */
export interface IntegAlgorithm extends RegistryEntryBase {
  readonly keyLen: number;
  readonly icvLen: number;
  /** Linux crypto API name for XFRM `ALG_AUTH_TRUNC`, e.g. `hmac(sha256)`. */
  readonly kernelName?: string;
  compute(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** A non-AEAD cipher used with an integrity algorithm. */
export interface CipherAlgorithm extends RegistryEntryBase {
  readonly aead: false;
  /** Key length for this instance (a variable-length cipher has one entry per length). */
  readonly keyLen: number;
  /**
   * Whether proposals carry the Key Length attribute (RFC 7296 §3.3.5): required for
   * AES, forbidden for fixed-key ciphers such as 3DES and NULL.
   */
  readonly keyLengthAttribute: boolean;
  /** Extra keying material appended to the key (AES-CTR nonce, RFC 3686: 4). */
  readonly saltLen: number;
  readonly blockSize: number;
  readonly ivLen: number;
  /** Linux crypto API name for XFRM `ALG_CRYPT`, e.g. `cbc(aes)`. */
  readonly kernelName?: string;
  /** `key` includes the salt when `saltLen > 0`. Plaintext is already padded where needed. */
  encrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array;
  decrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

/** An AEAD cipher (RFC 5282 for IKEv2, RFC 4106/4309/7634 for ESP). */
export interface AeadAlgorithm extends RegistryEntryBase {
  readonly aead: true;
  /** Cipher key length without the salt. */
  readonly keyLen: number;
  /** Whether proposals carry the Key Length attribute (AES: yes; ChaCha20-Poly1305, RFC 7634 §2: no). */
  readonly keyLengthAttribute: boolean;
  /** Salt taken from the keying material after the key (GCM/ChaCha: 4, CCM: 3). */
  readonly saltLen: number;
  readonly blockSize: number;
  readonly ivLen: number;
  readonly icvLen: number;
  /** Linux crypto API name for XFRM `ALG_AEAD`, e.g. `rfc4106(gcm(aes))`. */
  readonly kernelName?: string;
  /** `key` is cipher key followed by salt; returns ciphertext || ICV. */
  seal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Returns the plaintext, or `null` when the ICV does not verify. */
  open(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null;
}

export type EncrAlgorithm = CipherAlgorithm | AeadAlgorithm;

/**
 * One side of a key exchange (RFC 7296 §1.2; RFC 9370 for KEMs). For Diffie-Hellman
 * methods the initiator and responder are symmetric; for a KEM (ML-KEM) the
 * initiator sends an encapsulation key and the responder answers with a ciphertext.
 */
export interface KeyExchange {
  /** The KE payload's key exchange data this side sends. */
  readonly publicValue: Uint8Array;
  /**
   * Completes the exchange with the peer's KE data and returns the shared secret.
   * Throws `KeyExchangeError` when the peer's value is invalid (wrong length,
   * point not on the curve, out of range) — RFC 7296 §3.4 / RFC 5903 / RFC 7748.
   */
  computeSharedSecret(peerValue: Uint8Array): Uint8Array;
}

export interface KeMethod extends RegistryEntryBase {
  readonly kind: 'modp' | 'ecp' | 'curve' | 'kem';
  /** Length of the KE data an initiator sends. */
  readonly initiatorValueLen: number;
  /** Length of the KE data a responder sends. */
  readonly responderValueLen: number;
  /** Initiator side: generate a key pair using `random` for the secret. */
  initiate(random: RandomSource): KeyExchange;
  /** Responder side: for DH the same as `initiate`; for a KEM, encapsulate to `peerValue`. */
  respond(random: RandomSource, peerValue: Uint8Array): KeyExchange;
}

/** Randomness is injected so engines and tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array;

export class KeyExchangeError extends Error {
  override readonly name = 'KeyExchangeError';
  readonly code = 'INVALID_KE_VALUE';
}
