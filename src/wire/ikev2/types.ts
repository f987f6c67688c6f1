/**
 * Typed IKEv2 messages and payloads (RFC 7296 §3). Byte strings are copies,
 * never views into the datagram. Encoding recomputes every length, count and
 * Next Payload field, so these types carry only what those fields cannot
 * reconstruct.
 */

/** The fixed IKE header (RFC 7296 §3.1) without Next Payload and Length. */
export interface IkeHeader {
  /** 8 octets. */
  initiatorSpi: Uint8Array;
  /** 8 octets; all zero in the first IKE_SA_INIT request. */
  responderSpi: Uint8Array;
  majorVersion: number;
  minorVersion: number;
  exchangeType: number;
  flags: IkeHeaderFlags;
  messageId: number;
}

/** Header flags (RFC 7296 §3.1); the reserved bits are ignored on receipt. */
export interface IkeHeaderFlags {
  /** I: set by the original initiator of the IKE SA. */
  initiator: boolean;
  /** V: the sender can speak a higher major version. */
  higherVersion: boolean;
  /** R: the message is a response. */
  response: boolean;
}

/** What {@link peekIkeHeader} reads: the header with its two chain fields. */
export interface PeekedIkeHeader extends IkeHeader {
  nextPayload: number;
  /** Length of the whole message as the header claims it, unchecked. */
  length: number;
}

export interface IkeMessage {
  header: IkeHeader;
  payloads: IkePayload[];
}

interface PayloadBase {
  /**
   * The critical bit (RFC 7296 §3.2). Ignored by receivers for understood
   * payloads; kept so that re-encoding gives the received bytes back.
   */
  critical?: boolean;
}

/** A transform attribute (RFC 7296 §3.3.5): TV when the AF bit is set, else TLV. */
export type TransformAttribute =
  | { format: 'TV'; type: number; value: number }
  | { format: 'TLV'; type: number; value: Uint8Array };

/** A transform substructure (RFC 7296 §3.3.2). */
export interface Transform {
  type: number;
  id: number;
  attributes: TransformAttribute[];
}

/** A proposal substructure (RFC 7296 §3.3.1). */
export interface Proposal {
  number: number;
  protocolId: number;
  /** Empty in IKE_SA_INIT; 8 octets when rekeying an IKE SA; 4 for ESP/AH. */
  spi: Uint8Array;
  transforms: Transform[];
}

/** Security Association payload (RFC 7296 §3.3). */
export interface SaPayload extends PayloadBase {
  kind: 'SA';
  proposals: Proposal[];
}

/** Key Exchange payload (RFC 7296 §3.4). */
export interface KePayload extends PayloadBase {
  kind: 'KE';
  /** Key exchange method number (transform type 4). */
  group: number;
  data: Uint8Array;
}

/** Identification payloads IDi and IDr (RFC 7296 §3.5). */
export interface IdPayload extends PayloadBase {
  kind: 'IDi' | 'IDr';
  idType: number;
  data: Uint8Array;
}

/** Certificate payload (RFC 7296 §3.6). */
export interface CertPayload extends PayloadBase {
  kind: 'CERT';
  encoding: number;
  data: Uint8Array;
}

/** Certificate Request payload (RFC 7296 §3.7). */
export interface CertReqPayload extends PayloadBase {
  kind: 'CERTREQ';
  encoding: number;
  /** For X.509, concatenated 20-octet SHA-1 hashes of trusted CA public keys. */
  data: Uint8Array;
}

/** Authentication payload (RFC 7296 §3.8). */
export interface AuthPayload extends PayloadBase {
  kind: 'AUTH';
  method: number;
  data: Uint8Array;
}

/** Nonce payload Ni/Nr (RFC 7296 §3.9): 16 to 256 octets. */
export interface NoncePayload extends PayloadBase {
  kind: 'Nonce';
  nonce: Uint8Array;
}

/** Notify payload (RFC 7296 §3.10). */
export interface NotifyPayload extends PayloadBase {
  kind: 'N';
  /** 0 when no SPI applies (RFC 7296 §3.10: IKE SA notifies carry none). */
  protocolId: number;
  spi: Uint8Array;
  notifyType: number;
  data: Uint8Array;
}

/** Delete payload (RFC 7296 §3.11). */
export interface DeletePayload extends PayloadBase {
  kind: 'D';
  protocolId: number;
  /** 0 for IKE (no SPIs listed), 4 for ESP/AH. Kept for empty SPI lists. */
  spiSize: number;
  spis: Uint8Array[];
}

/** Vendor ID payload (RFC 7296 §3.12). */
export interface VendorIdPayload extends PayloadBase {
  kind: 'V';
  vendorId: Uint8Array;
}

/** An address range selector (RFC 7296 §3.13.1), IPv4 (type 7) or IPv6 (type 8). */
export interface AddressRangeSelector {
  tsType: 7 | 8;
  /** 0 means any protocol. */
  ipProtocol: number;
  startPort: number;
  endPort: number;
  /** 4 octets for type 7, 16 for type 8. */
  startAddress: Uint8Array;
  endAddress: Uint8Array;
}

/**
 * A selector of another type (e.g. TS_SECLABEL, RFC 9478), kept as the octets
 * after its length field so that it survives re-encoding.
 */
export interface OpaqueSelector {
  tsType: number;
  /** The second octet: IP protocol for ranges, reserved for TS_SECLABEL. */
  ipProtocol: number;
  data: Uint8Array;
}

export type TrafficSelector = AddressRangeSelector | OpaqueSelector;

/** Traffic Selector payloads TSi and TSr (RFC 7296 §3.13). */
export interface TsPayload extends PayloadBase {
  kind: 'TSi' | 'TSr';
  selectors: TrafficSelector[];
}

/**
 * Encrypted and Authenticated payload (RFC 7296 §3.14): IV, ciphertext,
 * padding and ICV stay opaque here; the engine decrypts them and decodes the
 * inner chain with `decodePayloadChain(..., 'inner')`.
 */
export interface SkPayload extends PayloadBase {
  kind: 'SK';
  /** The Next Payload field of SK: the type of the first inner payload. */
  firstInnerType: number;
  body: Uint8Array;
}

/** Encrypted and Authenticated Fragment payload (RFC 7383 §2.5). */
export interface SkfPayload extends PayloadBase {
  kind: 'SKF';
  /** Type of the first inner payload in fragment 1; zero in the others. */
  firstInnerType: number;
  fragmentNumber: number;
  totalFragments: number;
  body: Uint8Array;
}

/** A configuration attribute (RFC 7296 §3.15.1). */
export interface CfgAttribute {
  type: number;
  value: Uint8Array;
}

/** Configuration payload (RFC 7296 §3.15). */
export interface CpPayload extends PayloadBase {
  kind: 'CP';
  cfgType: number;
  attributes: CfgAttribute[];
}

/** EAP payload (RFC 7296 §3.16) carrying one EAP packet (RFC 3748 §4). */
export interface EapPayload extends PayloadBase {
  kind: 'EAP';
  code: number;
  identifier: number;
  /** The Type octet, present for Request (1) and Response (2) only. */
  eapType?: number;
  data: Uint8Array;
}

/** A payload type this codec does not understand, skipped per RFC 7296 §2.5. */
export interface UnknownPayload extends PayloadBase {
  kind: 'unknown';
  payloadType: number;
  body: Uint8Array;
}

export type IkePayload =
  | SaPayload
  | KePayload
  | IdPayload
  | CertPayload
  | CertReqPayload
  | AuthPayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorIdPayload
  | TsPayload
  | SkPayload
  | CpPayload
  | EapPayload
  | SkfPayload
  | UnknownPayload;

export type PayloadKind = IkePayload['kind'];

/** Where a payload chain was found: the cleartext message or inside SK/SKF. */
export type ChainContext = 'clear' | 'inner';
