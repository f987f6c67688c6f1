// The manual's network settings with Styx as responder, against strongSwan
// initiating from sun: remote_addrs as a range (the initiator's source must
// match one entry) and as a host name resolved at each IKE_SA_INIT (DynDNS:
// when the name no longer points at sun, sun is refused). Also what a reload
// refuses: a setting not supported yet, and a second tunnel on a shared XFRM
// interface whose Phase 2 pairs overlap; the running tunnel stays each time.
// And the shared interface done right: an IPv4 and an IPv6 tunnel on xfrm42.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR, NET } from '../runner/topologies.js';
import { hostsFile, pingThrough, resolveSunTo, SUN_NAME } from './appliance-network.js';
import {
  type ConnSpec,
  charonDaemon,
  lanNets,
  type SideExtra,
  styxConfigFile,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

function conn(moon: SideExtra, name = 'gw'): ConnSpec {
  return {
    name,
    ike: 'aes256gcm16-prfsha256-x25519',
    children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
    ids: { moon: 'moon.lab.example', sun: 'sun.lab.example' },
    extra: { moon },
  };
}

const sunInitiates: Step = {
  do: 'swanctl',
  ns: 'sun',
  args: ['--initiate', '--child', 'net', '--timeout', '20'],
};
const sunTerminates: Step = {
  do: 'swanctl',
  ns: 'sun',
  args: ['--terminate', '--ike', 'gw', '--timeout', '20'],
};

const refused = (what: string, initiate: Step): Step => ({
  do: 'run',
  what,
  run: async (lab) => {
    try {
      await lab.step(initiate);
    } catch {
      return;
    }
    throw new Error('the initiation succeeded');
  },
});

const range = conn({ remoteAddr: `${ADDR.sun.v4}-192.0.2.5` });
const dyndns = conn({ remoteAddr: SUN_NAME });
const plain = conn({});

/** Appends `lines` under connection gw in moon's configuration file (after its version line). */
const addToConfig = (lines: readonly string[]): Step => ({
  do: 'run',
  what: `add to moon's configuration: ${lines.join(' | ')}`,
  run: async (lab) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const file = styxConfigFile('moon');
    const text = await readFile(file, 'utf8');
    const at = text.indexOf('    version: 2\n');
    if (at < 0) throw new Error(`no version line in ${file}`);
    const end = at + '    version: 2\n'.length;
    await writeFile(
      file,
      text.slice(0, end) + lines.map((l) => `${l}\n`).join('') + text.slice(end),
    );
    lab.log(`wrote ${file}`);
  },
});
const reloadRefused = (pattern: RegExp): Step[] => [
  styxctl('moon', ['reload'], undefined, 1),
  { do: 'daemon-output', name: 'styxd-moon', expect: { match: [pattern] } },
];

// Two tunnels on one XFRM interface: IPv4 and IPv6 LANs do not overlap.
const sharedV4: ConnSpec = {
  ...conn({ conn: [`xfrm_interface: { if_id: 42, routes: [${NET.sunLan.v4}] }`] }, 'gw'),
};
const sharedV6: ConnSpec = {
  name: 'gw6',
  family: 'v6',
  ike: 'aes256gcm16-prfsha256-x25519',
  children: [{ name: 'net6', proposals: 'aes256gcm16', nets: lanNets('v6') }],
  ids: { moon: 'moon6.lab.example', sun: 'sun6.lab.example' },
  extra: { moon: { conn: [`xfrm_interface: { if_id: 42, routes: ["${NET.sunLan.v6}"] }`] } },
};

export const APPLIANCE_RESPONDER_SCENARIOS: readonly Scenario[] = [
  {
    name: 'appliance-remote-range-responder',
    summary:
      "Styx answers sun because sun's source address lies in remote_addrs' range 192.0.2.2-192.0.2.5; pings go through",
    topology: 'net2net',
    daemons: [charonDaemon('sun', [range]), styxDaemon('moon', [range])],
    steps: [sunInitiates, pingThrough, sunTerminates],
    timeoutMs: 60_000,
  },
  {
    name: 'appliance-dyndns-responder',
    summary:
      'remote_addrs a host name on the responder: resolved at each IKE_SA_INIT; sun is answered while the name points at it and refused once the name points elsewhere',
    topology: 'net2net',
    setup: [{ ns: null, argv: ['sh', '-c', `mkdir -p /etc/netns/moon && : > ${hostsFile}`] }],
    daemons: [charonDaemon('sun', [dyndns]), styxDaemon('moon', [dyndns])],
    steps: [
      resolveSunTo(ADDR.sun.v4),
      sunInitiates,
      pingThrough,
      sunTerminates,
      resolveSunTo('192.0.2.99'),
      refused('sun is refused once the name points elsewhere', {
        ...sunInitiates,
        args: ['--initiate', '--child', 'net', '--timeout', '8'],
      }),
      {
        do: 'daemon-output',
        name: 'styxd-moon',
        expect: { match: [/IKE_SA_INIT from 192\.0\.2\.2\S* refused: no connection/] },
      },
    ],
    timeoutMs: 60_000,
  },
  {
    name: 'appliance-reload-not-supported',
    summary:
      'a reload that asks for a setting not supported yet (mobike: yes) is refused with file:line and "not supported yet"; the running tunnel keeps carrying pings',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [plain]), styxDaemon('moon', [plain])],
    steps: [
      sunInitiates,
      pingThrough,
      addToConfig(['    mobike: yes']),
      ...reloadRefused(
        /reload refused: \/tmp\/styx-moon\.yaml:\d+:\d+: connections\.gw\.mobike: mobike: yes .*not supported yet/,
      ),
      pingThrough,
      sunTerminates,
    ],
    timeoutMs: 60_000,
  },
  {
    name: 'appliance-xfrm-interface-shared',
    summary:
      'two tunnels share xfrm42 (if_id 42): IPv4 and IPv6 LANs, pinged through one interface; a reload adding a third tunnel whose Phase 2 pair overlaps is refused naming both connections, and the two keep running',
    topology: 'net2net',
    daemons: [charonDaemon('sun', [sharedV4, sharedV6]), styxDaemon('moon', [sharedV4, sharedV6])],
    steps: [
      { do: 'exec', ns: 'moon', argv: ['ip', 'route', 'del', NET.sunLan.v4] },
      { do: 'exec', ns: 'moon', argv: ['ip', '-6', 'route', 'del', NET.sunLan.v6] },
      styxctl('moon', ['up', 'gw'], { match: [/established/] }),
      styxctl('moon', ['up', 'gw6'], { match: [/established/] }),
      pingThrough,
      { do: 'ping', from: 'alice', to: ADDR.bob.v6, count: 3, expect: 'reply' },
      {
        do: 'exec',
        ns: 'moon',
        argv: ['ip', 'xfrm', 'policy'],
        expect: { count: [{ pattern: /if_id 0x2a/, min: 6 }] },
      },
      {
        do: 'run',
        what: 'add a third connection on xfrm42 that overlaps gw',
        run: async (lab) => {
          const { appendFile } = await import('node:fs/promises');
          await appendFile(
            styxConfigFile('moon'),
            [
              '  overlap:',
              '    remote_addrs: [192.0.2.77]',
              '    local: { auth: psk, id: moon.lab.example }',
              '    remote: { auth: psk, id: other.lab.example }',
              '    psk: { secret: other-lab-secret-0123456789 }',
              '    xfrm_interface: { if_id: 42 }',
              '    children:',
              `      net: { local_ts: [${NET.moonLan.v4}], remote_ts: [${NET.sunLan.v4}] }`,
              '',
            ].join('\n'),
          );
          lab.log('appended connection overlap');
        },
      },
      ...reloadRefused(
        /reload refused: .*connections\.overlap\.xfrm_interface: connections gw and overlap share interface xfrm42 \(if_id 42\) but their Phase 2 pairs overlap/,
      ),
      pingThrough,
      { do: 'ping', from: 'alice', to: ADDR.bob.v6, count: 2, expect: 'reply' },
      styxctl('moon', ['down', 'gw'], { match: [/closed/] }),
      styxctl('moon', ['down', 'gw6'], { match: [/closed/] }),
    ],
    timeoutMs: 90_000,
  },
];
