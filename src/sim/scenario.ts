/**
 * A simulator scenario: the gateways, the connections between them (both
 * sides' engine configuration and the simulator's model of what each side's
 * manager does with it), and a timeline of operator commands, restarts,
 * partitions and link changes. Scenarios are plain data, generated from a seed
 * by `generateScenario` (scenario-generator.ts).
 */

import type { IkeConnection } from '../ikev2/connection.js';
import type { ConnectionPolicy } from '../manager/policy.js';
import type { LinkConditions } from './memory-network.js';

/**
 * What a side's connection manager does with a connection: the manual's Init
 * Type (start: initiate when the daemon starts; trap: trap policies, traffic
 * starts the tunnel; start+trap: both; none: responder only), Close Action and
 * DPD Action. The simulated hosts run the real ConnectionManager with it.
 */
export type SidePolicy = ConnectionPolicy;

/** Does this side initiate at boot (and take operator `up`)? */
export const startsAtBoot = (p: SidePolicy): boolean =>
  p.startAction === 'start' || p.startAction === 'start+trap';
/** Does this side hold trap policies, so that traffic starts the tunnel? */
export const trapsTraffic = (p: SidePolicy): boolean =>
  p.startAction === 'trap' || p.startAction === 'start+trap';

export interface PairSpec {
  /** The connection's name on both sides. */
  readonly name: string;
  readonly hosts: readonly [string, string];
  readonly conns: readonly [IkeConnection, IkeConnection];
  readonly policies: readonly [SidePolicy, SidePolicy];
}

export interface HostSpec {
  readonly name: string;
  readonly address: string;
}

export type SimEvent =
  | {
      readonly at: number;
      readonly kind: 'up' | 'down';
      readonly host: string;
      readonly conn: string;
    }
  | { readonly at: number; readonly kind: 'restart'; readonly host: string }
  | {
      /** A packet for a child's remote subnet hits the host's trap policy (ACQUIRE). */
      readonly at: number;
      readonly kind: 'traffic';
      readonly host: string;
      readonly conn: string;
      readonly child: string;
    }
  | {
      readonly at: number;
      readonly kind: 'partition' | 'heal';
      readonly hosts: readonly [string, string];
    }
  | { readonly at: number; readonly kind: 'link'; readonly conditions: LinkConditions };

/** Which scenario ingredients the generator may use. */
export interface SimFeatures {
  /** Sometimes three gateways (a hub with two or three connections). */
  readonly threeHosts: boolean;
  /** Children per connection: 1 to this many. */
  readonly maxChildren: number;
  /** Sometimes both sides of a connection initiate. */
  readonly bothInitiate: boolean;
  /** Random operator `up` / `down`. */
  readonly operator: boolean;
  readonly restarts: boolean;
  readonly partitions: boolean;
  /** Loss (up to 30 %), duplication, delay and jitter. */
  readonly badLinks: boolean;
  /** CHILD_SA and IKE_SA lifetimes of seconds (rekeys, soft and hard expiry). */
  readonly shortLifetimes: boolean;
  /** DPD delays of seconds. */
  readonly dpd: boolean;
  /** Init types trap and start+trap, with traffic events that start trap tunnels. */
  readonly onDemand: boolean;
  /** Random DPD actions (clear, restart, trap) and close actions (none, start, trap). */
  readonly actions: boolean;
}

export const DEFAULT_FEATURES: SimFeatures = {
  threeHosts: true,
  maxChildren: 3,
  bothInitiate: true,
  operator: true,
  restarts: true,
  partitions: true,
  badLinks: true,
  shortLifetimes: true,
  dpd: true,
  onDemand: true,
  actions: true,
};

export interface Scenario {
  readonly seed: number;
  readonly features: SimFeatures;
  readonly hosts: readonly HostSpec[];
  readonly pairs: readonly PairSpec[];
  /** Link conditions at the start. */
  readonly link: LinkConditions;
  /** In time order. */
  readonly events: readonly SimEvent[];
}

/** A one-line description of an event for the log. */
export function describeEvent(e: SimEvent): string {
  switch (e.kind) {
    case 'up':
    case 'down':
      return `${e.host}: operator ${e.kind} ${e.conn}`;
    case 'restart':
      return `${e.host}: restart (fresh engine, empty kernel)`;
    case 'traffic':
      return `${e.host}: traffic for ${e.conn}/${e.child}`;
    case 'partition':
    case 'heal':
      return `network: ${e.kind} ${e.hosts[0]}<->${e.hosts[1]}`;
    case 'link':
      return `network: ${describeLink(e.conditions)}`;
  }
}

export function describeLink(c: LinkConditions): string {
  return `link loss=${c.loss.toFixed(2)} dup=${c.duplicate.toFixed(2)} delay=${c.delayMs}+${c.jitterMs}ms`;
}
