/**
 * Builds a random scenario from a seed: two or three gateways, a connection
 * per pair (configured by the features in config-features.ts), initial link
 * conditions and a timeline of operator commands, restarts, partitions that
 * heal and link changes. Each concern draws from its own forked stream, so a
 * new feature does not reshuffle the others' choices more than necessary.
 */

import { baseSide, configFeaturesFor, type PairDraft } from './config-features.js';
import type { LinkConditions } from './memory-network.js';
import { SimRandom } from './random.js';
import {
  DEFAULT_FEATURES,
  type HostSpec,
  type PairSpec,
  type Scenario,
  type SimEvent,
  type SimFeatures,
  startsAtBoot,
  trapsTraffic,
} from './scenario.js';

const HOST_NAMES = ['a', 'b', 'c'] as const;

function hostsFor(rng: SimRandom, f: SimFeatures): HostSpec[] {
  const n = f.threeHosts && rng.chance(0.2) ? 3 : 2;
  return HOST_NAMES.slice(0, n).map((name, i) => ({ name, address: `192.0.2.${i + 1}` }));
}

function pairsFor(rng: SimRandom, f: SimFeatures, hosts: readonly HostSpec[]): PairSpec[] {
  const links: [HostSpec, HostSpec][] =
    hosts.length === 2
      ? [[hosts[0]!, hosts[1]!]]
      : rng.chance(0.5)
        ? [
            [hosts[0]!, hosts[1]!],
            [hosts[0]!, hosts[2]!],
          ]
        : [
            [hosts[0]!, hosts[1]!],
            [hosts[0]!, hosts[2]!],
            [hosts[1]!, hosts[2]!],
          ];
  const features = configFeaturesFor(f);
  return links.map(([x, y], index) => {
    const name = `${x.name}-${y.name}`;
    const draft: PairDraft = {
      name,
      index,
      sides: [
        baseSide(name, x.name, x.address, y.name, y.address),
        baseSide(name, y.name, y.address, x.name, x.address),
      ],
    };
    for (const feature of features) feature.apply(rng.fork(`${name}/${feature.name}`), draft, f);
    const [s0, s1] = draft.sides;
    return {
      name,
      hosts: [x.name, y.name],
      conns: [
        { ...s0.ike, children: s0.children },
        { ...s1.ike, children: s1.children },
      ],
      policies: [s0.policy, s1.policy],
    };
  });
}

export function randomLink(rng: SimRandom, bad: boolean): LinkConditions {
  if (!bad || rng.chance(0.25))
    return { loss: 0, duplicate: 0, delayMs: rng.int(1, 20), jitterMs: 0 };
  return {
    loss: rng.pick([0, 0.05, 0.1, 0.2, 0.3]),
    duplicate: rng.pick([0, 0, 0.05, 0.2]),
    delayMs: rng.int(1, 50),
    jitterMs: rng.pick([0, 0, 10, 100, 500]),
  };
}

function timeline(
  rng: SimRandom,
  f: SimFeatures,
  hosts: readonly HostSpec[],
  pairs: readonly PairSpec[],
): SimEvent[] {
  const durationMs = rng.int(30, 400) * 1000;
  const events: SimEvent[] = [];
  const count = rng.int(1, 10);
  const at = () => rng.int(0, durationMs);
  for (let i = 0; i < count; i++) {
    const kinds: SimEvent['kind'][] = [];
    if (f.operator) kinds.push('up', 'down', 'up');
    if (f.restarts) kinds.push('restart');
    if (f.partitions) kinds.push('partition');
    if (f.badLinks) kinds.push('link');
    if (f.onDemand) kinds.push('traffic');
    if (kinds.length === 0) break;
    const kind = rng.pick(kinds);
    const pair = rng.pick(pairs);
    switch (kind) {
      case 'up': {
        const sides = [0, 1].filter((s) => startsAtBoot(pair.policies[s]!));
        if (sides.length === 0) break;
        const side = rng.pick(sides);
        events.push({ at: at(), kind, host: pair.hosts[side]!, conn: pair.name });
        break;
      }
      case 'traffic': {
        const sides = [0, 1].filter((s) => trapsTraffic(pair.policies[s]!));
        if (sides.length === 0) break;
        const side = rng.pick(sides);
        const child = rng.pick(pair.conns[side]!.children).name;
        events.push({ at: at(), kind, host: pair.hosts[side]!, conn: pair.name, child });
        break;
      }
      case 'down':
        events.push({ at: at(), kind, host: pair.hosts[rng.int(0, 1)]!, conn: pair.name });
        break;
      case 'restart':
        events.push({ at: at(), kind, host: rng.pick(hosts).name });
        break;
      case 'partition': {
        const start = at();
        events.push({ at: start, kind, hosts: pair.hosts });
        events.push({ at: start + rng.int(1, 200) * 1000, kind: 'heal', hosts: pair.hosts });
        break;
      }
      case 'link':
        events.push({ at: at(), kind, conditions: randomLink(rng, true) });
        break;
      default:
        break;
    }
  }
  // Stable order: by time, then as generated.
  return events
    .map((e, i) => ({ e, i }))
    .sort((x, y) => x.e.at - y.e.at || x.i - y.i)
    .map((x) => x.e);
}

export function generateScenario(seed: number, features: SimFeatures = DEFAULT_FEATURES): Scenario {
  const rng = new SimRandom(seed);
  const hosts = hostsFor(rng.fork('hosts'), features);
  const pairs = pairsFor(rng.fork('pairs'), features, hosts);
  const link = randomLink(rng.fork('link'), features.badLinks);
  const events = timeline(rng.fork('timeline'), features, hosts, pairs);
  return { seed, features, hosts, pairs, link, events };
}
