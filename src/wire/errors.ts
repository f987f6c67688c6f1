/**
 * Typed decoding errors shared by the IKEv2 and ISAKMP codecs.
 *
 * A codec never throws anything but a {@link WireError}: it carries a stable
 * `code`, the byte offset where decoding stopped and the notify type that the
 * error maps to (RFC 7296 §3.10.1), so the engine can answer or drop without
 * inspecting message text.
 */

/** Notify error types a decoding failure can map to (RFC 7296 §3.10.1). */
export const WireNotify = {
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
} as const;
export type WireNotifyType = (typeof WireNotify)[keyof typeof WireNotify];

export type WireErrorCode =
  | 'TRUNCATED'
  | 'BAD_LENGTH'
  | 'BAD_VERSION'
  | 'BAD_VALUE'
  | 'UNSUPPORTED_CRITICAL'
  | 'NOT_ALLOWED_IN_CLEAR'
  | 'DUPLICATE_PAYLOAD'
  /** A payload in a place no exchange allows: SK nested in SK, SK not last, SK in IKE_SA_INIT. */
  | 'MISPLACED_PAYLOAD'
  | 'TOO_LARGE'
  | 'INTEGRITY'
  | 'DECRYPT';

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    message: string,
    /** Offset in the decoded buffer where the problem was found. */
    readonly offset: number,
    /** The IKE notify type this maps to when an answer is due. */
    readonly notify: WireNotifyType = WireNotify.INVALID_SYNTAX,
    /** For UNSUPPORTED_CRITICAL: the payload type that was not understood. */
    readonly payloadType?: number,
  ) {
    super(`${message} (offset ${offset})`);
  }
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
