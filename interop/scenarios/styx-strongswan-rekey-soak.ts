// Issue 5's make-before-break bar: a tunnel rekeyed 50 times under a 10 ms
// ping loses no packet. The CHILD_SA is rekeyed every ~2 s for 120 s (12,000
// pings), once by Styx and once by strongSwan, and the logs must show at least
// 50 rekeys; between rounds each side holds exactly one CHILD_SA.
import type { Scenario } from '../runner/scenario.js';
import { charonDaemon, styxctl, styxDaemon } from './styx-pair.js';
import {
  conn,
  oneChildBetweenRekeys,
  pingWithoutLoss,
  styxLog,
} from './styx-strongswan-lifecycle.js';

const SECONDS = 120;
const REKEYS = 50;
/** Every 2 s (durations are whole seconds; no jitter): 120 s give ~60 rekeys. */
const styxRekey = { child: ['rekey_time: 2s', 'life_time: 8s', 'rand_time: 0s'] };
const charonRekey = { child: ['rekey_time = 2s', 'life_time = 8s', 'rand_time = 0s'] };

const rekeyedBy = (who: 'styx' | 'peer') =>
  who === 'styx' ? /CHILD_SA net\{\d+\} rekeyed to/ : /rekeyed by peer to/;

export const STYX_REKEY_SOAK_SCENARIOS: readonly Scenario[] = [
  {
    name: 'styx-initiator-child-rekey-50',
    summary: `Styx on moon rekeys the CHILD_SA every ~2 s for ${SECONDS} s while alice pings bob every 10 ms: at least ${REKEYS} rekeys, 0 of ${SECONDS * 100} pings lost`,
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
    summary: `strongSwan on moon rekeys the CHILD_SA every ~2 s for ${SECONDS} s; Styx on sun answers while alice pings bob every 10 ms: at least ${REKEYS} rekeys, 0 of ${SECONDS * 100} pings lost`,
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
