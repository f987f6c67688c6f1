/**
 * A simulator scenario: the gateways, the connections between them (both
 * sides' engine configuration and the simulator's model of what each side's
 * manager does with it), and a timeline of operator commands, restarts,
 * partitions and link changes. Scenarios are plain data, generated from a seed
 * by `generateScenario` (scenario-generator.ts).
 */

import type { IkeConnection } from '../ikev2/connection.js';
import type { LinkConditions } from './memory-network.js';

/**
 * What a side's connection manager does with a connection. Today only the
 * start action exists; init type on-demand, DPD action and close action plug
 * in here when the engine has them (see docs/simulator.md).
 */
export interface SidePolicy {
  /** start: initiate when the daemon starts (and the operator may `up`); none: responder only. */
  readonly startAction: 'start' | 'none';
}

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
  /**
   * CHILD_SA and IKE_SA lifetimes of seconds. Off by default: the engine
   * neither rekeys nor handles the kernel's EXPIRE yet.
   */
  readonly shortLifetimes: boolean;
  /** DPD delays of seconds. Off by default: the engine has no DPD yet. */
  readonly dpd: boolean;
}

export const DEFAULT_FEATURES: SimFeatures = {
  threeHosts: true,
  maxChildren: 3,
  bothInitiate: true,
  operator: true,
  restarts: true,
  partitions: true,
  badLinks: true,
  shortLifetimes: false,
  dpd: false,
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
