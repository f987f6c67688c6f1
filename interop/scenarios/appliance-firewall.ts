// The manual's "Associate Firewall Rule" against a default-drop firewall on
// moon: the site's own table (policy drop in input and forward) accepts only
// packets carrying firewall_rule's mark (docs/appliance-firewall.md), so the
// tunnel comes up and carries pings only while Styx's table `inet styx`
// exists. Deleting that table by hand stops the pings; a reload writes it
// again; a reload with firewall_rule: no removes it, and then not even IKE
// passes. Styx as initiator and as responder.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { pingThrough } from './appliance-network.js';
import {
  type ConnSpec,
  charonDaemon,
  lanNets,
  styxConfigFile,
  styxctl,
  styxDaemon,
} from './styx-pair.js';

const MARK = '0x01000000';

/** The appliance's own ruleset, written by its owner, never by Styx: drop all but the mark. */
const SITE_RULESET = [
  'table inet site {',
  '  chain input { type filter hook input priority filter; policy drop;',
  `    iif lo accept; meta mark & ${MARK} == ${MARK} accept; }`,
  '  chain forward { type filter hook forward priority filter; policy drop;',
  `    meta mark & ${MARK} == ${MARK} accept; }`,
  '}',
].join('\n');

function conn(firewall: boolean): ConnSpec {
  return {
    name: 'gw',
    ike: 'aes256gcm16-prfsha256-x25519',
    children: [{ name: 'net', proposals: 'aes256gcm16', nets: lanNets('v4') }],
    ids: { moon: 'moon.lab.example', sun: 'sun.lab.example' },
    extra: { moon: firewall ? { conn: ['firewall_rule: yes'] } : {} },
  };
}

const noPing: Step = { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 3, expect: 'no-reply' };
const tableHolds: Step = {
  do: 'exec',
  ns: 'moon',
  argv: ['nft', 'list', 'table', 'inet', 'styx'],
  expect: {
    match: [
      /udp dport \{ 500, 4500 \} meta mark set meta mark \| 0x01000000 comment "gw"/,
      /meta ipsec exists ip saddr 203\.0\.113\.0-203\.0\.113\.255 ip daddr 198\.51\.100\.0-198\.51\.100\.255 meta mark set/,
      /rt ipsec exists ip saddr 198\.51\.100\.0-198\.51\.100\.255 ip daddr 203\.0\.113\.0-203\.0\.113\.255 meta mark set/,
    ],
  },
};
const tableGone: Step = {
  do: 'exec',
  ns: 'moon',
  argv: ['nft', 'list', 'tables'],
  expect: { match: [/table inet site/], noMatch: [/table inet styx/] },
};
const reload = styxctl('moon', ['reload']);

const firewallOff: Step = {
  do: 'run',
  what: "set firewall_rule: no in moon's configuration",
  run: async (lab) => {
    const { readFile, writeFile } = await import('node:fs/promises');
    const file = styxConfigFile('moon');
    const text = await readFile(file, 'utf8');
    if (!text.includes('firewall_rule: yes')) throw new Error(`no firewall_rule in ${file}`);
    await writeFile(file, text.replace('firewall_rule: yes', 'firewall_rule: no'));
    lab.log(`wrote ${file}`);
  },
};

function scenario(role: 'initiator' | 'responder'): Scenario {
  const bringUp: Step =
    role === 'initiator'
      ? styxctl('moon', ['up', 'gw'], { match: [/established/] })
      : { do: 'swanctl', ns: 'sun', args: ['--initiate', '--child', 'net', '--timeout', '20'] };
  // Without the table nothing of the tunnel passes moon's firewall, IKE included.
  const cannotComeUp: Step =
    role === 'initiator'
      ? styxctl('moon', ['up', 'gw'], undefined, 1)
      : {
          do: 'run',
          what: "sun's initiation fails: moon's firewall drops its IKE_SA_INIT",
          run: async (lab) => {
            const r = await lab.exec('sun', [
              'swanctl',
              '--initiate',
              '--child',
              'net',
              '--timeout',
              '6',
            ]);
            if (r.code === 0) throw new Error('the initiation succeeded without the firewall rule');
          },
        };
  return {
    name: `appliance-firewall-rule-${role}`,
    summary: `Styx as ${role} behind a default-drop firewall: its table inet styx marks IKE, ESP and the Phase 2 traffic, so pings pass only while the table exists (deleted by hand: no pings; reload: back; firewall_rule: no: removed, not even IKE passes)`,
    topology: 'net2net',
    setup: [{ ns: 'moon', argv: ['nft', SITE_RULESET] }],
    daemons: [
      charonDaemon('sun', [conn(false)]),
      // Short retransmissions: the last step waits for an IKE_SA_INIT nobody answers.
      styxDaemon('moon', [conn(true)], ['retransmit: { timeout: 1s, tries: 1 }']),
    ],
    steps: [
      tableHolds,
      bringUp,
      pingThrough,
      { do: 'exec', ns: 'moon', argv: ['nft', 'delete', 'table', 'inet', 'styx'] },
      noPing,
      reload,
      tableHolds,
      pingThrough,
      firewallOff,
      reload,
      tableGone,
      noPing,
      cannotComeUp,
    ],
    timeoutMs: 90_000,
  };
}

export const APPLIANCE_FIREWALL_SCENARIOS: readonly Scenario[] = [
  scenario('initiator'),
  scenario('responder'),
];
