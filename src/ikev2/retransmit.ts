/**
 * Retransmission timing (RFC 7296 §2.1) with strongSwan's defaults:
 * a first timeout of 4 s, multiplied by 1.8 for each retry, 5 retransmissions,
 * then one more timeout before the exchange is given up (about 165 s in all).
 * Only the initiator of an exchange retransmits; the responder answers a
 * retransmitted request from its response cache.
 */

import { DEFAULTS } from '../defaults.js';

export interface RetransmitPolicy {
  /** First timeout in milliseconds. */
  readonly timeoutMs: number;
  readonly base: number;
  /** Number of retransmissions after the first send. */
  readonly tries: number;
  /** Upper bound for one timeout. */
  readonly maxTimeoutMs: number;
}

export const STRONGSWAN_RETRANSMIT: RetransmitPolicy = {
  timeoutMs: DEFAULTS.retransmitTimeoutMs,
  base: DEFAULTS.retransmitBase,
  tries: DEFAULTS.retransmitTries,
  maxTimeoutMs: 0,
};

/**
 * Delay before retransmission number `attempt` (0 = wait after the first send),
 * or `null` when the exchange must be given up after `attempt` sends.
 */
export function retransmitDelay(policy: RetransmitPolicy, attempt: number): number {
  const d = policy.timeoutMs * policy.base ** attempt;
  return Math.round(policy.maxTimeoutMs > 0 ? Math.min(d, policy.maxTimeoutMs) : d);
}

/** Total time until an unanswered request is given up. */
export function giveUpAfterMs(policy: RetransmitPolicy): number {
  let total = 0;
  for (let i = 0; i <= policy.tries; i++) total += retransmitDelay(policy, i);
  return total;
}
