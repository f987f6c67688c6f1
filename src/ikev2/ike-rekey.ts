/**
 * Rekeying IKE_SAs (RFC 7296 §1.3.2, §2.18).
 */

import { type IkePayload, NotifyType } from '../wire/ikev2/index.js';
import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';
import { notify } from './payloads.js';

/** Responder side of an IKE_SA rekey. */
export async function processIkeRekeyRequest(
  _ctx: EngineContext,
  _sa: IkeSa,
  _payloads: IkePayload[],
): Promise<IkePayload[]> {
  return [notify(NotifyType.NO_ADDITIONAL_SAS)];
}
