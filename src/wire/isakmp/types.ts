/**
 * Typed ISAKMP / IKEv1 messages (RFC 2408 §3, RFC 2407 §4.6, RFC 2409,
 * RFC 3947, draft-dukes-ike-mode-cfg-02). Numbers are kept as numbers so that
 * values this code does not know survive a decode/encode round trip; the
 * tables in `constants.ts` name them. Byte fields are copies, never views of
 * the decoded buffer.
 */

/** RFC 2408 §3.1, without the fields the codec computes (next payload, version, length). */
export interface IsakmpHeader {
  /** 8 octets. */
  initiatorCookie: Uint8Array;
  /** 8 octets; all zero in the first message of an exchange. */
  responderCookie: Uint8Array;
  exchangeType: number;
  /** {@link IsakmpFlag} bits; E must match the message form (plain or encrypted). */
  flags: number;
  /** Unsigned 32-bit. */
  messageId: number;
}

/** A message whose payloads are in the clear (E flag not set). */
export interface IsakmpPlainMessage {
  header: IsakmpHeader;
  payloads: IsakmpPayload[];
}

/**
 * A message with the E flag: everything after the header is ciphertext that
 * the IKEv1 engine decrypts, then decodes with `decodeIsakmpPayloads`.
 */
export interface IsakmpEncryptedMessage {
  header: IsakmpHeader;
  /** The header's Next Payload: the type of the first encrypted payload. */
  firstPayload: number;
  ciphertext: Uint8Array;
}

export type IsakmpMessage = IsakmpPlainMessage | IsakmpEncryptedMessage;

/**
 * A data attribute, RFC 2408 §3.3: `basic` is the TV form (AF bit set, a
 * 16-bit value), `variable` the TLV form. `type` is the 15-bit class.
 */
export type DataAttribute =
  | { type: number; format: 'basic'; value: number }
  | { type: number; format: 'variable'; value: Uint8Array };

/** Transform payload, RFC 2408 §3.6 (only inside a Proposal). */
export interface Transform {
  number: number;
  transformId: number;
  attributes: DataAttribute[];
}

/** Proposal payload, RFC 2408 §3.5 (only inside an SA payload). */
export interface Proposal {
  number: number;
  protocolId: number;
  /** Its length is the wire's SPI Size. */
  spi: Uint8Array;
  transforms: Transform[];
}

/** Security Association payload, RFC 2408 §3.4 with the IPsec DOI situation (RFC 2407 §4.6.1). */
export interface SaPayload {
  kind: 'sa';
  doi: number;
  situation: number;
  proposals: Proposal[];
}

/** Payloads that are a single opaque field after the generic header. */
export interface DataPayload<K extends string> {
  kind: K;
  data: Uint8Array;
}
/** Key Exchange, RFC 2408 §3.7. */
export type KePayload = DataPayload<'ke'>;
/** Hash, RFC 2408 §3.11. */
export type HashPayload = DataPayload<'hash'>;
/** Signature, RFC 2408 §3.12. */
export type SignaturePayload = DataPayload<'sig'>;
/** Nonce, RFC 2408 §3.13. */
export type NoncePayload = DataPayload<'nonce'>;
/** Vendor ID, RFC 2408 §3.16. */
export type VendorIdPayload = DataPayload<'vid'>;

/** Identification payload in the IPsec DOI layout, RFC 2407 §4.6.2. */
export interface IdPayload {
  kind: 'id';
  idType: number;
  /** IP protocol number, 0 for any. */
  protocolId: number;
  /** 0 for any. */
  port: number;
  data: Uint8Array;
}

/** Certificate payload, RFC 2408 §3.9. */
export interface CertPayload {
  kind: 'cert';
  encoding: number;
  data: Uint8Array;
}

/** Certificate Request payload, RFC 2408 §3.10. */
export interface CertRequestPayload {
  kind: 'cr';
  certType: number;
  /** DER Distinguished Name of an acceptable CA, or empty. */
  authority: Uint8Array;
}

/** Notification payload, RFC 2408 §3.14. */
export interface NotifyPayload {
  kind: 'notify';
  doi: number;
  protocolId: number;
  notifyType: number;
  spi: Uint8Array;
  data: Uint8Array;
}

/** Delete payload, RFC 2408 §3.15. */
export interface DeletePayload {
  kind: 'delete';
  doi: number;
  protocolId: number;
  /** Kept apart from the SPIs: it is on the wire even when the list is empty. */
  spiSize: number;
  spis: Uint8Array[];
}

/** Attribute payload (Mode Config, XAUTH), draft-dukes-ike-mode-cfg-02 §3.2. */
export interface AttributePayload {
  kind: 'attr';
  /** {@link CfgType}. */
  cfgType: number;
  identifier: number;
  attributes: DataAttribute[];
}

/** NAT Discovery, RFC 3947 §3.2; type 130 is the pre-RFC draft number. */
export interface NatDPayload {
  kind: 'nat-d';
  type: 20 | 130;
  hash: Uint8Array;
}

/** NAT Original Address, RFC 3947 §5.2; type 131 is the pre-RFC draft number. */
export interface NatOaPayload {
  kind: 'nat-oa';
  type: 21 | 131;
  /** ID_IPV4_ADDR (address of 4 octets) or ID_IPV6_ADDR (16). */
  idType: number;
  address: Uint8Array;
}

/**
 * IKE fragment (payload 132): Fragment ID (16 bits), Fragment Number (8),
 * Flags (8, bit 0 = last), then the fragment's share of the whole message.
 */
export interface FragmentPayload {
  kind: 'fragment';
  fragmentId: number;
  fragmentNumber: number;
  flags: number;
  data: Uint8Array;
}

/** A payload type this codec does not parse, kept whole (RFC 2408 §3.2 chain). */
export interface UnknownPayload {
  kind: 'unknown';
  type: number;
  body: Uint8Array;
}

export type IsakmpPayload =
  | SaPayload
  | KePayload
  | IdPayload
  | CertPayload
  | CertRequestPayload
  | HashPayload
  | SignaturePayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorIdPayload
  | AttributePayload
  | NatDPayload
  | NatOaPayload
  | FragmentPayload
  | UnknownPayload;

/** Where one payload (generic header included) sits in the decoded buffer. */
export interface PayloadSpan {
  offset: number;
  length: number;
}

/** The result of decoding a payload chain. */
export interface IsakmpPayloadChain {
  payloads: IsakmpPayload[];
  /** Parallel to `payloads`; lets the engine hash exact received bytes (RFC 2409 §5). */
  spans: PayloadSpan[];
  /** Offset after the last payload: where encryption padding starts, if any. */
  end: number;
}
