/**
 * Proposal selection (RFC 7296 §2.7, §3.3.6), as a pure function over a
 * normalised view of SA payload proposals.
 *
 * A proposal offers, per transform type, a set of alternatives; the responder
 * picks exactly one proposal and exactly one transform of each type present.
 * Like strongSwan (charon.prefer_configured_proposals = yes), the responder walks
 * its own configured proposals in order and takes the first one the peer also
 * offered, so the administrator's preference wins.
 */

export type SaProtocol = 'ike' | 'esp' | 'ah';

export interface EncrChoice {
  readonly id: number;
  /** Key length in bits from the KEY_LENGTH attribute (RFC 7296 §3.3.5), if any. */
  readonly keyLen?: number;
}

/** One proposal: alternatives per transform type (RFC 7296 §3.3.1). */
export interface Proposal {
  readonly protocol: SaProtocol;
  /** Proposal number as sent (1-based); 0 when built from configuration. */
  readonly num?: number;
  readonly spi?: Uint8Array;
  readonly encr: readonly EncrChoice[];
  readonly prf: readonly number[];
  readonly integ: readonly number[];
  readonly ke: readonly number[];
  readonly esn: readonly number[];
  /** Transform types the decoder saw but that are not modelled here (RFC 7296 §3.3.6). */
  readonly unknownTypes?: readonly number[];
}

/** The single transform per type the responder chose. */
export interface ChosenProposal {
  readonly protocol: SaProtocol;
  readonly num: number;
  readonly spi?: Uint8Array;
  readonly encr?: EncrChoice;
  readonly prf?: number;
  readonly integ?: number;
  readonly ke?: number;
  readonly esn?: number;
}

export interface SelectOptions {
  /**
   * Ignore KE transforms: the CHILD_SA negotiated within IKE_AUTH has no key
   * exchange of its own (RFC 7296 §1.2), so a peer's KE alternatives there are
   * not a reason to reject it.
   */
  readonly ignoreKe?: boolean;
  /** Lets the caller reject encryption algorithms that need integrity when none is offered. */
  readonly isAead?: (encr: EncrChoice) => boolean;
}

const NONE = 0;

/** ESN value "no extended sequence numbers" (RFC 7296 §3.3.2, transform type 5). */
export const ESN_NONE = 0;

function sameEncr(a: EncrChoice, b: EncrChoice): boolean {
  return a.id === b.id && (a.keyLen ?? 0) === (b.keyLen ?? 0);
}

/**
 * Picks the first element of `ours` that `theirs` also lists. An empty list on
 * both sides is "type not present"; present on only one side is no match,
 * except where the type is optional (`optionalNone` = value meaning "none").
 */
function pickCommon<T>(
  ours: readonly T[],
  theirs: readonly T[],
  eq: (a: T, b: T) => boolean,
  optionalNone?: T,
): { ok: boolean; value?: T } {
  if (ours.length === 0 && theirs.length === 0) return { ok: true };
  const theirsEff = theirs.length === 0 && optionalNone !== undefined ? [optionalNone] : theirs;
  const oursEff = ours.length === 0 && optionalNone !== undefined ? [optionalNone] : ours;
  for (const o of oursEff) {
    if (theirsEff.some((t) => eq(o, t))) return { ok: true, value: o };
  }
  return { ok: false };
}

const eqNum = (a: number, b: number): boolean => a === b;

/** Matches one configured proposal against one offered proposal. */
export function matchProposal(
  ours: Proposal,
  theirs: Proposal,
  options: SelectOptions = {},
): ChosenProposal | null {
  if (ours.protocol !== theirs.protocol) return null;
  // RFC 7296 §3.3.6: a proposal with a transform type we do not understand is rejected.
  if (theirs.unknownTypes && theirs.unknownTypes.length > 0) return null;

  const encr = pickCommon(ours.encr, theirs.encr, sameEncr);
  if (!encr.ok) return null;
  // INTEG is absent (or NONE) with an AEAD cipher; a peer may send NONE explicitly.
  const integ = pickCommon(
    ours.integ.filter((i) => i !== NONE),
    theirs.integ.filter((i) => i !== NONE),
    eqNum,
  );
  if (!integ.ok) return null;
  const prf = pickCommon(ours.prf, theirs.prf, eqNum);
  if (!prf.ok) return null;
  const ke = options.ignoreKe ? { ok: true } : pickCommon(ours.ke, theirs.ke, eqNum);
  if (!ke.ok) return null;
  // ESN: a peer omitting the type means "no ESN"; strongSwan accepts that too.
  const esn =
    ours.protocol === 'ike' ? { ok: true } : pickCommon(ours.esn, theirs.esn, eqNum, ESN_NONE);
  if (!esn.ok) return null;

  if (encr.value && options.isAead && !options.isAead(encr.value) && integ.value === undefined) {
    return null;
  }
  if (ours.protocol === 'ike' && (encr.value === undefined || prf.value === undefined)) {
    return null;
  }
  const chosen: ChosenProposal = {
    protocol: theirs.protocol,
    num: theirs.num ?? 0,
    ...(theirs.spi ? { spi: theirs.spi } : {}),
    ...(encr.value ? { encr: encr.value } : {}),
    ...(prf.value !== undefined ? { prf: prf.value } : {}),
    ...(integ.value !== undefined ? { integ: integ.value } : {}),
    ...('value' in ke && ke.value !== undefined ? { ke: ke.value } : {}),
    ...('value' in esn && esn.value !== undefined ? { esn: esn.value } : {}),
  };
  return chosen;
}

/**
 * Responder-side selection: the first configured proposal (in the
 * administrator's order) that matches any offered proposal. Returns the chosen
 * transforms tagged with the peer's proposal number and SPI, or `null` for
 * NO_PROPOSAL_CHOSEN.
 */
export function selectProposal(
  configured: readonly Proposal[],
  offered: readonly Proposal[],
  options: SelectOptions = {},
): ChosenProposal | null {
  for (const ours of configured) {
    for (const theirs of offered) {
      const chosen = matchProposal(ours, theirs, options);
      if (chosen) return chosen;
    }
  }
  return null;
}

/**
 * Initiator-side check of the responder's answer (RFC 7296 §2.7): the reply must
 * hold exactly one transform per type, and be one of the proposals we sent.
 */
export function acceptChosenProposal(
  sent: readonly Proposal[],
  reply: Proposal,
  options: SelectOptions = {},
): ChosenProposal | null {
  const single = (xs: readonly unknown[]) => xs.length <= 1;
  if (
    !single(reply.encr) ||
    !single(reply.prf) ||
    !single(reply.integ) ||
    !single(reply.ke) ||
    !single(reply.esn)
  ) {
    return null;
  }
  const ours = sent.find((p) => p.num === reply.num) ?? null;
  const candidates = ours ? [ours] : sent;
  for (const p of candidates) {
    const m = matchProposal(p, reply, options);
    if (m) return m;
  }
  return null;
}

/** The KE groups a list of proposals offers, in order, without duplicates. */
export function offeredKeGroups(proposals: readonly Proposal[]): number[] {
  const out: number[] = [];
  for (const p of proposals) for (const g of p.ke) if (!out.includes(g)) out.push(g);
  return out;
}
