/**
 * IKE_AUTH (RFC 7296 §1.2, §2.15, §2.16; RFC 4739): identities, the AUTH
 * payloads, EAP rounds, a second authentication round, INITIAL_CONTACT and
 * the first CHILD_SA. A CHILD_SA that fails here does not fail the IKE_SA
 * (RFC 7296 §2.21.3). The initiator's side is in ike-auth-initiator.ts, the
 * responder's in ike-auth-responder.ts.
 */

export { installNegotiatedChild } from './ike-auth-common.js';
export { startIkeAuth } from './ike-auth-initiator.js';
export { type AuthRequestResult, processAuthRequest } from './ike-auth-responder.js';
