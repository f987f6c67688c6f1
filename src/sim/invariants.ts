/**
 * The invariants the simulator checks, as pure functions over snapshots.
 *
 * At every step (safety): every installed kernel SA and policy has an owner,
 * and every SA or policy an engine believes installed is in its kernel.
 * Once settled (see docs/simulator.md): both sides agree on the IKE_SAs and
 * CHILD_SAs between them, at most one IKE_SA per connection and one CHILD_SA
 * per configured child, the kernel SAs of a CHILD_SA mirror the peer's, no
 * larval SPI is left over, and the operator's intent holds (nothing after
 * `down`; the tunnel and all its children after `up`).
 */

import type { PolicyId, SaId, SaInfo, Selector } from '../kernel/types.js';
import { normalizeSelector } from '../kernel/xfrm/structs.js';
import { type ChildView, type HostSnapshot, type IkeSaView, ikeKey } from './snapshot.js';

export type InvariantName =
  | 'engine-error'
  | 'kernel-sa-owner'
  | 'kernel-policy-owner'
  | 'kernel-missing-sa'
  | 'kernel-missing-policy'
  | 'larval-spi-leak'
  | 'duplicate-ike-sa'
  | 'duplicate-child-sa'
  | 'ike-agreement'
  | 'child-agreement'
  | 'kernel-mirror'
  | 'down-leftover'
  | 'tunnel-down'
  | 'not-settled';

export interface Violation {
  readonly invariant: InvariantName;
  readonly host?: string;
  readonly detail: string;
}

const hex = (spi: number) => spi.toString(16).padStart(8, '0');
const saKey = (s: { proto: string; dst: string; spi: number }) =>
  `${s.proto}/${s.dst}/${s.spi >>> 0}`;
const normalised = new WeakMap<Selector, string>();
/** Policies by direction and normalised selector (memoised: normalising parses addresses). */
function policyKey(p: { dir: string; selector: Selector }): string {
  let sel = normalised.get(p.selector);
  if (sel === undefined) {
    sel = JSON.stringify(normalizeSelector(p.selector));
    normalised.set(p.selector, sel);
  }
  return `${p.dir}/${sel}`;
}

/** An SA the kernel holds only as an allocated SPI (ALLOCSPI), without keys yet. */
export function isLarval(sa: SaInfo): boolean {
  return !sa.aead && !sa.crypt && !sa.auth && !sa.comp;
}

function childrenOf(h: HostSnapshot): { sa: IkeSaView; child: ChildView }[] {
  return h.sas.flatMap((sa) => sa.children.map((child) => ({ sa, child })));
}

/**
 * Every kernel SA and policy belongs to a CHILD_SA of an IKE_SA the engine
 * lists; every SA and policy a CHILD_SA lists is in the kernel; a policy
 * points (by reqid) at a CHILD_SA that lists it. Larval SAs belong to
 * exchanges in flight, so they count as leaks only once settled.
 */
export function checkKernelOwnership(h: HostSnapshot, settled: boolean): Violation[] {
  const out: Violation[] = [];
  const v = (invariant: InvariantName, detail: string) =>
    out.push({ invariant, host: h.name, detail });
  const owned = new Map<string, ChildView>();
  const policyOwners = new Map<string, ChildView[]>();
  for (const { child } of childrenOf(h)) {
    for (const s of child.installedSas) owned.set(saKey(s), child);
    for (const p of child.installedPolicies) {
      const k = policyKey(p);
      policyOwners.set(k, [...(policyOwners.get(k) ?? []), child]);
    }
  }
  const kernelSas = new Set(h.kernelSas.map(saKey));
  for (const sa of h.kernelSas) {
    const what = `${sa.proto} SA ${sa.src}->${sa.dst} spi ${hex(sa.spi)} reqid ${sa.reqid}`;
    if (isLarval(sa)) {
      if (settled) v('larval-spi-leak', `larval ${what} remains after the exchanges ended`);
    } else if (!owned.has(saKey(sa))) {
      v('kernel-sa-owner', `${what} belongs to no CHILD_SA the engine lists`);
    }
  }
  const kernelPolicies = new Set<string>();
  for (const p of h.policies) {
    const k = policyKey(p);
    kernelPolicies.add(k);
    const owners = policyOwners.get(k) ?? [];
    const reqid = p.templates[0]?.reqid;
    const what = `policy ${p.dir} ${p.selector.src}/${p.selector.srcPrefixLen}->${p.selector.dst}/${p.selector.dstPrefixLen} reqid ${reqid}`;
    // A trap policy (on-demand) is owned by the engine's trap table.
    const trapped = (h.traps ?? []).some((t) => t.reqid === reqid && policyKey(t) === k);
    if (trapped) continue;
    if (owners.length === 0) v('kernel-policy-owner', `${what} belongs to no CHILD_SA`);
    else if (!owners.some((c) => c.reqid === reqid))
      v(
        'kernel-policy-owner',
        `${what} points at no CHILD_SA listing it (listed by ${owners.map((c) => `${c.name} reqid ${c.reqid}`).join(', ')})`,
      );
  }
  for (const { sa, child } of childrenOf(h)) {
    if (child.state !== 'installed') continue;
    for (const s of child.installedSas)
      if (!kernelSas.has(saKey(s)))
        v(
          'kernel-missing-sa',
          `${sa.conn}/${child.name} reqid ${child.reqid}: ${describeSaId(s)} is not in the kernel`,
        );
    for (const p of child.installedPolicies)
      if (!kernelPolicies.has(policyKey(p)))
        v(
          'kernel-missing-policy',
          `${sa.conn}/${child.name} reqid ${child.reqid}: ${describePolicyId(p)} is not in the kernel`,
        );
  }
  return out;
}

function describeSaId(s: SaId): string {
  return `${s.proto} SA ->${s.dst} spi ${hex(s.spi)}`;
}
function describePolicyId(p: PolicyId): string {
  return `policy ${p.dir} ${p.selector.src}/${p.selector.srcPrefixLen}->${p.selector.dst}/${p.selector.dstPrefixLen}`;
}

/**
 * At most one established IKE_SA per connection and one installed CHILD_SA
 * per configured child. `stale` names IKE_SAs (by ikeKey) the peer no longer
 * has and whose staleness is tolerated: a half that carries no traffic is no
 * second tunnel; the stale tolerance and DPD answer for it.
 */
export function checkDuplicates(
  h: HostSnapshot,
  stale: ReadonlySet<string> = new Set(),
): Violation[] {
  const out: Violation[] = [];
  const ikes = new Map<string, IkeSaView[]>();
  const kids = new Map<string, string[]>();
  for (const sa of h.sas) {
    if (sa.state !== 'established' || !sa.conn || stale.has(ikeKey(sa))) continue;
    ikes.set(sa.conn, [...(ikes.get(sa.conn) ?? []), sa]);
    for (const c of sa.children) {
      if (c.state !== 'installed') continue;
      const k = `${sa.conn}/${c.name}`;
      kids.set(k, [...(kids.get(k) ?? []), `in ${hex(c.spiIn)} out ${hex(c.spiOut)}`]);
    }
  }
  for (const [conn, list] of ikes)
    if (list.length > 1)
      out.push({
        invariant: 'duplicate-ike-sa',
        host: h.name,
        detail: `${list.length} IKE_SAs for ${conn}: ${list.map((s) => `${s.role} ${ikeKey(s)}`).join(', ')}`,
      });
  for (const [child, list] of kids)
    if (list.length > 1)
      out.push({
        invariant: 'duplicate-child-sa',
        host: h.name,
        detail: `${list.length} CHILD_SAs for ${child}: ${list.join('; ')}`,
      });
  return out;
}

/** Why an SA the peer no longer has may be left alone, or undefined when it may not. */
export type StaleTolerance = (holder: string, sa: IkeSaView) => string | undefined;

export interface AgreementResult {
  readonly violations: Violation[];
  /** IKE_SAs one side still holds for a legitimate reason, with the reason. */
  readonly tolerated: { host: string; conn: string | undefined; ike: string; reason: string }[];
  /** Child pairs present on both sides: [holder, child, peer, peer's child]. */
  readonly pairs: [HostSnapshot, ChildView, HostSnapshot, ChildView][];
}

/** Both sides of every IKE_SA and CHILD_SA exist, with crossed SPIs. */
export function checkAgreement(
  hosts: readonly HostSnapshot[],
  tolerate: StaleTolerance,
): AgreementResult {
  const violations: Violation[] = [];
  const tolerated: AgreementResult['tolerated'] = [];
  const pairs: AgreementResult['pairs'] = [];
  for (const x of hosts) {
    for (const sa of x.sas) {
      if (sa.state !== 'established') continue;
      const y = hosts.find((h) => h.address === sa.peer);
      if (!y) continue;
      const peerSa = y.sas.find((s) => ikeKey(s) === ikeKey(sa) && s.state === 'established');
      if (!peerSa) {
        const reason = tolerate(x.name, sa);
        if (reason) tolerated.push({ host: x.name, conn: sa.conn, ike: ikeKey(sa), reason });
        else
          violations.push({
            invariant: 'ike-agreement',
            host: x.name,
            detail: `${sa.role} IKE_SA ${sa.conn} ${ikeKey(sa)} with ${sa.children.length} CHILD_SA(s) is unknown to ${y.name}`,
          });
        continue;
      }
      for (const c of sa.children) {
        const d = peerSa.children.find((k) => k.spiIn === c.spiOut && k.spiOut === c.spiIn);
        if (!d)
          violations.push({
            invariant: 'child-agreement',
            host: x.name,
            detail: `CHILD_SA ${sa.conn}/${c.name} in ${hex(c.spiIn)} out ${hex(c.spiOut)} has no counterpart on ${y.name}`,
          });
        else if (x.name < y.name) pairs.push([x, c, y, d]);
      }
    }
  }
  return { violations, tolerated, pairs };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return !!a && !!b && Buffer.from(a).equals(Buffer.from(b));
}

/** X's outbound SA of a CHILD_SA is Y's inbound one (same SPI, algorithms and keys), both ways. */
export function checkMirror(pairs: AgreementResult['pairs']): Violation[] {
  const out: Violation[] = [];
  for (const [x, c, y, d] of pairs) {
    for (const [from, fc, to, tc] of [
      [x, c, y, d],
      [y, d, x, c],
    ] as const) {
      const outSa = from.kernelSas.find(
        (s) => s.dst === to.address && s.spi === fc.spiOut && !isLarval(s),
      );
      const inSa = to.kernelSas.find(
        (s) => s.dst === to.address && s.spi === tc.spiIn && !isLarval(s),
      );
      const what = `CHILD_SA ${fc.name} ${from.name}->${to.name} spi ${hex(fc.spiOut)}`;
      if (!outSa || !inSa) {
        out.push({
          invariant: 'kernel-mirror',
          host: from.name,
          detail: `${what}: ${!outSa ? `${from.name} has no outbound SA` : `${to.name} has no inbound SA`}`,
        });
        continue;
      }
      const problems: string[] = [];
      if (outSa.proto !== inSa.proto || outSa.mode !== inSa.mode) problems.push('protocol or mode');
      if (outSa.src !== inSa.src) problems.push('addresses');
      if (
        (outSa.aead?.name ?? '') !== (inSa.aead?.name ?? '') ||
        (outSa.aead && !sameBytes(outSa.aead.key, inSa.aead?.key))
      )
        problems.push('AEAD algorithm or key');
      if (
        (outSa.crypt?.name ?? '') !== (inSa.crypt?.name ?? '') ||
        (outSa.crypt && !sameBytes(outSa.crypt.key, inSa.crypt?.key))
      )
        problems.push('cipher or key');
      if (
        (outSa.auth?.name ?? '') !== (inSa.auth?.name ?? '') ||
        (outSa.auth && !sameBytes(outSa.auth.key, inSa.auth?.key))
      )
        problems.push('integrity algorithm or key');
      if (!!outSa.esn !== !!inSa.esn) problems.push('ESN');
      if (problems.length > 0)
        out.push({
          invariant: 'kernel-mirror',
          host: from.name,
          detail: `${what}: ${problems.join(', ')} differ`,
        });
    }
  }
  return out;
}

/** What the operators (and start actions) want of one connection. */
export interface PairIntent {
  readonly conn: string;
  readonly hosts: readonly [string, string];
  readonly intent: 'up' | 'down';
  /** When the intent was set: `down` removes the IKE_SAs established before it. */
  readonly since: number;
  /** Configured children (the initiator's names). */
  readonly children: readonly string[];
}

/**
 * Nothing established before a `down` remains after it (an exchange the peer
 * had already started may still complete); once `up` is wanted (and
 * `checkUp`), the configured tunnel exists on both sides.
 */
export function checkIntent(
  hosts: readonly HostSnapshot[],
  intents: readonly PairIntent[],
  agreement: AgreementResult,
  checkUp: boolean,
): Violation[] {
  const out: Violation[] = [];
  for (const p of intents) {
    const [hx, hy] = p.hosts.map((n) => hosts.find((h) => h.name === n)!);
    if (!hx || !hy) continue;
    const toleratedHere = agreement.tolerated.some(
      (t) => t.conn === p.conn && p.hosts.includes(t.host),
    );
    const ofConn = (h: HostSnapshot) =>
      h.sas.filter(
        (s) =>
          s.conn === p.conn && s.state === 'established' && s.peer === (h === hx ? hy : hx).address,
      );
    if (p.intent === 'down') {
      for (const h of [hx, hy]) {
        const agreed = ofConn(h).filter(
          (s) =>
            s.establishedAt < p.since &&
            (h === hx ? hy : hx).sas.some((o) => ikeKey(o) === ikeKey(s)),
        );
        if (agreed.length > 0)
          out.push({
            invariant: 'down-leftover',
            host: h.name,
            detail: `${agreed.length} IKE_SA(s) of ${p.conn} remain after down`,
          });
      }
      continue;
    }
    if (!checkUp || toleratedHere) continue;
    const agreed = ofConn(hx).filter((s) => hy.sas.some((o) => ikeKey(o) === ikeKey(s)));
    if (agreed.length === 0) {
      out.push({
        invariant: 'tunnel-down',
        detail: `${p.conn} is wanted up but has no IKE_SA on both sides`,
      });
      continue;
    }
    const have = new Set(
      agreed.flatMap((s) => s.children.filter((c) => c.state === 'installed').map((c) => c.name)),
    );
    const missing = p.children.filter((c) => !have.has(c));
    if (missing.length > 0)
      out.push({
        invariant: 'tunnel-down',
        detail: `${p.conn} is wanted up but lacks CHILD_SA(s) ${missing.join(', ')}`,
      });
  }
  return out;
}
