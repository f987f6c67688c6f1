/**
 * EAP packets (RFC 3748 §4): Code, Identifier, Length, and for Requests and
 * Responses a Type octet then Type-Data. The shape matches the wire layer's
 * EAP payload (`src/wire/ikev2`), so the engine passes packets through as is.
 */
import { EapCode } from '../../wire/ikev2/constants.js';

export { EapCode };

/** EAP method types (RFC 3748 §5, IANA "EAP Method Types"). */
export const EapType = {
  IDENTITY: 1,
  NOTIFICATION: 2,
  /** Legacy Nak, Response only (RFC 3748 §5.3.1). */
  NAK: 3,
  MD5_CHALLENGE: 4,
  /** RFC 5216, RFC 9190 */
  TLS: 13,
  /** draft-kamath-pppext-eap-mschapv2 */
  MSCHAPV2: 26,
  /** RFC 3748 §5.7 */
  EXPANDED: 254,
} as const;

export const EAP_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'Identity',
  2: 'Notification',
  3: 'Nak',
  4: 'EAP-MD5',
  13: 'EAP-TLS',
  26: 'EAP-MSCHAPv2',
};

export const eapTypeName = (t: number) => EAP_TYPE_NAMES[t] ?? `EAP type ${t}`;

export interface EapPacket {
  readonly code: number;
  readonly identifier: number;
  /** The Type octet: present exactly for Request (1) and Response (2). */
  readonly eapType?: number;
  readonly data: Uint8Array;
}

/** RFC 3748 §3.1: the lower layer (IKEv2) must carry at least 1020 octets. */
export const EAP_MAX_LENGTH = 0xffff;

export function encodeEap(p: EapPacket): Uint8Array {
  const hasType = p.code === EapCode.REQUEST || p.code === EapCode.RESPONSE;
  const length = 4 + (hasType ? 1 + p.data.length : 0);
  if (length > EAP_MAX_LENGTH) throw new RangeError(`EAP packet of ${length} octets is too long`);
  const out = new Uint8Array(length);
  out[0] = p.code;
  out[1] = p.identifier;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  if (hasType) {
    out[4] = p.eapType ?? 0;
    out.set(p.data, 5);
  }
  return out;
}

/** Decodes one EAP packet; the Length field must cover exactly the input. */
export function decodeEap(bytes: Uint8Array): EapPacket | { error: string } {
  if (bytes.length < 4)
    return { error: `EAP packet of ${bytes.length} octets is shorter than its header` };
  const code = bytes[0]!;
  const identifier = bytes[1]!;
  const length = (bytes[2]! << 8) | bytes[3]!;
  if (length !== bytes.length)
    return { error: `EAP Length ${length} but ${bytes.length} octets received` };
  switch (code) {
    case EapCode.REQUEST:
    case EapCode.RESPONSE:
      if (length < 5) return { error: 'EAP Request/Response without a Type' };
      return { code, identifier, eapType: bytes[4]!, data: bytes.slice(5) };
    case EapCode.SUCCESS:
    case EapCode.FAILURE:
      if (length !== 4)
        return {
          error: `EAP ${code === EapCode.SUCCESS ? 'Success' : 'Failure'} with ${length - 4} octets of data`,
        };
      return { code, identifier, data: new Uint8Array() };
    default:
      return { error: `unknown EAP Code ${code}` };
  }
}

export const request = (identifier: number, eapType: number, data: Uint8Array): EapPacket => ({
  code: EapCode.REQUEST,
  identifier,
  eapType,
  data,
});

export const response = (identifier: number, eapType: number, data: Uint8Array): EapPacket => ({
  code: EapCode.RESPONSE,
  identifier,
  eapType,
  data,
});

export const success = (identifier: number): EapPacket => ({
  code: EapCode.SUCCESS,
  identifier,
  data: new Uint8Array(),
});
export const failure = (identifier: number): EapPacket => ({
  code: EapCode.FAILURE,
  identifier,
  data: new Uint8Array(),
});
