// Issue 5's make-before-break bar: a tunnel rekeyed 50 times under a 10 ms
// ping loses no packet. The CHILD_SA is rekeyed every ~1 s for 7,000 pings,
// once by Styx and once by strongSwan, and the logs must show at least 50
// rekeys; between rounds each side holds exactly one CHILD_SA. And IKE_SA
// rekeys of both sides that collide (RFC 7296 §2.8.1).
import { readFile } from 'node:fs/promises';
import type { Scenario, Step } from '../runner/scenario.js';
import { charonDaemon, styxctl, styxDaemon } from './styx-pair.js';
import {
  conn,
  oneChildBetweenRekeys,
  oneIkeSaEachSide,
  pingWithoutLoss,
  styxLog,
} from './styx-strongswan-lifecycle.js';

const SECONDS = 70;
const REKEYS = 50;
/**
 * Every second (durations are whole seconds; no jitter): 70 s give ~65
 * rekeys. Once a second keeps the lab's wall time down; the bar is the count.
 */
const styxRekey = { child: ['rekey_time: 1s', 'life_time: 4s', 'rand_time: 0s'] };
const charonRekey = { child: ['rekey_time = 1s', 'life_time = 4s', 'rand_time = 0s'] };

const rekeyedBy = (who: 'styx' | 'peer') =>
  who === 'styx' ? /CHILD_SA net\{\d+\} rekeyed to/ : /rekeyed by peer to/;

const fiftyRekeys: readonly Scenario[] = [
  {
    name: 'styx-initiator-child-rekey-50',
    summary: `Styx on moon rekeys the CHILD_SA every ~1 s for ${SECONDS} s while alice pings bob every 10 ms: at least ${REKEYS} rekeys, 0 of ${SECONDS * 100} pings lost`,
    topology: 'net2net',
    daemons: [charonDaemon('sun', [conn()]), styxDaemon('moon', [conn({ moon: styxRekey })])],
    steps: [
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      pingWithoutLoss(SECONDS),
      styxLog('moon', { count: [{ pattern: rekeyedBy('styx'), min: REKEYS }] }),
      oneChildBetweenRekeys('moon', 'sun'),
      styxctl('moon', ['down', 'gw']),
    ],
    timeoutMs: 900_000,
  },
  {
    name: 'styx-responder-child-rekey-50',
    summary: `strongSwan on moon rekeys the CHILD_SA every ~1 s for ${SECONDS} s; Styx on sun answers while alice pings bob every 10 ms: at least ${REKEYS} rekeys, 0 of ${SECONDS * 100} pings lost`,
    topology: 'net2net',
    daemons: [charonDaemon('moon', [conn({ moon: charonRekey })]), styxDaemon('sun', [conn()])],
    steps: [
      { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
      pingWithoutLoss(SECONDS),
      styxLog('sun', { count: [{ pattern: rekeyedBy('peer'), min: REKEYS }] }),
      oneChildBetweenRekeys('sun', 'moon'),
      { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
    ],
    timeoutMs: 900_000,
  },
];

/** strongSwan's log shows `count` IKE_SA rekey collisions or more (RFC 7296 §2.8.1). */
function charonSawCollisions(ns: 'moon' | 'sun', min: number): Step {
  return {
    do: 'run',
    what: `strongSwan on ${ns} logged at least ${min} IKE_SA rekey collision(s)`,
    async run(lab) {
      const log = await readFile(`${lab.dir}/${ns}/charon.log`, 'utf8');
      const seen = log.match(/IKE_SA rekey collision (won|lost)/g)?.length ?? 0;
      lab.log(`strongSwan rekey collisions: ${seen}`);
      if (seen < min) throw new Error(`expected ${min} IKE_SA rekey collisions, saw ${seen}`);
    },
  };
}

/**
 * Both sides rekey the IKE_SA every 8 s without jitter and the link is slow,
 * so their CREATE_CHILD_SA requests cross: the nonce rule (§2.8.1) keeps one new
 * IKE_SA, the CHILD_SA moves to it and keeps carrying the ping.
 */
const ikeRekeyCollision: Scenario = {
  name: 'styx-ike-rekey-collision',
  summary:
    'Styx and strongSwan both rekey the IKE_SA every 8 s without jitter: the rekeys collide, one IKE_SA survives on each side, 0 pings lost',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [
      conn({ sun: { conn: ['rekey_time = 8s', 'over_time = 60s', 'rand_time = 0s'] } }),
    ]),
    styxDaemon('moon', [conn({ moon: { conn: ['rekey_time: 8s', 'rand_time: 0s'] } })]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    // 100 ms each way once the IKE_SA is up: both rekey timers fire within a
    // few ms of each other, so each request leaves before the other arrives.
    ...(['moon', 'sun'] as const).map(
      (ns): Step => ({
        do: 'exec',
        ns,
        argv: ['tc', 'qdisc', 'add', 'dev', 'eth1', 'root', 'netem', 'delay', '100ms'],
      }),
    ),
    pingWithoutLoss(30),
    charonSawCollisions('sun', 1),
    oneIkeSaEachSide(10),
    oneChildBetweenRekeys('moon', 'sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 240_000,
};

export const STYX_REKEY_SOAK_SCENARIOS: readonly Scenario[] = [...fiftyRekeys, ikeRekeyCollision];
