/**
 * IKEv2 IANA registries ("Internet Key Exchange Version 2 (IKEv2) Parameters")
 * other than notify types (notify-types.ts) and transforms (transforms.ts).
 * Every block cites the RFC section that defines it; later RFCs that added
 * values are named next to those values.
 */

/** IKE header version (RFC 7296 §3.1). */
export const IKE_MAJOR_VERSION = 2;
export const IKE_MINOR_VERSION = 0;
/** Fixed IKE header size (RFC 7296 §3.1). */
export const IKE_HEADER_LENGTH = 28;
/** Generic payload header size (RFC 7296 §3.2). */
export const PAYLOAD_HEADER_LENGTH = 4;
/** IKE SPI size (RFC 7296 §3.1). */
export const IKE_SPI_LENGTH = 8;

/** Header flag bits (RFC 7296 §3.1): I(nitiator), V(ersion), R(esponse). */
export const IkeHeaderFlag = {
  INITIATOR: 0x08,
  VERSION: 0x10,
  RESPONSE: 0x20,
} as const;

/** Exchange types (RFC 7296 §3.1). */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  /** RFC 5723 §4.1 */
  IKE_SESSION_RESUME: 38,
  /** G-IKEv2 (draft-ietf-ipsecme-g-ikev2) */
  GSA_AUTH: 39,
  GSA_REGISTRATION: 40,
  GSA_REKEY: 41,
  /** RFC 9242 §3 */
  IKE_INTERMEDIATE: 43,
  /** RFC 9370 §2.2.2 */
  IKE_FOLLOWUP_KE: 44,
} as const;

/** Payload types (RFC 7296 §3.2). */
export const PayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  NONCE: 40,
  NOTIFY: 41,
  DELETE: 42,
  VENDOR_ID: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  /** RFC 6467 §3.1 */
  GSPM: 49,
  /** G-IKEv2 (draft-ietf-ipsecme-g-ikev2) */
  IDg: 50,
  GSA: 51,
  KD: 52,
  /** RFC 7383 §2.5 */
  SKF: 53,
  /** RFC 8019 §8.2 */
  PS: 54,
} as const;

/** Security protocol IDs (RFC 7296 §3.3.1). */
export const ProtocolId = {
  IKE: 1,
  AH: 2,
  ESP: 3,
  /** RFC 4595 */
  FC_ESP_HEADER: 4,
  FC_CT_AUTHENTICATION: 5,
} as const;

/** Identification types (RFC 7296 §3.5). */
export const IdType = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_RFC822_ADDR: 3,
  ID_IPV6_ADDR: 5,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
  /** RFC 4595 */
  ID_FC_NAME: 12,
  /** RFC 7619 §3 */
  ID_NULL: 13,
} as const;

/** Certificate encodings (RFC 7296 §3.6). */
export const CertEncoding = {
  PKCS7_WRAPPED_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11,
  HASH_URL_X509_CERT: 12,
  HASH_URL_X509_BUNDLE: 13,
  /** RFC 4806 §3 */
  OCSP_CONTENT: 14,
  /** RFC 7670 §3 */
  RAW_PUBLIC_KEY: 15,
} as const;

/** Authentication methods (RFC 7296 §3.8). */
export const AuthMethod = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MIC: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  /** RFC 4754 §3 */
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  /** RFC 6467 §3.2 */
  GENERIC_SECURE_PASSWORD: 12,
  /** RFC 7619 §2 */
  NULL_AUTH: 13,
  /** RFC 7427 §3 */
  DIGITAL_SIGNATURE: 14,
} as const;

/** Hash algorithms for SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4, RFC 8420). */
export const HashAlgorithm = {
  SHA1: 1,
  SHA2_256: 2,
  SHA2_384: 3,
  SHA2_512: 4,
  /** RFC 8420 §2 (EdDSA signs the message itself) */
  IDENTITY: 5,
  /** RFC 9385 */
  STREEBOG_256: 6,
  STREEBOG_512: 7,
} as const;

/** Traffic selector types (RFC 7296 §3.13.1). */
export const TsType = {
  TS_IPV4_ADDR_RANGE: 7,
  TS_IPV6_ADDR_RANGE: 8,
  /** RFC 4595 */
  TS_FC_ADDR_RANGE: 9,
  /** RFC 9478 §2 */
  TS_SECLABEL: 10,
} as const;

/** Configuration payload types (RFC 7296 §3.15). */
export const CfgType = {
  CFG_REQUEST: 1,
  CFG_REPLY: 2,
  CFG_SET: 3,
  CFG_ACK: 4,
} as const;

/** Configuration attribute types (RFC 7296 §3.15.1). */
export const CfgAttributeType = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  /** RFC 5026 §4.2.4 */
  MIP6_HOME_PREFIX: 16,
  /** RFC 5739 §4 */
  INTERNAL_IP6_LINK: 17,
  INTERNAL_IP6_PREFIX: 18,
  /** RFC 5844 §3.1 */
  HOME_AGENT_ADDRESS: 19,
  /** RFC 7651 §2 */
  P_CSCF_IP4_ADDRESS: 20,
  P_CSCF_IP6_ADDRESS: 21,
  /** 3GPP TS 24.302 */
  FTT_KAT: 22,
  EXTERNAL_SOURCE_IP4_NAT_INFO: 23,
  TIMEOUT_PERIOD_FOR_LIVENESS_CHECK: 24,
  /** RFC 8598 §4 */
  INTERNAL_DNS_DOMAIN: 25,
  INTERNAL_DNSSEC_TA: 26,
  /** RFC 9464 §3 */
  ENCDNS_IP4: 27,
  ENCDNS_IP6: 28,
  ENCDNS_DIGEST_INFO: 29,
} as const;

/** EAP codes carried in the EAP payload (RFC 7296 §3.16, RFC 3748 §4). */
export const EapCode = {
  REQUEST: 1,
  RESPONSE: 2,
  SUCCESS: 3,
  FAILURE: 4,
} as const;
