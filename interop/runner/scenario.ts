// The scenario definition format. A scenario is a TypeScript module in
// interop/scenarios/ exporting a Scenario: its topology, the daemons per
// namespace, the captures, and steps, each of which states what must hold (like
// strongSwan's testing/ evaltest.dat). See docs/lab.md.
import type { TextExpectation } from './expect.js';
import type { TopologyName } from './topologies.js';

export interface CharonDaemon {
  readonly kind: 'charon';
  readonly ns: string;
  /** The swanctl.conf text (one setting a line: values run to the end of the line). */
  readonly swanctl: string;
  /** Extra text inside strongswan.conf's `charon { }` section. */
  readonly charonSettings?: string;
  /**
   * Files copied into this instance's swanctl directory before `--load-all`,
   * e.g. `{ path: 'private/moon.key', from: '/abs/moon.key' }` (swanctl loads
   * private keys and CRLs only from its directories). With files, swanctl runs
   * with SWANCTL_DIR set to the directory holding swanctl.conf.
   */
  readonly files?: readonly { readonly path: string; readonly from: string }[];
}

/** A Node.js process of ours (a compiled driver in interop/drivers/), running until the scenario ends. */
export interface NodeDaemon {
  readonly kind: 'node';
  readonly ns: string;
  /** Name used by steps and in the log file name. */
  readonly name: string;
  /** Path under interop/drivers/ without extension, e.g. "ike-socket-echo". */
  readonly driver: string;
  readonly args?: readonly string[];
  /** Started once a line of its output matches this. */
  readonly ready?: RegExp;
}

/** Any other long-running program (keepalived): started in `ns`, stopped with SIGTERM. */
export interface ProcessDaemon {
  readonly kind: 'process';
  readonly ns: string;
  readonly name: string;
  readonly argv: readonly string[];
  readonly ready?: RegExp;
}

export type DaemonSpec = CharonDaemon | NodeDaemon | ProcessDaemon;

/** tcpdump on an interface for the whole scenario; decoded with `tcpdump -nn -v -r` when checked. */
export interface CaptureSpec {
  readonly name: string;
  readonly ns: string;
  readonly dev: string;
  /** A pcap filter expression. */
  readonly filter?: string;
}

export type Family = 'v4' | 'v6';

export type Step =
  /** A command inside a namespace; fails on another exit status or unmet patterns over its stdout. */
  | {
      readonly do: 'exec';
      readonly ns: string;
      readonly argv: readonly string[];
      readonly expectExit?: number;
      readonly expect?: TextExpectation;
    }
  /** swanctl against the charon of namespace `ns`. */
  | {
      readonly do: 'swanctl';
      readonly ns: string;
      readonly args: readonly string[];
      readonly expect?: TextExpectation;
    }
  /** ping between namespaces, to the address `to` (an IP address). */
  | {
      readonly do: 'ping';
      readonly from: string;
      readonly to: string;
      readonly count?: number;
      /** Source address (ping -I), when the default one would not do. */
      readonly source?: string;
      /** Payload size (ping -s). */
      readonly size?: number;
      readonly expect: 'reply' | 'no-reply';
    }
  /** Patterns over `ip xfrm state` ('state'), `ip -s xfrm state` ('stats') or `ip xfrm policy`. */
  | {
      readonly do: 'xfrm';
      readonly ns: string;
      readonly show: 'state' | 'stats' | 'policy';
      readonly expect: TextExpectation;
    }
  /** Patterns over the decode of a capture so far. */
  | { readonly do: 'capture'; readonly name: string; readonly expect: TextExpectation }
  /** A driver of ours run to completion in a namespace: exit status and patterns over its output. */
  | {
      readonly do: 'driver';
      readonly ns: string;
      readonly driver: string;
      readonly args?: readonly string[];
      readonly expectExit?: number;
      readonly expect?: TextExpectation;
      readonly timeoutMs?: number;
    }
  /** Patterns over the output so far of a NodeDaemon, waiting up to timeoutMs for them to hold. */
  | {
      readonly do: 'daemon-output';
      readonly name: string;
      readonly expect: TextExpectation;
      readonly timeoutMs?: number;
    }
  | { readonly do: 'sleep'; readonly ms: number }
  /** Anything else: throw an Error to fail the scenario. */
  | { readonly do: 'run'; readonly what: string; readonly run: (lab: LabContext) => Promise<void> };

export interface Scenario {
  /** Unique, kebab-case; `npm run lab -- PATTERN` selects by it. */
  readonly name: string;
  /** What the scenario shows, one sentence. */
  readonly summary: string;
  readonly topology: TopologyName;
  /** Commands run once the topology is built, before the daemons start (`ns` null: outside any namespace). */
  readonly setup?: readonly { readonly ns: string | null; readonly argv: readonly string[] }[];
  readonly daemons?: readonly DaemonSpec[];
  readonly captures?: readonly CaptureSpec[];
  readonly steps: readonly Step[];
  /** Bound on the steps (daemons' start and teardown excluded); 60 s when absent. */
  readonly timeoutMs?: number;
}

/** What a `run` step can use. */
export interface LabContext {
  /** This scenario's directory for logs and files (on the host filesystem). */
  readonly dir: string;
  /** Runs a command in a namespace; it is logged. Does not fail by itself. */
  exec(
    ns: string,
    argv: readonly string[],
    timeoutMs?: number,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Runs one step (as if it were listed), throwing on failure. */
  step(step: Step): Promise<void>;
  log(line: string): void;
}
