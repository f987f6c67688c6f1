/**
 * What the engine reports to whoever drives it (the connection manager,
 * src/manager/): typed lifecycle events. The engine keeps no appliance policy;
 * the manager decides what follows an event (close action, DPD action,
 * restarts, interfaces, firewall rules) and acts through the engine's commands.
 */
import type { ChildSa } from './child-sa.js';
import type { IkeSa } from './ike-sa.js';

/**
 * Why an IKE_SA went, as far as the appliance's policies care:
 * - `peer-deleted`: the peer sent a Delete (the manual's Close Action applies);
 * - `dead-peer`: the liveness check got no answer (the DPD action applies);
 * - `no-answer`: IKE_SA_INIT went unanswered (the next remote endpoint is tried);
 * - `replaced`: a rekey or duplicate resolution superseded it (no tunnel ended);
 * - `local`: we closed it (operator, reload, shutdown, INITIAL_CONTACT);
 * - `failed`: negotiation or authentication failed, or an exchange timed out.
 */
export type DownCause =
  | 'peer-deleted'
  | 'dead-peer'
  | 'no-answer'
  | 'replaced'
  | 'local'
  | 'failed';

export type EngineEvent =
  | { readonly type: 'ike-up'; readonly sa: IkeSa }
  | {
      readonly type: 'ike-down';
      readonly sa: IkeSa;
      readonly reason: string;
      readonly cause: DownCause;
    }
  | { readonly type: 'child-up'; readonly sa: IkeSa; readonly child: ChildSa }
  | {
      readonly type: 'child-down';
      readonly sa: IkeSa;
      readonly child: ChildSa;
      readonly reason: string;
    }
  /** The liveness check (RFC 7296 §2.4) went unanswered; an ike-down with `dead-peer` follows. */
  | { readonly type: 'dpd-timeout'; readonly sa: IkeSa }
  /** The peer authenticated with INITIAL_CONTACT: it restarted and dropped its old state. */
  | { readonly type: 'peer-restart'; readonly sa: IkeSa };

export type EngineEventListener = (event: EngineEvent) => void;
