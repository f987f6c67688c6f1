/**
 * The primitives every crypto backend provides. Two implementations exist,
 * `@noble/*` (pure JavaScript) and `node:crypto` (OpenSSL); `bench/crypto-backends.ts`
 * measures both and `./index.ts` wires the faster one per primitive into the
 * registry. Both must pass the same third-party vectors.
 *
 * These are raw block-cipher modes: IKE/ESP framing (salt, explicit IV, RFC 3686
 * counter blocks, ICV truncation) is done by the algorithms in `../encr`,
 * `../prf` and `../integ`. All lengths are in octets.
 */

export type HashName = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export type BackendName = 'noble' | 'node';

/** The primitives a backend offers (every member but its name). */
export type Primitive = Exclude<keyof SymmetricBackend, 'name'>;

export interface SymmetricBackend {
  /** `selected` is the per-primitive mix of both that the registry uses. */
  readonly name: BackendName | 'selected';

  /** HMAC (RFC 2104) with the full hash-length output. */
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;

  /** AES-CBC without padding; `data.length` must be a multiple of 16. */
  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;

  /**
   * AES in counter mode starting from a full 16-octet counter block that is
   * incremented as a big-endian integer (SP 800-38A §6.5). Encryption and
   * decryption are the same operation.
   */
  aesCtr(key: Uint8Array, counterBlock: Uint8Array, data: Uint8Array): Uint8Array;

  /** AES-CMAC (RFC 4493 / SP 800-38B), full 16-octet tag. */
  aesCmac(key: Uint8Array, data: Uint8Array): Uint8Array;

  /** AES-GCM (SP 800-38D) with a 12-octet nonce; returns ciphertext || tag[0..tagLen). */
  aesGcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    tagLen: number,
  ): Uint8Array;
  /** Returns the plaintext, or `null` when the tag does not verify. */
  aesGcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
    tagLen: number,
  ): Uint8Array | null;

  /** AES-CCM (SP 800-38C / RFC 3610) with a 7..13-octet nonce; returns ciphertext || tag. */
  aesCcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    tagLen: number,
  ): Uint8Array;
  aesCcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
    tagLen: number,
  ): Uint8Array | null;

  /** ChaCha20-Poly1305 (RFC 8439 §2.8), 12-octet nonce, 16-octet tag. */
  chacha20Poly1305Seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
  ): Uint8Array;
  chacha20Poly1305Open(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    sealed: Uint8Array,
  ): Uint8Array | null;

  /** Triple DES EDE in CBC mode (SP 800-67), 24-octet key, no padding. */
  des3CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  des3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
}

/** Thrown for a caller error (wrong key/IV/data length); never carries key material. */
export class CryptoInputError extends Error {
  override readonly name = 'CryptoInputError';
  readonly code = 'BAD_CRYPTO_INPUT';
}
