/**
 * Where each payload may appear (RFC 7296 §1.2-1.5, §3.14; RFC 7383 §2.5;
 * RFC 5723 §4.1) and which payloads a chain may hold only once. The engine
 * still checks what each exchange requires; this table only rejects what can
 * never be right, before any crypto runs.
 */

import { WireError } from '../errors.js';
import { ExchangeType, PayloadType } from './constants.js';
import type { ChainContext } from './types.js';

const P = PayloadType;
const ENCRYPTED = [P.SK, P.SKF] as const;

/**
 * Payloads allowed in the cleartext part of a message, per exchange type:
 * - IKE_SA_INIT is unprotected: SA, KE, Nonce, N, V, and CERTREQ in the
 *   response (RFC 7296 §1.2 "HDR, SAr1, KEr, Nr, [CERTREQ]"); SK cannot occur.
 * - IKE_SESSION_RESUME is unprotected: Nonce and N (RFC 5723 §4.1).
 * - INFORMATIONAL may also carry a cleartext N: the unprotected INVALID_IKE_SPI
 *   and INVALID_SPI notifications of RFC 7296 §1.5.
 * - Every other exchange (IKE_AUTH, CREATE_CHILD_SA, IKE_INTERMEDIATE,
 *   IKE_FOLLOWUP_KE, the G-IKEv2 exchanges, and unknown types) carries its
 *   payloads inside SK or SKF only (RFC 7296 §3.14, RFC 7383 §2.5).
 */
const CLEAR_PAYLOADS: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [
    ExchangeType.IKE_SA_INIT,
    new Set<number>([P.SA, P.KE, P.NONCE, P.NOTIFY, P.VENDOR_ID, P.CERTREQ]),
  ],
  [ExchangeType.IKE_SESSION_RESUME, new Set<number>([P.NONCE, P.NOTIFY])],
  [ExchangeType.INFORMATIONAL, new Set<number>([...ENCRYPTED, P.NOTIFY])],
]);
const ENCRYPTED_ONLY: ReadonlySet<number> = new Set<number>(ENCRYPTED);

/** The cleartext payloads allowed in `exchangeType` (see CLEAR_PAYLOADS). */
export function clearPayloadsFor(exchangeType: number | undefined): ReadonlySet<number> {
  return (exchangeType !== undefined && CLEAR_PAYLOADS.get(exchangeType)) || ENCRYPTED_ONLY;
}

/** Throws unless a payload of this understood type may appear here. */
export function checkPlacement(
  payloadType: number,
  context: ChainContext,
  exchangeType: number | undefined,
  offset: number,
): void {
  const isEncrypted = payloadType === P.SK || payloadType === P.SKF;
  if (context === 'inner') {
    if (isEncrypted) {
      throw new WireError('MISPLACED_PAYLOAD', `payload ${payloadType} nested inside SK`, offset);
    }
    return;
  }
  if (clearPayloadsFor(exchangeType).has(payloadType)) return;
  if (isEncrypted) {
    throw new WireError(
      'MISPLACED_PAYLOAD',
      `payload ${payloadType} not allowed in exchange ${exchangeType}`,
      offset,
    );
  }
  throw new WireError(
    'NOT_ALLOWED_IN_CLEAR',
    `payload ${payloadType} outside SK in exchange ${exchangeType}`,
    offset,
  );
}

/**
 * Payloads a chain holds at most once, mapped to their slot; SK and SKF share
 * one because a message is either encrypted whole or one fragment.
 */
const SINGLE_SLOT: ReadonlyMap<number, number> = new Map([
  [P.SA, P.SA],
  [P.KE, P.KE],
  [P.NONCE, P.NONCE],
  [P.IDi, P.IDi],
  [P.IDr, P.IDr],
  [P.AUTH, P.AUTH],
  [P.TSi, P.TSi],
  [P.TSr, P.TSr],
  [P.CP, P.CP],
  [P.EAP, P.EAP],
  [P.SK, P.SK],
  [P.SKF, P.SK],
]);

/** Records `payloadType` in `seen`; throws DUPLICATE_PAYLOAD on a second single one. */
export function checkSingle(payloadType: number, seen: Set<number>, offset: number): void {
  const slot = SINGLE_SLOT.get(payloadType);
  if (slot === undefined) return;
  if (seen.has(slot)) {
    throw new WireError('DUPLICATE_PAYLOAD', `second payload of type ${payloadType}`, offset);
  }
  seen.add(slot);
}
