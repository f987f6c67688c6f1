/**
 * The appliance's policies for one connection (the manual's Init Type, Close
 * Action and DPD Action), held by the connection manager, never by the engine.
 */
import type { CloseAction, ConnectionConfig, DpdAction, StartAction } from '../config/types.js';
import type { DownCause } from '../ikev2/events.js';

export interface ConnectionPolicy {
  readonly startAction: StartAction;
  readonly closeAction: CloseAction;
  readonly dpdAction: DpdAction;
  /** Rounds over the remote endpoints before giving up (strongSwan keyingtries; 0 = forever). */
  readonly keyingTries: number;
}

/** strongSwan's defaults: responder only, nothing after a delete, clear on a dead peer. */
export const DEFAULT_POLICY: ConnectionPolicy = {
  startAction: 'none',
  closeAction: 'none',
  dpdAction: 'clear',
  keyingTries: 1,
};

export function policyOf(c: ConnectionConfig): ConnectionPolicy {
  return {
    startAction: c.startAction,
    closeAction: c.closeAction,
    dpdAction: c.dpd.action,
    keyingTries: c.keyingTries,
  };
}

export const initiatesAtStart = (p: ConnectionPolicy): boolean =>
  p.startAction === 'start' || p.startAction === 'start+trap';

export const trapsAtStart = (p: ConnectionPolicy): boolean =>
  p.startAction === 'trap' || p.startAction === 'start+trap';

/** What follows an IKE_SA going down: reconnect, trap policies back in place, or nothing. */
export type FollowUp = 'none' | 'start' | 'trap';

/**
 * The Close Action applies to a delete by the peer, the DPD action to a dead
 * peer (strongSwan: dpd_action restart = start again, trap = trap policies).
 * Anything we did ourselves, a rekey, or a failed negotiation is followed by
 * nothing, except that trap policies of an on-demand connection stay.
 */
export function followUp(
  cause: DownCause,
  p: Pick<ConnectionPolicy, 'closeAction' | 'dpdAction'>,
): FollowUp {
  if (cause === 'peer-deleted') return p.closeAction;
  if (cause === 'dead-peer')
    return p.dpdAction === 'restart' ? 'start' : p.dpdAction === 'trap' ? 'trap' : 'none';
  return 'none';
}
