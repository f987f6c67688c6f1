/**
 * ISAKMP / IKEv1 protocol numbers: RFC 2408 (ISAKMP), RFC 2407 (IPsec DOI),
 * RFC 2409 (IKE), RFC 3947/3948 (NAT traversal), the XAUTH and Mode Config
 * drafts, and the IANA "Internet Key Exchange (IKE) Attributes" and
 * "ISAKMP Identifiers" registries that extended them.
 *
 * Every table is `as const`; {@link nameOf} turns a number back into its name
 * for logs. Codecs keep numbers they do not know, so none of these tables
 * limits what can be decoded.
 */

/** RFC 2408 §3.1: Major Version 1, Minor Version 0 (RFC 2409 §1). */
export const ISAKMP_MAJOR_VERSION = 1;
export const ISAKMP_MINOR_VERSION = 0;
/** RFC 2408 §3.1: the fixed header is 28 octets. */
export const ISAKMP_HEADER_LENGTH = 28;
/** RFC 2408 §3.2: the generic payload header is 4 octets. */
export const GENERIC_PAYLOAD_HEADER_LENGTH = 4;
/** RFC 2408 §3.1: cookies are 8 octets each. */
export const COOKIE_LENGTH = 8;

/** RFC 2408 §3.1 Flags. */
export const IsakmpFlag = {
  /** E: all payloads after the header are encrypted (RFC 2408 §3.1). */
  ENCRYPTION: 0x01,
  /** C: key exchange synchronisation (RFC 2408 §3.1, RFC 2409 §4). */
  COMMIT: 0x02,
  /** A: Authentication Only, payloads are integrity-protected but not encrypted. */
  AUTHENTICATION_ONLY: 0x04,
} as const;

/**
 * Exchange types: RFC 2408 §3.1 (0-5), RFC 2409 §5.5 (Quick Mode 32) and §6.2
 * (New Group Mode 33), draft-dukes-ike-mode-cfg-02 §3.1 (Transaction 6).
 * IKEv1 Main Mode is ISAKMP Identity Protection, Aggressive Mode is Aggressive.
 */
export const ExchangeType = {
  NONE: 0,
  BASE: 1,
  IDENTITY_PROTECTION: 2,
  AUTHENTICATION_ONLY: 3,
  AGGRESSIVE: 4,
  INFORMATIONAL: 5,
  TRANSACTION: 6,
  QUICK_MODE: 32,
  NEW_GROUP_MODE: 33,
} as const;

/**
 * Next Payload types: RFC 2408 §3.1 (1-13), draft-dukes-ike-mode-cfg-02 §3.2
 * (Attribute 14), RFC 3547 (GDOI 15-19), RFC 3947 §3.2 and §5.2 (NAT-D 20,
 * NAT-OA 21), RFC 6407 (GAP 22); 128-255 are private use, of which legacy
 * peers send 130/131 for NAT-D/NAT-OA per draft-ietf-ipsec-nat-t-ike-00..03,
 * and 132 for IKE fragments (Cisco's scheme, which strongSwan implements).
 */
export const PayloadType = {
  NONE: 0,
  SA: 1,
  PROPOSAL: 2,
  TRANSFORM: 3,
  KE: 4,
  ID: 5,
  CERT: 6,
  CR: 7,
  HASH: 8,
  SIG: 9,
  NONCE: 10,
  N: 11,
  D: 12,
  VID: 13,
  ATTR: 14,
  SAK: 15,
  SAT: 16,
  KD: 17,
  SEQ: 18,
  POP: 19,
  NAT_D: 20,
  NAT_OA: 21,
  GAP: 22,
  NAT_D_DRAFT: 130,
  NAT_OA_DRAFT: 131,
  FRAGMENT: 132,
} as const;

/**
 * Notify message types. Errors: RFC 2408 §3.14.1 (1-30). Status: RFC 2408
 * §3.14.1 (CONNECTED 16384), RFC 2407 §4.6.3 (24576-24578), RFC 3706 §5.1
 * (Dead Peer Detection 36136/36137).
 */
export const IsakmpNotify = {
  INVALID_PAYLOAD_TYPE: 1,
  DOI_NOT_SUPPORTED: 2,
  SITUATION_NOT_SUPPORTED: 3,
  INVALID_COOKIE: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_MINOR_VERSION: 6,
  INVALID_EXCHANGE_TYPE: 7,
  INVALID_FLAGS: 8,
  INVALID_MESSAGE_ID: 9,
  INVALID_PROTOCOL_ID: 10,
  INVALID_SPI: 11,
  INVALID_TRANSFORM_ID: 12,
  ATTRIBUTES_NOT_SUPPORTED: 13,
  NO_PROPOSAL_CHOSEN: 14,
  BAD_PROPOSAL_SYNTAX: 15,
  PAYLOAD_MALFORMED: 16,
  INVALID_KEY_INFORMATION: 17,
  INVALID_ID_INFORMATION: 18,
  INVALID_CERT_ENCODING: 19,
  INVALID_CERTIFICATE: 20,
  CERT_TYPE_UNSUPPORTED: 21,
  INVALID_CERT_AUTHORITY: 22,
  INVALID_HASH_INFORMATION: 23,
  AUTHENTICATION_FAILED: 24,
  INVALID_SIGNATURE: 25,
  ADDRESS_NOTIFICATION: 26,
  NOTIFY_SA_LIFETIME: 27,
  CERTIFICATE_UNAVAILABLE: 28,
  UNSUPPORTED_EXCHANGE_TYPE: 29,
  UNEQUAL_PAYLOAD_LENGTHS: 30,
  CONNECTED: 16384,
  RESPONDER_LIFETIME: 24576,
  REPLAY_STATUS: 24577,
  INITIAL_CONTACT: 24578,
  R_U_THERE: 36136,
  R_U_THERE_ACK: 36137,
} as const;

/** Domain of Interpretation: RFC 2408 §3.4 (0, generic ISAKMP), RFC 2407 §4.2 (1). */
export const Doi = {
  ISAKMP: 0,
  IPSEC: 1,
} as const;

/** IPsec DOI Situation bitmap, RFC 2407 §4.2. */
export const IpsecSituation = {
  IDENTITY_ONLY: 0x01,
  SECRECY: 0x02,
  INTEGRITY: 0x04,
} as const;

/** IPsec DOI Security Protocol Identifiers, RFC 2407 §4.4.1. */
export const ProtocolId = {
  ISAKMP: 1,
  IPSEC_AH: 2,
  IPSEC_ESP: 3,
  IPCOMP: 4,
} as const;

/** ISAKMP Transform Identifiers, RFC 2407 §4.4.2. */
export const IsakmpTransformId = {
  KEY_IKE: 1,
} as const;

/**
 * IPsec AH Transform Identifiers: RFC 2407 §4.4.3 (2-4), RFC 4868 §2.4 (5-7),
 * RFC 2857 (8), RFC 3566 (9), RFC 4359 (10), RFC 4543 (11-13).
 */
export const AhTransformId = {
  AH_MD5: 2,
  AH_SHA: 3,
  AH_DES: 4,
  AH_SHA2_256: 5,
  AH_SHA2_384: 6,
  AH_SHA2_512: 7,
  AH_RIPEMD: 8,
  AH_AES_XCBC_MAC: 9,
  AH_RSA: 10,
  AH_AES_128_GMAC: 11,
  AH_AES_192_GMAC: 12,
  AH_AES_256_GMAC: 13,
} as const;

/**
 * IPsec ESP Transform Identifiers: RFC 2407 §4.4.4 (1-11), RFC 3602 (12),
 * RFC 3686 (13), RFC 4309 (14-16), RFC 4106 (18-20), RFC 4196 (21),
 * RFC 4312 (22), RFC 4543 (23).
 */
export const EspTransformId = {
  ESP_DES_IV64: 1,
  ESP_DES: 2,
  ESP_3DES: 3,
  ESP_RC5: 4,
  ESP_IDEA: 5,
  ESP_CAST: 6,
  ESP_BLOWFISH: 7,
  ESP_3IDEA: 8,
  ESP_DES_IV32: 9,
  ESP_RC4: 10,
  ESP_NULL: 11,
  ESP_AES_CBC: 12,
  ESP_AES_CTR: 13,
  ESP_AES_CCM_8: 14,
  ESP_AES_CCM_12: 15,
  ESP_AES_CCM_16: 16,
  ESP_AES_GCM_8: 18,
  ESP_AES_GCM_12: 19,
  ESP_AES_GCM_16: 20,
  ESP_SEED_CBC: 21,
  ESP_CAMELLIA: 22,
  ESP_NULL_AUTH_AES_GMAC: 23,
} as const;

/** IPCOMP Transform Identifiers, RFC 2407 §4.4.5 and RFC 3051 (LZJH). */
export const IpcompTransformId = {
  IPCOMP_OUI: 1,
  IPCOMP_DEFLATE: 2,
  IPCOMP_LZS: 3,
  IPCOMP_LZJH: 4,
} as const;

/** RFC 2408 §3.3: the Attribute Format bit; set means TV (basic), clear TLV (variable). */
export const ATTRIBUTE_FORMAT_TV = 0x8000;

/**
 * Phase 1 SA attribute classes, RFC 2409 Appendix A. Classes marked (B) are
 * basic (TV), (V) variable (TLV); Life Duration may be either.
 */
export const Phase1Attribute = {
  ENCRYPTION_ALGORITHM: 1,
  HASH_ALGORITHM: 2,
  AUTHENTICATION_METHOD: 3,
  GROUP_DESCRIPTION: 4,
  GROUP_TYPE: 5,
  GROUP_PRIME: 6,
  GROUP_GENERATOR_ONE: 7,
  GROUP_GENERATOR_TWO: 8,
  GROUP_CURVE_A: 9,
  GROUP_CURVE_B: 10,
  LIFE_TYPE: 11,
  LIFE_DURATION: 12,
  PRF: 13,
  KEY_LENGTH: 14,
  FIELD_SIZE: 15,
  GROUP_ORDER: 16,
} as const;

/** Phase 1 Encryption Algorithm values, RFC 2409 Appendix A, RFC 3602 §5 (7), RFC 4312 (8). */
export const Phase1Encryption = {
  DES_CBC: 1,
  IDEA_CBC: 2,
  BLOWFISH_CBC: 3,
  RC5_R16_B64_CBC: 4,
  TRIPLE_DES_CBC: 5,
  CAST_CBC: 6,
  AES_CBC: 7,
  CAMELLIA_CBC: 8,
} as const;

/** Phase 1 Hash Algorithm values, RFC 2409 Appendix A (1-3), RFC 4868 §2.4 (4-6). */
export const Phase1Hash = {
  MD5: 1,
  SHA: 2,
  TIGER: 3,
  SHA2_256: 4,
  SHA2_384: 5,
  SHA2_512: 6,
} as const;

/**
 * Phase 1 Authentication Method values: RFC 2409 Appendix A (1-5), RFC 4754
 * §3 (ECDSA 9-11); hybrid modes per draft-ietf-ipsec-isakmp-hybrid-auth-05
 * §3.2 (64221-64224); XAUTH per draft-beaulieu-ike-xauth-02 §7.2
 * (65001-65010, "Init" when the initiator is the XAUTH client).
 */
export const AuthMethod = {
  PRE_SHARED_KEY: 1,
  DSS_SIGNATURES: 2,
  RSA_SIGNATURES: 3,
  RSA_ENCRYPTION: 4,
  RSA_REVISED_ENCRYPTION: 5,
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  HYBRID_INIT_RSA: 64221,
  HYBRID_RESP_RSA: 64222,
  HYBRID_INIT_DSS: 64223,
  HYBRID_RESP_DSS: 64224,
  XAUTH_INIT_PRE_SHARED: 65001,
  XAUTH_RESP_PRE_SHARED: 65002,
  XAUTH_INIT_DSS: 65003,
  XAUTH_RESP_DSS: 65004,
  XAUTH_INIT_RSA: 65005,
  XAUTH_RESP_RSA: 65006,
  XAUTH_INIT_RSA_ENCRYPTION: 65007,
  XAUTH_RESP_RSA_ENCRYPTION: 65008,
  XAUTH_INIT_RSA_REVISED_ENCRYPTION: 65009,
  XAUTH_RESP_RSA_REVISED_ENCRYPTION: 65010,
} as const;

/**
 * Group Description values, used by Phase 1 (attribute 4) and Phase 2
 * (attribute 3): RFC 2409 §6 (1-4), RFC 3526 (5, 14-18), RFC 5903 (19-21),
 * RFC 5114 (22-26), RFC 6932 (27-30).
 */
export const GroupDescription = {
  MODP_768: 1,
  MODP_1024: 2,
  EC2N_155: 3,
  EC2N_185: 4,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  MODP_1024_S160: 22,
  MODP_2048_S224: 23,
  MODP_2048_S256: 24,
  ECP_192: 25,
  ECP_224: 26,
  BRAINPOOL_P224R1: 27,
  BRAINPOOL_P256R1: 28,
  BRAINPOOL_P384R1: 29,
  BRAINPOOL_P512R1: 30,
} as const;

/** Group Type values, RFC 2409 Appendix A. */
export const GroupType = {
  MODP: 1,
  ECP: 2,
  EC2N: 3,
} as const;

/** Life Type values: RFC 2409 Appendix A (Phase 1) and RFC 2407 §4.5 (SA Life Type). */
export const LifeType = {
  SECONDS: 1,
  KILOBYTES: 2,
} as const;

/**
 * Phase 2 (IPsec DOI) SA attribute classes: RFC 2407 §4.5 (1-9), RFC 3168
 * §9.2.1 (ECN Tunnel 10), RFC 4304 §2 (Extended Sequence Number 11), RFC 4359
 * (Authentication Key Length 12, Signature Encoding Algorithm 13), RFC 6407
 * (Address Preservation 14, SA Direction 15).
 */
export const Phase2Attribute = {
  SA_LIFE_TYPE: 1,
  SA_LIFE_DURATION: 2,
  GROUP_DESCRIPTION: 3,
  ENCAPSULATION_MODE: 4,
  AUTHENTICATION_ALGORITHM: 5,
  KEY_LENGTH: 6,
  KEY_ROUNDS: 7,
  COMPRESS_DICTIONARY_SIZE: 8,
  COMPRESS_PRIVATE_ALGORITHM: 9,
  ECN_TUNNEL: 10,
  EXTENDED_SEQUENCE_NUMBER: 11,
  AUTHENTICATION_KEY_LENGTH: 12,
  SIGNATURE_ENCODING_ALGORITHM: 13,
  ADDRESS_PRESERVATION: 14,
  SA_DIRECTION: 15,
} as const;

/**
 * Encapsulation Mode values: RFC 2407 §4.5 (1-2), RFC 3947 §5.3 (3-4), and
 * the values draft-ietf-ipsec-nat-t-ike-00..03 used before (61443/61444),
 * which older peers still send.
 */
export const EncapsulationMode = {
  TUNNEL: 1,
  TRANSPORT: 2,
  UDP_ENCAPSULATED_TUNNEL: 3,
  UDP_ENCAPSULATED_TRANSPORT: 4,
  UDP_ENCAPSULATED_TUNNEL_DRAFT: 61443,
  UDP_ENCAPSULATED_TRANSPORT_DRAFT: 61444,
} as const;

/**
 * Phase 2 Authentication Algorithm values: RFC 2407 §4.5 (1-4), RFC 4868
 * §2.4 (5-7), RFC 2857 (8), RFC 3566 (9), RFC 4359 (10), RFC 4543 (11-13).
 */
export const Phase2AuthAlgorithm = {
  HMAC_MD5: 1,
  HMAC_SHA: 2,
  DES_MAC: 3,
  KPDK: 4,
  HMAC_SHA2_256: 5,
  HMAC_SHA2_384: 6,
  HMAC_SHA2_512: 7,
  HMAC_RIPEMD: 8,
  AES_XCBC_MAC: 9,
  SIG_RSA: 10,
  AES_128_GMAC: 11,
  AES_192_GMAC: 12,
  AES_256_GMAC: 13,
} as const;

/** Extended Sequence Number attribute value, RFC 4304 §2. */
export const ExtendedSequenceNumber = {
  ESN_64_BIT: 1,
} as const;

/** Identification Type values: RFC 2407 §4.6.2.1 (1-11), RFC 3554 §3 (ID_LIST 12). */
export const IdType = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_USER_FQDN: 3,
  ID_IPV4_ADDR_SUBNET: 4,
  ID_IPV6_ADDR: 5,
  ID_IPV6_ADDR_SUBNET: 6,
  ID_IPV4_ADDR_RANGE: 7,
  ID_IPV6_ADDR_RANGE: 8,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
  ID_LIST: 12,
} as const;

/** Certificate Encoding values (CERT and CR payloads), RFC 2408 §3.9. */
export const CertEncoding = {
  NONE: 0,
  PKCS7_WRAPPED_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  X509_KEY_EXCHANGE: 5,
  KERBEROS_TOKENS: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
} as const;

/** Attribute payload message types, draft-dukes-ike-mode-cfg-02 §3.2. */
export const CfgType = {
  REQUEST: 1,
  REPLY: 2,
  SET: 3,
  ACK: 4,
} as const;

/**
 * Attribute payload attribute types: draft-dukes-ike-mode-cfg-02 §3.3 (1-15),
 * draft-beaulieu-ike-xauth-02 §6 (16520-16529); the Cisco Unity attributes
 * (28672-28682) have no public specification and are listed with the values
 * deployed peers (strongSwan, Libreswan) use.
 */
export const CfgAttribute = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_ADDRESS_EXPIRY: 5,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_NETMASK: 9,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_NBNS: 11,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  XAUTH_TYPE: 16520,
  XAUTH_USER_NAME: 16521,
  XAUTH_USER_PASSWORD: 16522,
  XAUTH_PASSCODE: 16523,
  XAUTH_MESSAGE: 16524,
  XAUTH_CHALLENGE: 16525,
  XAUTH_DOMAIN: 16526,
  XAUTH_STATUS: 16527,
  XAUTH_NEXT_PIN: 16528,
  XAUTH_ANSWER: 16529,
  UNITY_BANNER: 28672,
  UNITY_SAVE_PASSWD: 28673,
  UNITY_DEF_DOMAIN: 28674,
  UNITY_SPLITDNS_NAME: 28675,
  UNITY_SPLIT_INCLUDE: 28676,
  UNITY_NATT_PORT: 28677,
  UNITY_LOCAL_LAN: 28678,
  UNITY_PFS: 28679,
  UNITY_FW_TYPE: 28680,
  UNITY_BACKUP_SERVERS: 28681,
  UNITY_DDNS_HOSTNAME: 28682,
} as const;

/** XAUTH-TYPE values, draft-beaulieu-ike-xauth-02 §6.2. */
export const XauthType = {
  GENERIC: 0,
  RADIUS_CHAP: 1,
  OTP: 2,
  S_KEY: 3,
} as const;

/** XAUTH-STATUS values, draft-beaulieu-ike-xauth-02 §6.2. */
export const XauthStatus = {
  FAIL: 0,
  OK: 1,
} as const;

/** IKE fragment payload flags (Cisco scheme as deployed): the last fragment. */
export const FragmentFlag = {
  LAST: 0x01,
} as const;

type NumberTable = Readonly<Record<string, number>>;
const reverseTables = new WeakMap<NumberTable, Map<number, string>>();

/**
 * The name of `value` in one of the tables above, or undefined when the table
 * has no such number (the codecs keep unknown numbers; logs print them raw).
 */
export function nameOf(table: NumberTable, value: number): string | undefined {
  let reverse = reverseTables.get(table);
  if (reverse === undefined) {
    reverse = new Map();
    for (const [name, number] of Object.entries(table)) {
      if (!reverse.has(number)) reverse.set(number, name);
    }
    reverseTables.set(table, reverse);
  }
  return reverse.get(value);
}
