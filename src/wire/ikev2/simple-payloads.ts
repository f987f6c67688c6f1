/**
 * Bodies of the payloads with a flat layout: KE, ID, CERT, CERTREQ, AUTH,
 * Nonce, N, D, V, CP, EAP (RFC 7296 §3.4-3.16), SK (§3.14) and SKF (RFC 7383
 * §2.5). Each decoder gets a reader bounded to the payload body.
 */

import { WireError } from '../errors.js';
import type { ByteReader, ByteWriter } from './bytes.js';
import { EapCode } from './constants.js';
import type {
  AuthPayload,
  CertPayload,
  CertReqPayload,
  CfgAttribute,
  CpPayload,
  DeletePayload,
  EapPayload,
  IdPayload,
  KePayload,
  NoncePayload,
  NotifyPayload,
  SkfPayload,
  VendorIdPayload,
} from './types.js';

type Body<P> = Omit<P, 'critical'>;

/** RFC 7296 §3.9: a nonce is 16 to 256 octets. */
export const NONCE_MIN_LENGTH = 16;
export const NONCE_MAX_LENGTH = 256;

/** KE (RFC 7296 §3.4): group, two reserved octets, key exchange data. */
export function decodeKeBody(r: ByteReader): Body<KePayload> {
  const group = r.u16('KE group');
  r.skip(2, 'KE reserved');
  return { kind: 'KE', group, data: r.rest() };
}

export function encodeKeBody(w: ByteWriter, p: KePayload): void {
  w.u16(p.group, 'KE group');
  w.u16(0, 'reserved');
  w.bytes(p.data);
}

/** IDi/IDr (RFC 7296 §3.5): ID type, three reserved octets, identification data. */
export function decodeIdBody(r: ByteReader, kind: 'IDi' | 'IDr'): Body<IdPayload> {
  const idType = r.u8('ID type');
  r.skip(3, 'ID reserved');
  return { kind, idType, data: r.rest() };
}

export function encodeIdBody(w: ByteWriter, p: IdPayload): void {
  w.u8(p.idType, 'ID type');
  w.u8(0, 'reserved');
  w.u16(0, 'reserved');
  w.bytes(p.data);
}

/** CERT (RFC 7296 §3.6) and CERTREQ (§3.7): one encoding octet, then data. */
export function decodeCertBody(
  r: ByteReader,
  kind: 'CERT' | 'CERTREQ',
): Body<CertPayload> | Body<CertReqPayload> {
  const encoding = r.u8('certificate encoding');
  return { kind, encoding, data: r.rest() };
}

export function encodeCertBody(w: ByteWriter, p: CertPayload | CertReqPayload): void {
  w.u8(p.encoding, 'certificate encoding');
  w.bytes(p.data);
}

/** AUTH (RFC 7296 §3.8): method, three reserved octets, authentication data. */
export function decodeAuthBody(r: ByteReader): Body<AuthPayload> {
  const method = r.u8('auth method');
  r.skip(3, 'AUTH reserved');
  return { kind: 'AUTH', method, data: r.rest() };
}

export function encodeAuthBody(w: ByteWriter, p: AuthPayload): void {
  w.u8(p.method, 'auth method');
  w.u8(0, 'reserved');
  w.u16(0, 'reserved');
  w.bytes(p.data);
}

export function decodeNonceBody(r: ByteReader): Body<NoncePayload> {
  checkNonceLength(r.remaining, r.pos);
  return { kind: 'Nonce', nonce: r.rest() };
}

export function encodeNonceBody(w: ByteWriter, p: NoncePayload): void {
  checkNonceLength(p.nonce.length, w.length);
  w.bytes(p.nonce);
}

function checkNonceLength(length: number, at: number): void {
  if (length < NONCE_MIN_LENGTH || length > NONCE_MAX_LENGTH) {
    throw new WireError(
      'BAD_LENGTH',
      `nonce of ${length} octets, RFC 7296 §3.9 allows ${NONCE_MIN_LENGTH}..${NONCE_MAX_LENGTH}`,
      at,
    );
  }
}

/** N (RFC 7296 §3.10): protocol ID, SPI size, notify type, SPI, data. */
export function decodeNotifyBody(r: ByteReader): Body<NotifyPayload> {
  const protocolId = r.u8('notify protocol ID');
  const spiSize = r.u8('notify SPI size');
  const notifyType = r.u16('notify type');
  const spi = r.bytes(spiSize, 'notify SPI');
  return { kind: 'N', protocolId, spi, notifyType, data: r.rest() };
}

export function encodeNotifyBody(w: ByteWriter, p: NotifyPayload): void {
  w.u8(p.protocolId, 'notify protocol ID');
  w.u8(p.spi.length, 'notify SPI size');
  w.u16(p.notifyType, 'notify type');
  w.bytes(p.spi);
  w.bytes(p.data);
}

/** D (RFC 7296 §3.11): protocol ID, SPI size, number of SPIs, the SPIs. */
export function decodeDeleteBody(r: ByteReader): Body<DeletePayload> {
  const protocolId = r.u8('delete protocol ID');
  const spiSize = r.u8('delete SPI size');
  const countAt = r.pos;
  const count = r.u16('number of SPIs');
  // Check the count against the octets left before building the list.
  if (spiSize === 0 ? count !== 0 || r.remaining !== 0 : count * spiSize !== r.remaining) {
    throw new WireError(
      'BAD_LENGTH',
      `${count} SPIs of ${spiSize} octets do not fill ${r.remaining} octets`,
      countAt,
    );
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize, 'delete SPI'));
  return { kind: 'D', protocolId, spiSize, spis };
}

export function encodeDeleteBody(w: ByteWriter, p: DeletePayload): void {
  w.u8(p.protocolId, 'delete protocol ID');
  w.u8(p.spiSize, 'delete SPI size');
  w.u16(p.spis.length, 'number of SPIs');
  for (const spi of p.spis) {
    if (spi.length !== p.spiSize) {
      throw new WireError(
        'BAD_VALUE',
        `delete SPI of ${spi.length} octets, size says ${p.spiSize}`,
        w.length,
      );
    }
    w.bytes(spi);
  }
}

export function decodeVendorIdBody(r: ByteReader): Body<VendorIdPayload> {
  return { kind: 'V', vendorId: r.rest() };
}

export function encodeVendorIdBody(w: ByteWriter, p: VendorIdPayload): void {
  w.bytes(p.vendorId);
}

/** CP (RFC 7296 §3.15): CFG type, three reserved octets, attributes (§3.15.1). */
export function decodeCpBody(r: ByteReader): Body<CpPayload> {
  const cfgType = r.u8('CFG type');
  r.skip(3, 'CP reserved');
  const attributes: CfgAttribute[] = [];
  while (r.remaining > 0) {
    // The top bit is reserved: zero on send, ignored on receipt.
    const type = r.u16('CP attribute type') & 0x7fff;
    const length = r.u16('CP attribute length');
    attributes.push({ type, value: r.bytes(length, 'CP attribute value') });
  }
  return { kind: 'CP', cfgType, attributes };
}

export function encodeCpBody(w: ByteWriter, p: CpPayload): void {
  w.u8(p.cfgType, 'CFG type');
  w.u8(0, 'reserved');
  w.u16(0, 'reserved');
  for (const a of p.attributes) {
    if (a.type > 0x7fff) {
      throw new WireError('BAD_VALUE', `CP attribute type ${a.type} exceeds 15 bits`, w.length);
    }
    w.u16(a.type, 'CP attribute type');
    w.u16(a.value.length, 'CP attribute length');
    w.bytes(a.value);
  }
}

/**
 * EAP (RFC 7296 §3.16): one EAP packet (RFC 3748 §4) whose own Length must
 * equal the payload body; Request and Response carry a Type octet.
 */
export function decodeEapBody(r: ByteReader): Body<EapPayload> {
  const start = r.pos;
  const size = r.remaining;
  const code = r.u8('EAP code');
  const identifier = r.u8('EAP identifier');
  const length = r.u16('EAP length');
  if (length !== size) {
    throw new WireError('BAD_LENGTH', `EAP length ${length} but payload holds ${size}`, start + 2);
  }
  if (code === EapCode.REQUEST || code === EapCode.RESPONSE) {
    const eapType = r.u8('EAP type');
    return { kind: 'EAP', code, identifier, eapType, data: r.rest() };
  }
  return { kind: 'EAP', code, identifier, data: r.rest() };
}

export function encodeEapBody(w: ByteWriter, p: EapPayload): void {
  const start = w.length;
  w.u8(p.code, 'EAP code');
  w.u8(p.identifier, 'EAP identifier');
  w.u16(0, 'EAP length');
  const typed = p.code === EapCode.REQUEST || p.code === EapCode.RESPONSE;
  if (typed !== (p.eapType !== undefined)) {
    throw new WireError('BAD_VALUE', 'EAP Type is present exactly for Request and Response', start);
  }
  if (p.eapType !== undefined) w.u8(p.eapType, 'EAP type');
  w.bytes(p.data);
  w.patchU16(start + 2, w.length - start, 'EAP length');
}

/** SKF (RFC 7383 §2.5): fragment number and total, then IV, ciphertext, ICV. */
export function decodeSkfBody(r: ByteReader, firstInnerType: number): Body<SkfPayload> {
  const start = r.pos;
  const fragmentNumber = r.u16('fragment number');
  const totalFragments = r.u16('total fragments');
  checkFragmentNumbers(fragmentNumber, totalFragments, start);
  return { kind: 'SKF', firstInnerType, fragmentNumber, totalFragments, body: r.rest() };
}

export function encodeSkfBody(w: ByteWriter, p: SkfPayload): void {
  checkFragmentNumbers(p.fragmentNumber, p.totalFragments, w.length);
  w.u16(p.fragmentNumber, 'fragment number');
  w.u16(p.totalFragments, 'total fragments');
  w.bytes(p.body);
}

/** RFC 7383 §2.5: fragments count from 1 and the number never exceeds the total. */
function checkFragmentNumbers(n: number, total: number, at: number): void {
  if (n < 1 || n > total) {
    throw new WireError('BAD_VALUE', `fragment ${n} of ${total}`, at);
  }
}
