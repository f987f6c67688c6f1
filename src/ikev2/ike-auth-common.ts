/**
 * What both roles of IKE_AUTH share: our identity for a round, the
 * authenticator of a configured method, the log line of a successful
 * authentication, and installing the CHILD_SA negotiated alongside.
 */

import type { Authenticator } from './auth-methods.js';
import { pskAuthenticator } from './auth-methods.js';
import { pubkeyAuthenticator } from './auth-pubkey.js';
import { releaseSpis } from './child-negotiation.js';
import type { ChildSa } from './child-sa.js';
import { installChildSa, removeChildSa } from './child-sa.js';
import type { AuthMethod, AuthRound, Identity } from './connection.js';
import type { EngineContext } from './context.js';
import { addressIdentity, formatIdentity, isAnyIdentity } from './identities.js';
import type { IkeSa } from './ike-sa.js';

/** The IDi/IDr of our round: the configured identity, or our address for `%any`. */
export function ourIdentity(sa: IkeSa, round: AuthRound): Identity {
  return isAnyIdentity(round.id) ? addressIdentity(sa.local.address) : round.id;
}

/** Each side proves itself with its own configured method (RFC 7296 §2.15); EAP is handled apart. */
export function authenticatorFor(method: AuthMethod): Authenticator {
  return method === 'pubkey' ? pubkeyAuthenticator : pskAuthenticator;
}

export function logAuthenticated(
  ctx: EngineContext,
  sa: IkeSa,
  peerId: Identity,
  how: string,
): void {
  ctx.ports.logger.log(
    'info',
    sa.label,
    `authentication of ${formatIdentity(peerId)} with ${how} successful`,
  );
}

/** The rounds of a list that are configured (RFC 4739: a second one is optional). */
export const configuredRounds = (...rounds: (AuthRound | undefined)[]): AuthRound[] =>
  rounds.filter((r): r is AuthRound => r !== undefined);

function natEncap(sa: IkeSa) {
  return sa.natLocal || sa.natRemote ? { sport: sa.local.port, dport: sa.remote.port } : undefined;
}

export async function installNegotiatedChild(
  ctx: EngineContext,
  sa: IkeSa,
  child: ChildSa,
  weInitiated: boolean,
  nonces: { ni: Uint8Array; nr: Uint8Array },
  pfsSecret?: Uint8Array,
  opts: { deferOutbound?: boolean } = {},
): Promise<boolean> {
  const encap = natEncap(sa);
  try {
    await installChildSa(child, {
      kernel: ctx.kernel,
      prf: sa.prf!,
      skD: sa.keys!.skD,
      ni: nonces.ni,
      nr: nonces.nr,
      weInitiated,
      local: sa.local,
      remote: sa.remote,
      ...(pfsSecret ? { pfsSecret } : {}),
      ...(encap ? { encap } : {}),
      ...(opts.deferOutbound ? { deferOutbound: true } : {}),
    });
  } catch (e) {
    // RFC 7296 §2.21.3: a CHILD_SA that cannot be set up does not fail the
    // IKE_SA; undo what reached the kernel and let the caller tell the peer.
    ctx.ports.logger.log(
      'warn',
      sa.label,
      `CHILD_SA ${child.config.name} not installed: ${(e as Error).message}`,
    );
    await removeChildSa(child, ctx.kernel);
    await releaseSpis(ctx, sa, child);
    return false;
  }
  child.installedAt = ctx.ports.clock.now();
  sa.children.push(child);
  ctx.childInstalled(sa, child);
  ctx.ports.logger.log(
    'info',
    sa.label,
    `CHILD_SA ${child.config.name}{${child.uniqueId}} established`,
    {
      spi_in: child.spiIn.toString(16).padStart(8, '0'),
      spi_out: child.spiOut.toString(16).padStart(8, '0'),
      mode: child.mode,
      reqid: child.reqid,
    },
  );
  return true;
}
