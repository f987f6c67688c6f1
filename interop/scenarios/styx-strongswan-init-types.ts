// The manual's Init Type and Rekey settings against strongSwan: start+trap
// (connect now and keep trap policies, so when the tunnel drops no packet
// leaves unencrypted and traffic brings it back) and Rekey off (only the peer
// rekeys, and the tunnel lives on through the peer's rekeys).
import type { Scenario } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { charonDaemon, styxctl, styxDaemon } from './styx-pair.js';
import {
  CHARON_FAST_REKEY,
  charonHoldsOne,
  conn,
  oneChildBetweenRekeys,
  pingWithoutLoss,
  styxLog,
} from './styx-strongswan-lifecycle.js';

const startTrap: Scenario = {
  name: 'styx-initiator-start-trap',
  summary:
    'Init Type start+trap: Styx connects at start and keeps trap policies; strongSwan deletes the tunnel, alice pings: nothing crosses the WAN in clear and the ping brings the tunnel back',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn()]),
    styxDaemon('moon', [
      conn({ moon: { startAction: 'start+trap', conn: ['close_action: none'] } }),
    ]),
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    // No `up`: the start action connects when styxd starts.
    styxLog('moon', { match: [/CHILD_SA net\{\d+\} established/] }),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    { do: 'swanctl', ns: 'sun', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
    styxLog('moon', { match: [/IKE_SA closed: deleted by peer/] }),
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'policy',
      expect: { match: [/dir out/, /tmpl src 192\.0\.2\.1 dst 192\.0\.2\.2/] },
    },
    // The first packets wait in the kernel for the tunnel the ACQUIRE starts.
    {
      do: 'exec',
      ns: 'alice',
      argv: ['ping', '-c', '8', '-i', '0.5', '-W', '2', ADDR.bob.v4],
      expect: { match: [/ [1-8] received/] },
    },
    styxLog('moon', {
      match: [/ACQUIRE for/],
      count: [{ pattern: /CHILD_SA net\{\d+\} established/, min: 2 }],
    }),
    charonHoldsOne('sun'),
    { do: 'capture', name: 'wan', expect: { noMatch: [/ICMP echo request/, /ICMP echo reply/] } },
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

const rekeyOff: Scenario = {
  name: 'styx-initiator-rekey-off',
  summary:
    "Rekey off on Styx (CHILD_SA rekey_time 6 s, life_time 20 s): Styx never starts a rekey, strongSwan rekeys every ~6 s, the tunnel outlives Styx's hard lifetime with 0 of 3000 pings lost",
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn({ sun: CHARON_FAST_REKEY })]),
    styxDaemon('moon', [
      conn({
        moon: {
          conn: ['rekey: no'],
          child: ['rekey_time: 6s', 'life_time: 20s', 'rand_time: 0s'],
        },
      }),
    ]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    pingWithoutLoss(30),
    styxLog('moon', {
      count: [{ pattern: /rekeyed by peer to/, min: 3 }],
      noMatch: [/CHILD_SA net\{\d+\} rekeyed to/, /rekeying CHILD_SA/],
    }),
    oneChildBetweenRekeys('moon', 'sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 240_000,
};

export const STYX_INIT_TYPE_SCENARIOS: readonly Scenario[] = [startTrap, rekeyOff];
