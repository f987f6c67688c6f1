/**
 * Negotiating a CHILD_SA inside IKE_AUTH or CREATE_CHILD_SA (RFC 7296 §1.3,
 * §2.9, §2.17): our offer as initiator, the responder's choice (proposal,
 * narrowed traffic selectors, mode, IPComp) and the initiator's check of the
 * answer. SPIs and IPComp CPIs are allocated by the kernel.
 */

import { getEncr, getKe } from '../crypto/registry.js';
import type { KeyExchange } from '../crypto/types.js';
import { type IkePayload, NotifyType, nameOf } from '../wire/ikev2/index.js';
import { ChildSa, childAlgorithms, IPCOMP_DEFLATE } from './child-sa.js';
import type { ChildConnection, IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';
import { chosenAsProposal } from './ike-sa-init.js';
import {
  findErrorNotify,
  findNotify,
  findPayload,
  notify,
  numberToSpi,
  spiToNumber,
} from './payloads.js';
import { acceptChosenProposal, type Proposal, selectProposal } from './proposals.js';
import {
  narrowPair,
  selectorContains,
  type TrafficSelector,
  withDynamic,
} from './traffic-selectors.js';
import {
  proposalsFromWire,
  proposalsToWire,
  proposalToWire,
  selectorsFromWire,
  selectorsToWire,
} from './wire-convert.js';

const isAead = (e: { id: number; keyLen?: number }) => getEncr(e.id, e.keyLen)?.aead === true;

/** Configured selectors, with the SA's own address for `dynamic` (see withDynamic). */
function localSelectors(sa: IkeSa, cfg: ChildConnection): readonly TrafficSelector[] {
  return withDynamic(cfg.localTs, cfg.localDynamic, sa.local.address);
}
function remoteSelectors(sa: IkeSa, cfg: ChildConnection): readonly TrafficSelector[] {
  return withDynamic(cfg.remoteTs, cfg.remoteDynamic, sa.remote.address);
}

function ipcompNotify(cpi: number): IkePayload {
  // RFC 7296 §3.10.1: Compression Parameter Index (2 octets) and transform ID (1 octet).
  return notify(
    NotifyType.IPCOMP_SUPPORTED,
    new Uint8Array([cpi >> 8, cpi & 0xff, IPCOMP_DEFLATE]),
  );
}

function peerCpi(payloads: readonly IkePayload[]): number {
  const n = findNotify(payloads, NotifyType.IPCOMP_SUPPORTED);
  if (!n || n.data.length < 3 || n.data[2] !== IPCOMP_DEFLATE) return 0;
  return (n.data[0]! << 8) | n.data[1]!;
}

async function allocateSpis(ctx: EngineContext, sa: IkeSa, child: ChildSa): Promise<void> {
  const base = { src: sa.remote.address, dst: sa.local.address, reqid: child.reqid };
  child.spiIn = await ctx.kernel.allocSpi({ ...base, proto: child.proto, mode: child.mode });
  if (child.config.ipcomp) {
    child.cpiIn = await ctx.kernel.allocSpi({ ...base, proto: 'comp', min: 0x100, max: 0xffff });
  }
}

/** CHILD_SAs whose SPIs we allocated and that are not installed yet, per IKE_SA. */
const pendingOffers = new WeakMap<IkeSa, Set<ChildSa>>();

function notePending(sa: IkeSa, child: ChildSa): void {
  const set = pendingOffers.get(sa) ?? new Set<ChildSa>();
  set.add(child);
  pendingOffers.set(sa, set);
}

/** The CHILD_SA was installed (or given up): its SPIs are no longer pending. */
export function settledOffer(sa: IkeSa, child: ChildSa): void {
  pendingOffers.get(sa)?.delete(child);
}

/**
 * The IKE_SA ends with CHILD_SA offers unanswered: their larval SAs would
 * stay in the kernel until it expires them, so they go now.
 */
export async function releasePendingOffers(ctx: EngineContext, sa: IkeSa): Promise<void> {
  const set = pendingOffers.get(sa);
  if (!set) return;
  pendingOffers.delete(sa);
  for (const child of set) if (child.state === 'creating') await releaseSpis(ctx, sa, child);
}

/** Frees larval SAs of a CHILD_SA that did not come about. */
export async function releaseSpis(ctx: EngineContext, sa: IkeSa, child: ChildSa): Promise<void> {
  settledOffer(sa, child);
  const dst = sa.local.address;
  const src = sa.remote.address;
  if (child.spiIn)
    await ctx.kernel
      .deleteSa({ dst, src, spi: child.spiIn, proto: child.proto })
      .catch(() => undefined);
  if (child.cpiIn)
    await ctx.kernel.deleteSa({ dst, src, spi: child.cpiIn, proto: 'comp' }).catch(() => undefined);
}

export interface ChildOffer {
  readonly child: ChildSa;
  readonly proposals: Proposal[];
  readonly payloads: IkePayload[];
}

/** Initiator: allocates SPIs and builds SA, TSi, TSr and the mode notifies. */
export async function buildChildOffer(
  ctx: EngineContext,
  sa: IkeSa,
  cfg: ChildConnection,
  /** `reqid`: a rekey keeps the old CHILD_SA's reqid, so its policies stay valid. */
  opts: { withKe: boolean; reqid?: number },
): Promise<ChildOffer> {
  const child = new ChildSa(cfg, opts.reqid ?? ctx.reqidFor(sa, cfg));
  await allocateSpis(ctx, sa, child);
  notePending(sa, child);
  const proposals = cfg.proposals.map((p, i) => ({
    ...p,
    num: i + 1,
    ke: opts.withKe ? p.ke : [],
  }));
  const payloads: IkePayload[] = [];
  if (cfg.mode === 'transport') payloads.push(notify(NotifyType.USE_TRANSPORT_MODE));
  if (child.cpiIn) payloads.push(ipcompNotify(child.cpiIn));
  payloads.push(
    { kind: 'SA', proposals: proposalsToWire(proposals, numberToSpi(child.spiIn)) },
    { kind: 'TSi', selectors: selectorsToWire(localSelectors(sa, cfg)) },
    { kind: 'TSr', selectors: selectorsToWire(remoteSelectors(sa, cfg)) },
  );
  child.localTs = [...localSelectors(sa, cfg)];
  child.remoteTs = [...remoteSelectors(sa, cfg)];
  return { child, proposals, payloads };
}

/**
 * Initiator: checks the responder's answer to our offer and fills in the
 * CHILD_SA. Returns a reason when the CHILD_SA cannot be created.
 */
export function acceptChildAnswer(
  offer: ChildOffer,
  payloads: readonly IkePayload[],
  ignoreKe: boolean,
): string | undefined {
  const { child } = offer;
  const error = findErrorNotify(payloads);
  if (error) return `peer refused the CHILD_SA with ${nameOf(NotifyType, error.notifyType)}`;
  const saPayload = findPayload(payloads, 'SA');
  const tsi = findPayload(payloads, 'TSi');
  const tsr = findPayload(payloads, 'TSr');
  if (!saPayload || !tsi || !tsr) return 'answer lacks SA, TSi or TSr';
  const reply = proposalsFromWire(saPayload.proposals);
  const chosen =
    reply.length === 1
      ? acceptChosenProposal(offer.proposals, reply[0]!, { ignoreKe, isAead })
      : null;
  if (chosen?.spi?.length !== 4) return 'answer chose a proposal we did not offer';
  const algorithms = childAlgorithms(chosen);
  if (!algorithms) return 'negotiated CHILD_SA algorithms are not supported';
  const localTs = selectorsFromWire(tsi.selectors);
  const remoteTs = selectorsFromWire(tsr.selectors);
  // RFC 7296 §2.9: the responder may only narrow what we proposed.
  const within = (got: TrafficSelector[], sent: TrafficSelector[]) =>
    got.length > 0 && got.every((g) => sent.some((s) => selectorContains(s, g)));
  if (!within(localTs, child.localTs) || !within(remoteTs, child.remoteTs)) {
    return 'answer widened the traffic selectors';
  }
  child.chosen = chosen;
  child.algorithms = algorithms;
  child.spiOut = spiToNumber(chosen.spi);
  child.localTs = localTs;
  child.remoteTs = remoteTs;
  const transport = !!findNotify(payloads, NotifyType.USE_TRANSPORT_MODE);
  child.mode = child.config.mode === 'transport' && transport ? 'transport' : 'tunnel';
  child.cpiOut = child.cpiIn ? peerCpi(payloads) : 0;
  return undefined;
}

export type ChildAnswer =
  | { readonly ok: true; readonly child: ChildSa; readonly payloads: IkePayload[] }
  | { readonly ok: false; readonly reason: string; readonly payloads: IkePayload[] };

/**
 * Responder: picks the configured child whose selectors the peer's narrow to,
 * a proposal, the mode and IPComp; allocates our SPIs.
 */
export async function answerChildOffer(
  ctx: EngineContext,
  sa: IkeSa,
  conn: IkeConnection,
  payloads: readonly IkePayload[],
  /** A rekey (RFC 7296 §2.8) keeps the old CHILD_SA's config and reqid. */
  opts: { ignoreKe: boolean; reqid?: number; only?: ChildConnection },
): Promise<ChildAnswer> {
  const saPayload = findPayload(payloads, 'SA');
  const tsiP = findPayload(payloads, 'TSi');
  const tsrP = findPayload(payloads, 'TSr');
  if (!saPayload || !tsiP || !tsrP) {
    return {
      ok: false,
      reason: 'request lacks SA, TSi or TSr',
      payloads: [notify(NotifyType.INVALID_SYNTAX)],
    };
  }
  const tsi = selectorsFromWire(tsiP.selectors);
  const tsr = selectorsFromWire(tsrP.selectors);
  const offered = proposalsFromWire(saPayload.proposals);
  let tsMatched = false;
  for (const cfg of opts.only ? [opts.only] : conn.children) {
    const narrowed = narrowPair(tsi, tsr, remoteSelectors(sa, cfg), localSelectors(sa, cfg));
    if (!narrowed) continue;
    tsMatched = true;
    const chosen = selectProposal(cfg.proposals, offered, { ignoreKe: opts.ignoreKe, isAead });
    if (chosen?.spi?.length !== 4) continue;
    const algorithms = childAlgorithms(chosen);
    if (!algorithms) continue;
    const child = new ChildSa(cfg, opts.reqid ?? ctx.reqidFor(sa, cfg));
    child.chosen = chosen;
    child.algorithms = algorithms;
    child.localTs = narrowed.tsr;
    child.remoteTs = narrowed.tsi;
    child.spiOut = spiToNumber(chosen.spi);
    const transport = !!findNotify(payloads, NotifyType.USE_TRANSPORT_MODE);
    child.mode = cfg.mode === 'transport' && transport ? 'transport' : 'tunnel';
    const cpiOut = cfg.ipcomp ? peerCpi(payloads) : 0;
    await allocateSpis(ctx, sa, child);
    if (!cpiOut && child.cpiIn) {
      await ctx.kernel
        .deleteSa({
          dst: sa.local.address,
          src: sa.remote.address,
          spi: child.cpiIn,
          proto: 'comp',
        })
        .catch(() => undefined);
      child.cpiIn = 0;
    }
    child.cpiOut = cpiOut;
    const answer: IkePayload[] = [];
    if (child.mode === 'transport') answer.push(notify(NotifyType.USE_TRANSPORT_MODE));
    if (child.cpiIn) answer.push(ipcompNotify(child.cpiIn));
    const ours = {
      ...chosenAsProposal(chosen),
      ke: opts.ignoreKe ? [] : chosenAsProposal(chosen).ke,
    };
    answer.push(
      { kind: 'SA', proposals: [proposalToWire(ours, chosen.num, numberToSpi(child.spiIn))] },
      { kind: 'TSi', selectors: selectorsToWire(narrowed.tsi) },
      { kind: 'TSr', selectors: selectorsToWire(narrowed.tsr) },
    );
    return { ok: true, child, payloads: answer };
  }
  return tsMatched
    ? {
        ok: false,
        reason: 'no acceptable CHILD_SA proposal',
        payloads: [notify(NotifyType.NO_PROPOSAL_CHOSEN)],
      }
    : {
        ok: false,
        reason: 'traffic selectors unacceptable',
        payloads: [notify(NotifyType.TS_UNACCEPTABLE)],
      };
}

/**
 * CREATE_CHILD_SA carries the nonce and, with PFS, a KE payload right after SA
 * (RFC 7296 §1.3.1 and §1.3.3: SA, Ni, [KEi], TSi, TSr). Returns a new list.
 */
export function insertAfterSa(
  payloads: readonly IkePayload[],
  extra: readonly IkePayload[],
): IkePayload[] {
  const out = [...payloads];
  out.splice(out.findIndex((p) => p.kind === 'SA') + 1, 0, ...extra);
  return out;
}

/** Our nonce and, when the child's first proposal names a group, a key exchange for it (PFS). */
export function nonceAndKeyExchange(
  ctx: EngineContext,
  cfg: ChildConnection,
  ni: Uint8Array,
): { extra: IkePayload[]; ke: KeyExchange | undefined; keGroup: number } {
  const extra: IkePayload[] = [{ kind: 'Nonce', nonce: ni }];
  const keGroup = cfg.proposals[0]?.ke[0] ?? 0;
  const ke = keGroup ? getKe(keGroup)!.initiate(ctx.ports.random) : undefined;
  if (ke) extra.push({ kind: 'KE', group: keGroup, data: ke.publicValue });
  return { extra, ke, keGroup };
}
