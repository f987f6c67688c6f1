/**
 * Transform registries (RFC 7296 §3.3.2) and transform attributes (§3.3.5).
 * The algorithms' properties (key sizes, kernel names) live in the crypto
 * registry (src/crypto); this file only names the numbers on the wire.
 */

/** Transform types (RFC 7296 §3.3.2; RFC 9370 §2.2.1 for the additional KEs). */
export const TransformType = {
  ENCR: 1,
  PRF: 2,
  INTEG: 3,
  /** "Diffie-Hellman group" in RFC 7296, renamed "Key Exchange Method" by RFC 9370. */
  KE: 4,
  ESN: 5,
  ADDKE1: 6,
  ADDKE2: 7,
  ADDKE3: 8,
  ADDKE4: 9,
  ADDKE5: 10,
  ADDKE6: 11,
  ADDKE7: 12,
} as const;

/** Transform type 1, encryption algorithms (RFC 7296 §3.3.2). */
export const EncrId = {
  DES_IV64: 1,
  DES: 2,
  '3DES': 3,
  RC5: 4,
  IDEA: 5,
  CAST: 6,
  BLOWFISH: 7,
  '3IDEA': 8,
  DES_IV32: 9,
  NULL: 11,
  /** RFC 3602 */
  AES_CBC: 12,
  /** RFC 3686, RFC 5930 */
  AES_CTR: 13,
  /** RFC 4309, RFC 5282 */
  AES_CCM_8: 14,
  AES_CCM_12: 15,
  AES_CCM_16: 16,
  /** RFC 4106, RFC 5282 */
  AES_GCM_8: 18,
  AES_GCM_12: 19,
  AES_GCM_16: 20,
  /** RFC 4543 */
  NULL_AUTH_AES_GMAC: 21,
  /** RFC 5529 */
  CAMELLIA_CBC: 23,
  CAMELLIA_CTR: 24,
  CAMELLIA_CCM_8: 25,
  CAMELLIA_CCM_12: 26,
  CAMELLIA_CCM_16: 27,
  /** RFC 7634 */
  CHACHA20_POLY1305: 28,
  /** RFC 8750 (implicit IV, ESP only) */
  AES_CCM_8_IIV: 29,
  AES_GCM_16_IIV: 30,
  CHACHA20_POLY1305_IIV: 31,
  /** RFC 9227 */
  KUZNYECHIK_MGM_KTREE: 32,
  MAGMA_MGM_KTREE: 33,
  KUZNYECHIK_MGM_MAC_KTREE: 34,
  MAGMA_MGM_MAC_KTREE: 35,
} as const;

/** Transform type 2, pseudorandom functions (RFC 7296 §3.3.2). */
export const PrfId = {
  HMAC_MD5: 1,
  HMAC_SHA1: 2,
  HMAC_TIGER: 3,
  /** RFC 4434 */
  AES128_XCBC: 4,
  /** RFC 4868 */
  HMAC_SHA2_256: 5,
  HMAC_SHA2_384: 6,
  HMAC_SHA2_512: 7,
  /** RFC 4615 */
  AES128_CMAC: 8,
  /** RFC 9385 */
  HMAC_STREEBOG_512: 9,
} as const;

/** Transform type 3, integrity algorithms (RFC 7296 §3.3.2). */
export const IntegId = {
  NONE: 0,
  HMAC_MD5_96: 1,
  HMAC_SHA1_96: 2,
  DES_MAC: 3,
  KPDK_MD5: 4,
  /** RFC 3566 */
  AES_XCBC_96: 5,
  /** RFC 4595 */
  HMAC_MD5_128: 6,
  HMAC_SHA1_160: 7,
  /** RFC 4494 */
  AES_CMAC_96: 8,
  /** RFC 4543 */
  AES_128_GMAC: 9,
  AES_192_GMAC: 10,
  AES_256_GMAC: 11,
  /** RFC 4868 */
  HMAC_SHA2_256_128: 12,
  HMAC_SHA2_384_192: 13,
  HMAC_SHA2_512_256: 14,
} as const;

/** Transform type 4, key exchange methods (RFC 7296 §3.3.2 and the IANA registry). */
export const KeMethod = {
  NONE: 0,
  /** RFC 7296 Appendix B */
  MODP_768: 1,
  MODP_1024: 2,
  /** RFC 3526 */
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  /** RFC 5903 */
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  /** RFC 5114 */
  MODP_1024_160: 22,
  MODP_2048_224: 23,
  MODP_2048_256: 24,
  ECP_192: 25,
  ECP_224: 26,
  /** RFC 6954 */
  BRAINPOOL_P224R1: 27,
  BRAINPOOL_P256R1: 28,
  BRAINPOOL_P384R1: 29,
  BRAINPOOL_P512R1: 30,
  /** RFC 8031 */
  CURVE25519: 31,
  CURVE448: 32,
  /** RFC 9385 */
  GOST3410_2012_256: 33,
  GOST3410_2012_512: 34,
  /** draft-ietf-ipsecme-ikev2-mlkem (FIPS 203) */
  ML_KEM_512: 35,
  ML_KEM_768: 36,
  ML_KEM_1024: 37,
} as const;

/** Transform type 5, extended sequence numbers (RFC 7296 §3.3.2). */
export const EsnId = {
  NO_ESN: 0,
  ESN: 1,
} as const;

/** Transform attribute types (RFC 7296 §3.3.5). */
export const TransformAttributeType = {
  /** TV format: the key length in bits for variable-length ciphers. */
  KEY_LENGTH: 14,
} as const;

/** The AF bit of a transform attribute: set for the TV (2-octet value) format. */
export const ATTRIBUTE_FORMAT_TV = 0x8000;
