// Styx against strongSwan over the life of a tunnel: CHILD_SA rekeys under a
// 10 ms ping with no packet lost (Styx rekeying, strongSwan rekeying, both at
// once), dead peer detection with the peer cut off, on-demand tunnels started
// by a ping, and the manual's two recommended combinations of Init Type, DPD
// Action and Close Action.
import type { TextExpectation } from '../runner/expect.js';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  type Gateway,
  lanNets,
  type SideExtra,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

export function conn(extra: ConnSpec['extra'] = {}): ConnSpec {
  return {
    name: 'gw',
    ike: 'aes256gcm16-prfsha256-x25519',
    children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
    extra,
  };
}

/** Styx: CHILD_SA rekey every ~6 s (hard life 20 s). */
const STYX_FAST_REKEY: SideExtra = { child: ['rekey_time: 6s', 'life_time: 20s', 'rand_time: 1s'] };
/** strongSwan: CHILD_SA rekey every ~6 s. */
export const CHARON_FAST_REKEY: SideExtra = {
  child: ['rekey_time = 6s', 'life_time = 20s', 'rand_time = 1s'],
};

/**
 * alice pings bob every 10 ms, `seconds` x 100 times; not one reply may be
 * missing. UML's timers stretch the run, so it gets a generous time limit.
 */
export function pingWithoutLoss(seconds: number): Step {
  const argv = [
    'ping',
    '-q',
    '-n',
    '-c',
    String(seconds * 100),
    '-i',
    '0.01',
    '-W',
    '2',
    ADDR.bob.v4,
  ];
  return {
    do: 'run',
    what: `alice pings bob ${seconds * 100} times at 10 ms intervals without loss`,
    async run(lab) {
      const r = await lab.exec('alice', argv, seconds * 6000);
      lab.log(r.stdout);
      if (!/ 0% packet loss/.test(r.stdout)) {
        throw new Error(
          `packets lost: ${r.stdout.split('\n').find((l) => /packet loss/.test(l)) ?? r.stderr}`,
        );
      }
    },
  };
}

export const styxLog = (ns: Gateway, expect: TextExpectation, timeoutMs = 30_000): Step => ({
  do: 'daemon-output',
  name: `styxd-${ns}`,
  expect,
  timeoutMs,
});

/** strongSwan holds exactly one IKE_SA and one CHILD_SA for the tunnel. */
export const charonHoldsOne = (ns: Gateway): Step => ({
  do: 'swanctl',
  ns,
  args: ['--list-sas'],
  expect: {
    count: [
      { pattern: /gw: #\d+, ESTABLISHED, IKEv2/, min: 1, max: 1 },
      { pattern: /net: #\d+, reqid \d+, INSTALLED, TUNNEL/, min: 1, max: 1 },
    ],
  },
});

/** Styx's kernel holds two ESP SAs (one per direction) once rekeys settled. */
const twoEspSas = (ns: Gateway): Step => ({
  do: 'xfrm',
  ns,
  show: 'state',
  expect: { count: [{ pattern: /^\s+proto esp spi/, min: 2, max: 2 }] },
});

/**
 * Between two rounds of rekeys, each side holds exactly one CHILD_SA (and
 * Styx's kernel two ESP SAs): polled, as rekeys keep running every few seconds.
 */
export function oneChildBetweenRekeys(styxNs: Gateway, charonNs: Gateway): Step {
  return {
    do: 'run',
    what: 'between two rounds of rekeys each side holds exactly one CHILD_SA',
    async run(lab) {
      const one = { pattern: /net: #\d+, reqid \d+, INSTALLED, TUNNEL/, min: 1, max: 1 };
      for (let i = 0; i < 30; i++) {
        const ok = await Promise.all([
          lab.step(styxctl(styxNs, ['status'], { count: [one] })),
          lab.step({ do: 'swanctl', ns: charonNs, args: ['--list-sas'], expect: { count: [one] } }),
          lab.step(twoEspSas(styxNs)),
        ])
          .then(() => true)
          .catch(() => false);
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      throw new Error('never exactly one CHILD_SA on each side');
    },
  };
}

const settle: Step = { do: 'sleep', ms: 1500 };

/**
 * Polls (every 250 ms, up to `seconds`) until Styx on moon and strongSwan on
 * sun hold exactly one IKE_SA each: between rekey rounds, or once a duplicate
 * went.
 */
export function oneIkeSaEachSide(seconds: number): Step {
  const one = { pattern: /gw: #\d+, ESTABLISHED, IKEv2/, min: 1, max: 1 };
  return {
    do: 'run',
    what: `within ${seconds} s each side holds exactly one IKE_SA`,
    async run(lab) {
      for (let i = 0; i < seconds * 4; i++) {
        const ok = await Promise.all([
          lab.step(styxctl('moon', ['status'], { count: [one] })),
          lab.step({ do: 'swanctl', ns: 'sun', args: ['--list-sas'], expect: { count: [one] } }),
        ])
          .then(() => true)
          .catch(() => false);
        if (ok) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`not exactly one IKE_SA on each side within ${seconds} s`);
    },
  };
}

/** Cuts sun off the WAN (or connects it again). */
export function linkToSun(up: boolean): Step {
  return { do: 'exec', ns: 'wan', argv: ['ip', 'link', 'set', 'sun', up ? 'up' : 'down'] };
}

const childRekeyInitiator: Scenario = {
  name: 'styx-initiator-child-rekey',
  summary:
    'Styx on moon initiates and rekeys the CHILD_SA every ~6 s while alice pings bob every 10 ms: three rekeys, 0 packets lost',
  topology: 'net2net',
  daemons: [charonDaemon('sun', [conn()]), styxDaemon('moon', [conn({ moon: STYX_FAST_REKEY })])],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    pingWithoutLoss(20),
    styxLog('moon', { count: [{ pattern: /CHILD_SA net\{\d+\} rekeyed to/, min: 2 }] }),
    oneChildBetweenRekeys('moon', 'sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 180_000,
};

const childRekeyResponder: Scenario = {
  name: 'styx-responder-child-rekey',
  summary:
    'strongSwan on moon initiates and rekeys the CHILD_SA every ~6 s; Styx on sun answers the rekeys (new outbound SA only after the old is deleted): 0 of 2000 pings lost',
  topology: 'net2net',
  daemons: [charonDaemon('moon', [conn({ moon: CHARON_FAST_REKEY })]), styxDaemon('sun', [conn()])],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    pingWithoutLoss(20),
    styxLog('sun', { count: [{ pattern: /rekeyed by peer to/, min: 2 }] }),
    oneChildBetweenRekeys('sun', 'moon'),
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
  ],
  timeoutMs: 120_000,
};

const childRekeyCollision: Scenario = {
  name: 'styx-child-rekey-collision',
  summary:
    'Styx and strongSwan both rekey the CHILD_SA every 6 s without jitter: rekeys meet, one CHILD_SA remains on each side, 0 pings lost',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [
      conn({ sun: { child: ['rekey_time = 6s', 'life_time = 20s', 'rand_time = 0s'] } }),
    ]),
    styxDaemon('moon', [
      conn({ moon: { child: ['rekey_time: 6s', 'life_time: 20s', 'rand_time: 0s'] } }),
    ]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    pingWithoutLoss(20),
    oneChildBetweenRekeys('moon', 'sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

/**
 * The manual's first combination: Init Type start, DPD Action restart, Close
 * Action none. sun is cut off: Styx declares it dead within delay + timeout
 * (2 s + 6 s), restarts, and once sun is back the new IKE_SA (with
 * INITIAL_CONTACT) replaces strongSwan's stale one.
 */
const dpdRestart: Scenario = {
  name: 'styx-initiator-dpd-restart',
  summary:
    "manual combination 1 (start, DPD restart, close none): sun is cut off, Styx detects it within delay + timeout and reconnects once sun is back; strongSwan's stale IKE_SA goes (INITIAL_CONTACT)",
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn()]),
    styxDaemon('moon', [
      conn({
        moon: {
          startAction: 'start',
          conn: ['dpd: { delay: 2s, timeout: 6s, action: restart }', 'close_action: none'],
        },
      }),
    ]),
  ],
  steps: [
    styxLog('moon', { match: [/CHILD_SA net\{\d+\} established/] }),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    linkToSun(false),
    styxLog('moon', { match: [/peer did not answer the liveness check: dead/] }, 12_000),
    linkToSun(true),
    styxLog('moon', { count: [{ pattern: /CHILD_SA net\{\d+\} established/, min: 2 }] }, 40_000),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    settle,
    charonHoldsOne('sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

const dpdClearResponder: Scenario = {
  name: 'styx-responder-dpd-clear',
  summary:
    'strongSwan on moon initiates; Styx on sun with DPD (1 s, timeout 4 s, action clear) finds moon cut off and removes everything',
  topology: 'net2net',
  daemons: [
    charonDaemon('moon', [conn()]),
    styxDaemon('sun', [
      conn({ sun: { conn: ['dpd: { delay: 1s, timeout: 4s, action: clear }'] } }),
    ]),
  ],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    { do: 'exec', ns: 'wan', argv: ['ip', 'link', 'set', 'moon', 'down'] },
    styxLog('sun', { match: [/IKE_SA closed: peer is dead \(DPD\)/] }, 10_000),
    { do: 'xfrm', ns: 'sun', show: 'state', expect: { noMatch: [/proto esp/] } },
    // strongSwan's stale IKE_SA goes with its daemon at teardown.
    { do: 'exec', ns: 'wan', argv: ['ip', 'link', 'set', 'moon', 'up'] },
  ],
  timeoutMs: 90_000,
};

/**
 * The manual's second combination: Init Type on demand (trap), DPD Action
 * none, Close Action none. alice's ping starts the tunnel; when strongSwan
 * deletes it, the trap policies are back and the next ping starts it again.
 */
const onDemand: Scenario = {
  name: 'styx-initiator-trap',
  summary:
    'manual combination 2 (trap, DPD clear, close none): a ping from alice starts the tunnel through the ACQUIRE of a trap policy; after strongSwan deletes it, the next ping starts it again',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn()]),
    styxDaemon('moon', [
      conn({
        moon: {
          startAction: 'trap',
          conn: ['dpd: { delay: 10s, timeout: 30s, action: clear }', 'close_action: none'],
        },
      }),
    ]),
  ],
  steps: [
    styxLog('moon', { match: [/trap policies installed/] }),
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'policy',
      expect: { match: [/dir out/, /tmpl src 192\.0\.2\.1 dst 192\.0\.2\.2/] },
    },
    // The first packets are held by the kernel while the tunnel comes up.
    {
      do: 'exec',
      ns: 'alice',
      argv: ['ping', '-c', '8', '-i', '0.5', '-W', '2', ADDR.bob.v4],
      expect: { match: [/ [1-8] received/] },
    },
    styxLog('moon', { match: [/ACQUIRE for/, /CHILD_SA net\{\d+\} established/] }),
    charonHoldsOne('sun'),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    { do: 'swanctl', ns: 'sun', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
    styxLog('moon', { match: [/IKE_SA closed: deleted by peer/] }),
    settle,
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'policy',
      expect: { match: [/dir out/], noMatch: [/dir fwd/] },
    },
    {
      do: 'exec',
      ns: 'alice',
      argv: ['ping', '-c', '8', '-i', '0.5', '-W', '2', ADDR.bob.v4],
      expect: { match: [/ [1-8] received/] },
    },
    styxLog('moon', { count: [{ pattern: /CHILD_SA net\{\d+\} established/, min: 2 }] }),
    charonHoldsOne('sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

const ikeRekeyInitiator: Scenario = {
  name: 'styx-initiator-ike-rekey',
  summary:
    'Styx on moon rekeys the IKE_SA every ~8 s (RFC 7296 §2.18) while alice pings bob every 10 ms: the CHILD_SA moves to the new IKE_SA, 0 packets lost, strongSwan keeps one IKE_SA',
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn()]),
    styxDaemon('moon', [conn({ moon: { conn: ['rekey_time: 8s', 'rand_time: 1s'] } })]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    pingWithoutLoss(20),
    styxLog('moon', { count: [{ pattern: /IKE_SA rekeyed to/, min: 2 }] }),
    settle,
    charonHoldsOne('sun'),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 180_000,
};

const ikeRekeyResponder: Scenario = {
  name: 'styx-responder-ike-rekey',
  summary:
    'strongSwan on moon rekeys the IKE_SA every ~8 s; Styx on sun answers, moves the CHILD_SA and drops the old IKE_SA when strongSwan deletes it; 0 pings lost',
  topology: 'net2net',
  daemons: [
    charonDaemon('moon', [
      conn({ moon: { conn: ['rekey_time = 8s', 'over_time = 60s', 'rand_time = 1s'] } }),
    ]),
    styxDaemon('sun', [conn()]),
  ],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    pingWithoutLoss(20),
    styxLog('sun', { count: [{ pattern: /IKE_SA rekeyed by peer to/, min: 2 }] }),
    settle,
    charonHoldsOne('moon'),
    styxctl('sun', ['status'], {
      count: [{ pattern: /gw: #\d+, ESTABLISHED, IKEv2/, min: 1, max: 1 }],
    }),
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
  ],
  timeoutMs: 180_000,
};

/** moon (behind the NAT router) and sun know each other by name: moon's address is rewritten. */
const NAT_IDS = { moon: 'moon.styx.lab', sun: 'sun.styx.lab' };

export function natConn(extra: ConnSpec['extra']): ConnSpec {
  return { ...conn(extra), ids: NAT_IDS };
}

const natCaptureChecks: Step = {
  do: 'capture',
  name: 'wan',
  expect: {
    match: [
      new RegExp(
        `${ADDR.natOutside.v4.replace(/\./g, '\\.')}\\.\\d+ > ${ADDR.sun.v4.replace(/\./g, '\\.')}\\.4500: UDP-encap: ESP`,
      ),
      new RegExp(
        `${ADDR.sun.v4.replace(/\./g, '\\.')}\\.4500 > ${ADDR.natOutside.v4.replace(/\./g, '\\.')}\\.\\d+: UDP-encap: ESP`,
      ),
    ],
    noMatch: [/ICMP echo request/],
  },
};

const natInitiator: Scenario = {
  name: 'styx-initiator-nat',
  summary:
    'Styx on moon behind a masquerading router initiates to strongSwan on sun: NAT detected, IKE floats to 4500, ESP in UDP both ways, a CHILD_SA rekey keeps the encapsulation',
  topology: 'net2net-nat',
  daemons: [
    charonDaemon('sun', [natConn({ sun: { remoteAddr: '%any' } })]),
    styxDaemon('moon', [
      natConn({
        moon: {
          localAddr: ADDR.moonPrivate.v4,
          child: ['rekey_time: 8s', 'life_time: 30s', 'rand_time: 1s'],
        },
      }),
    ]),
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    styxLog('moon', { match: [/NAT detected/] }),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'state',
      expect: { match: [/encap type espinudp sport 4500 dport 4500/] },
    },
    styxLog('moon', { match: [/CHILD_SA net\{\d+\} rekeyed to/] }),
    settle,
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'state',
      expect: { count: [{ pattern: /encap type espinudp sport 4500 dport 4500/, min: 2, max: 2 }] },
    },
    // Behind the NAT, Styx sends a keepalive (one octet 0xFF) every 20 s (RFC 3948 §2.3).
    { do: 'sleep', ms: 21_000 },
    {
      do: 'capture',
      name: 'wan',
      expect: { match: [/192\.0\.2\.254\.\d+ > 192\.0\.2\.2\.4500: isakmp-nat-keep-alive/] },
    },
    natCaptureChecks,
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

const natResponder: Scenario = {
  name: 'styx-responder-nat',
  summary:
    "strongSwan on moon behind a masquerading router initiates to Styx on sun: Styx follows the NAT-T port and installs ESP-in-UDP SAs to the router's port",
  topology: 'net2net-nat',
  daemons: [
    charonDaemon('moon', [natConn({ moon: { localAddr: ADDR.moonPrivate.v4 } })]),
    styxDaemon('sun', [natConn({ sun: { remoteAddr: '%any' } })]),
  ],
  captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    {
      do: 'xfrm',
      ns: 'sun',
      show: 'state',
      expect: { match: [/encap type espinudp sport \d+ dport 4500/] },
    },
    natCaptureChecks,
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
  ],
  timeoutMs: 120_000,
};

/**
 * strongSwan on moon "restarts": with moon cut off, its IKE_SA is dropped
 * without a delete reaching Styx, then it connects again with INITIAL_CONTACT
 * (RFC 7296 §2.4), and Styx removes its stale IKE_SA and CHILD_SA.
 */
const peerRestart: Scenario = {
  name: 'styx-responder-peer-restart',
  summary:
    'strongSwan on moon loses its SAs silently and connects again with INITIAL_CONTACT: Styx on sun replaces its stale IKE_SA and CHILD_SA, leaving one of each',
  topology: 'net2net',
  daemons: [charonDaemon('moon', [conn()]), styxDaemon('sun', [conn()])],
  steps: [
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 2, expect: 'reply' },
    // A blackhole route drops the delete at once (a link that is down would queue it).
    { do: 'exec', ns: 'moon', argv: ['ip', 'route', 'add', 'blackhole', `${ADDR.sun.v4}/32`] },
    {
      do: 'run',
      what: 'strongSwan drops its IKE_SA; the delete is lost',
      async run(lab) {
        // --force without a timeout: the IKE_SA is destroyed at once, its one delete is lost.
        const args = ['--terminate', '--ike', 'gw', '--force'];
        await lab.step({ do: 'swanctl', ns: 'moon', args }).catch(() => undefined);
        for (let i = 0; i < 20; i++) {
          const gone = await lab
            .step({
              do: 'swanctl',
              ns: 'moon',
              args: ['--list-sas'],
              expect: { noMatch: [/gw: #/] },
            })
            .then(() => true)
            .catch(() => false);
          if (gone) return;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        throw new Error('strongSwan still holds its IKE_SA');
      },
    },
    { do: 'exec', ns: 'moon', argv: ['ip', 'route', 'del', 'blackhole', `${ADDR.sun.v4}/32`] },
    { do: 'swanctl', ns: 'moon', args: ['--initiate', '--child', 'net', '--timeout', '30'] },
    styxLog('sun', { match: [/IKE_SA closed: peer sent INITIAL_CONTACT/] }),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'reply' },
    settle,
    styxctl('sun', ['status'], {
      count: [
        { pattern: /gw: #\d+, ESTABLISHED, IKEv2/, min: 1, max: 1 },
        { pattern: /net: #\d+, reqid \d+, INSTALLED, TUNNEL/, min: 1, max: 1 },
      ],
    }),
    twoEspSas('sun'),
    { do: 'swanctl', ns: 'moon', args: ['--terminate', '--ike', 'gw', '--timeout', '20'] },
  ],
  timeoutMs: 120_000,
};

const childRekeyBytes: Scenario = {
  name: 'styx-initiator-child-rekey-bytes',
  summary:
    "Styx on moon sets a soft byte limit of 40 kB on the CHILD_SA's SAs: the kernel's EXPIRE starts each rekey while alice pings bob every 10 ms, 0 packets lost",
  topology: 'net2net',
  daemons: [
    charonDaemon('sun', [conn()]),
    styxDaemon('moon', [
      conn({ moon: { child: ['rekey_bytes: 40k', 'life_bytes: 100M', 'rand_bytes: 0'] } }),
    ]),
  ],
  steps: [
    styxctl('moon', ['up', 'gw'], { match: [/established/] }),
    pingWithoutLoss(10),
    styxLog('moon', { count: [{ pattern: /CHILD_SA net\{\d+\} rekeyed to/, min: 2 }] }),
    oneChildBetweenRekeys('moon', 'sun'),
    styxctl('moon', ['down', 'gw']),
  ],
  timeoutMs: 120_000,
};

export const STYX_LIFECYCLE_SCENARIOS: readonly Scenario[] = [
  childRekeyBytes,
  peerRestart,
  ikeRekeyInitiator,
  ikeRekeyResponder,
  natInitiator,
  natResponder,
  childRekeyInitiator,
  childRekeyResponder,
  childRekeyCollision,
  dpdRestart,
  dpdClearResponder,
  onDemand,
];
