/**
 * Bounds on counts the wire allows but no sane peer needs. They are codec
 * limits, not protocol constants: each caps work and memory per datagram.
 */

/** Proposals in one SA payload. */
export const MAX_PROPOSALS = 64;
/** Transforms in one proposal. */
export const MAX_TRANSFORMS_PER_PROPOSAL = 64;
/** Payloads in one chain (the cleartext message, or the decrypted SK contents). */
export const MAX_PAYLOADS_PER_CHAIN = 256;
