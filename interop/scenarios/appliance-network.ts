// The manual's network settings against strongSwan, Styx on moon initiating:
// Interfaces "Any" (the source address comes from the kernel's route towards
// the peer at each initiation, RTM_GETROUTE), several Remote Endpoints (the
// next one when the first does not answer), a host name resolved at every
// initiation (DynDNS: the name's address changes between two initiations) and
// keyingtries (a peer that answers only after a while is reached on a later
// round). The retransmission timers are scaled down: they are not under test.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR, MULTIWAN } from '../runner/topologies.js';
import {
  type ConnSpec,
  charonDaemon,
  lanNets,
  type SideExtra,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

/** A WAN address nobody holds: IKE_SA_INIT to it goes unanswered. */
const SILENT = '192.0.2.99';
/** A second address of sun, which the DynDNS name moves to. */
const SUN2 = '192.0.2.12';
export const SUN_NAME = 'sun.dyn.example';

const FAST_RETRANSMIT = ['retransmit: { timeout: 1s, base: 1, tries: 1 }'];

function conn(moon: SideExtra): ConnSpec {
  return {
    name: 'gw',
    ike: 'aes256gcm16-prfsha256-x25519',
    children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
    // Names, not addresses, identify the gateways: the addresses vary here.
    ids: { moon: 'moon.lab.example', sun: 'sun.lab.example' },
    // strongSwan answers on any of its addresses, from any of moon's.
    extra: { moon, sun: { localAddr: '%any', remoteAddr: '%any' } },
  };
}

export const esc = (s: string) => s.replace(/\./g, '\\.');
/** moon's outbound ESP SA runs from `src` to `dst`. */
const outerAddresses = (src: string, dst: string): Step => ({
  do: 'xfrm',
  ns: 'moon',
  show: 'state',
  expect: { match: [new RegExp(`src ${esc(src)} dst ${esc(dst)}\\s+proto esp`)] },
});
export const pingThrough: Step = {
  do: 'ping',
  from: 'alice',
  to: ADDR.bob.v4,
  count: 3,
  expect: 'reply',
};
const up = styxctl('moon', ['up', 'gw'], { match: [/established/] });
const down = styxctl('moon', ['down', 'gw'], { match: [/closed/] });
export const sh = (ns: string, script: string): Step => ({
  do: 'exec',
  ns,
  argv: ['sh', '-c', script],
});

const anySource = conn({ localAddr: '"%any"' });
const failover = conn({ remoteAddr: `${SILENT}, ${ADDR.sun.v4}` });
const dyndns = conn({ remoteAddr: SUN_NAME });
const keyingTries = conn({ conn: ['keyingtries: 0'], startAction: 'start' });

const multiwan = conn({
  localAddr: '"%any"',
  conn: ['restart_on_gateway_change: yes'],
  startAction: 'start',
});

/** Polls moon's SAs until `pattern` shows, up to `ms`; logs and returns the time it took. */
function waitForSa(what: string, pattern: RegExp, ms = 30_000): Step {
  return {
    do: 'run',
    what,
    run: async (lab) => {
      const start = Date.now();
      while (Date.now() - start < ms) {
        const r = await lab.exec('moon', ['ip', 'xfrm', 'state']);
        if (pattern.test(r.stdout)) {
          lab.log(`${what}: ${Date.now() - start} ms`);
          return;
        }
        await new Promise((done) => setTimeout(done, 200));
      }
      throw new Error(`${what}: not within ${ms} ms`);
    },
  };
}
const espFrom = (src: string) => new RegExp(`src ${esc(src)} dst ${esc(ADDR.sun.v4)}\\s+proto esp`);

// `ip netns exec moon` binds /etc/netns/moon/hosts over /etc/hosts (a tmpfs
// inside UML: the host's /etc is not touched); rewriting it in place changes
// what getaddrinfo answers to the running styxd.
export const hostsFile = '/etc/netns/moon/hosts';
export const resolveSunTo = (address: string): Step =>
  sh('moon', `printf '127.0.0.1 localhost\\n${address} ${SUN_NAME}\\n' > ${hostsFile}`);

export const APPLIANCE_NETWORK_SCENARIOS: readonly Scenario[] = [
  {
    name: 'appliance-any-source-initiator',
    summary:
      "local_addrs %any: each initiation takes its source from the route towards the peer; the route is changed to moon's second address between two initiations and the next tunnel runs from it",
    topology: 'net2net',
    daemons: [charonDaemon('sun', [anySource]), styxDaemon('moon', [anySource])],
    steps: [
      up,
      outerAddresses(ADDR.moon.v4, ADDR.sun.v4),
      pingThrough,
      down,
      sh('moon', `ip route replace ${ADDR.sun.v4}/32 dev eth1 src ${ADDR.moon2.v4}`),
      up,
      outerAddresses(ADDR.moon2.v4, ADDR.sun.v4),
      pingThrough,
      down,
      sh('moon', `ip route del ${ADDR.sun.v4}/32`),
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'appliance-remote-failover-initiator',
    summary:
      'remote_addrs [silent address, sun]: IKE_SA_INIT to the first goes unanswered, Styx tries the next remote endpoint and the tunnel comes up with sun',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [failover]), styxDaemon('moon', [failover], FAST_RETRANSMIT)],
    captures: [{ name: 'wan', ns: 'wan', dev: 'br0' }],
    steps: [
      up,
      outerAddresses(ADDR.moon.v4, ADDR.sun.v4),
      {
        do: 'daemon-output',
        name: 'styxd-moon',
        expect: {
          match: [new RegExp(`${esc(SILENT)} did not answer, trying the next remote endpoint`)],
        },
      },
      {
        do: 'capture',
        name: 'wan',
        // Nobody holds the address: moon's IKE_SA_INIT waits on ARP, which goes unanswered.
        expect: { match: [new RegExp(`who-has ${esc(SILENT)} tell ${esc(ADDR.moon.v4)}`)] },
      },
      pingThrough,
      down,
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'appliance-dyndns-initiator',
    summary:
      "remote_addrs a host name: resolved at every initiation with no caching; the name moves from sun's first address to its second between two initiations and the next tunnel goes to the new one",
    topology: 'net2net',
    setup: [{ ns: null, argv: ['sh', '-c', `mkdir -p /etc/netns/moon && : > ${hostsFile}`] }],
    daemons: [charonDaemon('sun', [dyndns]), styxDaemon('moon', [dyndns])],
    steps: [
      sh('sun', `ip addr add ${SUN2}/24 dev eth1`),
      resolveSunTo(ADDR.sun.v4),
      up,
      outerAddresses(ADDR.moon.v4, ADDR.sun.v4),
      pingThrough,
      down,
      resolveSunTo(SUN2),
      up,
      outerAddresses(ADDR.moon.v4, SUN2),
      pingThrough,
      down,
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'appliance-keyingtries-initiator',
    summary:
      'keyingtries 0 (forever) with start_action start: sun drops IKE at first (nftables), Styx keeps trying round after round, and the tunnel comes up once sun answers',
    topology: 'net2net',
    setup: [
      {
        ns: 'sun',
        argv: [
          'nft',
          'add table inet styx_lab_block; add chain inet styx_lab_block in { type filter hook input priority 0; udp dport { 500, 4500 } drop; }',
        ],
      },
    ],
    daemons: [
      charonDaemon('sun', [keyingTries]),
      styxDaemon('moon', [keyingTries], FAST_RETRANSMIT),
    ],
    steps: [
      {
        do: 'daemon-output',
        name: 'styxd-moon',
        expect: { match: [/no remote endpoint answered, trying again \(3\/unlimited\)/] },
        timeoutMs: 30_000,
      },
      sh('sun', 'nft delete table inet styx_lab_block'),
      {
        do: 'run',
        what: 'wait up to 30 s for the next round to bring the CHILD_SA up',
        run: async (lab) => {
          for (let i = 0; i < 60; i++) {
            const r = await lab.exec('moon', ['ip', 'xfrm', 'state']);
            if (/proto esp/.test(r.stdout)) return;
            await new Promise((done) => setTimeout(done, 500));
          }
          throw new Error('no ESP SA on moon 30 s after sun began to answer');
        },
      },
      outerAddresses(ADDR.moon.v4, ADDR.sun.v4),
      pingThrough,
      down,
    ],
    timeoutMs: 90_000,
  },
  {
    name: 'appliance-restart-gateway-change-initiator',
    summary:
      "multi-WAN: moon's tunnel runs through isp1; the primary default route is removed, the gateway watch sees the new default gateway (isp2) and the tunnel comes back from moon's second uplink; time to recovery logged",
    topology: 'net2net-multiwan',
    daemons: [charonDaemon('sun', [multiwan]), styxDaemon('moon', [multiwan])],
    steps: [
      waitForSa('tunnel up through isp1', espFrom(MULTIWAN.moonIsp1)),
      pingThrough,
      {
        do: 'run',
        what: 'remove the primary default route and time the recovery through isp2',
        run: async (lab) => {
          // A 10 ms ping across the switch-over counts what the recovery costs.
          const ping = lab.exec(
            'alice',
            ['ping', '-q', '-n', '-c', '400', '-i', '0.01', '-W', '1', ADDR.bob.v4],
            60_000,
          );
          await new Promise((done) => setTimeout(done, 500));
          const r = await lab.exec('moon', [
            'ip',
            'route',
            'del',
            'default',
            'via',
            MULTIWAN.isp1Inside,
          ]);
          if (r.code !== 0) throw new Error(`ip route del: ${r.stderr}`);
          await lab.step(
            waitForSa(
              'recovery through isp2 (route removed -> new ESP SA)',
              espFrom(MULTIWAN.moonIsp2),
            ),
          );
          const counts = /(\d+) packets transmitted, (\d+) received/.exec((await ping).stdout);
          if (!counts) throw new Error('no ping summary');
          const lost = Number(counts[1]) - Number(counts[2]);
          lab.log(`pings lost across the switch-over: ${lost} of ${counts[1]} (10 ms apart)`);
          if (Number(counts[2]) === 0) throw new Error('no ping got through');
        },
      },
      {
        do: 'daemon-output',
        name: 'styxd-moon',
        expect: { match: [/default gateway 10\.1\.1\.254 .*-> 10\.2\.2\.254/] },
      },
      { do: 'sleep', ms: 1000 },
      pingThrough,
      {
        do: 'xfrm',
        ns: 'moon',
        show: 'state',
        expect: { noMatch: [new RegExp(`src ${esc(MULTIWAN.moonIsp1)} `)] },
      },
      down,
    ],
    timeoutMs: 90_000,
  },
];
