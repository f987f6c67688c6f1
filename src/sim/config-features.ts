/**
 * Random connection configurations, one feature at a time. Each feature
 * fills in its part of both sides' drafts; a new engine capability (init
 * type, DPD action, close action, rekeying) is a new entry in
 * `CONFIG_FEATURES` that sets its IkeConnection / ChildConnection fields and
 * its SidePolicy fields, and the generator picks it up.
 */

import type { StartAction } from '../config/types.js';
import type { ChildConnection, IkeConnection } from '../ikev2/connection.js';
import { fqdnIdentity } from '../ikev2/identities.js';
import type { Proposal } from '../ikev2/proposals.js';
import { selectorFromCidr } from '../ikev2/traffic-selectors.js';
import { DEFAULT_POLICY } from '../manager/policy.js';
import type { SimRandom } from './random.js';
import type { SidePolicy, SimFeatures } from './scenario.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface SideDraft {
  readonly host: string;
  readonly address: string;
  ike: Mutable<IkeConnection>;
  children: Mutable<ChildConnection>[];
  policy: Mutable<SidePolicy>;
}

export interface PairDraft {
  readonly name: string;
  /** Index of the pair in the scenario (keeps subnets apart). */
  readonly index: number;
  readonly sides: [SideDraft, SideDraft];
}

export interface ConfigFeature {
  readonly name: string;
  enabled(features: SimFeatures): boolean;
  apply(rng: SimRandom, draft: PairDraft, features: SimFeatures): void;
}

// IKE and ESP proposals the engine supports, cheap ones most often.
const IKE_PROPOSALS: readonly Proposal[] = [
  { protocol: 'ike', encr: [{ id: 20, keyLen: 256 }], prf: [5], integ: [], ke: [19], esn: [] },
  { protocol: 'ike', encr: [{ id: 12, keyLen: 256 }], prf: [5], integ: [12], ke: [19], esn: [] },
  { protocol: 'ike', encr: [{ id: 20, keyLen: 128 }], prf: [7], integ: [], ke: [31], esn: [] },
  { protocol: 'ike', encr: [{ id: 12, keyLen: 128 }], prf: [5], integ: [12], ke: [14], esn: [] },
];

const ESP_PROPOSALS: readonly Proposal[] = [
  { protocol: 'esp', encr: [{ id: 20, keyLen: 256 }], prf: [], integ: [], ke: [], esn: [0] },
  { protocol: 'esp', encr: [{ id: 12, keyLen: 128 }], prf: [], integ: [12], ke: [], esn: [0, 1] },
  { protocol: 'esp', encr: [{ id: 20, keyLen: 128 }], prf: [], integ: [], ke: [19], esn: [1] },
];

const secret = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { reveal: () => bytes };
};

/** Both sides' base configuration: PSK, FQDN identities, no children yet. */
export function baseSide(
  name: string,
  host: string,
  address: string,
  peer: string,
  peerAddress: string,
): SideDraft {
  return {
    host,
    address,
    ike: {
      name,
      localAddrs: [address],
      remoteAddrs: [peerAddress],
      localPort: 500,
      remotePort: 500,
      proposals: [IKE_PROPOSALS[0]!],
      local: { method: 'psk', id: fqdnIdentity(`${host}.sim`) },
      remote: { method: 'psk', id: fqdnIdentity(`${peer}.sim`) },
      psk: secret(`sim psk ${name}`),
      children: [],
      fragmentation: true,
      fragmentSize: 1280,
      rekeyMs: 0,
      dpdDelayMs: 0,
    },
    children: [],
    policy: { ...DEFAULT_POLICY },
  };
}

/** An initiating side's init type: start, or with on-demand also start+trap or trap. */
function initType(rng: SimRandom, f: SimFeatures): StartAction {
  if (!f.onDemand) return 'start';
  return rng.pick(['start', 'start', 'start+trap', 'trap'] as const);
}

function setInitType(side: SideDraft, action: StartAction): void {
  side.policy.startAction = action;
}

/** Who initiates (init type start, start+trap or trap): one side, or (sometimes) both. */
const initiators: ConfigFeature = {
  name: 'initiators',
  enabled: () => true,
  apply(rng, d, f) {
    const both = f.bothInitiate && rng.chance(0.25);
    const first = rng.int(0, 1);
    setInitType(d.sides[first]!, initType(rng, f));
    if (both) setInitType(d.sides[1 - first]!, initType(rng, f));
  },
};

/** IKE proposals: a common one, sometimes extras, sometimes a KE mismatch (INVALID_KE_PAYLOAD). */
const ikeProposals: ConfigFeature = {
  name: 'ike-proposals',
  enabled: () => true,
  apply(rng, d) {
    const common = rng.pick(IKE_PROPOSALS);
    for (const side of d.sides) {
      const list = [common];
      if (rng.chance(0.3)) list.unshift(rng.pick(IKE_PROPOSALS));
      side.ike.proposals = dedupe(list);
    }
    if (rng.chance(0.15)) {
      // The initiator leads with a group the responder lacks: it must retry with the other.
      const s = d.sides[rng.int(0, 1)]!;
      s.ike.proposals = [{ ...common, ke: [31, ...common.ke.filter((g) => g !== 31), 19] }];
    }
  },
};

/** 1-3 children with distinct subnets, ESP proposals, sometimes IPComp. */
const children: ConfigFeature = {
  name: 'children',
  enabled: () => true,
  apply(rng, d, f) {
    const count = Math.min(rng.int(1, 3), Math.max(1, f.maxChildren));
    for (let k = 0; k < count; k++) {
      const esp = rng.pick(ESP_PROPOSALS);
      const net = (side: number) => `10.${1 + side}${d.index}.${k}.0/24`;
      const ipcomp = rng.chance(0.1);
      const replayWindow = rng.pick([0, 32, 64]);
      for (const [i, side] of d.sides.entries()) {
        side.children.push({
          name: `c${k}`,
          mode: 'tunnel',
          protocol: 'esp',
          proposals: [esp],
          localTs: [selectorFromCidr(net(i))],
          remoteTs: [selectorFromCidr(net(1 - i))],
          ipcomp,
          rekeyMs: 3_600_000,
          lifeMs: 3_960_000,
          replayWindow,
        });
      }
    }
  },
};

/** Small fragment sizes force IKE_AUTH into SKF fragments (RFC 7383). */
const fragmentation: ConfigFeature = {
  name: 'fragmentation',
  enabled: () => true,
  apply(rng, d) {
    if (!rng.chance(0.2)) return;
    for (const side of d.sides) side.ike.fragmentSize = rng.pick([200, 300, 576]);
  },
};

/** Lifetimes of seconds (needs rekeying and EXPIRE handling in the engine). */
const shortLifetimes: ConfigFeature = {
  name: 'short-lifetimes',
  enabled: (f) => f.shortLifetimes,
  apply(rng, d) {
    for (const side of d.sides) if (rng.chance(0.5)) side.ike.rekeyMs = rng.int(20, 120) * 1000;
    const [x, y] = d.sides;
    for (const [k, cx] of x.children.entries()) {
      const cy = y.children[k]!;
      for (const c of [cx, cy]) {
        c.rekeyMs = rng.int(10, 90) * 1000;
        c.lifeMs = c.rekeyMs + rng.int(5, 30) * 1000;
      }
      if (rng.chance(0.2)) {
        // Rekey off on one side (the manual's "Rekey: no"): only the peer rekeys,
        // before this side's hard lifetime ends each CHILD_SA.
        const [off, on] = rng.chance(0.5) ? [cx, cy] : [cy, cx];
        off.rekeyMs = 0;
        off.lifeMs = on.rekeyMs + rng.int(5, 30) * 1000;
      }
    }
  },
};

/** DPD delays of seconds. */
const dpd: ConfigFeature = {
  name: 'dpd',
  enabled: (f) => f.dpd,
  apply(rng, d) {
    for (const side of d.sides) side.ike.dpdDelayMs = rng.chance(0.7) ? rng.int(2, 30) * 1000 : 0;
  },
};

/**
 * The manual's DPD action (clear, restart, trap) and close action (none,
 * start, trap), per side and independently: also the combinations it warns
 * about (both sides restarting), which must not leave duplicate tunnels.
 */
const actions: ConfigFeature = {
  name: 'actions',
  enabled: (f) => f.actions,
  apply(rng, d) {
    for (const side of d.sides) {
      side.policy.dpdAction = rng.pick(['clear', 'restart', 'trap'] as const);
      side.policy.closeAction = rng.pick(['none', 'none', 'start', 'trap'] as const);
    }
  },
};

export const CONFIG_FEATURES: readonly ConfigFeature[] = [
  initiators,
  ikeProposals,
  children,
  fragmentation,
  shortLifetimes,
  dpd,
  actions,
];

/** The features the flags enable, in order. */
export function configFeaturesFor(f: SimFeatures): ConfigFeature[] {
  return CONFIG_FEATURES.filter((c) => c.enabled(f));
}

function dedupe(list: Proposal[]): Proposal[] {
  return list.filter(
    (p, i) => list.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i,
  );
}
