/**
 * Decoding errors of the ISAKMP codec.
 *
 * ISAKMP has its own notify numbers (RFC 2408 §3.14.1), which differ from
 * IKEv2's (7 is INVALID-EXCHANGE-TYPE here, INVALID_SYNTAX there), so the
 * error carries both: the shared {@link WireError} fields with the closest
 * IKEv2 notify, and `isakmpNotify` for an IKEv1 Informational answer.
 */

import { WireError, type WireErrorCode, WireNotify } from '../errors.js';
import { IsakmpNotify } from './constants.js';

export type IsakmpNotifyType = (typeof IsakmpNotify)[keyof typeof IsakmpNotify];

export class IsakmpWireError extends WireError {
  constructor(
    code: WireErrorCode,
    message: string,
    offset: number,
    /** The ISAKMP notify message type this maps to (RFC 2408 §3.14.1). */
    readonly isakmpNotify: IsakmpNotifyType,
    payloadType?: number,
  ) {
    super(
      code,
      message,
      offset,
      isakmpNotify === IsakmpNotify.INVALID_MAJOR_VERSION
        ? WireNotify.INVALID_MAJOR_VERSION
        : WireNotify.INVALID_SYNTAX,
      payloadType,
    );
  }
}

/** Shorthand for the many bounds checks: throws an {@link IsakmpWireError}. */
export function fail(
  code: WireErrorCode,
  message: string,
  offset: number,
  isakmpNotify: IsakmpNotifyType = IsakmpNotify.PAYLOAD_MALFORMED,
  payloadType?: number,
): never {
  throw new IsakmpWireError(code, message, offset, isakmpNotify, payloadType);
}
