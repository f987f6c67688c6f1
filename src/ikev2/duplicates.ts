/**
 * Duplicate IKE_SAs and CHILD_SAs: both peers initiating the same connection
 * at once (start actions on both sides, an ACQUIRE meeting the peer's
 * initiation, an operator `up` twice) leaves two IKE_SAs, and each carries
 * the connection's CHILD_SAs. RFC 7296 allows several IKE_SAs between two
 * peers and says nothing about which to keep; strongSwan's answer
 * (ike_sa_manager.c check_uniqueness with uniqueids=yes) is that a responder
 * deletes the older IKE_SA with the same identities when a new one
 * authenticates, which with both sides initiating can delete both.
 *
 * Styx lets both sides reach the same verdict on their own, with the rule
 * RFC 7296 §2.8.1 gives for simultaneous rekeys: of the two IKE_SAs, the one
 * whose exchange holds the lowest nonce (of its Ni and Nr) is redundant, and
 * the side that initiated it deletes it (an INFORMATIONAL Delete, §1.4.1);
 * the other side only accepts that delete and runs no close action for it.
 * Make-before-break: the delete waits until the survivor answered a liveness
 * check (§2.4: the peer holds it) and carries every CHILD_SA the redundant
 * one has; the redundant CHILD_SAs' policies then pass to the survivor's in
 * one kernel update each (child-sa.ts bequeathPolicies), so no policy dangles.
 *
 * A peer that restarted may leave one of the two stale (unknown to it): the
 * side that waits for the peer's delete checks both IKE_SAs' liveness, so a
 * stale one ends after the retransmission schedule instead of lingering.
 *
 * The same rule applies to two CHILD_SAs of one configured child inside one
 * IKE_SA (the peer's CREATE_CHILD_SA crossing ours): the CHILD_SA whose
 * creating exchange holds the lowest nonce is redundant, and the initiator of
 * that exchange deletes it.
 */

import { ExchangeType } from '../wire/ikev2/index.js';
import { holdsLowestNonce, retireChild } from './child-rekey.js';
import type { ChildSa } from './child-sa.js';
import type { EngineContext } from './context.js';
import { startCreateChild } from './create-child-sa.js';
import { wasSuperseded } from './ike-rekey.js';
import type { IkeSa } from './ike-sa.js';
import { deleteChildSa, deleteIkeSa } from './informational.js';

/** The tag of queued requests that create further CHILD_SAs (dropped on a redundant IKE_SA). */
export const CREATE_CHILD_TAG = 'create-child';

/**
 * How long a redundant IKE_SA waits for the survivor to carry its CHILD_SAs
 * before it is deleted anyway (the peer's CREATE_CHILD_SA for one may fail).
 */
export const SURVIVOR_CHILDREN_WAIT_MS = 30_000;

/**
 * How long the side that did not initiate the redundant IKE_SA waits for the
 * peer's delete before it checks the survivor again and deletes the redundant
 * one itself: the peer may not follow this rule (strongSwan does not), or may
 * have lost the survivor meanwhile (a given-up exchange).
 */
export const PEER_DELETE_WAIT_MS = 60_000;

interface IkeDuplicate {
  readonly survivor: IkeSa;
  readonly redundant: IkeSa;
  /** We initiated the redundant IKE_SA: we delete it. */
  readonly weDelete: boolean;
  /** The peer answered a liveness check on the survivor. */
  survivorAlive: boolean;
  /** The wait for the survivor's CHILD_SAs is over. */
  waited: boolean;
  /** We asked for the survivor's missing CHILD_SAs ourselves. */
  completing: boolean;
  deleting: boolean;
}

/** IKE_SAs redundant when they became established: they got no further CHILD_SAs. */
const childrenSkipped = new WeakSet<IkeSa>();

/** Resolutions by redundant IKE_SA, and the ones each survivor takes part in. */
const byRedundant = new WeakMap<IkeSa, IkeDuplicate>();
const bySurvivor = new WeakMap<IkeSa, Set<IkeDuplicate>>();

/** Is `sa` the redundant one of two duplicate IKE_SAs (to be deleted, no close action)? */
export function isRedundantIkeSa(sa: IkeSa): boolean {
  return byRedundant.has(sa);
}

function samePeer(a: IkeSa, b: IkeSa): boolean {
  if (a.remote.address !== b.remote.address) return false;
  const x = a.peerId;
  const y = b.peerId;
  if (!x || !y) return x === y;
  return x.type === y.type && Buffer.from(x.data).equals(Buffer.from(y.data));
}

/** Established IKE_SAs of the same connection and peer as `sa`, not already on their way out. */
function duplicatesOf(ctx: EngineContext, sa: IkeSa): IkeSa[] {
  if (!sa.conn) return [];
  return ctx
    .sasOf(sa.conn)
    .filter(
      (o) =>
        o !== sa &&
        o.state === 'established' &&
        !wasSuperseded(o) &&
        !byRedundant.has(o) &&
        samePeer(o, sa),
    );
}

/**
 * `sa` just became established: if another IKE_SA of its connection with the
 * same peer exists, decide which one is redundant and start resolving.
 * Returns true when `sa` itself is the redundant one (it gets no further
 * CHILD_SAs).
 */
export function resolveDuplicateIkeSa(ctx: EngineContext, sa: IkeSa): boolean {
  const other = duplicatesOf(ctx, sa)[0];
  if (!other) return false;
  // RFC 7296 §2.8.1's rule, applied to the exchanges that created the two IKE_SAs.
  const redundant = holdsLowestNonce(sa, other) ? sa : other;
  const survivor = redundant === sa ? other : sa;
  const d: IkeDuplicate = {
    survivor,
    redundant,
    weDelete: redundant.role === 'initiator',
    survivorAlive: false,
    waited: false,
    completing: false,
    deleting: false,
  };
  byRedundant.set(redundant, d);
  const set = bySurvivor.get(survivor) ?? new Set();
  set.add(d);
  bySurvivor.set(survivor, set);
  ctx.ports.logger.log(
    'info',
    redundant.label,
    `duplicate of IKE_SA ${survivor.label}: ${d.weDelete ? 'we delete this one' : 'the peer deletes this one'}`,
  );
  probe(ctx, survivor, d);
  if (d.weDelete) {
    // Further CHILD_SAs belong on the survivor (its initiator creates them).
    ctx.dropQueued(redundant, CREATE_CHILD_TAG);
    ctx.schedule(redundant, SURVIVOR_CHILDREN_WAIT_MS, async () => {
      d.waited = true;
      tryDelete(ctx, d);
    });
  } else {
    // A peer that restarted may not know the redundant one: its silence ends it.
    probe(ctx, redundant, d);
    ctx.schedule(redundant, PEER_DELETE_WAIT_MS, async () => takeOverDelete(ctx, d));
  }
  if (redundant === sa) childrenSkipped.add(sa);
  return redundant === sa;
}

/** An empty INFORMATIONAL (RFC 7296 §2.4): unanswered, the IKE_SA is gone on the peer. */
function probe(ctx: EngineContext, sa: IkeSa, d: IkeDuplicate): void {
  ctx.queueRequest(
    sa,
    ExchangeType.INFORMATIONAL,
    () => [],
    async () => {
      if (sa !== d.survivor) return;
      d.survivorAlive = true;
      tryDelete(ctx, d);
    },
    async () => {
      await ctx.closeSa(sa, 'peer did not answer the duplicate check', 'failed');
    },
  );
}

/** The peer did not delete the redundant IKE_SA: if the survivor still answers, we do. */
function takeOverDelete(ctx: EngineContext, d: IkeDuplicate): void {
  const { survivor, redundant } = d;
  if (byRedundant.get(redundant) !== d || redundant.state !== 'established') return;
  if (survivor.state !== 'established') return;
  ctx.queueRequest(
    survivor,
    ExchangeType.INFORMATIONAL,
    () => [],
    async () => {
      if (d.deleting || redundant.state !== 'established' || byRedundant.get(redundant) !== d)
        return;
      d.deleting = true;
      ctx.ports.logger.log(
        'info',
        redundant.label,
        'the peer did not delete this duplicate: deleting it',
      );
      void deleteIkeSa(ctx, redundant, `duplicate of ${survivor.label}`);
    },
    async () => {
      await ctx.closeSa(survivor, 'peer did not answer the duplicate check', 'failed');
    },
  );
}

/** Deletes the redundant IKE_SA once the survivor is confirmed and carries its CHILD_SAs. */
function tryDelete(ctx: EngineContext, d: IkeDuplicate): void {
  const { survivor, redundant } = d;
  if (!d.weDelete || d.deleting || !d.survivorAlive) return;
  if (redundant.state !== 'established' || survivor.state !== 'established') return;
  const has = new Set(survivor.children.map((c) => c.config.name));
  const missing = redundant.children.filter((c) => !has.has(c.config.name));
  if (missing.length > 0 && !d.waited) {
    // A young survivor gets its CHILD_SAs from its initiator right after
    // IKE_AUTH; an older one lost them (expiry, a refused rekey): we make them.
    // (One that was redundant itself when it came up got none: nobody makes them.)
    const young = ctx.ports.clock.now() - survivor.establishedAt < SURVIVOR_CHILDREN_WAIT_MS;
    if ((young && !childrenSkipped.has(survivor)) || d.completing) return;
    d.completing = true;
    for (const c of missing) startCreateChild(ctx, survivor, c.config);
    return;
  }
  d.deleting = true;
  void deleteIkeSa(ctx, redundant, `duplicate of ${survivor.label}`);
}

/** A CHILD_SA was installed on `sa`: a redundant IKE_SA waiting for it may go now. */
export function survivorGrew(ctx: EngineContext, sa: IkeSa): void {
  for (const d of bySurvivor.get(sa) ?? []) tryDelete(ctx, d);
}

/**
 * `sa` closed: a resolution it took part in ends. When the survivor went
 * first, the redundant IKE_SA is no longer redundant; it is checked again
 * against the IKE_SAs that remain (a third one may have come meanwhile).
 */
export function forgetIkeSa(ctx: EngineContext, sa: IkeSa): void {
  const mine = byRedundant.get(sa);
  if (mine) bySurvivor.get(mine.survivor)?.delete(mine);
  const freed: IkeSa[] = [];
  for (const d of bySurvivor.get(sa) ?? []) {
    if (byRedundant.get(d.redundant) === d && !d.deleting) {
      byRedundant.delete(d.redundant);
      freed.push(d.redundant);
    }
  }
  bySurvivor.delete(sa);
  for (const r of freed) if (r.state === 'established') resolveDuplicateIkeSa(ctx, r);
}

// ------------------------------------------------------------------ CHILD_SAs

interface ChildOrigin {
  readonly ni: Uint8Array;
  readonly nr: Uint8Array;
  /** We initiated the exchange that created the CHILD_SA. */
  readonly weInitiated: boolean;
  /** The CHILD_SA this one rekeys (RFC 7296 §2.8): the two are no duplicates. */
  readonly rekeyOf?: ChildSa;
}

const origins = new WeakMap<ChildSa, ChildOrigin>();
/** CHILD_SAs found redundant: deleted by us or by the peer, never rekeyed. */
const redundantChildren = new WeakSet<ChildSa>();

/** Records the nonces of the exchange that created `child` (CREATE_CHILD_SA or a rekey). */
export function noteChildOrigin(child: ChildSa, origin: ChildOrigin): void {
  origins.set(child, origin);
}

/** The creating exchange of `child`; a CHILD_SA from IKE_AUTH has the IKE_SA's nonces. */
function originOf(sa: IkeSa, child: ChildSa): ChildOrigin {
  let o = origins.get(child);
  if (!o) {
    o = { ni: sa.ni, nr: sa.nr, weInitiated: sa.role === 'initiator' };
    origins.set(child, o);
  }
  return o;
}

export function isRedundantChild(child: ChildSa): boolean {
  return redundantChildren.has(child);
}

/** Are `a` and `b` an old CHILD_SA and its rekey, or two rekeys of one (a §2.8.1 collision)? */
function rekeyRelated(sa: IkeSa, a: ChildSa, b: ChildSa): boolean {
  const [x, y] = [originOf(sa, a).rekeyOf, originOf(sa, b).rekeyOf];
  return x === b || y === a || (x !== undefined && x === y);
}

/**
 * `child` was just installed on `sa`: a second CHILD_SA of the same
 * configured child in this IKE_SA (not its rekey predecessor or a colliding
 * rekey, which child-rekey.ts settles) is a duplicate; the lowest-nonce one
 * goes, deleted by the side that created it. The reqid tells nothing here:
 * two CHILD_SAs created at once may both take a trap policy's reqid.
 */
export function resolveDuplicateChild(ctx: EngineContext, sa: IkeSa, child: ChildSa): void {
  const mine = originOf(sa, child);
  const other = sa.children.find(
    (c) =>
      c !== child &&
      c.config.name === child.config.name &&
      (c.state === 'installed' || c.state === 'rekeying') &&
      !redundantChildren.has(c) &&
      !rekeyRelated(sa, child, c),
  );
  if (!other) return;
  const theirs = originOf(sa, other);
  const redundant = holdsLowestNonce(mine, theirs) ? child : other;
  const origin = redundant === child ? mine : theirs;
  redundantChildren.add(redundant);
  retireChild(redundant);
  ctx.ports.logger.log(
    'info',
    sa.label,
    `duplicate CHILD_SA ${redundant.config.name}{${redundant.uniqueId}}: ${origin.weInitiated ? 'deleting it' : 'the peer deletes it'}`,
  );
  if (origin.weInitiated) void deleteChildSa(ctx, sa, redundant);
}
