/**
 * ISAKMP / IKEv1 wire codec (RFC 2408, RFC 2407, RFC 2409, RFC 3947,
 * draft-dukes-ike-mode-cfg, draft-beaulieu-ike-xauth): bytes to typed
 * messages and back, no crypto.
 */

export { attributeInteger, integerAttribute } from './attributes.js';
export { type DecodePayloadsOptions, decodeIsakmpPayloads, encodeIsakmpPayloads } from './chain.js';
export * from './constants.js';
export { type IsakmpNotifyType, IsakmpWireError } from './errors.js';
export { decodeIsakmpMessage, encodeIsakmpMessage, isEncryptedMessage } from './message.js';
export { isKnownPayloadType, payloadTypeOf } from './payload-bodies.js';
export type * from './types.js';
